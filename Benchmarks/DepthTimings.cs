using System.Diagnostics;
using System.Globalization;
using System.Linq.Expressions;
using ExprDiff.Export;
using ExprDiff.Graphs;
using ExprDiff.Optimization;
using ExprDiff.Transforms;

namespace ExprDiff.Benchmarks;

/// <summary>
/// `depth [n] [stages|diff]`: the cost of <c>Diff.Gradient</c> on the n-deep chain <c>t = Math.Sin(t) * 0.5 + x[0]</c>
/// (the chain of Tests/Depth/DeepChainTests.cs), once, in this process: run it in a fresh process per figure. `diff` (the
/// default) times the one public call, which is what a user pays; `stages` replays its stages (import, reverse mode, each
/// optimizer pass, export) with a Stopwatch lap and the managed heap after each; `live` adds a full collection after each
/// stage to show what stays live (which changes the timings); `print` prints the derivative (for a small n). Both print the process's peak working
/// set, which includes building the chain itself (the user's own expression). With <c>EXPRDIFF_EXPORT_PARTS=1</c>, `stages`
/// also times the export's parts (guard order, plan, statements) before the whole export.
/// </summary>
internal static class DepthTimings
{
    public static void Print(int n, string mode)
    {
        var inv = CultureInfo.InvariantCulture;
        var sw = Stopwatch.StartNew();
        var f = Chain(n);
        double build = sw.Elapsed.TotalMilliseconds;
        long afterBuild = Peak();
        Console.WriteLine(string.Format(inv, "chain n = {0:N0}: built in {1:F0} ms, peak working set so far {2:N0} MB, runtime {3}, {4} cores, server GC {5}",
            n, build, afterBuild >> 20, Environment.Version, Environment.ProcessorCount, System.Runtime.GCSettings.IsServerGC));
        GC.Collect();
        long heapBefore = GC.GetTotalMemory(true);
        long allocatedBefore = GC.GetTotalAllocatedBytes(true);
        sw.Restart();
        if (mode == "print") Console.WriteLine(Diff.Gradient(f).ToCSharp());
        else if (mode is "stages" or "live") Stages(f, inv, live: mode == "live");
        else if (mode == "timeline")
        {
            // The working set every half second, to see which stage the peak falls in.
            var samples = new List<string>();
            var clock = Stopwatch.StartNew();
            Expression<Func<double[], double[]>> g;
            using (new Timer(_ => { lock (samples) samples.Add($"{clock.Elapsed.TotalSeconds:F1}s {Environment.WorkingSet >> 20}MB gc{GC.CollectionCount(2)}"); }, null, 0, 500))
                g = Diff.Gradient(f);
            lock (samples) Console.WriteLine(string.Join(", ", samples));
            Console.WriteLine($"live after a full GC, with f and its gradient: {GC.GetTotalMemory(true) >> 20:N0} MB");
            GC.KeepAlive(g);
        }
        else
        {
            var g = Diff.Gradient(f);
            Console.WriteLine(string.Format(inv, "Diff.Gradient: {0:F0} ms", sw.Elapsed.TotalMilliseconds));
            GC.KeepAlive(g);
        }
        double total = sw.Elapsed.TotalMilliseconds;
        long allocated = GC.GetTotalAllocatedBytes(true) - allocatedBefore;
        var info = GC.GetGCMemoryInfo(GCKind.Any);
        Console.WriteLine(string.Format(inv,
            "total {0:F0} ms ({1:F2} µs per node); allocated {2:N0} MB ({3:N0} B per node); peak working set {4:N0} MB; " +
            "heap before {5:N0} MB; GCs gen0/1/2 {6}/{7}/{8}; last GC heap {9:N0} MB, pause {10:F1}%",
            total, total * 1000 / n, allocated >> 20, allocated / n, Peak() >> 20, heapBefore >> 20,
            GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), info.HeapSizeBytes >> 20, info.PauseTimePercentage));
    }

    private static void Stages(Expression<Func<double[], double>> f, CultureInfo inv, bool live)
    {
        var sw = Stopwatch.StartNew();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        var pause = GC.GetTotalPauseDuration();
        void Lap(string stage, string detail = "")
        {
            long now = GC.GetAllocatedBytesForCurrentThread();
            if (live) detail += $"; live after a full GC {GC.GetTotalMemory(true) >> 20:N0} MB";
            Console.WriteLine(string.Format(inv, "| {0} | {1:F0} ms | {2:F0} ms | {3:N0} MB | {4}/{5}/{6} | {7:N0} MB | {8:N0} MB | {9} |",
                stage, sw.Elapsed.TotalMilliseconds, (GC.GetTotalPauseDuration() - pause).TotalMilliseconds, (now - allocated) >> 20,
                GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2,
                GC.GetTotalMemory(false) >> 20, Peak() >> 20, detail));
            (gen0, gen1, gen2, pause, allocated) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration(), now);
            sw.Restart();
        }
        Console.WriteLine("| stage | time | GC pauses | allocated | GCs gen0/1/2 | managed heap after | peak working set | detail |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---|");
        DiffProblem? p = DiffProblem.Create(f, null, "Diff.Gradient");
        Lap("import (DiffProblem.Create)", $"{p.Builder.Count:N0} nodes");
        int y = p.Function.Outputs[0];
        var grads = ReverseMode.Vjp(p.Context, [y], [p.Builder.Constant(1)], p.Wrt).Select(p.Materialize).ToArray();
        Lap("reverse mode", $"{p.Builder.Count:N0} nodes");
        var parameters = p.Parameters();
        var layout = new VectorLayout(p.InputExtent, grads.Select((_, k) => (p.Positions[k], k)).ToArray());
        var lengths = new Dictionary<int, int> { [0] = p.InputLength };
        var graph = p.Builder.Build(grads, parameters.Select((q, i) => q.Name ?? $"p{i}").ToArray());
        // As in DiffProblem.Export, the builder's nodes are released once the graph is built.
        p.Builder.Release();
        p = null;
        Lap("build", $"{graph.NodeCount:N0} nodes");
        foreach (var pass in Optimizer.Pipeline(OptimizationLevel.Exact))
        {
            int before = graph.NodeCount;
            graph = pass.Run(graph);
            GraphVerifier.DebugVerify(graph);
            Lap(pass.Name, $"{before:N0} → {graph.NodeCount:N0} nodes");
        }
        if (Environment.GetEnvironmentVariable("EXPRDIFF_EXPORT_PARTS") == "1")
        {
            var ordered = GuardOrder.Apply(graph);
            Lap("export: guard order", ReferenceEquals(ordered, graph) ? "unchanged" : "reordered");
            var state = new Exporter.ExportState(ordered, parameters);
            Lap("export: plan");
            var statements = state.Statements();
            Lap("export: statements", $"{statements.Count:N0}");
            GC.KeepAlive(state);
        }
        var lambda = Exporter.Export(graph, layout, parameters, typeof(Func<double[], double[]>), lengths);
        Lap("export", $"{((BlockExpression)lambda.Body).Expressions.Count:N0} statements, {((BlockExpression)lambda.Body).Variables.Count:N0} variables");
    }

    private static long Peak()
    {
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    /// <summary>The chain of Tests/Depth/DeepChainTests.cs.</summary>
    public static Expression<Func<double[], double>> Chain(int depth)
    {
        var x = Expression.Parameter(typeof(double[]), "x");
        Expression x0 = Expression.ArrayIndex(x, Expression.Constant(0));
        Expression t = x0;
        var sin = typeof(Math).GetMethod(nameof(Math.Sin))!;
        for (int i = 0; i < depth; i++)
            t = Expression.Add(Expression.Multiply(Expression.Call(sin, t), Expression.Constant(0.5)), x0);
        return Expression.Lambda<Func<double[], double>>(t, x);
    }
}
