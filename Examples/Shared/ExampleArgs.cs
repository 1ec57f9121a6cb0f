namespace ExprDiff.Examples;

/// <summary>
/// The command line every example accepts: <c>[--quick] [output-directory]</c>. Quick mode trades accuracy of the
/// pictures for time (a test runs it); the output directory receives the PNGs and defaults to a folder under the
/// current directory named after the example.
/// </summary>
/// <param name="Quick">Run the short version (under 15 s).</param>
/// <param name="OutputDirectory">Where the PNGs go.</param>
public sealed record ExampleArgs(bool Quick, string OutputDirectory)
{
    /// <summary>Reads <paramref name="args"/>; an unknown flag is an error, so a typo never runs the long version silently.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="exampleName">The default output folder's name, under the current directory.</param>
    /// <exception cref="ArgumentException">An unknown flag or a second directory.</exception>
    public static ExampleArgs Parse(string[] args, string exampleName)
    {
        bool quick = false;
        string? directory = null;
        foreach (string a in args)
        {
            if (a == "--quick") quick = true;
            else if (a.StartsWith('-')) throw new ArgumentException($"unknown option '{a}'; usage: [--quick] [output-directory]", nameof(args));
            else if (directory is null) directory = a;
            else throw new ArgumentException($"a second output directory '{a}'; usage: [--quick] [output-directory]", nameof(args));
        }
        return new ExampleArgs(quick, directory ?? Path.Combine(Directory.GetCurrentDirectory(), exampleName + "-output"));
    }
}
