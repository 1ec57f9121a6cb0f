using ExprDiff.Examples.NonlinearSystem;
using ExprDiff.Solvers;
using Xunit;

namespace ExprDiff.Tests.Examples;

/// <summary>The nonlinear-system example solves Chandrasekhar's H-equation by Newton's method: to the residual tolerance,
/// satisfying the discrete moment identity, quadratically where the Jacobian at the root is regular.</summary>
public sealed class NonlinearSystemExampleTests
{
    [Fact]
    public void Solves_the_H_equation_for_four_albedos_in_quick_mode()
    {
        var report = new StringWriter();
        var solves = HEquationExample.Run(60, [0.5, 0.9, 0.99, 0.9999], report);
        foreach (var s in solves)
        {
            Assert.True(s.Result.Reason == TerminationReason.ResidualTolerance, $"c = {s.C}: {s.Result.Message}\n{report}");
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
        Assert.Contains("moment identity", report.ToString());
    }
}
