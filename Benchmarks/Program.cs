using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Running;
using ExprDiff;
using ExprDiff.Benchmarks;
using ExprDiff.Benchmarks.Problems;

if (args.Length > 0 && args[0] == "counts")
{
    PrintCounts(args.Length > 1 ? args[1..] : null);
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(GradientBenchmarks).Assembly).Run(args);

// `counts [problem...]`: sizes of each problem's term-by-term f and of ExprDiff's exported derivatives, in
// distinct computations (see ExpressionSize), with the time each Diff call took.
static void PrintCounts(string[]? only)
{
    var inv = CultureInfo.InvariantCulture;
    Console.WriteLine("| problem | f (distinct) | ValueAndGradient | ratio | Hvp | ratio | ValueAndGradient time | Hvp time |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var p in ProblemCatalog.All)
    {
        if (only is not null && !only.Contains(p.Name)) continue;
        var f = p.TermByTerm();
        int fSize = ExpressionSize.CountDistinctComputations(f);
        var sw = Stopwatch.StartNew();
        var vg = Diff.ValueAndGradient(f);
        double vgMs = sw.Elapsed.TotalMilliseconds;
        int vgSize = ExpressionSize.CountComputations(vg);
        sw.Restart();
        var hvp = Diff.Hvp(f);
        double hvpMs = sw.Elapsed.TotalMilliseconds;
        int hvpSize = ExpressionSize.CountComputations(hvp);
        Console.WriteLine(string.Format(inv, "| {0} | {1:N0} | {2:N0} | {3:F2} | {4:N0} | {5:F2} | {6:F0} ms | {7:F0} ms |",
            p.Name, fSize, vgSize, (double)vgSize / fSize, hvpSize, (double)hvpSize / fSize, vgMs, hvpMs));
    }
}
