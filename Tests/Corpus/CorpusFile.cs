using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace ExprDiff.Tests.Corpus;

/// <summary>The stored outcomes of one corpus function: its generator text (if any), whether it is portable, and per
/// (kind, point) the value lines.</summary>
internal sealed record StoredCase(string Id, bool Portable, string? Text, Dictionary<string, string[]> Blocks);

/// <summary>
/// The data file <c>Tests/Corpus/corpus-values.txt</c> (embedded in the test assembly):
/// <code>
/// # comments and the header (platform: …)
/// = id portable|platform            a function
/// # f: text                         its generator's text, for generated functions
/// @ Kind pN count                   a block: then count lines, one value each, 16 hex digits of its IEEE 754 bits
/// ! ExceptionName                   instead of values: what every lowering throws
/// </code>
/// Every NaN is written as 7FF8000000000000 (payloads are not part of a value). The order is the corpus's (sorted by
/// id), kinds in enum order, points in order: regenerating on the same platform rewrites the file byte for byte.
/// </summary>
internal static class CorpusFile
{
    public const string ResourceName = "ExprDiff.Tests.Corpus.corpus-values.txt";

    private const string NaNBits = "7FF8000000000000";

    /// <summary>Where transcendental values come from: OS, architecture, runtime major.minor and C library. Stored values
    /// of non-portable functions are compared only where this matches the file's.</summary>
    public static string Platform { get; } = string.Format(CultureInfo.InvariantCulture, "{0}-{1} .NET {2}.{3} libc {4}",
        OperatingSystem.IsLinux() ? "linux" : OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsMacOS() ? "osx" : "other",
        RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(), Environment.Version.Major, Environment.Version.Minor, LibC());

    private static string LibC()
    {
        if (!OperatingSystem.IsLinux()) return "system";
        try { return Marshal.PtrToStringAnsi(GnuLibCVersion()) ?? "unknown"; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return "not-glibc"; }
    }

    // The versioned name: a bare "libc.so" may be a linker script (libc6-dev) that cannot be loaded.
    [DllImport("libc.so.6", EntryPoint = "gnu_get_libc_version")]
    private static extern IntPtr GnuLibCVersion();

    public static string Hex(double v) =>
        double.IsNaN(v) ? NaNBits : BitConverter.DoubleToInt64Bits(v).ToString("X16", CultureInfo.InvariantCulture);

    public static string BlockKey(Kind kind, int point) => $"{kind} p{point}";

    public static void Header(StringBuilder sb, int functions, int blocks, long values)
    {
        sb.Append("# ExprDiff value corpus (issue 13, \"values unchanged\"): f and its derivatives at fixed points, as the\n")
          .Append("# IEEE 754 bits of each double (16 hex digits; every NaN as ").Append(NaNBits).Append("), one value per line.\n")
          .Append("# Written by Tests/Corpus/CorpusTests.cs (see there how to regenerate it); do not edit by hand.\n")
          .Append("# platform: ").Append(Platform).Append('\n')
          .Append("# functions: ").Append(functions).Append(", blocks: ").Append(blocks).Append(", values: ").Append(values).Append('\n');
    }

    public static (string Platform, Dictionary<string, StoredCase> Cases) Parse(TextReader reader)
    {
        string platform = "";
        var cases = new Dictionary<string, StoredCase>();
        StoredCase? current = null;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.StartsWith("# platform: ", StringComparison.Ordinal)) platform = line["# platform: ".Length..];
            else if (line.StartsWith("# f: ", StringComparison.Ordinal) && current is not null)
                cases[current.Id] = current = current with { Text = line["# f: ".Length..] };
            else if (line.StartsWith("= ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                current = new StoredCase(parts[1], parts[2] == "portable", null, new Dictionary<string, string[]>());
                cases.Add(current.Id, current);
            }
            else if (line.StartsWith("@ ", StringComparison.Ordinal) && current is not null)
            {
                var parts = line.Split(' ');
                int count = int.Parse(parts[3], CultureInfo.InvariantCulture);
                var values = new string[count];
                for (int i = 0; i < count; i++) values[i] = reader.ReadLine() ?? throw new InvalidDataException($"{current.Id}: truncated block {line}");
                current.Blocks.Add(parts[1] + " " + parts[2], values);
            }
        }
        return (platform, cases);
    }

    /// <summary>The lines of one outcome: hex values, or one <c>! Exception</c> line.</summary>
    public static string[] Lines(Outcome o) => o.Error is { } e ? ["! " + e] : o.Values!.Select(Hex).ToArray();
}
