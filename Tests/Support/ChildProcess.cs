using System.Diagnostics;

namespace ExprDiff.Tests.Support;

/// <summary>Runs a program built beside the tests (a console project the test project references) in a process of its
/// own: what would kill the test host (a stack overflow, a runtime switch read once per process) stays there.</summary>
internal static class ChildProcess
{
    /// <summary>Runs <paramref name="program"/> (a dll beside the tests) with <paramref name="arguments"/>; its exit code,
    /// standard output, and both outputs together for a failure's message.</summary>
    public static async Task<(int ExitCode, string Output, string Report)> Run(string program, string[] arguments, TimeSpan timeout)
    {
        string path = Path.Combine(AppContext.BaseDirectory, program);
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} was not built beside the tests", path);
        string host = Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
        var start = new ProcessStartInfo(host, [path, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} ran longer than {timeout}");
        }
        string stdout = await output;
        return (process.ExitCode, stdout, stdout + await error);
    }
}
