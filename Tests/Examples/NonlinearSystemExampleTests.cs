using ExprDiff.Examples;
using ExprDiff.Examples.NonlinearSystem;
using ExprDiff.Solvers;
using Xunit;

namespace ExprDiff.Tests.Examples;

/// <summary>The nonlinear-system example solves Chandrasekhar's H-equation by Newton's method in quick mode: to the
/// residual tolerance, satisfying the discrete moment identity, quadratically where the Jacobian at the root is regular.</summary>
public sealed class NonlinearSystemExampleTests : IClassFixture<NonlinearSystemExampleTests.QuickRun>
{
    /// <summary>One quick run into a temporary folder.</summary>
    public sealed class QuickRun : IDisposable
    {
        private readonly TempFolder _folder = new();

        public QuickRun() => Result = HEquationExample.Run(HEquationOptions.From(new ExampleArgs(Quick: true, _folder.Path)), Log);

        public StringWriter Log { get; } = new();

        public HEquationResult Result { get; }

        public void Dispose() => _folder.Dispose();
    }

    private readonly QuickRun _run;

    public NonlinearSystemExampleTests(QuickRun run) => _run = run;

    [Fact]
    public void Solves_the_H_equation_for_four_albedos()
    {
        var solves = _run.Result.Solves;
        Assert.Equal([0.5, 0.9, 0.99, 0.9999], solves.Select(s => s.C));
        foreach (var s in solves)
        {
            Assert.True(s.Result.Reason == TerminationReason.ResidualTolerance, $"c = {s.C}: {s.Result.Message}\n{_run.Log}");
            Assert.True(s.MomentError <= 1e-12, $"c = {s.C}: moment identity off by {s.MomentError}");
            // H increases with μ, from about 1 at μ = 0.
            Assert.True(s.Result.X.Zip(s.Result.X.Skip(1)).All(p => p.First < p.Second));
            Assert.InRange(s.Result.X[0], 1, 1.1);
        }
        // Regular Jacobian (c = 0.5): at most 4 iterations, the last ones squaring the residual.
        var easy = solves[0];
        Assert.True(easy.Result.Iterations <= 4, $"{easy.Result.Iterations} iterations");
        var r = easy.ResidualNorms;
        Assert.True(r[^1] <= 10 * r[^2] * r[^2] + 1e-14, string.Join(", ", r));
        // Near-singular (c = 0.9999): more iterations, still converged.
        Assert.True(solves[^1].Result.Iterations > easy.Result.Iterations);
        Assert.Contains("moment identity", _run.Log.ToString());
    }

    [Fact]
    public void Each_picture_has_data_a_title_and_axis_labels()
    {
        Assert.Equal(2, _run.Result.Pngs.Count);
        foreach (var png in _run.Result.Pngs) PngCheck.IsAPlot(png);
    }
}
