namespace ExprDiff.Tests.Examples;

/// <summary>A temporary folder for one test class's PNGs, deleted after its tests.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("exprdiff-examples-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { } // a viewer holding a file open must not fail the run
    }
}
