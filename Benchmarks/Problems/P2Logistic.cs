using System.Linq.Expressions;
using static ExprDiff.Benchmarks.Problems.Terms;

namespace ExprDiff.Benchmarks.Problems;

/// <summary>
/// P2 — logistic-regression loss, loss(w) = (1/m)·Σ_i log(1 + exp(−y[i]·Σ_j w[j]·X[i,j])), m = 1000, d = 20
/// (PROBLEMS.md). Evaluated literally as <c>log(1 + exp(t))</c>, as every system must.
/// </summary>
public static class P2Logistic
{
    public const int M = 1000;
    public const int D = 20;
    public const double Reference = 0.7060611693007467;

    /// <summary>The data matrix, row-major: <c>X[i*D + j]</c>.</summary>
    public static readonly double[] X;
    /// <summary>Labels, ±1.</summary>
    public static readonly double[] Y;
    private static readonly double[] W0;

    static P2Logistic()
    {
        var r = new Lcg(2);
        X = new double[M * D];
        for (int i = 0; i < M; i++)
            for (int j = 0; j < D; j++) X[i * D + j] = r.Sym();
        var wt = new double[D];
        for (int j = 0; j < D; j++) wt[j] = r.Sym();
        Y = new double[M];
        for (int i = 0; i < M; i++)
        {
            double s = 0.0;
            for (int j = 0; j < D; j++) s += wt[j] * X[i * D + j];
            s += 0.5 * r.Sym();
            Y[i] = s >= 0 ? 1.0 : -1.0;
        }
        W0 = new double[D];
        for (int j = 0; j < D; j++) W0[j] = 0.1 * r.Sym();
    }

    /// <summary>The evaluation point w (a fresh copy).</summary>
    public static double[] Point() => (double[])W0.Clone();

    public static double Value(double[] w)
    {
        double sum = 0;
        for (int i = 0; i < M; i++)
        {
            double s = 0;
            int row = i * D;
            for (int j = 0; j < D; j++) s += w[j] * X[row + j];
            sum += Math.Log(1 + Math.Exp(-Y[i] * s));
        }
        return 1.0 / M * sum;
    }

    /// <summary>Returns loss(w) and writes ∇loss(w) into <paramref name="grad"/> (length D). Allocation-free.</summary>
    public static double ValueAndGradient(double[] w, double[] grad)
    {
        const double invM = 1.0 / M;
        Array.Clear(grad, 0, D);
        double sum = 0;
        for (int i = 0; i < M; i++)
        {
            int row = i * D;
            double s = 0;
            for (int j = 0; j < D; j++) s += w[j] * X[row + j];
            double yi = Y[i];
            double e = Math.Exp(-yi * s);
            double onePlusE = 1 + e;
            sum += Math.Log(onePlusE);
            // d/ds log(1 + exp(−y·s)) = −y·e/(1 + e)
            double coef = -yi * e / onePlusE * invM;
            for (int j = 0; j < D; j++) grad[j] += coef * X[row + j];
        }
        return invM * sum;
    }

    /// <summary>
    /// The term-by-term expression <c>w => (1/m)·Σ_i Math.Log(1 + Math.Exp(-y[i]*(w[0]*X[i,0] + ... + w[19]*X[i,19])))</c>
    /// with X and y baked in as constants.
    /// </summary>
    public static Expression<Func<double[], double>> TermByTerm()
    {
        var w = Expression.Parameter(typeof(double[]), "w");
        var rows = Enumerable.Range(0, M).Select(i =>
        {
            var s = Sum(Enumerable.Range(0, D).Select(j => (Expression)Expression.Multiply(At(w, j), C(X[i * D + j]))));
            var t = Expression.Multiply(C(-Y[i]), s);
            return (Expression)Call(nameof(Math.Log), Expression.Add(C(1.0), Call(nameof(Math.Exp), t)));
        });
        return Expression.Lambda<Func<double[], double>>(Expression.Multiply(C(1.0 / M), Sum(rows)), w);
    }
}
