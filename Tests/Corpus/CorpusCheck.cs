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
        ["bench.P3.loop.pow Value p1 CompileIL"] = ImportedPow,
        ["bench.P3.loop.pow Value p1 Compiled.Value"] = ImportedPow,
        ["bench.P3.terms.pow.atoms16 Value p0 Compiled.Value"] = ImportedPow,
        ["bench.P3.terms.pow.atoms16 Value p1 Compiled.Value"] = ImportedPow,
        ["curated.math.powers Value p0 Compiled.Value"] = ImportedPow,
        ["curated.math.powers Value p1 Compiled.Value"] = ImportedPow,
        ["curated.mgh.10.objective Value p0 CompileIL"] = ImportedPow,
        ["curated.mgh.10.objective Value p0 Compiled.Value"] = ImportedPow,
        ["curated.mgh.28.residuals Value p0 CompileIL"] = ImportedPow,
        ["curated.mgh.28.residuals Value p0 Compiled.Function"] = ImportedPow,
        ["curated.mgh.29.residuals Value p0 CompileIL"] = ImportedPow,
        ["curated.mgh.29.residuals Value p0 Compiled.Function"] = ImportedPow,
        ["curated.mgh.29.residuals Value p1 CompileIL"] = ImportedPow,
        ["curated.mgh.29.residuals Value p1 Compiled.Function"] = ImportedPow,
        ["random.vector.022 Value p0 Compiled.Function"] = ImportedPow,
        ["random.vector.022 Value p1 Compiled.Function"] = ImportedPow,
    };

    /// <summary>
    /// f's own value, where f has <c>Math.Pow(a, k)</c> with a constant integer k: <c>f.Compile()</c> calls the C library's pow,
    /// while the routes that import f into ExprDiff's graph compute aᵏ by the multiplication chain (README, "Math.Pow(x, k)
    /// with a constant integer |k| ≤ 16 is computed by plain multiplications"): <see cref="Compiled.Value"/> and
    /// <see cref="Compiled.Function"/> always (through <c>Diff.Rebuild</c> and <c>Diff.FunctionInto</c>), <c>f.CompileIL()</c>
    /// when f has LINQ reductions (rebuilt as loops). They differ in the last bit where pow and the chain round differently.
    /// The docs now say so (ILBackend's and Compiled's remarks, README on Math.Pow): f's value through an importing route is
    /// computed with the products its derivatives use, so a solver's f alone and f with its gradient agree; the corpus found
    /// the earlier promises of "same values" (CompileIL of LINQ functions, <c>Compiled.Value(f)</c> against
    /// <c>f.CompileIL()</c> for curated.math.powers, which has no LINQ) to be wrong here. Derivatives are not affected:
    /// every derivative route imports f.
    /// </summary>
    private const string ImportedPow = "Math.Pow with an integer exponent: the C library's pow in f.Compile(), the multiplication chain where f is imported";

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
                string? fromStored = compareStored && want is not null ? Difference(want, lines) : null;
                // Off the stored platform, f's own value through routes that import f (integer powers by multiplications)
                // may differ from f.Compile() (the C library's pow) at other inputs than the documented ones below.
                bool comparable = compareStored || e.Kind != Kind.Value || !c.CallsPow;
                string? fromReference = ReferenceEquals(e, reference) || !comparable ? null : Difference(referenceLines, lines);
                if (fromStored is null && fromReference is null) continue;
                var said = new List<string>();
                if (fromStored is not null) said.Add("from the stored bits: " + fromStored);
                if (fromReference is not null) said.Add($"from {reference.Lowering}: " + fromReference);
                problems.Add(new($"{c.Id} {e.Block} {e.Lowering}", $"{c.Id} {e.Block}: {e.Lowering} differs {string.Join("; ", said)}"));
            }
        }
        problems.AddRange(JacobianRoutes(c, evaluations));
        problems.AddRange(JacobianProducts(c, evaluations));
        return problems;
    }

    /// <summary>
    /// <see cref="Compiled.Jacobian"/> (kind JacobianInto) against <c>Diff.Jacobian(f).Compile()</c>. Its XML docs allow three
    /// differences: the two "agree to rounding" (each row or column is its own product), a zero may differ in sign (it
    /// multiplies by zero weights of the unit directions), and where a partial derivative is infinite its row (column) may
    /// hold NaN (0·∞) where Diff.Jacobian has a number. Nothing else is tolerated.
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
                var line = Enumerable.Range(0, n).Select(j => b[row * n + j]).Concat(Enumerable.Range(0, m).Select(i => b[i * n + column])).ToArray();
                if (double.IsNaN(a[k]) && line.Any(double.IsInfinity)) continue;
                // "Agree to rounding": relative to the largest entry of the row and column, as a product's rounding is.
                double scale = line.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
                if (Math.Abs(a[k] - b[k]) <= JacobianRounding * Math.Max(scale, Math.Max(Math.Abs(a[k]), Math.Abs(b[k])))) continue;
                yield return new(key, $"{key}: J[{row},{column}] = {Show(a[k])} vs {Show(b[k])}");
                break;
            }
        }
    }

    /// <summary>
    /// <see cref="Compiled.Jacobian"/> is documented as, bit for bit, the vector-Jacobian products along unit vectors (by rows,
    /// when f has a result of fixed length and no more outputs than inputs) or the Jacobian-vector products (by columns):
    /// checked against <c>Diff.Vjp(f).Compile()</c> and <c>Diff.Jvp(f).Compile()</c> along e_k.
    /// </summary>
    private static IEnumerable<CorpusProblem> JacobianProducts(CorpusCase c, List<Evaluation> evaluations)
    {
        if (c.F is not System.Linq.Expressions.Expression<Func<double[], double[]>> f) yield break;
        Func<double[], double[], double[]>? vjp = null, jvp = null;
        foreach (var into in evaluations.Where(e => e.Kind == Kind.JacobianInto && e.Outcome.Values is not null))
        {
            var p = CorpusLowerings.Context(c, c.Points[into.Point]);
            int? outputs = Diff.OutputCount(f, null, out bool computed);
            int n = p.N, m = p.M;
            bool rows = !computed && (outputs ?? n) <= n;
            var product = rows ? vjp ??= Diff.Vjp(f).Compile() : jvp ??= Diff.Jvp(f).Compile();
            var a = into.Outcome.Values!;
            for (int k = 0; k < (rows ? m : n); k++)
            {
                var unit = new double[rows ? m : n];
                unit[k] = 1;
                var line = product(p.X, unit);
                for (int j = 0; j < line.Length; j++)
                {
                    double got = rows ? a[k * n + j] : a[j * n + k];
                    if (Same(got, line[j])) continue;
                    string key = $"{c.Id} {into.Block} {into.Lowering} vs unit products";
                    yield return new(key, $"{key}: J[{(rows ? k : j)},{(rows ? j : k)}] = {Show(got)}, the {(rows ? "Vjp" : "Jvp")} along e_{k} gives {Show(line[j])}");
                    yield break;
                }
            }
        }
    }

    /// <summary>How far <see cref="Compiled.Jacobian"/> may be from Diff.Jacobian ("agree to rounding"), relative.</summary>
    private const double JacobianRounding = 1e-12;

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
