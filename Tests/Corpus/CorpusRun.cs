using System.Text;

namespace ExprDiff.Tests.Corpus;

/// <summary>What one lowering computed for one derivative kind at one point.</summary>
internal sealed record Evaluation(Kind Kind, int Point, string Lowering, Outcome Outcome)
{
    public string Block => CorpusFile.BlockKey(Kind, Point);
}

/// <summary>The whole corpus (every source, sorted by id) and its evaluation through the lowerings.</summary>
internal static class CorpusRun
{
    private static readonly Lazy<IReadOnlyList<CorpusCase>> s_cases = new(() =>
    {
        var all = CorpusBenchmarks.All().Concat(CorpusCurated.All()).Concat(CorpusRandom.All()).OrderBy(c => c.Id, StringComparer.Ordinal).ToList();
        var duplicate = all.GroupBy(c => c.Id).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidOperationException($"corpus id '{duplicate.Key}' is used twice");
        return all;
    });

    public static IReadOnlyList<CorpusCase> Cases => s_cases.Value;

    public static CorpusCase Get(string id) => Cases.First(c => c.Id == id);

    /// <summary>Every (kind, point, lowering) of <paramref name="c"/>; only the reference lowering (<c>Compile</c>) when
    /// <paramref name="referenceOnly"/>. Hessians and Jacobians are skipped at points with more than
    /// <see cref="CorpusCase.MaxHessian"/> variables.</summary>
    public static List<Evaluation> Evaluate(CorpusCase c, bool referenceOnly)
    {
        var contexts = c.Points.Select(p => CorpusLowerings.Context(c, p)).ToArray();
        var results = new List<Evaluation>();
        foreach (var kind in CorpusLowerings.Kinds(c))
        {
            bool square = kind is Kind.Hessian or Kind.Jacobian or Kind.JacobianInto;
            var points = Enumerable.Range(0, contexts.Length).Where(i => !square || contexts[i].N <= c.MaxHessian).ToArray();
            if (points.Length == 0) continue;
            foreach (var (name, build) in CorpusLowerings.Of(c, kind))
            {
                Func<PointContext, double[]>? run = null;
                Exception? failed = null;
                try { run = build(); }
                catch (Exception e) { failed = e; }
                foreach (int i in points)
                    results.Add(new Evaluation(kind, i, name, failed is null ? Outcome.Of(() => run!(contexts[i])) : Outcome.Failed(failed)));
                if (referenceOnly) break;
            }
        }
        return results;
    }

    /// <summary>The data file's text: the reference lowering's outcomes of every case.</summary>
    public static string Write()
    {
        var body = new StringBuilder();
        int blocks = 0;
        long values = 0;
        foreach (var c in Cases)
        {
            body.Append("= ").Append(c.Id).Append(c.Portable ? " portable" : " platform").Append('\n');
            if (c.Text is not null) body.Append("# f: ").Append(OneLine(c.Text)).Append('\n');
            foreach (var e in Evaluate(c, referenceOnly: true))
            {
                var lines = CorpusFile.Lines(e.Outcome);
                body.Append("@ ").Append(e.Block).Append(' ').Append(lines.Length).Append('\n');
                foreach (var line in lines) body.Append(line).Append('\n');
                blocks++;
                values += e.Outcome.Values?.Length ?? 0;
            }
        }
        var sb = new StringBuilder();
        CorpusFile.Header(sb, Cases.Count, blocks, values);
        return sb.Append(body).ToString();
    }

    public static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
