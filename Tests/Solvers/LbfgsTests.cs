using System.Linq.Expressions;
using ExprDiff.Solvers;
using Xunit;

namespace ExprDiff.Tests.Solvers;

/// <summary>L-BFGS on closed-form problems, and the contract every solver keeps: budgets and cancellation end a solve
/// with the best point, never an exception; NaN regions shorten steps; iterations allocate nothing.</summary>
public sealed class LbfgsTests
{
    private static readonly Expression<Func<double[], double>> Rosenbrock2 =
        x => 100 * (x[1] - x[0] * x[0]) * (x[1] - x[0] * x[0]) + (1 - x[0]) * (1 - x[0]);

    // The extended Rosenbrock function as a loop, minimum 0 at (1, …, 1).
    private static readonly Expression<Func<double[], double>> RosenbrockN =
        x => Enumerable.Range(0, x.Length - 1).Sum(i => 100 * Math.Pow(x[i + 1] - x[i] * x[i], 2) + Math.Pow(1 - x[i], 2));

    [Fact]
    public void Finds_the_minimum_of_the_Rosenbrock_function_in_2_and_1000_dimensions()
    {
        var r2 = new Lbfgs().Minimize(Rosenbrock2, [-1.2, 1]);
        Assert.Equal(TerminationReason.GradientTolerance, r2.Reason);
        Assert.True(r2.Converged);
        Assert.Equal(1, r2.X[0], 6);
        Assert.Equal(1, r2.X[1], 6);
        Assert.True(r2.Value < 1e-12, $"f = {r2.Value}");
        Assert.True(r2.Counts.Function < 100, $"{r2.Counts.Function} evaluations");

        var start = Enumerable.Range(0, 1000).Select(i => i % 2 == 0 ? -1.2 : 1.0).ToArray();
        // The chained form passes information one coordinate per iteration: about 5n iterations from this start.
        var rn = new Lbfgs { Options = new SolverOptions { MaxIterations = 10_000 } }.Minimize(RosenbrockN, start);
        Assert.True(rn.Converged, rn.Message);
        Assert.All(rn.X, e => Assert.Equal(1, e, 5));
        Assert.Equal(rn.Counts.Function, rn.Counts.Gradient);
    }

    [Fact]
    public void A_quadratic_is_minimized_exactly()
    {
        // f = ½ xᵀAx − bᵀx with A = diag(1, 10, 100): minimum at x = A⁻¹b.
        Expression<Func<double[], double>> f = x => 0.5 * (x[0] * x[0] + 10 * x[1] * x[1] + 100 * x[2] * x[2]) - (x[0] + 2 * x[1] + 3 * x[2]);
        var r = new Lbfgs().Minimize(f, [5, 5, 5]);
        Assert.Equal(TerminationReason.GradientTolerance, r.Reason);
        Assert.Equal(1, r.X[0], 8);
        Assert.Equal(0.2, r.X[1], 8);
        Assert.Equal(0.03, r.X[2], 8);
        Assert.True(r.GradientNorm <= 1e-8);
        Assert.True(r.Iterations <= 20, $"{r.Iterations} iterations");
    }

    [Fact]
    public void Budgets_end_a_solve_with_the_best_point_seen_and_never_throw()
    {
        var byEvaluations = new Lbfgs { Options = new SolverOptions { MaxEvaluations = 7 } }.Minimize(Rosenbrock2, [-1.2, 1]);
        Assert.Equal(TerminationReason.MaxEvaluations, byEvaluations.Reason);
        Assert.Equal(7, byEvaluations.Counts.Function);
        Assert.True(byEvaluations.Value < 24.2, $"f = {byEvaluations.Value}"); // f(x0) = 24.2: it moved downhill
        Assert.Equal(byEvaluations.Value, Eval(Rosenbrock2, byEvaluations.X));

        var byIterations = new Lbfgs { Options = new SolverOptions { MaxIterations = 3 } }.Minimize(Rosenbrock2, [-1.2, 1]);
        Assert.Equal(TerminationReason.MaxIterations, byIterations.Reason);
        Assert.Equal(3, byIterations.Iterations);

        var byTime = new Lbfgs { Options = new SolverOptions { TimeLimit = TimeSpan.Zero } }.Minimize(Rosenbrock2, [-1.2, 1]);
        Assert.Equal(TerminationReason.TimeLimit, byTime.Reason);
        Assert.Equal(0, byTime.Counts.Function);
    }

