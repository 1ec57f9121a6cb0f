using System.Linq.Expressions;
using ExprDiff.Solvers;
using Xunit;

namespace ExprDiff.Tests.Solvers;

/// <summary>Newton's method for square nonlinear systems: roots to the residual tolerance, singular Jacobians, systems
/// without a root, the contract (budgets, cancellation, shapes) and allocation.</summary>
public sealed class NewtonSystemTests
{
    [Fact]
    public void Finds_a_root_of_a_circle_and_an_exponential_with_quadratic_convergence()
    {
        Expression<Func<double[], double[]>> r = x => new[] { x[0] * x[0] + x[1] * x[1] - 4, Math.Exp(x[0]) + x[1] - 1 };
        var residuals = new List<double>();
        var solver = new NewtonSystem { Options = new SolverOptions { Progress = new Collect(residuals) } };
        var result = solver.Solve(r, [1.0, -1.0]);
        Assert.Equal(TerminationReason.ResidualTolerance, result.Reason);
        Assert.True(result.Converged);
        var at = r.Compile()(result.X);
        Assert.All(at, v => Assert.True(Math.Abs(v) <= 1e-10, $"residual {v}"));
        // The root near (1, −1): x0 ≈ 1.0042, x1 ≈ −1.7296.
        Assert.Equal(1.0041687384746, result.X[0], 9);
        Assert.Equal(-1.7296372870, result.X[1], 9);
        Assert.True(result.Iterations <= 8, $"{result.Iterations} iterations");
        Assert.Equal(result.Iterations, result.Counts.Jacobian);
        // Quadratic convergence: the last reported ½‖r‖² values fall at least as fast as squaring (up to a constant).
        var f = residuals.Where(v => v > 0).ToArray();
        Assert.True(f.Length >= 3);
        Assert.True(Math.Sqrt(f[^1]) <= 10 * f[^2] + 1e-30, string.Join(", ", f));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(200)]
    public void Solves_Broyden_tridiagonal_written_with_select_over_the_index(int n)
    {
        // MGH 30: r_i = (3 − 2x_i)x_i − x_{i−1} − 2x_{i+1} + 1 with x_0 = x_{n+1} = 0, from x = −1.
        Expression<Func<double[], double[]>> r = x => Enumerable.Range(0, x.Length).Select(i =>
            (3 - 2 * x[i]) * x[i] - (i > 0 ? x[i - 1] : 0) - 2 * (i < x.Length - 1 ? x[i + 1] : 0) + 1).ToArray();
        var result = new NewtonSystem().Solve(r, Enumerable.Repeat(-1.0, n).ToArray());
        Assert.Equal(TerminationReason.ResidualTolerance, result.Reason);
        Assert.All(r.Compile()(result.X), v => Assert.True(Math.Abs(v) <= 1e-10));
        Assert.True(result.Iterations <= 10, $"{result.Iterations} iterations");
    }

    [Fact]
    public void A_singular_jacobian_takes_regularized_steps_to_the_root()
    {
        // J = [[2x0, 0], [0, 1]] is singular at x0 = 0, where the start lies; the root (0, 1) has a singular J as well.
        Expression<Func<double[], double[]>> r = x => new[] { x[0] * x[0], x[1] - 1 };
        var result = new NewtonSystem().Solve(r, [0.0, 3.0]);
        Assert.Equal(TerminationReason.ResidualTolerance, result.Reason);
        Assert.True(Math.Abs(result.X[0]) <= 1e-5);
        Assert.Equal(1, result.X[1], 10);

        // Powell's singular function (MGH 13): a root at 0 with a singular Jacobian; Newton converges linearly.
        Expression<Func<double[], double[]>> powell = x => new[]
        {
            x[0] + 10 * x[1], Math.Sqrt(5) * (x[2] - x[3]), Math.Pow(x[1] - 2 * x[2], 2), Math.Sqrt(10) * Math.Pow(x[0] - x[3], 2),
        };
        var p = new NewtonSystem { Options = new SolverOptions { MaxIterations = 200 } }.Solve(powell, [3.0, -1, 0, 1]);
        Assert.True(p.Converged, p.Message);
        Assert.True(p.Value <= 1e-16, $"½‖r‖² = {p.Value}");
    }

