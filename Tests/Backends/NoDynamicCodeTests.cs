using ExprDiff.Tests.Support;
using Xunit;

namespace ExprDiff.Tests.Backends;

/// <summary>
/// In a process that cannot emit IL (NativeAOT, or the runtime's <c>IsDynamicCodeSupported</c> switch off), CompileIL,
/// every <c>Compiled.*</c> entry point, batches and a solver work through <c>Expression.Compile()</c> (which interprets
/// there), with the interpreted Diff expressions' values, and say why they fell back. The checks run in a child process
/// (Tests/NoDynamicCode, whose runtimeconfig turns the switch off): the switch is read once per process.
/// </summary>
public sealed class NoDynamicCodeTests
{
    [Fact]
    public async Task Every_route_works_without_dynamic_code_and_says_so()
    {
        var (exitCode, output, report) = await ChildProcess.Run("NoDynamicCode.dll", [], TimeSpan.FromMinutes(2));
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(exitCode == 0, report);
        Assert.Contains("ok dynamic code is off", lines);
        Assert.Contains("ok BatchGradient is not vectorized and says why", lines);
        Assert.Equal(15, lines.Count(l => l.StartsWith("ok ", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.StartsWith("FAIL", StringComparison.Ordinal));
    }
}
