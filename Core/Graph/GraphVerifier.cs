using System.Diagnostics;
using ExprDiff.Rules;

namespace ExprDiff.Graphs;

/// <summary>Checks a graph's invariants: operands precede their users, kinds agree, no duplicate nodes.</summary>
internal static class GraphVerifier
{
    /// <summary>Throws <see cref="InvalidOperationException"/> naming the first broken invariant.</summary>
    public static void Verify(Graph graph)
    {
        var nodes = graph.Nodes;
        var seen = new HashSet<NodeKey>(nodes.Length);
        for (int i = 0; i < nodes.Length; i++)
        {
            ref readonly var n = ref nodes[i];
            for (int j = 0; j < Math.Max(3, n.Arity); j++)
            {
                int o = n.Operand(j);
                if (j >= n.Arity)
                {
                    if (o != -1) Fail(i, n, $"has operand {j} beyond its arity {n.Arity}");
                    continue;
                }
                if (o < 0 || o >= i) Fail(i, n, $"operand {j} = {o} does not precede it");
                var expected = n.Op.OperandKind(j, n);
                if (nodes[o].Kind != expected) Fail(i, n, $"operand {j} is {nodes[o].Kind}, expected {expected}");
            }
            if (!n.Op.IsKindGeneric && n.Arity > 0 && n.Kind != n.Op.ResultKind)
                Fail(i, n, $"has kind {n.Kind}, expected {n.Op.ResultKind}");
            if (ReferenceEquals(n.Op, Primitives.Input) && n.Aux >= graph.ParameterNames.Count)
                Fail(i, n, $"reads parameter {n.Aux} of {graph.ParameterNames.Count}");
            if (!seen.Add(NodeKey.Of(n))) Fail(i, n, "duplicates an earlier node (hash-consing broken)");
            if (n.Region is not null) Verify(n.Region.Body);
        }
        foreach (int o in graph.Outputs)
            if (o < 0 || o >= nodes.Length) throw new InvalidOperationException($"output {o} is not a node.");
    }

    [Conditional("DEBUG")]
    public static void DebugVerify(Graph graph) => Verify(graph);

    private static void Fail(int index, in Node n, string what) =>
        throw new InvalidOperationException($"graph invariant broken: node v{index} ({n.Op.Name}) {what}.");
}
