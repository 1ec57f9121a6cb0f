using System.Linq.Expressions;
using ExprDiff.Solvers;
using Xunit;

namespace ExprDiff.Tests.Solvers;

/// <summary>Gradient descent, momentum and Adam: their update rules against closed forms, clipping, and NaN backtracking.</summary>
public sealed class FirstOrderTests
{
    // f = ½‖x − c‖²: the gradient is x − c, so each rule's trajectory has a closed form.
    private static readonly Expression<Func<double[], double>> Bowl = x => 0.5 * ((x[0] - 3) * (x[0] - 3) + (x[1] + 1) * (x[1] + 1));

    [Fact]
    public void Gradient_descent_contracts_by_one_minus_the_learning_rate()
    {
        var r = new GradientDescent { LearningRate = 0.1, Options = new SolverOptions { MaxIterations = 10, GradientTolerance = 0 } }.Minimize(Bowl, [0, 0]);
        // x_k − c = (1 − η)^k (x₀ − c).
        double factor = Math.Pow(0.9, 10);
        Assert.Equal(3 - 3 * factor, r.X[0], 12);
        Assert.Equal(-1 + factor, r.X[1], 12);
        Assert.Equal(TerminationReason.MaxIterations, r.Reason);
        Assert.Equal(11, r.Counts.Gradient);
    }

    [Fact]
    public void Momentum_and_Nesterov_converge_faster_than_plain_descent_on_an_ill_conditioned_bowl()
    {
        Expression<Func<double[], double>> f = x => 0.5 * (x[0] * x[0] + 100 * x[1] * x[1]);
        SolverResult Run(double mu, bool nesterov) => new GradientDescent
        {
            LearningRate = 0.009, Momentum = mu, Nesterov = nesterov,
            Options = new SolverOptions { MaxIterations = 20_000, GradientTolerance = 1e-8 },
        }.Minimize(f, [1, 1]);
        var plain = Run(0, false);
        var heavy = Run(0.9, false);
        var nesterov = Run(0.9, true);
        Assert.True(plain.Converged && heavy.Converged && nesterov.Converged);
        Assert.True(heavy.Iterations < plain.Iterations / 3, $"{heavy.Iterations} vs {plain.Iterations}");
        Assert.True(nesterov.Iterations < plain.Iterations / 3, $"{nesterov.Iterations} vs {plain.Iterations}");
    }

    [Fact]
    public void Adams_first_step_is_the_learning_rate_times_the_gradients_sign()
    {
        // With bias correction, m̂ = g and v̂ = g² at t = 1: the step is −η·g/(|g| + ε).
        var r = new Adam { LearningRate = 0.05, Options = new SolverOptions { MaxIterations = 1, GradientTolerance = 0 } }.Minimize(Bowl, [0, 0]);
        Assert.Equal(0.05, r.X[0], 6);   // g₀ = −3
        Assert.Equal(-0.05, r.X[1], 6);  // g₁ = +1
        var converged = new Adam { LearningRate = 0.05, Options = new SolverOptions { MaxIterations = 20_000, GradientTolerance = 1e-6 } }.Minimize(Bowl, [0, 0]);
        Assert.True(converged.Converged, converged.Message);
        Assert.Equal(3, converged.X[0], 5);
        Assert.Equal(-1, converged.X[1], 5);
    }

    [Fact]
    public void Clipping_by_value_and_by_norm_bounds_the_step()
    {
        // From (1000, 0) the gradient is (997, 1): clipped by value to (1, 1), by norm 2 to length 2.
        var byValue = new GradientDescent { LearningRate = 1, ClipValue = 1, Options = new SolverOptions { MaxIterations = 1, GradientTolerance = 0 } }.Minimize(Bowl, [1000, 0]);
        Assert.Equal(999, byValue.X[0], 12);
        Assert.Equal(-1, byValue.X[1], 12);
        var byNorm = new GradientDescent { LearningRate = 1, ClipNorm = 2, Options = new SolverOptions { MaxIterations = 1, GradientTolerance = 0 } }.Minimize(Bowl, [1000, 0]);
        double norm = Math.Sqrt(997.0 * 997 + 1);
        Assert.Equal(1000 - 2 * 997 / norm, byNorm.X[0], 10);
        Assert.Equal(-2 * 1 / norm, byNorm.X[1], 10);
        var adamClipped = new Adam { ClipNorm = 1e-3, Options = new SolverOptions { MaxIterations = 3, GradientTolerance = 0 } }.Minimize(Bowl, [1000, 0]);
        Assert.Equal(TerminationReason.MaxIterations, adamClipped.Reason);
    }

    [Fact]
    public void A_step_into_NaN_is_halved_and_NaN_everywhere_ends_with_its_reason()
    {
        // log x is NaN for x < 0; a learning rate of 10 from x = 1 (gradient 1 − 1/x … ) would jump below 0.
        Expression<Func<double[], double>> f = x => x[0] - Math.Log(x[0]);
        var r = new GradientDescent { LearningRate = 0.9, Options = new SolverOptions { MaxIterations = 500 } }.Minimize(f, [4]);
        Assert.True(r.Converged, r.Message);
        Assert.Equal(1, r.X[0], 6);
        var jumpy = new GradientDescent { LearningRate = 10, Options = new SolverOptions { MaxIterations = 3, GradientTolerance = 0 } }.Minimize(f, [4]);
        Assert.True(double.IsFinite(jumpy.Value) && jumpy.X[0] > 0);

        var nan = new Objective((x, g) => { g[0] = 1; return x[0] == 2 ? 0 : double.NaN; });
        var bad = new Adam().Minimize(nan, [2.0]);
        Assert.Equal(TerminationReason.NonFiniteValue, bad.Reason);
        Assert.Equal(2.0, bad.X[0]);
    }

    [Fact]
    public void Settings_are_checked_and_one_instance_serves_parallel_solves()
    {
        Assert.Throws<ArgumentOutOfRangeException>("LearningRate", () => new Adam { LearningRate = 0 }.Minimize(Bowl, [0, 0]));
        Assert.Throws<ArgumentOutOfRangeException>("Momentum", () => new GradientDescent { Momentum = 1 }.Minimize(Bowl, [0, 0]));
        Assert.Throws<ArgumentOutOfRangeException>("ClipNorm", () => new Adam { ClipNorm = -1 }.Minimize(Bowl, [0, 0]));
        var adam = new Adam { LearningRate = 0.05, Options = new SolverOptions { MaxIterations = 300, GradientTolerance = 0 } };
        var objective = Objective.Create(Bowl);
        var expected = adam.Minimize(objective, [0, 0]).X;
        var results = new SolverResult[8];
        Parallel.For(0, results.Length, i => results[i] = adam.Minimize(objective, [0, 0]));
        Assert.All(results, r => Assert.Equal(expected, r.X));
    }
}
