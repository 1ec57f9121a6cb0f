using ExprDiff.Tests.Support;
using Xunit;

namespace ExprDiff.Tests.Depth;

/// <summary>
/// Compiled derivatives of arbitrarily deep chains run on a default stack: a method too large for the JIT to optimize
/// is cut into parts of bounded size (the Expression Diff returns into nested lambdas, the IL into several methods), so
/// the deepest frame is one part's. Each route runs in a child process (Tests/DeepStack) on a 1 MiB stack, so a
/// regression fails one test rather than killing the test host.
/// </summary>
public sealed class BoundedFrameTests
{
    [Theory]
    [InlineData("il", 1_000_000)]
    [InlineData("compile", 100_000)]
    public async Task Gradient_of_a_deep_chain_runs_on_a_1_MiB_stack(string route, int depth)
    {
        var (exitCode, output, report) = await ChildProcess.Run("DeepStack.dll", [route, depth.ToString()], TimeSpan.FromMinutes(10));
        Assert.True(exitCode == 0, $"exit code {exitCode}: {report}");
        Assert.StartsWith($"ok {route} depth {depth}:", output.Trim());
    }
}
