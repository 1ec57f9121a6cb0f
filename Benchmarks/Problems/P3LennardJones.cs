using System.Linq.Expressions;
using static ExprDiff.Benchmarks.Problems.Terms;

namespace ExprDiff.Benchmarks.Problems;

/// <summary>
/// P3 — Lennard-Jones cluster of 64 atoms (192 variables): E(x) = Σ_{i&lt;j} 4·(r_ij^−12 − r_ij^−6), no cutoff,
/// reduced units (PROBLEMS.md).
/// </summary>
public static class P3LennardJones
{
    public const int Atoms = 64;
    public const int N = 3 * Atoms;
    public const double Reference = -209.8749371480368;

    /// <summary>Perturbed 4×4×4 lattice, spacing 1.1, from <c>Lcg(3)</c>.</summary>
    public static double[] Point()
    {
        const double a = 1.1;
        var r = new Lcg(3);
        var x = new double[N];
        for (int k = 0; k < Atoms; k++)
        {
            int ix = k / 16, iy = k / 4 % 4, iz = k % 4;
            x[3 * k] = a * ix + 0.05 * r.Sym();
            x[3 * k + 1] = a * iy + 0.05 * r.Sym();
            x[3 * k + 2] = a * iz + 0.05 * r.Sym();
        }
        return x;
    }

    public static double Value(double[] x)
    {
        double e = 0;
        for (int i = 0; i < Atoms; i++)
        {
            double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
            for (int j = i + 1; j < Atoms; j++)
            {
                double dx = xi - x[3 * j], dy = yi - x[3 * j + 1], dz = zi - x[3 * j + 2];
                double i2 = 1 / (dx * dx + dy * dy + dz * dz);
                double i6 = i2 * i2 * i2;
                e += 4 * (i6 * i6 - i6);
            }
        }
        return e;
    }

    /// <summary>Returns E(x) and writes ∇E(x) into <paramref name="grad"/> (length 192). Allocation-free.</summary>
    public static double ValueAndGradient(double[] x, double[] grad)
    {
        Array.Clear(grad, 0, N);
        double e = 0;
        for (int i = 0; i < Atoms; i++)
        {
            double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
            double gx = 0, gy = 0, gz = 0;
            for (int j = i + 1; j < Atoms; j++)
            {
                double dx = xi - x[3 * j], dy = yi - x[3 * j + 1], dz = zi - x[3 * j + 2];
                double i2 = 1 / (dx * dx + dy * dy + dz * dz);
                double i6 = i2 * i2 * i2;
                e += 4 * (i6 * i6 - i6);
                // dE/d(r²) = 4·(−6·r^−14 + 3·r^−8) and d(r²)/d(dx) = 2·dx
                double s = i2 * (24 * i6 - 48 * i6 * i6);
                double fx = s * dx, fy = s * dy, fz = s * dz;
                gx += fx; gy += fy; gz += fz;
                grad[3 * j] -= fx; grad[3 * j + 1] -= fy; grad[3 * j + 2] -= fz;
            }
            grad[3 * i] += gx; grad[3 * i + 1] += gy; grad[3 * i + 2] += gz;
        }
        return e;
    }

    /// <summary>
    /// The term-by-term expression <c>x => Σ_{i&lt;j} 4*(Math.Pow(r2, -6.0) - Math.Pow(r2, -3.0))</c> where each
    /// <c>r2</c> is written out, in both places, as <c>(x[3i]-x[3j])*(x[3i]-x[3j]) + ... </c> over the three coordinates.
    /// </summary>
    public static Expression<Func<double[], double>> TermByTerm()
    {
        var x = Expression.Parameter(typeof(double[]), "x");
        Expression R2(int i, int j) => Sum(Enumerable.Range(0, 3).Select(c =>
            (Expression)Expression.Multiply(
                Expression.Subtract(At(x, 3 * i + c), At(x, 3 * j + c)),
                Expression.Subtract(At(x, 3 * i + c), At(x, 3 * j + c)))));
        var pairs = new List<Expression>(Atoms * (Atoms - 1) / 2);
        for (int i = 0; i < Atoms; i++)
            for (int j = i + 1; j < Atoms; j++)
                pairs.Add(Expression.Multiply(C(4.0), Expression.Subtract(Pow(R2(i, j), -6.0), Pow(R2(i, j), -3.0))));
        return Expression.Lambda<Func<double[], double>>(Sum(pairs), x);
    }
}
