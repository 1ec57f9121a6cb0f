using System.Globalization;

namespace ExprDiff.Tests.Corpus;

/// <summary>A difference found: <see cref="Key"/> names the function, block and the two sides, for
/// <see cref="CorpusCheck.Known"/>.</summary>
internal sealed record CorpusProblem(string Key, string Message);

/// <summary>Compares every lowering of a corpus function with the stored bits and with the reference lowering.</summary>
internal static class CorpusCheck
{
    private static readonly Lazy<(string Platform, Dictionary<string, StoredCase> Cases)> s_stored = new(() =>
    {
        using var stream = typeof(CorpusCheck).Assembly.GetManifestResourceStream(CorpusFile.ResourceName)
            ?? throw new InvalidOperationException($"resource {CorpusFile.ResourceName} is missing from the test assembly");
        using var reader = new StreamReader(stream);
        return CorpusFile.Parse(reader);
    });

    public static string StoredPlatform => s_stored.Value.Platform;

    public static IReadOnlyDictionary<string, StoredCase> Stored => s_stored.Value.Cases;

    /// <summary>
    /// Disagreements found when the corpus was made, each asserted to still occur (when one is fixed, delete its entry):
    /// key (<c>id block lowering vs other</c>) → what it is. Empty when every lowering agrees.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Known = new Dictionary<string, string>
    {
    };

    public static List<CorpusProblem> Problems(CorpusCase c)
    {
        if (!Stored.TryGetValue(c.Id, out var stored))
            return [new(c.Id, $"{c.Id}: not in the corpus file; regenerate it (see CorpusTests)")];
        if (stored.Text is not null && stored.Text != CorpusRun.OneLine(c.Text ?? ""))
            return [new(c.Id, $"{c.Id}: its generator no longer makes the stored function (stored: {stored.Text}; now: {c.Text}). "
                + "A generator change is not a value change: keep the generator, or regenerate the corpus in a commit of its own.")];
        // Values of functions with transcendental calls come from the C library: compare them with the stored bits only
        // on the platform that made the file. Lowerings are compared with each other everywhere.
        bool compareStored = c.Portable || StoredPlatform == CorpusFile.Platform;
        var problems = new List<CorpusProblem>();
        var evaluations = CorpusRun.Evaluate(c, referenceOnly: false);
        var blocks = evaluations.Select(e => e.Block).Distinct().ToList();
        foreach (var missing in stored.Blocks.Keys.Except(blocks))
            problems.Add(new($"{c.Id} {missing}", $"{c.Id}: stored block '{missing}' is no longer evaluated"));
        foreach (var extra in blocks.Except(stored.Blocks.Keys))
            problems.Add(new($"{c.Id} {extra}", $"{c.Id}: block '{extra}' is not in the corpus file"));
        foreach (var group in evaluations.GroupBy(e => e.Block))
        {
            var reference = group.First();
            var referenceLines = CorpusFile.Lines(reference.Outcome);
            stored.Blocks.TryGetValue(group.Key, out var want);
            foreach (var e in group)
            {
                var lines = CorpusFile.Lines(e.Outcome);
                if (compareStored && want is not null && Difference(want, lines) is { } d)
                    problems.Add(new($"{c.Id} {e.Block} {e.Lowering} vs stored", $"{c.Id} {e.Block}: {e.Lowering} differs from the stored bits: {d}"));
                if (!ReferenceEquals(e, reference) && Difference(referenceLines, lines) is { } r)
                    problems.Add(new($"{c.Id} {e.Block} {e.Lowering} vs {reference.Lowering}",
                        $"{c.Id} {e.Block}: {e.Lowering} differs from {reference.Lowering}: {r}"));
            }
        }
        problems.AddRange(JacobianRoutes(c, evaluations));
        return problems;
    }

    /// <summary>
    /// <see cref="Compiled.Jacobian"/> (kind JacobianInto) against <c>Diff.Jacobian(f).Compile()</c>. Its XML docs allow two
    /// differences: a zero may differ in sign (it multiplies by zero weights of the unit directions), and where a partial
    /// derivative is infinite its row (column) may hold NaN (0·∞) where Diff.Jacobian has a number. Nothing else is tolerated.
    /// </summary>
    private static IEnumerable<CorpusProblem> JacobianRoutes(CorpusCase c, List<Evaluation> evaluations)
    {
        foreach (var into in evaluations.Where(e => e.Kind == Kind.JacobianInto))
        {
            var diff = evaluations.FirstOrDefault(e => e.Kind == Kind.Jacobian && e.Point == into.Point);
            if (diff is null) continue;
            string key = $"{c.Id} {into.Block} {into.Lowering} vs {diff.Block} Compile";
            if (into.Outcome.Error != diff.Outcome.Error)
            {
                yield return new(key, $"{key}: {into.Outcome.Error ?? "values"} vs {diff.Outcome.Error ?? "values"}");
                continue;
            }
            if (into.Outcome.Values is not { } a || diff.Outcome.Values is not { } b) continue;
            int n = CorpusLowerings.Context(c, c.Points[into.Point]).N, m = n == 0 ? 0 : b.Length / n;
            for (int k = 0; k < a.Length; k++)
            {
                if (Same(a[k], b[k]) || (a[k] == 0 && b[k] == 0)) continue;
                int row = k / n, column = k % n;
                bool infinite = Enumerable.Range(0, n).Any(j => double.IsInfinity(b[row * n + j]))
                    || Enumerable.Range(0, m).Any(i => double.IsInfinity(b[i * n + column]));
                if (double.IsNaN(a[k]) && infinite) continue;
                yield return new(key, $"{key}: J[{row},{column}] = {Show(a[k])} vs {Show(b[k])}");
                break;
            }
        }
    }

    private static bool Same(double a, double b) => CorpusFile.Hex(a) == CorpusFile.Hex(b);

    /// <summary>Null when equal line for line, else the first difference and how many lines differ.</summary>
    private static string? Difference(string[] want, string[] got)
    {
        if (want.Length != got.Length)
            return $"{got.Length} lines where {want.Length} were expected ({Preview(want)} vs {Preview(got)})";
        int first = -1, count = 0;
        for (int i = 0; i < want.Length; i++)
            if (want[i] != got[i])
            {
                if (first < 0) first = i;
                count++;
            }
        return first < 0 ? null : $"{count} of {want.Length} values differ; first at [{first}]: {Describe(want[first])} vs {Describe(got[first])}";
    }

    private static string Preview(string[] lines) => string.Join(",", lines.Take(2).Select(Describe));

    private static string Describe(string line) =>
        line.StartsWith('!') ? line : $"{line} ({Show(BitConverter.Int64BitsToDouble(long.Parse(line, NumberStyles.HexNumber, CultureInfo.InvariantCulture)))})";

    private static string Show(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
