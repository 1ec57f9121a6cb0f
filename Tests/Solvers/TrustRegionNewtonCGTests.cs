using System.Linq.Expressions;
using ExprDiff.Solvers;
using Xunit;

namespace ExprDiff.Tests.Solvers;

/// <summary>Trust-region Newton-CG: second-order convergence from Hessian-vector products only, indefinite Hessians, and
/// the solver contract.</summary>
public sealed class TrustRegionNewtonCGTests
{
    private static readonly Expression<Func<double[], double>> RosenbrockN =
        x => Enumerable.Range(0, x.Length - 1).Sum(i => 100 * Math.Pow(x[i + 1] - x[i] * x[i], 2) + Math.Pow(1 - x[i], 2));

    [Theory]
    [InlineData(2)]
    [InlineData(100)]
    public void Minimizes_the_Rosenbrock_function_in_few_iterations(int n)
    {
        var start = Enumerable.Range(0, n).Select(i => i % 2 == 0 ? -1.2 : 1.0).ToArray();
        var r = new TrustRegionNewtonCG { Options = new SolverOptions { MaxIterations = 2000 } }.Minimize(RosenbrockN, start);
        Assert.True(r.Converged, r.Message);
        Assert.All(r.X, e => Assert.Equal(1, e, 6));
        Assert.True(r.Counts.HessianVector > 0);
        Assert.Equal(0, r.Counts.Hessian);
        // Second-order information: fewer iterations than L-BFGS needs from the same start.
        var quasiNewton = new Lbfgs { Options = new SolverOptions { MaxIterations = 2000 } }.Minimize(RosenbrockN, start);
        Assert.True(r.Iterations < quasiNewton.Iterations, $"{r.Iterations} iterations, L-BFGS {quasiNewton.Iterations}");
    }

    [Fact]
    public void Leaves_a_saddle_point_along_negative_curvature()
    {
        // f = x⁴ − 2x² + y²: a saddle at 0 (H = diag(−4, 2)), minima at x = ±1. Starting almost on the saddle, the
        // gradient is tiny but the model's negative curvature points the way out.
        Expression<Func<double[], double>> f = x => Math.Pow(x[0], 4) - 2 * x[0] * x[0] + x[1] * x[1];
        var r = new TrustRegionNewtonCG().Minimize(f, [1e-6, 0.5]);
        Assert.True(r.Converged, r.Message);
        Assert.Equal(1, Math.Abs(r.X[0]), 8);
        Assert.Equal(0, r.X[1], 8);
        Assert.Equal(-1, r.Value, 12);
    }

    [Fact]
    public void A_dense_Hessian_of_ones_own_serves_as_well()
    {
        // f = Σ (xᵢ − i)² + (Σ xᵢ)²: gradient and Hessian by hand.
        var objective = new Objective(
            (x, g) =>
            {
                double s = 0, f = 0;
                for (int i = 0; i < x.Length; i++) s += x[i];
                for (int i = 0; i < x.Length; i++) { f += (x[i] - i) * (x[i] - i); g[i] = 2 * (x[i] - i) + 2 * s; }
                return f + s * s;
            },
            hessian: (x, h) =>
            {
                int n = x.Length;
                for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) h[i * n + j] = (i == j ? 2 : 0) + 2;
            });
        var r = new TrustRegionNewtonCG().Minimize(objective, new double[4]);
        Assert.True(r.Converged, r.Message);
        // Solution of (2I + 2·11ᵀ)x = 2·(0, 1, 2, 3): x = i − Σi/(1 + n) = i − 6/5.
        for (int i = 0; i < 4; i++) Assert.Equal(i - 1.2, r.X[i], 10);
        Assert.True(r.Counts.Hessian > 0);
    }

    [Fact]
    public void Refuses_an_objective_without_second_derivatives_and_keeps_the_contract()
    {
        var firstOrder = new Objective((x, g) => { g[0] = 2 * x[0]; return x[0] * x[0]; });
        Assert.Throws<ArgumentException>("objective", () => new TrustRegionNewtonCG().Minimize(firstOrder, [1.0]));

        var budget = new TrustRegionNewtonCG { Options = new SolverOptions { MaxEvaluations = 4 } }.Minimize(RosenbrockN, [-1.2, 1]);
        Assert.Equal(TerminationReason.MaxEvaluations, budget.Reason);
        Assert.True(budget.Value < 24.2);

        var objective = Objective.Create(RosenbrockN);
        long Allocated(int iterations)
        {
            var solver = new TrustRegionNewtonCG { Options = new SolverOptions { MaxIterations = iterations, GradientTolerance = 0 } };
            solver.Minimize(objective, [-1.2, 1, -1.2, 1]);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var r = solver.Minimize(objective, [-1.2, 1, -1.2, 1]);
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(iterations, r.Iterations);
            return bytes;
        }
        Assert.InRange(Allocated(12) - Allocated(3), 0, 64);
    }
}
