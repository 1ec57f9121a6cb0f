using System.Linq.Expressions;

namespace ExprDiff.Benchmarks.Problems;

/// <summary>
/// P6 — a φ⁴ field on a 256 × 256 grid with guarded boundaries, n = 65,536 (PROBLEMS.md):
/// E(u) = Σ_i Σ_j [½·(i+1 &lt; 256 ? (u[(i+1)·256+j] − u[i·256+j])² : 0) + ½·(j+1 &lt; 256 ? (u[i·256+j+1] − u[i·256+j])² : 0)
/// + ¼·(u[i·256+j]² − 1)²].
/// </summary>
public static class P6Phi4
{
    public const int Side = 256, N = Side * Side;
    public const double Reference = 24703.188893490071;

    /// <summary><c>u[k] = 0.5·r.sym()</c> from <c>Lcg(6)</c>.</summary>
    public static double[] Point()
    {
        var r = new Lcg(6);
        var u = new double[N];
        for (int k = 0; k < N; k++) u[k] = 0.5 * r.Sym();
        return u;
    }

    public static double Value(double[] u)
    {
        double e = 0;
        for (int i = 0; i < Side; i++)
            for (int j = 0; j < Side; j++)
            {
                double c = u[i * Side + j];
                e += 0.5 * (i + 1 < Side ? (u[(i + 1) * Side + j] - c) * (u[(i + 1) * Side + j] - c) : 0);
                e += 0.5 * (j + 1 < Side ? (u[i * Side + j + 1] - c) * (u[i * Side + j + 1] - c) : 0);
                e += 0.25 * (c * c - 1) * (c * c - 1);
            }
        return e;
    }

    /// <summary>Returns E(u) and writes ∇E(u) into <paramref name="grad"/>: one pass, guards where the formula has them,
    /// no peeled boundaries (the natural hand-written form), allocation-free.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double ValueAndGradient(double[] u, double[] grad)
    {
        Array.Clear(grad, 0, N);
        double e = 0;
        for (int i = 0; i < Side; i++)
            for (int j = 0; j < Side; j++)
            {
                int k = i * Side + j;
                double c = u[k];
                if (i + 1 < Side)
                {
                    double d = u[k + Side] - c;
                    e += 0.5 * (d * d);
                    grad[k + Side] += d;
                    grad[k] -= d;
                }
                if (j + 1 < Side)
                {
                    double d = u[k + 1] - c;
                    e += 0.5 * (d * d);
                    grad[k + 1] += d;
                    grad[k] -= d;
                }
                double w = c * c - 1;
                e += 0.25 * w * w;
                grad[k] += c * w;
            }
        return e;
    }

    /// <summary>As users write it: nested sums, the boundary terms guarded by conditionals on the counters.</summary>
    public static readonly Expression<Func<double[], double>> Loop = u => Enumerable.Range(0, 256).Sum(i => Enumerable.Range(0, 256).Sum(j =>
        0.5 * (i + 1 < 256 ? (u[(i + 1) * 256 + j] - u[i * 256 + j]) * (u[(i + 1) * 256 + j] - u[i * 256 + j]) : 0)
        + 0.5 * (j + 1 < 256 ? (u[i * 256 + j + 1] - u[i * 256 + j]) * (u[i * 256 + j + 1] - u[i * 256 + j]) : 0)
        + 0.25 * (u[i * 256 + j] * u[i * 256 + j] - 1) * (u[i * 256 + j] * u[i * 256 + j] - 1)));
}
