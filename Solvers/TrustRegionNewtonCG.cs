using ExprDiff.Solvers.Internal;

namespace ExprDiff.Solvers;

/// <summary>
/// Trust-region Newton–CG (Steihaug 1983; Nocedal and Wright, algorithm 7.2): each step minimizes the quadratic model
/// gᵀp + ½pᵀHp within a trust region by conjugate gradients on Hessian-vector products, stopping at the region's edge or
/// along a direction of negative curvature. Uses H·v only, never H: second-order convergence without forming or factoring
/// a Hessian, and safe where H is indefinite.
/// </summary>
public sealed class TrustRegionNewtonCG : Minimizer
{
    /// <summary>The first trust-region radius (infinity: the first Newton step is unconstrained up to the max radius).</summary>
    public double InitialRadius { get; init; } = 1;

    /// <summary>The largest trust-region radius.</summary>
    public double MaxRadius { get; init; } = 1e10;

    private protected override SolverResult Run(Objective objective, ReadOnlySpan<double> start, CancellationToken cancellationToken)
    {
        objective.RequireSecondDerivatives("trust-region Newton-CG");
        if (!(InitialRadius > 0)) throw new ArgumentOutOfRangeException(nameof(InitialRadius), InitialRadius, "must be positive");
        if (!(MaxRadius >= InitialRadius)) throw new ArgumentOutOfRangeException(nameof(MaxRadius), MaxRadius, "must be at least the initial radius");
        var o = Options;
        int n = start.Length;
        var ev = new Evaluator(objective, o, cancellationToken, n);
        var x = start.ToArray();
        var g = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        var p = new double[n];   // the step
        var hp = new double[n];  // H·p
        var r = new double[n];   // CG residual
        var d = new double[n];   // CG direction
        var hd = new double[n];  // H·d
        double[]? hessian = ev.HasProducts ? null : new double[n * n];
        double[]? unit = hessian is null ? null : new double[n];
        double[]? column = hessian is null ? null : new double[n];

        if (ev.Start(x, g, out double f) is { } atStart) return atStart;
        double radius = InitialRadius;

        for (int iteration = 0; ; iteration++)
        {
            double gNorm = Vectors.NormInf(g);
            if (Stopping.BeforeStep(ev, o, gNorm, iteration) is { } done) return done;
            if (hessian is not null && !ev.DenseHessian(x, hessian, unit!, column!)) return ev.StoppedResult(iteration);
            bool accepted = false;
            // Shrink the region until a step is accepted (each try reuses H at x).
            while (!accepted)
            {
                if (!Steihaug(ev, x, g, radius, p, hp, r, d, hd, hessian, out bool onBoundary)) return ev.StoppedResult(iteration);
                double predicted = -(Vectors.Dot(g, p) + 0.5 * Vectors.Dot(p, hp));
                double pNorm = Math.Sqrt(Vectors.Dot(p, p));
                Vectors.Step(xNew, x, 1, p);
                if (!ev.ValueAndGradient(xNew, gNew, out double fNew)) return ev.StoppedResult(iteration);
                double actual = f - fNew;
                bool finite = double.IsFinite(fNew) && double.IsFinite(Vectors.NormInf(gNew));
                double rho = finite && predicted > 0 ? actual / predicted : double.NegativeInfinity;
                if (rho < 0.25) radius = 0.25 * pNorm;
                else if (rho > 0.75 && onBoundary) radius = Math.Min(2 * radius, MaxRadius);
                if (rho > 1e-4 || finite && predicted <= 0 && actual >= 0 && pNorm > 0)
                {
                    var (stepNorm, xNorm) = Stopping.Measure(x, xNew);
                    xNew.CopyTo(x.AsSpan());
                    gNew.CopyTo(g.AsSpan());
                    f = fNew;
                    accepted = true;
                    o.Progress?.Report(new SolverProgress(iteration + 1, f, Vectors.NormInf(g), stepNorm, ev.Counts));
                    if (Stopping.AfterStep(ev, o, stepNorm, xNorm, actual, f, iteration + 1) is { } converged) return converged;
                }
                else
                {
                    double xSize = Vectors.NormInf(x);
                    if (radius <= 1e-15 * Math.Max(1, xSize) || pNorm == 0)
                        return finite
                            ? ev.Result(TerminationReason.StepTolerance, $"the trust region shrank to {radius:G3} without a step that decreases f", iteration)
                            : ev.Result(TerminationReason.NonFiniteValue, "f or its gradient was NaN or infinite at every step tried, however short", iteration);
                }
            }
        }
    }

    // Steihaug's CG on the model within ‖p‖₂ ≤ radius; writes p and H·p. False when evaluation stopped.
    private static bool Steihaug(Internal.Evaluator ev, ReadOnlySpan<double> x, ReadOnlySpan<double> g, double radius,
        Span<double> p, Span<double> hp, Span<double> r, Span<double> d, Span<double> hd, double[]? hessian, out bool onBoundary)
    {
        int n = g.Length;
        p.Clear();
        hp.Clear();
        g.CopyTo(r);
        for (int i = 0; i < n; i++) d[i] = -r[i];
        double rr = Vectors.Dot(r, r);
        // Inexact Newton: stop when the residual is small relative to the gradient (superlinear convergence, Eisenstat-Walker style).
        double tolerance = Math.Min(0.5, Math.Sqrt(Math.Sqrt(rr))) * Math.Sqrt(rr);
        onBoundary = false;
        for (int j = 0; j < 2 * n + 10; j++)
        {
            if (!ev.HessianVector(x, d, hd, hessian)) return false;
            double dHd = Vectors.Dot(d, hd);
            if (!(dHd > 0))
            {
                // Negative curvature (or none): go to the boundary along d.
                ToBoundary(p, hp, d, hd, radius);
                onBoundary = true;
                return true;
            }
            double alpha = rr / dHd;
            double pp = 0;
            for (int i = 0; i < n; i++) { double v = p[i] + alpha * d[i]; pp += v * v; }
            if (Math.Sqrt(pp) >= radius)
            {
                ToBoundary(p, hp, d, hd, radius);
                onBoundary = true;
                return true;
            }
            Vectors.AddScaled(p, alpha, d);
            Vectors.AddScaled(hp, alpha, hd);
            Vectors.AddScaled(r, alpha, hd);
            double rrNew = Vectors.Dot(r, r);
            if (Math.Sqrt(rrNew) <= tolerance) return true;
            double beta = rrNew / rr;
            for (int i = 0; i < n; i++) d[i] = -r[i] + beta * d[i];
            rr = rrNew;
        }
        return true;
    }

    // p ← p + τd with τ ≥ 0 and ‖p + τd‖ = radius; H·p follows.
    private static void ToBoundary(Span<double> p, Span<double> hp, ReadOnlySpan<double> d, ReadOnlySpan<double> hd, double radius)
    {
        double dd = Vectors.Dot(d, d), pd = Vectors.Dot(p, d), pp = Vectors.Dot(p, p);
        double tau = dd > 0 ? (-pd + Math.Sqrt(Math.Max(0, pd * pd + dd * (radius * radius - pp)))) / dd : 0;
        Vectors.AddScaled(p, tau, d);
        Vectors.AddScaled(hp, tau, hd);
    }
}
