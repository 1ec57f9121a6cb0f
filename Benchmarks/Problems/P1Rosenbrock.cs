using System.Linq.Expressions;
using static ExprDiff.Benchmarks.Problems.Terms;

namespace ExprDiff.Benchmarks.Problems;

/// <summary>P1 — extended Rosenbrock, f(x) = Σ_{i&lt;n−1} 100·(x[i+1] − x[i]²)² + (1 − x[i])² (PROBLEMS.md).</summary>
public static class P1Rosenbrock
{
    public static readonly int[] Sizes = [10, 100, 1000, 10000];

    /// <summary>Reference f at <see cref="Point"/>, by n.</summary>
    public static double Reference(int n) => n switch
    {
        10 => 2055.1314129840766,
        100 => 24920.06196350627,
        1000 => 253627.2749929104,
        10000 => 2540521.1412472473,
        _ => throw new ArgumentOutOfRangeException(nameof(n), n, "PROBLEMS.md gives reference values for n = 10, 100, 1000, 10000"),
    };

    /// <summary>The evaluation point: <c>x[i] = (i even ? −1.2 : 1.0) + 1e-3·sym()</c> from <c>Lcg(1)</c>.</summary>
    public static double[] Point(int n)
    {
        var r = new Lcg(1);
        var x = new double[n];
        for (int i = 0; i < n; i++) x[i] = (i % 2 == 0 ? -1.2 : 1.0) + 1e-3 * r.Sym();
        return x;
    }

    /// <summary>The Hessian-vector product's direction: <c>v[i] = sym()</c> from <c>Lcg(5)</c>.</summary>
    public static double[] Direction(int n)
    {
        var r = new Lcg(5);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = r.Sym();
        return v;
    }

    public static double Value(double[] x)
    {
        double f = 0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            double xi = x[i];
            double t = x[i + 1] - xi * xi;
            double u = 1 - xi;
            f += 100 * (t * t) + u * u;
        }
        return f;
    }

    /// <summary>Returns f(x) and writes ∇f(x) into <paramref name="grad"/> (length n). Allocation-free.</summary>
    public static double ValueAndGradient(double[] x, double[] grad)
    {
        int n = x.Length;
        double f = 0, carry = 0; // carry: term i−1's contribution to grad[i]
        for (int i = 0; i < n - 1; i++)
        {
            double xi = x[i];
            double t = x[i + 1] - xi * xi;
            double u = 1 - xi;
            f += 100 * (t * t) + u * u;
            grad[i] = carry - 400 * t * xi - 2 * u;
            carry = 200 * t;
        }
        if (n > 0) grad[n - 1] = carry;
        return f;
    }

    /// <summary>Writes H(x)·v into <paramref name="result"/>, using the tridiagonal Hessian. Allocation-free.</summary>
    public static void Hvp(double[] x, double[] v, double[] result)
    {
        int n = x.Length;
        Array.Clear(result);
        for (int i = 0; i < n - 1; i++)
        {
            double xi = x[i];
            double diag = 1200 * xi * xi - 400 * x[i + 1] + 2;
            double off = -400 * xi;
            result[i] += diag * v[i] + off * v[i + 1];
            result[i + 1] += off * v[i] + 200 * v[i + 1];
        }
    }

    /// <summary>
    /// The term-by-term expression <c>x => Σ 100*Math.Pow(x[i+1] - x[i]*x[i], 2) + Math.Pow(1 - x[i], 2)</c>
    /// for a fixed <paramref name="n"/>, a left-deep sum of n − 1 terms.
    /// </summary>
    public static Expression<Func<double[], double>> TermByTerm(int n)
    {
        var x = Expression.Parameter(typeof(double[]), "x");
        var terms = Enumerable.Range(0, n - 1).Select(i =>
            (Expression)Expression.Add(
                Expression.Multiply(C(100.0),
                    Pow(Expression.Subtract(At(x, i + 1), Expression.Multiply(At(x, i), At(x, i))), 2.0)),
                Pow(Expression.Subtract(C(1.0), At(x, i)), 2.0)));
        return Expression.Lambda<Func<double[], double>>(Sum(terms), x);
    }
}
