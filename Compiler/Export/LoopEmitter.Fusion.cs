using System.Linq.Expressions;
using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Export;

internal static partial class LoopEmitter
{
    /// <summary>
    /// One graph for a sum's body and a scatter's at the same iteration k, with the scatter's body given as graphs
    /// (the whole body, or one graph per pair): outputs are the term, then each graph's outputs in order. What the two
    /// share (reads of x, a residual) is computed once. Parameters: k, then the captures of both, each once.
    /// </summary>
    /// <param name="shifts">For each scatter graph, the constant its iteration lags k by (the gather's k − c); none: 0.</param>
    private static (Graph Merged, Expression[] Captures) Merge(in Node sum, Expression[] sumOperands, int[] sumCaptureNodes,
        Expression[] scatterOperands, int[] scatterCaptureNodes, IReadOnlyList<Graph> scatterGraphs, int[]? shifts = null)
    {
        var sumRegion = sum.Region!;
        var captureNodes = sumCaptureNodes.Concat(scatterCaptureNodes).Distinct().ToList();
        var captureExpressions = new Expression[captureNodes.Count];
        var names = new List<string> { "k" };
        for (int c = 0; c < captureNodes.Count; c++) names.Add($"c{c}");
        var merged = new GraphBuilder(names);
        int K = merged.Input(0, -1, ValueKind.Int32);
        int Capture(int outerNode, Expression e, ValueKind kind)
        {
            int c = captureNodes.IndexOf(outerNode);
            captureExpressions[c] = e;
            return merged.Input(1 + c, -1, kind);
        }
        var sumMap = GraphCopier.Copy(sumRegion.Body, merged, (p, kind) => p == 0 ? K
            : Capture(sumCaptureNodes[p - 1], sumOperands[SumRangePrimitive.Captures + p - 1], kind));
        var outputs = new List<int> { sumMap[sumRegion.Body.Outputs[0]] };
        for (int g = 0; g < scatterGraphs.Count; g++)
        {
            var graph = scatterGraphs[g];
            int shift = shifts?[g] ?? 0;
            int at = shift == 0 ? K : merged.Sub(K, merged.Constant(shift, ValueKind.Int32));
            var map = GraphCopier.Copy(graph, merged, (q, kind) => q == 0 ? at
                : Capture(scatterCaptureNodes[q - 1], scatterOperands[ScatterPrimitive.Captures + q - 1], kind));
            foreach (int o in graph.Outputs) outputs.Add(map[o]);
        }
        return (merged.Build(outputs.ToArray(), names), captureExpressions);
    }

    /// <summary>
    /// A sum and any scatter over the same iterations in one loop: iteration i adds its term and its pairs (and whole
    /// arrays) as the two loops would, so the work they share is done once. Bit for bit the two loops' results: the
    /// sum adds in the same order, and every element receives the same additions in the same order.
    /// </summary>
    public static Expression EmitSumAndScatter(in Node sum, Expression[] sumOperands, Expression sumTarget, int[] sumCaptureNodes,
        in Node scatter, Expression[] scatterOperands, Expression scatterTarget, int[] scatterCaptureNodes, int depth, Expression? into)
    {
        var acc = Expression.Variable(typeof(double), "sum");
        var array = Expression.Variable(typeof(double[]), "scatter");
        var body = scatter.Region!.Body;
        int pairs = ScatterPrimitive.PairCount(scatter);
        bool assigns = ScatterPrimitive.IsAssignment(scatter);
        var (mergedGraph, captureExpressions) = Merge(sum, sumOperands, sumCaptureNodes, scatterOperands, scatterCaptureNodes, [body]);
        var whole = mergedGraph.Outputs[(1 + 2 * pairs)..].ToArray();
        var absorbed = Absorbable(mergedGraph, whole, pairs, assigns, array);
        var loop = For(scatterOperands[1], scatterOperands[2], depth, (k, statements) =>
        {
            var (variables, inner, outputs, deferred) = Exporter.ExportState.ExportBody(mergedGraph, new Expression[] { k }.Concat(captureExpressions).ToArray(), "k_", depth + 1,
                absorbed, MustDefer(absorbed, pairs, whole));
            var all = new List<Expression>(inner) { Expression.Assign(acc, Expression.Add(acc, outputs[0])) };
            WritePairs(all, array, outputs, 1, pairs, assigns, depth, whole, absorbed, deferred);
            statements.Add(Expression.Block(variables, all));
        });
        return Expression.Block([acc, array],
            NewOrCleared(array, scatterOperands[0], into),
            Expression.Assign(acc, Expression.Constant(SumRangePrimitive.InitialValue(sum))),
            loop,
            Expression.Assign(sumTarget, acc),
            Expression.Assign(scatterTarget, array));
    }

    /// <summary>Widest window of carried elements for <see cref="EmitSumAndCarry"/>; wider scatters are gathered.</summary>
    public const int MaxCarryWindow = 8;

