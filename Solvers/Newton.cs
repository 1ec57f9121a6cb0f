using ExprDiff.Solvers.Internal;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace ExprDiff.Solvers;

/// <summary>
/// Newton's method with a modified Cholesky factorization and a strong Wolfe line search: the Hessian, shifted by τI
/// until it is positive definite (Nocedal and Wright, algorithm 3.3), gives a descent direction everywhere, and near a
/// minimum (τ = 0) the full Newton step with its quadratic convergence. Forms the dense Hessian each iteration (the
/// objective's own, or n Hessian-vector products) and factors it with MathNet.Numerics in buffers the solve owns.
/// </summary>
/// <remarks>For n in the thousands prefer <see cref="TrustRegionNewtonCG"/>, which never forms H. MathNet's managed
/// Cholesky allocates a small temporary per factorization (about 64·n bytes); nothing else is allocated after a solve's
/// start.</remarks>
public sealed class Newton : Minimizer
{
    private protected override SolverResult Run(Objective objective, ReadOnlySpan<double> start, CancellationToken cancellationToken)
    {
        objective.RequireSecondDerivatives("Newton's method");
        var o = Options;
        int n = start.Length;
        var ev = new Evaluator(objective, o, cancellationToken, n);
        var x = start.ToArray();
        var g = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        var d = new double[n];
        var hessian = new double[n * n];
        var factor = new double[n * n];
        var unit = new double[n];
        var column = new double[n];
        var search = new LineSearch(n);
        var lapack = LinearAlgebraControl.Provider;
        double lastShift = 0;

        if (ev.Start(x, g, out double f) is { } atStart) return atStart;

        for (int iteration = 0; ; iteration++)
        {
            double gNorm = Vectors.NormInf(g);
            if (Stopping.BeforeStep(ev, o, gNorm, iteration) is { } done) return done;
            if (!ev.DenseHessian(x, hessian, unit, column)) return ev.StoppedResult(iteration);
            lastShift = Direction(lapack, hessian, factor, g, d, lastShift);
            double slope = Vectors.Dot(g, d);
            if (!(slope < 0) || !double.IsFinite(slope))
            {
                // No usable factorization (a Hessian that is not finite): steepest descent this once.
                for (int i = 0; i < n; i++) d[i] = -g[i];
                slope = Vectors.Dot(g, d);
            }
            var status = search.Search(ev, x, f, slope, d, 1, xNew, gNew, out double fNew, out _);
            if (Stopping.AfterSearch(ev, status, f, gNorm, iteration) is { } failed) return failed;
            var (stepNorm, xNorm) = Stopping.Measure(x, xNew);
            double change = f - fNew;
            xNew.CopyTo(x.AsSpan());
            gNew.CopyTo(g.AsSpan());
            f = fNew;
            o.Progress?.Report(new SolverProgress(iteration + 1, f, Vectors.NormInf(g), stepNorm, ev.Counts));
            if (Stopping.AfterStep(ev, o, stepNorm, xNorm, change, f, iteration + 1) is { } converged) return converged;
        }
    }

    // d = −(H + τI)⁻¹g with the smallest τ of a doubling sequence that makes H + τI positive definite; returns τ, from
    // which the next iteration starts (a quarter of it), so an indefinite region costs few failed factorizations.
    private static double Direction(ILinearAlgebraProvider lapack, double[] hessian, double[] factor, ReadOnlySpan<double> g, double[] d, double lastShift)
    {
        int n = g.Length;
        Array.Clear(d); // a zero direction tells the caller no factorization was usable
        // Hessians from products are symmetric only to rounding; the factorization reads one triangle.
        double minDiagonal = double.PositiveInfinity, scale = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < i; j++)
            {
                double v = 0.5 * (hessian[i * n + j] + hessian[j * n + i]);
                hessian[i * n + j] = hessian[j * n + i] = v;
            }
            minDiagonal = Math.Min(minDiagonal, hessian[i * n + i]);
            scale = Math.Max(scale, Math.Abs(hessian[i * n + i]));
        }
        if (!double.IsFinite(minDiagonal) || !double.IsFinite(scale)) return 0;
        double beta = 1e-3 * Math.Max(scale, 1e-8);
        double tau = minDiagonal > 0 ? Math.Max(0, lastShift / 4) : Math.Max(-minDiagonal + beta, lastShift / 4);
        for (int attempt = 0; attempt < 80; attempt++)
        {
            hessian.CopyTo(factor, 0);
            for (int i = 0; i < n; i++) factor[i * n + i] += tau;
            if (TryFactor(lapack, factor, n))
            {
                for (int i = 0; i < n; i++) d[i] = -g[i];
                lapack.CholeskySolveFactored(factor, n, d, 1);
                return tau;
            }
            tau = Math.Max(2 * tau, beta);
        }
        return 0;
    }

    private static bool TryFactor(ILinearAlgebraProvider lapack, double[] a, int n)
    {
        try
        {
            lapack.CholeskyFactor(a, n);
            return true;
        }
        catch (ArgumentException)
        {
            // Not positive definite: MathNet reports it by exception.
            return false;
        }
    }
}
