using ExprDiff.Solvers.Internal;

namespace ExprDiff.Solvers;

/// <summary>
/// Limited-memory BFGS (Nocedal 1980; Liu and Nocedal 1989): a quasi-Newton method that keeps the last
/// <see cref="History"/> steps and gradient changes instead of a Hessian, with a strong Wolfe line search. Needs f and
/// its gradient only; the method of choice for smooth problems of many variables.
/// </summary>
public sealed class Lbfgs : Minimizer
{
    /// <summary>How many (step, gradient change) pairs approximate the inverse Hessian; 5 to 20 is usual.</summary>
    public int History { get; init; } = 10;

    private protected override SolverResult Run(Objective objective, ReadOnlySpan<double> start, CancellationToken cancellationToken)
    {
        if (History < 1) throw new ArgumentOutOfRangeException(nameof(History), History, "must be 1 or more");
        var o = Options;
        int n = start.Length, m = History;
        var ev = new Evaluator(objective, o, cancellationToken, n);
        var x = start.ToArray();
        var g = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        var d = new double[n];
        var s = new double[m][];
        var y = new double[m][];
        for (int k = 0; k < m; k++) { s[k] = new double[n]; y[k] = new double[n]; }
        var rho = new double[m];
        var alphas = new double[m];
        var search = new LineSearch(n);
        int stored = 0, newest = -1;

        if (ev.Start(x, g, out double f) is { } atStart) return atStart;

        for (int iteration = 0; ; iteration++)
        {
            double gNorm = Vectors.NormInf(g);
            if (Stopping.BeforeStep(ev, o, gNorm, iteration) is { } done) return done;

            Direction(g, d, s, y, rho, alphas, stored, newest);
            double slope = Vectors.Dot(g, d);
            if (!(slope < 0))
            {
                // Rounding made the quasi-Newton direction useless: start the memory again from steepest descent.
                stored = 0;
                slope = SteepestDescent(g, d);
            }
            // Without curvature information the first step is scaled to move x by at most 1 in each coordinate.
            double alpha0 = stored == 0 ? Math.Min(1, 1 / gNorm) : 1;
            var status = search.Search(ev, x, f, slope, d, alpha0, xNew, gNew, out double fNew, out _);
            if (status is LineSearchStatus.Failed or LineSearchStatus.NonFinite && stored > 0)
            {
                // Retry once along steepest descent with a fresh memory.
                stored = 0;
                slope = SteepestDescent(g, d);
                status = search.Search(ev, x, f, slope, d, Math.Min(1, 1 / gNorm), xNew, gNew, out fNew, out _);
            }
            if (Stopping.AfterSearch(ev, status, f, gNorm, iteration) is { } failed) return failed;

            var (stepNorm, xNorm) = Stopping.Measure(x, xNew);
            // The pair (s, y) enters the memory only with positive curvature, which keeps the approximation positive definite.
            double sy = 0, yy = 0, ss = 0;
            for (int i = 0; i < n; i++)
            {
                double si = xNew[i] - x[i], yi = gNew[i] - g[i];
                sy += si * yi;
                yy += yi * yi;
                ss += si * si;
            }
            if (sy > 1e-12 * Math.Sqrt(yy * ss))
            {
                // Written only when kept: the slot may hold the oldest pair still in use.
                int slot = (newest + 1) % m;
                for (int i = 0; i < n; i++)
                {
                    s[slot][i] = xNew[i] - x[i];
                    y[slot][i] = gNew[i] - g[i];
                }
                rho[slot] = 1 / sy;
                newest = slot;
                stored = Math.Min(stored + 1, m);
            }
            double change = f - fNew;
            xNew.CopyTo(x.AsSpan());
            gNew.CopyTo(g.AsSpan());
            f = fNew;
            o.Progress?.Report(new SolverProgress(iteration + 1, f, Vectors.NormInf(g), stepNorm, ev.Counts));
            if (Stopping.AfterStep(ev, o, stepNorm, xNorm, change, f, iteration + 1) is { } converged) return converged;
        }
    }

    private static double SteepestDescent(ReadOnlySpan<double> g, Span<double> d)
    {
        for (int i = 0; i < d.Length; i++) d[i] = -g[i];
        return -Vectors.Dot(g, g);
    }

    // d = −H·g by the two-loop recursion, H scaled by γ = sᵀy/yᵀy of the newest pair (Nocedal and Wright 7.20).
    private static void Direction(ReadOnlySpan<double> g, Span<double> d, double[][] s, double[][] y, double[] rho, double[] alphas, int stored, int newest)
    {
        int m = s.Length;
        for (int i = 0; i < d.Length; i++) d[i] = -g[i];
        if (stored == 0) return;
        for (int k = 0, j = newest; k < stored; k++, j = (j - 1 + m) % m)
        {
            alphas[j] = rho[j] * Vectors.Dot(s[j], d);
            Vectors.AddScaled(d, -alphas[j], y[j]);
        }
        double gamma = 1 / (rho[newest] * Vectors.Dot(y[newest], y[newest]));
        for (int i = 0; i < d.Length; i++) d[i] *= gamma;
        int oldest = (newest - stored + 1 + m) % m;
        for (int k = 0, j = oldest; k < stored; k++, j = (j + 1) % m)
        {
            double beta = rho[j] * Vectors.Dot(y[j], d);
            Vectors.AddScaled(d, alphas[j] - beta, s[j]);
        }
    }
}
