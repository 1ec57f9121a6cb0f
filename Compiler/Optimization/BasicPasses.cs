using ExprDiff.Graphs;

namespace ExprDiff.Optimization;

/// <summary>Replaces every node whose operands are all constants by its value, computed with .NET's own
/// <c>Math</c>, exactly as the program would at run time. A user's functions are never called.</summary>
internal sealed class ConstantFoldingPass : RewritePass
{
    public override string Name => "constant folding";
    protected override bool Fold => true;
    protected override bool NothingToDo(Graph graph) => graph.IsCanonical && !HasRegions(graph);
}

/// <summary>The exact algebraic identities of each primitive (<c>x*1 → x</c>, <c>x−0 → x</c>, <c>x+(−0) → x</c>,
/// <c>−(−x) → x</c>, <c>a+(−b) → a−b</c>, <c>(−a)*(−b) → a*b</c>, constant selects...) and a canonical operand
/// order for <c>+</c> and <c>*</c>, so <c>a*b</c> and <c>b*a</c> become one node. See each primitive's
/// <c>Simplify</c>: every rule there holds bit for bit under IEEE 754.</summary>
internal sealed class AlgebraicSimplificationPass : RewritePass
{
    public override string Name => "algebraic simplification";
    protected override bool Simplify => true;

    // A simplification can reveal constants (a select with a constant condition, Pow(x, 0) → 1); folding
    // them here, which is exact, keeps the pipeline at a fixed point after one run.
    protected override bool Fold => true;

    protected override bool NothingToDo(Graph graph) => graph.IsCanonical && !HasRegions(graph);
}

/// <summary>Merges structurally equal nodes. Graphs made by a builder already are; graphs assembled by other
/// means (or rewritten by hand) may not be.</summary>
internal sealed class CommonSubexpressionPass : RewritePass
{
    public override string Name => "common subexpressions";
    protected override bool NothingToDo(Graph graph) => graph.IsCanonical && !HasRegions(graph);
}

/// <summary>Removes nodes no output depends on.</summary>
internal sealed class DeadCodeEliminationPass : GraphPass
{
    public override string Name => "dead code";

    public override Graph Run(Graph graph)
    {
        var live = new bool[graph.NodeCount];
        foreach (int o in graph.Outputs) live[o] = true;
        int count = 0;
        for (int i = graph.NodeCount - 1; i >= 0; i--)
        {
            if (!live[i]) continue;
            count++;
            ref readonly var n = ref graph[i];
            for (int j = 0; j < n.Arity; j++) live[n.Operand(j)] = true;
        }
        if (count == graph.NodeCount) return graph;
        var b = new GraphBuilder(graph);
        return b.Build(graph.Outputs);
    }
}