    /// <summary>
    /// A sum and a scatter over the same iterations whose pairs write at i + c (c in a small window), in one loop
    /// over the iterations: iteration i computes its term and its pairs' values once, adds each value to a register
    /// for element i + c, and stores element i + min c, which no later iteration writes; the registers shift down.
    /// This is how one writes it by hand (Rosenbrock's "carry" of 200·t into the next element). Bit for bit the two
    /// loops' results: each element's additions happen in the scatter's order, starting from the same zero.
    /// </summary>
    public static Expression EmitSumAndCarry(in Node sum, Expression[] sumOperands, Expression sumTarget, int[] sumCaptureNodes,
        in Node scatter, Expression[] scatterOperands, Expression scatterTarget, int[] scatterCaptureNodes, int[] offsets, int depth, Expression? into)
    {
        var acc = Expression.Variable(typeof(double), "sum");
        var array = Expression.Variable(typeof(double[]), "target");
        var start = Expression.Variable(typeof(int), "first");
        var stop = Expression.Variable(typeof(int), "stop");
        var length = Expression.Variable(typeof(int), "length");
        int cMin = offsets.Min(), cMax = offsets.Max(), width = cMax - cMin + 1;
        var window = Enumerable.Range(0, width).Select(j => Expression.Variable(typeof(double), "carry" + j)).ToArray();
        var body = scatter.Region!.Body;

        // One body for the term and every pair's value at the same iteration: what they share is computed once.
        var pairGraphs = Enumerable.Range(0, offsets.Length).Select(p => new GraphBuilder(body).Build([body.Outputs[2 * p + 1]], body.ParameterNames)).ToArray();
        var (mergedGraph, captureExpressions) = Merge(sum, sumOperands, sumCaptureNodes, scatterOperands, scatterCaptureNodes, pairGraphs);

        var loop = For(start, Expression.Subtract(stop, start), depth, (k, statements) =>
        {
            var (variables, inner, values) = Exporter.ExportState.ExportBody(mergedGraph, new Expression[] { k }.Concat(captureExpressions).ToArray(), "k_", depth + 1);
            var all = new List<Expression>(inner) { Expression.Assign(acc, Expression.Add(acc, values[0])) };
            for (int p = 0; p < offsets.Length; p++) all.Add(AddTo(window[offsets[p] - cMin], values[1 + p]));
            all.Add(Expression.Assign(Expression.ArrayAccess(array, Expression.Add(k, Expression.Constant(cMin))), window[0]));
            for (int j = 0; j + 1 < width; j++) all.Add(Expression.Assign(window[j], window[j + 1]));
            all.Add(Expression.Assign(window[width - 1], Expression.Constant(0.0)));
            statements.Add(Expression.Block(variables, all));
        });

        Expression Clear(Expression from, Expression count) => into is null ? Expression.Empty() : Expression.Call(ClearRange, array, from, count);
        var end = Expression.Add(stop, Expression.Constant(cMax));
        // Where the scatter would write outside its array it throws; so does this, before writing anything.
        var outside = Expression.OrElse(
            Expression.LessThan(Expression.Add(start, Expression.Constant(cMin)), Expression.Constant(0)),
            Expression.GreaterThanOrEqual(Expression.Add(Expression.Subtract(stop, Expression.Constant(1)), Expression.Constant(cMax)), length));
        var statementsAll = new List<Expression>
        {
            Expression.Assign(start, scatterOperands[1]),
            Expression.Assign(stop, Expression.Add(start, scatterOperands[2])),
            Expression.Assign(length, scatterOperands[0]),
            Expression.IfThen(Expression.AndAlso(Expression.LessThan(start, stop), outside), Expression.Throw(Expression.New(typeof(IndexOutOfRangeException)))),
            // Every element in [0, length) is written once; a longer caller's buffer keeps its tail. The elements
            // no iteration writes are cleared first: no call may follow once the accumulators are live, or the JIT
            // keeps them in memory (no callee-saved vector registers on x64 Unix) and the loop slows by half.
            Expression.Assign(array, into ?? Expression.NewArrayBounds(typeof(double), length)),
            Expression.IfThenElse(Expression.LessThan(start, stop),
                Expression.Block(Clear(Expression.Constant(0), Expression.Add(start, Expression.Constant(cMin))), Clear(end, Expression.Subtract(length, end))),
                Clear(Expression.Constant(0), length)),
            Expression.Assign(acc, Expression.Constant(SumRangePrimitive.InitialValue(sum))),
        };
        foreach (var w in window) statementsAll.Add(Expression.Assign(w, Expression.Constant(0.0)));
        var nonEmpty = new List<Expression> { loop };
        // The registers still hold the last elements the scatter writes.
        for (int j = 0; j + 1 < width; j++)
            nonEmpty.Add(Expression.Assign(Expression.ArrayAccess(array, Expression.Add(stop, Expression.Constant(cMin + j))), window[j]));
        statementsAll.Add(Expression.IfThen(Expression.LessThan(start, stop), Expression.Block(nonEmpty)));
        statementsAll.Add(Expression.Assign(sumTarget, acc));
        statementsAll.Add(Expression.Assign(scatterTarget, array));
        return Expression.Block(window.Concat([acc, array, start, stop, length]), statementsAll);
    }
}
