using ExprDiff.Solvers.Internal;

namespace ExprDiff.Solvers;

/// <summary>How nonlinear conjugate gradients chooses β, the weight of the previous direction.</summary>
public enum ConjugateGradientVariant
{
    /// <summary>Polak–Ribière with β clipped at 0 (Gilbert and Nocedal 1992): a negative β restarts along the gradient.</summary>
    PolakRibierePlus,
    /// <summary>Hager and Zhang (2005, 2006): descent independent of the line search's accuracy, with their lower bound on β.</summary>
    HagerZhang,
}

/// <summary>
/// Nonlinear conjugate gradients: the next direction is the negative gradient plus β times the last one, with a strong
/// Wolfe line search (curvature parameter 0.1, as CG needs). Needs f and its gradient and O(n) memory: for very large
/// problems where even L-BFGS's memory is too much. Restarts along the gradient every n iterations and when successive
/// gradients stop being nearly orthogonal (Powell's test).
/// </summary>
public sealed class NonlinearConjugateGradient : Minimizer
{
    /// <summary>The formula for β.</summary>
    public ConjugateGradientVariant Variant { get; init; } = ConjugateGradientVariant.HagerZhang;

    private protected override SolverResult Run(Objective objective, ReadOnlySpan<double> start, CancellationToken cancellationToken)
    {
        var o = Options;
        int n = start.Length;
        var ev = new Evaluator(objective, o, cancellationToken, n);
        var x = start.ToArray();
        var g = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        var d = new double[n];
        var search = new LineSearch(n) { C2 = 0.1 };

        if (ev.Start(x, g, out double f) is { } atStart) return atStart;
        for (int i = 0; i < n; i++) d[i] = -g[i];
        double lastStep = 0, lastSlope = 0;
        int sinceRestart = 0;

        for (int iteration = 0; ; iteration++)
        {
            double gNorm = Vectors.NormInf(g);
            if (Stopping.BeforeStep(ev, o, gNorm, iteration) is { } done) return done;
            double slope = Vectors.Dot(g, d);
            if (!(slope < 0))
            {
                for (int i = 0; i < n; i++) d[i] = -g[i];
                slope = Vectors.Dot(g, d);
                sinceRestart = 0;
            }
            // The first step after a restart moves x by at most 1 in each coordinate; later ones expect the same first-order
            // change as the last step made (Nocedal and Wright 3.60).
            double alpha0 = sinceRestart == 0 ? Math.Min(1, 1 / gNorm) : lastStep * lastSlope / slope;
            if (!(alpha0 > 0) || !double.IsFinite(alpha0)) alpha0 = Math.Min(1, 1 / gNorm);
            var status = search.Search(ev, x, f, slope, d, alpha0, xNew, gNew, out double fNew, out double alpha);
            if (status is LineSearchStatus.Failed or LineSearchStatus.NonFinite && sinceRestart > 0)
            {
                for (int i = 0; i < n; i++) d[i] = -g[i];
                slope = Vectors.Dot(g, d);
                sinceRestart = 0;
                status = search.Search(ev, x, f, slope, d, Math.Min(1, 1 / gNorm), xNew, gNew, out fNew, out alpha);
            }
            if (Stopping.AfterSearch(ev, status, f, gNorm, iteration) is { } failed) return failed;
            (lastStep, lastSlope) = (alpha, slope);

            var (stepNorm, xNorm) = Stopping.Measure(x, xNew);
            double beta = Beta(g, gNew, d);
            double ggNew = Vectors.Dot(gNew, gNew);
            // Restart every n iterations, and where the new gradient is far from orthogonal to the old (Powell 1977).
            if (++sinceRestart >= n || Math.Abs(Vectors.Dot(gNew, g)) >= 0.2 * ggNew || !double.IsFinite(beta)) { beta = 0; sinceRestart = 0; }
            for (int i = 0; i < n; i++) d[i] = -gNew[i] + beta * d[i];

            double change = f - fNew;
            xNew.CopyTo(x.AsSpan());
            gNew.CopyTo(g.AsSpan());
            f = fNew;
            o.Progress?.Report(new SolverProgress(iteration + 1, f, Vectors.NormInf(g), stepNorm, ev.Counts));
            if (Stopping.AfterStep(ev, o, stepNorm, xNorm, change, f, iteration + 1) is { } converged) return converged;
        }
    }

    // β from the old gradient g, the new gNew and the old direction d.
    private double Beta(ReadOnlySpan<double> g, ReadOnlySpan<double> gNew, ReadOnlySpan<double> d)
    {
        double gg = Vectors.Dot(g, g);
        if (Variant == ConjugateGradientVariant.PolakRibierePlus)
        {
            double num = 0;
            for (int i = 0; i < g.Length; i++) num += gNew[i] * (gNew[i] - g[i]);
            return Math.Max(0, num / gg);
        }
        // Hager–Zhang: β = (y − 2d‖y‖²/dᵀy)ᵀg₊ / dᵀy, bounded below by −1/(‖d‖·min(0.01, ‖g‖)).
        double dy = 0, yy = 0, yg = 0, dg = 0, dd = 0;
        for (int i = 0; i < g.Length; i++)
        {
            double yi = gNew[i] - g[i];
            dy += d[i] * yi;
            yy += yi * yi;
            yg += yi * gNew[i];
            dg += d[i] * gNew[i];
            dd += d[i] * d[i];
        }
        double beta = (yg - 2 * yy * dg / dy) / dy;
        double bound = -1 / (Math.Sqrt(dd) * Math.Min(0.01, Math.Sqrt(gg)));
        return Math.Max(beta, bound);
    }
}
