using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Optimization;

/// <summary>
/// Shares work between functions of one argument. Where a graph needs both <c>Math.Sin(a)</c> and <c>Math.Cos(a)</c> of one <c>a</c> (every rotation and
/// every derivative of a sine), computes them with one <c>Math.SinCos(a)</c>. Exact: .NET's SinCos returns
/// the same bits as Sin and Cos (a test keeps checking it). Run last: fused graphs are exported, not
/// differentiated (the importer splits SinCos back when an exported derivative is differentiated again).
/// Where it needs several integer powers of one base (a power and its derivative: <c>r⁻⁶</c> and <c>−6·r⁻⁷</c>),
/// computes up to four of them with one <c>Intrinsics.PowInts</c>, which walks the double-double chain of the
/// largest and reads the others off it: bit for bit the separate <c>PowInt</c>s (a test checks it on millions
/// of bases and every exponent pair). Other primal reuse (exp, tanh, sqrt and 1/x in their own derivatives) needs no pass: the rules are
/// written in terms of the primal value, and hash-consing shares it.
/// </summary>
internal sealed class FusionPass : RewritePass
{
    private HashSet<int> _both = new();
    private Dictionary<(int Base, int Exponent), (int Packed, int Slot)> _powers = new();

    public override string Name => "fusion (SinCos, powers)";

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

    /// <summary>The power families of a graph: for each fused PowInt (base, exponent), its family's packed
    /// exponents and its slot. Exponents of one base are grouped four at a time, largest |n| first, so each
    /// group's chain is its first member's.</summary>
    public static Dictionary<(int Base, int Exponent), (int Packed, int Slot)> PowerFamilies(Graph graph)
    {
        var byBase = new Dictionary<int, SortedSet<int>>();
        foreach (var n in graph.Nodes)
            if (ReferenceEquals(n.Op, Primitives.PowInt) && OnChain(n.Aux))
                (byBase.TryGetValue(n.A, out var set) ? set : byBase[n.A] = new(LargestFirst)).Add(n.Aux);
        var families = new Dictionary<(int, int), (int, int)>();
        foreach (var (x, exponents) in byBase)
        {
            var all = exponents.ToArray();
            for (int start = 0; start + 1 < all.Length; start += 4)
            {
                var group = all.AsSpan(start, Math.Min(4, all.Length - start));
                if (group.Length < 2) break;
                int packed = PowIntsPrimitive.Pack(group);
                for (int slot = 0; slot < group.Length; slot++) families[(x, group[slot])] = (packed, slot);
            }
        }
        return families;
    }

    // The exponents Intrinsics.PowInts computes on its shared chain; the others are a multiplication or a division.
    private static bool OnChain(int n) => n is not (-1 or 0 or 1 or 2) && Math.Abs(n) <= 64;

    private static readonly Comparer<int> LargestFirst = Comparer<int>.Create((a, b) =>
        Math.Abs(a) != Math.Abs(b) ? Math.Abs(b).CompareTo(Math.Abs(a)) : a.CompareTo(b));

    protected override bool NothingToDo(Graph graph) =>
        graph.IsCanonical && !HasRegions(graph) && BothSinAndCos(graph).Count == 0 && PowerFamilies(graph).Count == 0;

    protected override object? SaveState() => (_both, _powers);

    protected override void RestoreState(object? state) =>
        (_both, _powers) = state is (HashSet<int> both, Dictionary<(int, int), (int, int)> powers) ? (both, powers) : (new(), new());

    protected override void Prepare(Graph graph)
    {
        _both = BothSinAndCos(graph);
        _powers = PowerFamilies(graph);
    }

    protected override int Rewrite(GraphBuilder b, in Node n, ReadOnlySpan<int> operands)
    {
        bool isSin = ReferenceEquals(n.Op, Primitives.Sin);
        if ((isSin || ReferenceEquals(n.Op, Primitives.Cos)) && _both.Contains(n.A))
        {
            int pair = b.Make(Primitives.SinCos, operands[0]);
            return b.Make(isSin ? Primitives.SinOfPair : Primitives.CosOfPair, pair);
        }
        if (ReferenceEquals(n.Op, Primitives.PowInt) && _powers.TryGetValue((n.A, n.Aux), out var family))
        {
            int powers = b.Make(Primitives.PowInts, operands[0], aux: family.Packed);
            return b.Make(Primitives.PowerOfPowers, powers, aux: n.Aux, aux2: family.Slot);
        }
        return Copy(b, n, operands);
    }
}