    [Fact]
    public void Cancellation_stops_at_the_next_evaluation_with_the_best_point()
    {
        using var cts = new CancellationTokenSource();
        var vg = Compiled.ValueAndGradient(Rosenbrock2);
        int calls = 0;
        var objective = new Objective((x, g) =>
        {
            if (++calls == 10) cts.Cancel();
            return vg(x, g);
        });
        var r = new Lbfgs().Minimize(objective, [-1.2, 1], cts.Token);
        Assert.Equal(TerminationReason.Cancelled, r.Reason);
        Assert.Equal(10, r.Counts.Function);
        Assert.True(r.Value < 24.2);
        Assert.Equal(r.Value, Eval(Rosenbrock2, r.X));
    }

    [Fact]
    public void A_NaN_region_shortens_steps_and_a_NaN_everywhere_ends_with_its_own_reason()
    {
        // log(x) + log(2 − x) … is NaN outside (0, 2); its minimum of −x·(2 − x) style is at 1. A first step of length 1
        // from 0.05 along the gradient leaves the domain.
        Expression<Func<double[], double>> barrier = x => (x[0] - 1.9) * (x[0] - 1.9) - 0.01 * Math.Log(x[0]) - 0.01 * Math.Log(2 - x[0]);
        var r = new Lbfgs().Minimize(barrier, [0.05]);
        Assert.True(r.Converged, r.Message);
        Assert.InRange(r.X[0], 1.8, 1.99);

        var nan = new Objective((x, g) => { g.Fill(double.NaN); return x[0] == 3 ? 1 : double.NaN; });
        var bad = new Lbfgs().Minimize(nan, [3.0]);
        Assert.Equal(TerminationReason.NonFiniteValue, bad.Reason);
    }

    [Fact]
    public void Iterations_allocate_nothing_after_the_first()
    {
        var objective = Objective.Create(RosenbrockN);
        var start = Enumerable.Range(0, 50).Select(i => i % 2 == 0 ? -1.2 : 1.0).ToArray();
        long Allocated(int iterations)
        {
            var solver = new Lbfgs { Options = new SolverOptions { MaxIterations = iterations, GradientTolerance = 0 } };
            solver.Minimize(objective, start); // warm: JIT and first-call pools
            long before = GC.GetAllocatedBytesForCurrentThread();
            var r = solver.Minimize(objective, start);
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(iterations, r.Iterations);
            return bytes;
        }
        // The same bytes for 5 and 40 iterations but for the final message's digits.
        Assert.InRange(Allocated(40) - Allocated(5), 0, 64);
    }

    [Fact]
    public void Bad_arguments_are_refused_naming_them()
    {
        Assert.Throws<ArgumentNullException>("objective", () => new Lbfgs().Minimize((Objective)null!, [1.0]));
        Assert.Throws<ArgumentException>("start", () => new Lbfgs().Minimize(Rosenbrock2, []));
        Assert.Throws<ArgumentException>("start", () => new Lbfgs().Minimize(Rosenbrock2, [double.NaN, 1]));
        Assert.Throws<ArgumentOutOfRangeException>("History", () => new Lbfgs { History = 0 }.Minimize(Rosenbrock2, [1.0, 1]));
        Assert.Throws<ArgumentOutOfRangeException>("MaxEvaluations", () => new Lbfgs { Options = new SolverOptions { MaxEvaluations = 0 } }.Minimize(Rosenbrock2, [1.0, 1]));
    }

    private static double Eval(Expression<Func<double[], double>> f, double[] x) => f.Compile()(x);
}
