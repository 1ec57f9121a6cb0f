using System.Diagnostics;
using System.Globalization;
using ExprDiff.Benchmarks.Problems;
using ExprDiff.Export;
using ExprDiff.Optimization;
using ExprDiff.Transforms;

namespace ExprDiff.Benchmarks;

/// <summary>
/// `pipeline [n]`: the stages of <c>Diff.Gradient</c> on P1 term by term, timed one by one (import, reverse
/// mode, optimizer, export, <c>.Compile()</c>, first call), with the graph sizes of f, its gradient and its
/// Hessian. Stopwatch over repeated runs in one process: the first repetition includes the JIT of ExprDiff
/// itself; the later ones are what a long-running program pays.
/// </summary>
internal static class PipelineTimings
{
    public static void Print(int n)
    {
        var inv = CultureInfo.InvariantCulture;
        var f = P1Rosenbrock.TermByTerm(n);
        var x = P1Rosenbrock.Point(n);
        Console.WriteLine($"P1 term by term, n = {n}");
        Console.WriteLine("| run | import | reverse mode | optimize | export | Compile() | first call | total |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int run = 0; run < 6; run++)
        {
            var sw = Stopwatch.StartNew();
            var p = DiffProblem.Create(f, null, "Diff.Gradient");
            double import = Lap(sw);
            int y = p.Function.Outputs[0];
            var grads = ReverseMode.Vjp(p.Context, [y], [p.Builder.Constant(1)], p.Wrt).Select(p.Materialize).ToArray();
            var graph = p.Builder.Build(grads);
            double reverse = Lap(sw);
            graph = Optimizer.Optimize(graph, OptimizationLevel.Exact, out _);
            double optimize = Lap(sw);
            var layout = new VectorLayout(p.InputExtent, grads.Select((_, k) => (p.Positions[k], k)).ToArray());
            var lambda = (System.Linq.Expressions.Expression<Func<double[], double[]>>)Exporter.Export(graph, layout, p.Parameters(), typeof(Func<double[], double[]>));
            double export = Lap(sw);
            var compiled = lambda.Compile();
            double compile = Lap(sw);
            compiled(x);
            double call = Lap(sw);
            Console.WriteLine(string.Format(inv, "| {0} | {1:F1} ms | {2:F1} ms | {3:F1} ms | {4:F1} ms | {5:F1} ms | {6:F2} ms | {7:F1} ms |",
                run, import, reverse, optimize, export, compile, call, import + reverse + optimize + export + compile + call));
        }

        var q = DiffProblem.Create(f, null, "Diff.Hessian");
        int value = q.Function.Outputs[0];
        var g = ReverseMode.Vjp(q.Context, [value], [q.Builder.Constant(1)], q.Wrt).Select(q.Materialize).ToArray();
        var gradient = Optimizer.Optimize(q.Builder.Build(g), OptimizationLevel.Exact, out _);
        var entries = new List<int>();
        for (int j = 0; j < q.Wrt.Length; j++)
            entries.AddRange(ForwardMode.Jvp(q.Context, g, new Dictionary<int, int> { [q.Wrt[j]] = q.Builder.Constant(1) }).Where(t => t >= 0));
        var hessian = Optimizer.Optimize(q.Builder.Build(entries.ToArray()), OptimizationLevel.Exact, out _);
        Console.WriteLine();
        Console.WriteLine($"graph nodes: f {q.Function.ToGraph().NodeCount}, gradient {gradient.NodeCount}, " +
            $"Hessian {hessian.NodeCount} ({entries.Count} structurally non-zero entries)");
    }

    private static double Lap(Stopwatch sw)
    {
        double ms = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        return ms;
    }
}

/// <summary>
/// `pipeline-il [n]`: the two routes from the <c>Diff</c> call to the first call's return on P1 term by term, stage by
/// stage: <c>Diff.ValueAndGradient</c> (import, reverse mode, optimizer, export), then <c>.Compile()</c> and its first
/// call, or the IL backend's emit and its first call; the JIT's share of a first call is the first call less a later
/// one. Stopwatch over repeated runs in one process (run 0 includes the JIT of ExprDiff itself).
/// </summary>
internal static class ILPipelineTimings
{
    public static void Print(int n)
    {
        var inv = CultureInfo.InvariantCulture;
        var f = P1Rosenbrock.TermByTerm(n);
        var x = P1Rosenbrock.Point(n);
        var g = new double[n];
        Console.WriteLine($"P1 term by term, n = {n}");
        Console.WriteLine("| run | Diff.ValueAndGradient | Compile() | first call | Compile route | IL emit | first call (JIT) | IL route | IL / Compile | IL bytes |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int run = 0; run < 6; run++)
        {
            GC.Collect();
            var sw = Stopwatch.StartNew();
            var vg = Diff.ValueAndGradient(f);
            double diff = Lap(sw);
            var compiled = vg.Compile();
            double compile = Lap(sw);
            compiled(x, g);
            double first = Lap(sw);
            GC.Collect();
            sw.Restart();
            var vg2 = Diff.ValueAndGradient(f);
            double diff2 = Lap(sw);
            var il = ILBackend.Compile(vg2);
            double emit = Lap(sw);
            il.Delegate(x, g);
            double firstIL = Lap(sw);
            il.Delegate(x, g);
            double second = Lap(sw);
            double compileRoute = diff + compile + first, ilRoute = diff2 + emit + firstIL;
            Console.WriteLine(string.Format(inv, "| {0} | {1:F1} / {2:F1} ms | {3:F1} ms | {4:F2} ms | {5:F1} ms | {6:F1} ms | {7:F1} ms ({8:F1} ms) | {9:F1} ms | {10:F2} | {11:N0} |",
                run, diff, diff2, compile, first, compileRoute, emit, firstIL, firstIL - second, ilRoute, ilRoute / compileRoute, il.ILBytes));
        }
    }

    private static double Lap(Stopwatch sw)
    {
        double ms = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        return ms;
    }
}
