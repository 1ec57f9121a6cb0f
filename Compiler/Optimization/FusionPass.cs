using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Optimization;

/// <summary>
/// Where a graph needs both <c>Math.Sin(a)</c> and <c>Math.Cos(a)</c> of one <c>a</c> (every rotation and
/// every derivative of a sine), computes them with one <c>Math.SinCos(a)</c>. Exact: .NET's SinCos returns
/// the same bits as Sin and Cos (a test keeps checking it). Run last: fused graphs are exported, not
/// differentiated (the importer splits SinCos back when an exported derivative is differentiated again).
/// Other primal reuse (exp, tanh, sqrt and 1/x in their own derivatives) needs no pass: the rules are
/// written in terms of the primal value, and hash-consing shares it.
/// </summary>
internal sealed class FusionPass : RewritePass
{
    private HashSet<int> _both = new();

    public override string Name => "fusion (SinCos)";

    /// <summary>The arguments a of which the graph computes both Math.Sin(a) and Math.Cos(a).</summary>
    public static HashSet<int> BothSinAndCos(Graph graph)
    {
        var sin = new HashSet<int>();
        var cos = new HashSet<int>();
        foreach (var n in graph.Nodes)
        {
            if (ReferenceEquals(n.Op, Primitives.Sin)) sin.Add(n.A);
            else if (ReferenceEquals(n.Op, Primitives.Cos)) cos.Add(n.A);
        }
        sin.IntersectWith(cos);
        return sin;
    }

    protected override bool NothingToDo(Graph graph) => graph.IsCanonical && !HasRegions(graph) && BothSinAndCos(graph).Count == 0;

    protected override object? SaveState() => _both;

    protected override void RestoreState(object? state) => _both = state as HashSet<int> ?? new();

    protected override void Prepare(Graph graph) => _both = BothSinAndCos(graph);

    protected override int Rewrite(GraphBuilder b, in Node n, ReadOnlySpan<int> operands)
    {
        bool isSin = ReferenceEquals(n.Op, Primitives.Sin);
        if ((isSin || ReferenceEquals(n.Op, Primitives.Cos)) && _both.Contains(n.A))
        {
            int pair = b.Make(Primitives.SinCos, operands[0]);
            return b.Make(isSin ? Primitives.SinOfPair : Primitives.CosOfPair, pair);
        }
        return Copy(b, n, operands);
    }
}
