using System.Linq.Expressions;
using ExprDiff.Solvers;
using Xunit;

namespace ExprDiff.Tests.Solvers;

/// <summary>Nonlinear conjugate gradients, both variants, on closed-form problems and the solver contract.</summary>
public sealed class ConjugateGradientTests
{
    private static readonly Expression<Func<double[], double>> Rosenbrock2 =
        x => 100 * (x[1] - x[0] * x[0]) * (x[1] - x[0] * x[0]) + (1 - x[0]) * (1 - x[0]);

    public static TheoryData<ConjugateGradientVariant> Variants => new() { ConjugateGradientVariant.PolakRibierePlus, ConjugateGradientVariant.HagerZhang };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Minimizes_the_Rosenbrock_function(ConjugateGradientVariant variant)
    {
        var r = new NonlinearConjugateGradient { Variant = variant, Options = new SolverOptions { MaxIterations = 5000 } }.Minimize(Rosenbrock2, [-1.2, 1]);
        Assert.True(r.Converged, r.Message);
        Assert.Equal(1, r.X[0], 5);
        Assert.Equal(1, r.X[1], 5);
        Assert.True(r.Value < 1e-10, $"f = {r.Value}");
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Solves_an_ill_conditioned_quadratic_in_about_n_steps(ConjugateGradientVariant variant)
    {
        // f = ½ Σ i·xᵢ² − Σ xᵢ over 50 variables: minimum at xᵢ = 1/i. Linear CG would need at most 50 exact steps.
        Expression<Func<double[], double>> f = x => Enumerable.Range(0, x.Length).Sum(i => 0.5 * (i + 1) * x[i] * x[i] - x[i]);
        var r = new NonlinearConjugateGradient { Variant = variant }.Minimize(f, new double[50]);
        Assert.True(r.Converged, r.Message);
        for (int i = 0; i < 50; i++) Assert.Equal(1.0 / (i + 1), r.X[i], 7);
        Assert.True(r.Iterations <= 200, $"{r.Iterations} iterations");
    }

    [Fact]
    public void Budgets_and_cancellation_return_the_best_point()
    {
        var r = new NonlinearConjugateGradient { Options = new SolverOptions { MaxEvaluations = 5 } }.Minimize(Rosenbrock2, [-1.2, 1]);
        Assert.Equal(TerminationReason.MaxEvaluations, r.Reason);
        Assert.True(r.Value < 24.2);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var c = new NonlinearConjugateGradient().Minimize(Rosenbrock2, [-1.2, 1], cts.Token);
        Assert.Equal(TerminationReason.Cancelled, c.Reason);
        Assert.Equal(0, c.Counts.Function);
    }

    [Fact]
    public void Iterations_allocate_nothing_after_the_first()
    {
        var objective = Objective.Create(Rosenbrock2);
        long Allocated(int iterations)
        {
            var solver = new NonlinearConjugateGradient { Options = new SolverOptions { MaxIterations = iterations, GradientTolerance = 0 } };
            solver.Minimize(objective, [-1.2, 1]);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var r = solver.Minimize(objective, [-1.2, 1]);
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(iterations, r.Iterations);
            return bytes;
        }
        Assert.InRange(Allocated(20) - Allocated(4), 0, 64);
    }
}
