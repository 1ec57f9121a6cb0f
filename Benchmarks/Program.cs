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
if (args.Length > 0 && args[0] == "pipeline")
{
    PipelineTimings.Print(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000);
    return;
}
if (args.Length > 0 && args[0] == "pipeline-il")
{
    ILPipelineTimings.Print(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000);
    return;
}
if (args.Length > 0 && args[0] == "powers")
{
    PowerErrors.Print(args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 10_000_000);
    return;
}
if (args.Length > 0 && args[0] == "depth")
{
    DepthTimings.Print(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000, args.Length > 2 ? args[2] : "diff");
    return;
}
BenchmarkSwitcher.FromAssembly(typeof(GradientBenchmarks).Assembly).Run(args);

// `counts [problem...]`: sizes of each problem's term-by-term f and of ExprDiff's exported derivatives, in
// distinct computations (see ExpressionSize), without and with the optimizer, with the time each Diff call took.
static void PrintCounts(string[]? only)
{
    var inv = CultureInfo.InvariantCulture;
    var none = new DiffOptions { Optimization = OptimizationLevel.None };
    Console.WriteLine("| problem | f | ValueAndGradient unoptimized | optimized | ratio to f | Hvp unoptimized | optimized | ratio to f | ValueAndGradient time | Hvp time |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var p in ProblemCatalog.All)
    {
        if (only is not null && !only.Contains(p.Name)) continue;
        var f = p.TermByTerm();
        int fSize = ExpressionSize.CountDistinctComputations(f);
        int vgRaw = ExpressionSize.CountComputations(Diff.ValueAndGradient(f, none));
        int hvpRaw = ExpressionSize.CountComputations(Diff.Hvp(f, none));
        var sw = Stopwatch.StartNew();
        var vg = Diff.ValueAndGradient(f);
        double vgMs = sw.Elapsed.TotalMilliseconds;
        int vgSize = ExpressionSize.CountComputations(vg);
        sw.Restart();
        var hvp = Diff.Hvp(f);
        double hvpMs = sw.Elapsed.TotalMilliseconds;
        int hvpSize = ExpressionSize.CountComputations(hvp);
        Console.WriteLine(string.Format(inv, "| {0} | {1:N0} | {2:N0} | {3:N0} | {4:F2} | {5:N0} | {6:N0} | {7:F2} | {8:F0} ms | {9:F0} ms |",
            p.Name, fSize, vgRaw, vgSize, (double)vgSize / fSize, hvpRaw, hvpSize, (double)hvpSize / fSize, vgMs, hvpMs));
    }
}
