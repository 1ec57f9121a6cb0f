using ExprDiff.Graphs;

namespace ExprDiff.Optimization;

/// <summary>The pass pipeline run on every derivative before export.</summary>
internal static class Optimizer
{
    public static IReadOnlyList<GraphPass> Pipeline(OptimizationLevel level) => level switch
    {
        OptimizationLevel.None => [],
        OptimizationLevel.Exact =>
        [
            new ConstantFoldingPass(), new AlgebraicSimplificationPass(), new StrengthReductionPass(fastMath: false),
            new AlgebraicSimplificationPass(), new ScanSharingPass(), new CommonSubexpressionPass(), new DeadCodeEliminationPass(), new FusionPass(),
        ],
        _ =>
        [
            new ConstantFoldingPass(), new AlgebraicSimplificationPass(), new FastMathPass(), new ConstantFoldingPass(),
            new StrengthReductionPass(fastMath: true), new FastMathPass(), new AlgebraicSimplificationPass(),
            new ScanSharingPass(), new CommonSubexpressionPass(), new DeadCodeEliminationPass(), new FusionPass(),
        ],
    };

    /// <summary>Runs the pipeline for <paramref name="level"/>; the graph is verified after every pass in Debug builds.</summary>
    public static Graph Optimize(Graph graph, OptimizationLevel level, out OptimizationReport report)
    {
        var stats = new List<PassStatistics>();
        foreach (var pass in Pipeline(level))
        {
            int before = graph.NodeCount;
            var input = graph;
            graph = pass.Run(graph);
            // A pass that had nothing to do returns its input, which was verified already.
            if (!ReferenceEquals(graph, input)) GraphVerifier.DebugVerify(graph);
            stats.Add(new PassStatistics(pass.Name, before, graph.NodeCount));
        }
        report = new OptimizationReport(level, stats);
        return graph;
    }
}
