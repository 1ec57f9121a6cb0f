using System.Linq.Expressions;
using ExprDiff.Solvers;
using Xunit;

namespace ExprDiff.Tests.Solvers;

/// <summary>The README's solver snippet, as written there, gives what it says.</summary>
public sealed class ReadmeSolverTests
{
    [Fact]
    public void The_readme_snippet_runs_and_its_results_hold()
    {
        Expression<Func<double[], double>> rosenbrock =
            x => Enumerable.Range(0, x.Length - 1).Sum(i => 100 * Math.Pow(x[i + 1] - x[i] * x[i], 2) + Math.Pow(1 - x[i], 2));
        SolverResult r = new Lbfgs().Minimize(rosenbrock, [-1.2, 1.0]);
        Assert.Equal(TerminationReason.GradientTolerance, r.Reason);
        Assert.Equal(1, r.X[0], 6);

        double[] t = { 0, 1, 2, 3, 4 }, y = { 2.0, 1.2, 0.75, 0.44, 0.27 };
        var fit = LeastSquares.Create(p => t.Select((ti, i) => p[0] * Math.Exp(-p[1] * ti) - y[i]).ToArray());
        SolverResult lm = new LevenbergMarquardt().Minimize(fit, [1.0, 0.1]);
        double[] errors = FitStatistics.At(fit, lm.X).StandardErrors;
        Assert.True(lm.Converged, lm.Message);
        Assert.InRange(lm.X[0], 1.9, 2.1);
        Assert.InRange(lm.X[1], 0.45, 0.55);
        Assert.All(errors, e => Assert.InRange(e, 1e-4, 0.1));

        SolverResult root = new NewtonSystem().Solve(x => new[] { x[0] * x[0] + x[1] * x[1] - 4, Math.Exp(x[0]) + x[1] - 1 }, [1.0, -1.0]);
        Assert.Equal(TerminationReason.ResidualTolerance, root.Reason);
    }
}
