using System.Linq.Expressions;
using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Optimization;

/// <summary>
/// Reverse mode through a loop with carried state records its trajectory, running the loop a second time beside the
/// one that computes the function's value. Where both exist (a value and a gradient), the value's reads of the final
/// state become reads of the trajectory's last slot, so the loop runs once. Exact: the same iterations, the same values.
/// </summary>
internal sealed class ScanSharingPass : RewritePass
{
    private HashSet<int> _shared = new();

    public override string Name => "scan sharing";

    /// <summary>Forward, non-recording scans whose recording twin (same operands, body and state count) is in the graph.</summary>
    private static HashSet<int> Shared(Graph graph)
    {
        var shared = new HashSet<int>();
        var nodes = graph.Nodes;
        for (int s = 0; s < nodes.Length; s++)
        {
            if (!ReferenceEquals(nodes[s].Op, Primitives.Scan)) continue;
            for (int r = s + 1; r < nodes.Length; r++)
                if (ReferenceEquals(nodes[r].Op, Primitives.ScanRecord) && nodes[r].Aux == nodes[s].Aux
                    && ReferenceEquals(nodes[r].Region, nodes[s].Region) && nodes[r].Args!.AsSpan().SequenceEqual(nodes[s].Args))
                {
                    shared.Add(s);
                    break;
                }
        }
        return shared;
    }

    // Graphs without loops have nothing to share; those with loops are visited (their bodies may hold scans).
    protected override bool NothingToDo(Graph graph) => !HasRegions(graph);

    protected override object? SaveState() => _shared;

    protected override void RestoreState(object? state) => _shared = state as HashSet<int> ?? new();

    protected override void Prepare(Graph graph) => _shared = Shared(graph);

    protected override int Rewrite(GraphBuilder b, in Node n, ReadOnlySpan<int> operands)
    {
        if (ReferenceEquals(n.Op, Primitives.Read) && _shared.Contains(n.A))
        {
            var scan = b[operands[0]];
            int record = b.MakeStructured(Primitives.ScanRecord, ValueKind.Array, scan.Args!, scan.Region, scan.Aux);
            int count = scan.Args![1], zero = b.Constant(0, ValueKind.Int32);
            int trips = b.Select(b.Compare(ExpressionType.GreaterThan, count, zero), count, zero);
            int slot = b.Add(b.Mul(trips, b.Constant(ScanPrimitive.StateCount(scan), ValueKind.Int32)), operands[1]);
            return b.Make(Primitives.Read, record, slot);
        }
        return Copy(b, n, operands);
    }
}
