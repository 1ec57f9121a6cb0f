using System.Linq.Expressions;
using ExprDiff.Optimization;
using Xunit;

namespace ExprDiff.Tests.Loops;

/// <summary>A conditional whose two branches both read a loop's result (a label choosing log p or log(1 − p), as in a
/// cross-entropy) needs the loop on every path: it differentiates at every optimization level, with the same values.</summary>
public sealed class ConditionalOverLoopTests
{
    [Fact]
    public void Both_branches_reading_a_sum_differentiate_without_the_optimizer_too()
    {
        double[] labels = [1, 0, 1];
        // z_k = Σ_i w_i·(k + i + 1)/10 is computed by a loop outside the branches, which both read it.
        Expression<Func<double[], double>> f = w => Enumerable.Range(0, labels.Length)
            .Select(k => Enumerable.Range(0, w.Length).Sum(i => w[i] * (k + i + 1) * 0.1))
            .Select((z, k) => labels[k] == 1 ? Math.Log(1 / (1 + Math.Exp(-z))) : Math.Log(1 - 1 / (1 + Math.Exp(-z))))
            .Sum();
        double[] at = [0.3, -0.7, 1.1];
        var exact = Diff.Gradient(f).Compile()(at);
        var raw = Diff.Gradient(f, new DiffOptions { Optimization = OptimizationLevel.None }).Compile()(at);
        Assert.Equal(exact, raw);
        var hv = Diff.Hvp(f, new DiffOptions { Optimization = OptimizationLevel.None }).Compile()(at, [1.0, 0, -1]);
        Assert.Equal(Diff.Hvp(f).Compile()(at, [1.0, 0, -1]), hv);
        Support.FiniteDifferences.AssertClose(Support.FiniteDifferences.Gradient(f.Compile(), at), exact, 1e-7, 1e-9, "gradient");
    }
}