    [Fact]
    public void A_system_without_a_root_ends_at_the_least_squares_minimum_and_says_so()
    {
        Expression<Func<double[], double[]>> r = x => new[] { x[0] * x[0] + 1, x[1] - 2 };
        var result = new NewtonSystem().Solve(r, [1.5, 0.0]);
        Assert.Equal(TerminationReason.GradientTolerance, result.Reason);
        Assert.Equal(0.5, result.Value, 8); // ½·1² at x0 = 0
        Assert.Contains("not a root", result.Message);
    }

    [Fact]
    public void Keeps_the_contract_of_budgets_cancellation_and_shapes()
    {
        Expression<Func<double[], double[]>> r = x => new[] { Math.Exp(x[0]) - 2, x[0] * x[1] - 1 };
        var budget = new NewtonSystem { Options = new SolverOptions { MaxEvaluations = 2 } }.Solve(r, [3.0, 3.0]);
        Assert.Equal(TerminationReason.MaxEvaluations, budget.Reason);
        Assert.Equal(2, budget.Counts.Function);
        Assert.True(budget.Value <= 0.5 * (Math.Pow(Math.Exp(3) - 2, 2) + 64), "the best point seen");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Equal(TerminationReason.Cancelled, new NewtonSystem().Solve(r, [3.0, 3.0], cts.Token).Reason);
        Assert.Throws<ArgumentException>("start", () => new NewtonSystem().Solve(r, [double.NaN, 1]));
        Expression<Func<double[], double[]>> tall = x => new[] { x[0], x[1], x[0] + x[1] };
        var e = Assert.Throws<ArgumentException>(() => new NewtonSystem().Solve(tall, [1.0, 1.0]));
        Assert.Contains("LevenbergMarquardt", e.Message);
        // NaN away from the start: the step is shortened until the residuals are finite again.
        Expression<Func<double[], double[]>> log = x => new[] { Math.Log(x[0]) - 1 };
        var l = new NewtonSystem().Solve(log, [0.1]);
        Assert.Equal(TerminationReason.ResidualTolerance, l.Reason);
        Assert.Equal(Math.E, l.X[0], 10);
    }

    [Fact]
    public void Iterations_allocate_only_the_LU_factorizations_column()
    {
        // Chandrasekhar's H-equation, discretized (n = 20, c = 0.9): a dense Jacobian.
        int n = 20;
        double c = 0.9;
        var mu = Enumerable.Range(1, n).Select(i => (i - 0.5) / n).ToArray();
        Expression<Func<double[], double[]>> r = h => Enumerable.Range(0, n).Select(i =>
            h[i] - 1 / (1 - c / (2 * n) * Enumerable.Range(0, n).Sum(j => mu[i] * h[j] / (mu[i] + mu[j])))).ToArray();
        var system = LeastSquares.Create(r);
        long Allocated(int iterations)
        {
            var solver = new NewtonSystem { Options = new SolverOptions { MaxIterations = iterations, ResidualTolerance = 0, GradientTolerance = 0, StepTolerance = 0 } };
            solver.Solve(system, Enumerable.Repeat(1.0, n).ToArray());
            long before = GC.GetAllocatedBytesForCurrentThread();
            var result = solver.Solve(system, Enumerable.Repeat(1.0, n).ToArray());
            Assert.Equal(iterations, result.Iterations);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        // MathNet's managed LU allocates one column (8n + 24 bytes) per factorization; nothing else per iteration.
        long perIteration = (Allocated(6) - Allocated(2)) / 4;
        Assert.InRange(perIteration, 0, 8 * n + 24 + 8);
        var solved = new NewtonSystem().Solve(system, Enumerable.Repeat(1.0, n).ToArray());
        Assert.Equal(TerminationReason.ResidualTolerance, solved.Reason);
        Assert.True(solved.Iterations <= 6, $"{solved.Iterations} iterations");
    }

    private sealed class Collect(List<double> values) : IProgress<SolverProgress>
    {
        public void Report(SolverProgress value) => values.Add(value.Value);
    }
}
