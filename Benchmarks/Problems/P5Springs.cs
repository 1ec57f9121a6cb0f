using System.Linq.Expressions;

namespace ExprDiff.Benchmarks.Problems;

/// <summary>
/// P5 — a spring lattice with integer connectivity: 2,000 nodes on a 50 × 40 grid, 5,821 springs (right, up and
/// diagonal neighbours), n = 4,000 (PROBLEMS.md). Springs s join nodes I[s] and J[s] (int[]), with rest length L[s] and
/// stiffness K[s]; E(x) = Σ_s ½·K[s]·(|x_I − x_J| − L[s])².
/// </summary>
public static class P5Springs
{
    public const int Columns = 50, Rows = 40, Nodes = Columns * Rows, N = 2 * Nodes, Springs = 5821;
    public const double Reference = 27.978427104050098;

    /// <summary>The springs and the point, from <c>Lcg(5)</c> in the order PROBLEMS.md gives.</summary>
    public sealed record Data(int[] I, int[] J, double[] L, double[] K, double[] X);

    public static Data Generate()
    {
        var r = new Lcg(5);
        var I = new List<int>(Springs);
        var J = new List<int>(Springs);
        var L = new List<double>(Springs);
        var K = new List<double>(Springs);
        void Spring(int a, int b, double l0)
        {
            I.Add(a); J.Add(b);
            L.Add(l0 * (1 + 0.05 * r.Sym()));
            K.Add(1 + 0.5 * r.Next());
        }
        for (int k = 0; k < Nodes; k++)
        {
            int i = k % Columns, j = k / Columns;
            if (i + 1 < Columns) Spring(k, k + 1, 1);
            if (j + 1 < Rows) Spring(k, k + Columns, 1);
            if (i + 1 < Columns && j + 1 < Rows) Spring(k, k + Columns + 1, Math.Sqrt(2));
        }
        var x = new double[N];
        for (int k = 0; k < Nodes; k++)
        {
            x[2 * k] = k % Columns + 0.1 * r.Sym();
            x[2 * k + 1] = k / Columns + 0.1 * r.Sym();
        }
        return new Data(I.ToArray(), J.ToArray(), L.ToArray(), K.ToArray(), x);
    }

    private static readonly Lazy<Data> Shared = new(Generate);

    /// <summary>The one data set every benchmark and test reads (generated once).</summary>
    public static Data Instance => Shared.Value;

    public static double[] Point() => (double[])Instance.X.Clone();

    public static double Value(double[] x) => Value(Instance, x);

    public static double Value(Data d, double[] x)
    {
        double e = 0;
        for (int s = 0; s < d.I.Length; s++)
        {
            int a = 2 * d.I[s], b = 2 * d.J[s];
            double dx = x[a] - x[b], dy = x[a + 1] - x[b + 1];
            double stretch = Math.Sqrt(dx * dx + dy * dy) - d.L[s];
            e += 0.5 * d.K[s] * stretch * stretch;
        }
        return e;
    }

    /// <summary>Returns E(x) and writes ∇E(x) into <paramref name="grad"/>; one pass over the springs, allocation-free.</summary>
    public static double ValueAndGradient(double[] x, double[] grad) => ValueAndGradient(Instance, x, grad);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double ValueAndGradient(Data d, double[] x, double[] grad)
    {
        Array.Clear(grad, 0, x.Length);
        int[] I = d.I, J = d.J;
        double[] L = d.L, K = d.K;
        double e = 0;
        for (int s = 0; s < I.Length; s++)
        {
            int a = 2 * I[s], b = 2 * J[s];
            double dx = x[a] - x[b], dy = x[a + 1] - x[b + 1];
            double r = Math.Sqrt(dx * dx + dy * dy);
            double stretch = r - L[s];
            e += 0.5 * K[s] * stretch * stretch;
            double c = K[s] * stretch / r;
            grad[a] += c * dx; grad[a + 1] += c * dy;
            grad[b] -= c * dx; grad[b + 1] -= c * dy;
        }
        return e;
    }

    /// <summary>As users write it: a sum over s reading I[s], J[s], L[s], K[s] from captured arrays.</summary>
    public static Expression<Func<double[], double>> Loop(Data d)
    {
        int[] I = d.I, J = d.J;
        double[] L = d.L, K = d.K;
        return x => Enumerable.Range(0, I.Length).Sum(s => 0.5 * K[s] * (
            Math.Sqrt((x[2 * I[s]] - x[2 * J[s]]) * (x[2 * I[s]] - x[2 * J[s]]) + (x[2 * I[s] + 1] - x[2 * J[s] + 1]) * (x[2 * I[s] + 1] - x[2 * J[s] + 1])) - L[s]) * (
            Math.Sqrt((x[2 * I[s]] - x[2 * J[s]]) * (x[2 * I[s]] - x[2 * J[s]]) + (x[2 * I[s] + 1] - x[2 * J[s] + 1]) * (x[2 * I[s] + 1] - x[2 * J[s] + 1])) - L[s]));
    }
}
