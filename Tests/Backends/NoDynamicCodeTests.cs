using System.Diagnostics;
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
        string program = Path.Combine(AppContext.BaseDirectory, "NoDynamicCode.dll");
        Assert.True(File.Exists(program), $"{program} was not built beside the tests");
        string host = Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
        var start = new ProcessStartInfo(host, [program])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = await process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        string report = output + await error;
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(process.ExitCode == 0, report);
        Assert.Contains("ok dynamic code is off", lines);
        Assert.Contains("ok BatchGradient is not vectorized and says why", lines);
        Assert.Equal(15, lines.Count(l => l.StartsWith("ok ", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.StartsWith("FAIL", StringComparison.Ordinal));
    }
}
