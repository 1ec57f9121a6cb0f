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
    // Flags by argument (3: both Sin and Cos are computed), read once per Sin and Cos node of millions in a deep
    // derivative, and how many arguments have both.
    private byte[] _bothFlags = [];
    private int _bothCount;
    private Dictionary<(int Base, int Exponent), (int Packed, int Slot)> _powers = new();

    public override string Name => "fusion (SinCos, powers)";

    /// <summary>The arguments a of which the graph computes both Math.Sin(a) and Math.Cos(a).</summary>
    public static HashSet<int> BothSinAndCos(Graph graph)
    {
        var flags = BothSinAndCos(graph, null, out _);
        var both = new HashSet<int>();
        for (int a = 0; a < flags.Length; a++) if (flags[a] == 3) both.Add(a);
        return both;
    }

    /// <summary>As <see cref="BothSinAndCos(Graph)"/>, arguments taken through <paramref name="rep"/> (equal nodes of a graph
    /// that is not canonical share one), with the flags by argument (3 where both are computed).</summary>
    private static byte[] BothSinAndCos(Graph graph, int[]? rep, out int both)
    {
        // Flags by argument: a derivative of a deep chain of sines has millions of both, and hash sets of them cost
        // more than the rest of the pass.
        var seen = new byte[graph.NodeCount];
        both = 0;
        foreach (ref readonly var n in graph.Nodes)
        {
            int flag = ReferenceEquals(n.Op, Primitives.Sin) ? 1 : ReferenceEquals(n.Op, Primitives.Cos) ? 2 : 0;
            if (flag == 0) continue;
            int a = rep is null ? n.A : rep[n.A];
            if (seen[a] == 3) continue;
            if ((seen[a] |= (byte)flag) == 3) both++;
        }
        return seen;
    }

    private bool IsBoth(int argument) => _bothFlags[argument] == 3;

    /// <summary>The power families of a graph: for each fused PowInt (base, exponent), its family's packed
    /// exponents and its slot. Exponents of one base are grouped four at a time, largest |n| first, so each
    /// group's chain is its first member's.</summary>
    public static Dictionary<(int Base, int Exponent), (int Packed, int Slot)> PowerFamilies(Graph graph) => PowerFamilies(graph, null);

    private static Dictionary<(int Base, int Exponent), (int Packed, int Slot)> PowerFamilies(Graph graph, int[]? rep)
    {
        var byBase = new Dictionary<int, SortedSet<int>>();
        foreach (ref readonly var n in graph.Nodes)
            if (ReferenceEquals(n.Op, Primitives.PowInt) && OnChain(n.Aux))
            {
                int a = rep is null ? n.A : rep[n.A];
                (byBase.TryGetValue(a, out var set) ? set : byBase[a] = new(LargestFirst)).Add(n.Aux);
            }
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

    protected override bool NothingToDo(Graph graph)
    {
        if (!graph.IsCanonical || HasRegions(graph)) return false;
        Prepare(graph);
        return _bothCount == 0 && _powers.Count == 0;
    }

    // The graph _bothFlags and _powers were found in (NothingToDo prepares; the copy then need not find them again).
    private Graph? _prepared;

    protected override object? SaveState() => (_bothCount, _bothFlags, _powers, _prepared, _rep);

    protected override void RestoreState(object? state) =>
        (_bothCount, _bothFlags, _powers, _prepared, _rep) = state is (int both, byte[] flags, Dictionary<(int, int), (int, int)> powers, var prepared, var rep)
            ? (both, flags, powers, prepared as Graph, rep as int[]) : (0, [], new(), null, null);

    // For a graph that is not canonical: each node's representative among equal nodes (its index in a merging copy).
    private int[]? _rep;

    private static int[] Representatives(Graph graph)
    {
        var b = new GraphBuilder(graph.ParameterNames, fold: false, simplify: false, capacity: graph.NodeCount);
        return GraphCopier.Copy(graph, b, (p, index, kind) => b.Input(p, index, kind));
    }

    private int Rep(int node) => _rep is null ? node : _rep[node];

    protected override void Prepare(Graph graph)
    {
        if (ReferenceEquals(graph, _prepared)) return;
        // In a graph that is not canonical, equal nodes are one argument: the copy through the builder merges them, and
        // families found per copy would fuse one base twice.
        _rep = graph.IsCanonical ? null : Representatives(graph);
        _bothFlags = BothSinAndCos(graph, _rep, out _bothCount);
        _powers = PowerFamilies(graph, _rep);
        _prepared = graph;
    }

    /// <summary>Whether <see cref="RunWithoutBuilder"/> may be used (tests compare it with the builder's copy).</summary>
    internal bool Direct { get; init; } = true;

    // On a canonical graph without loops whose every node is live, fusion maps distinct nodes to distinct nodes and keeps
    // them all (a SinCos per argument, a PowInts per family, each part made once), so the builder's copy would merge
    // and drop nothing: the node array is written directly, in the order the builder would have made it.
    protected override Graph? RunWithoutBuilder(Graph graph)
    {
        if (!Direct || !graph.IsCanonical || HasRegions(graph)) return null;
        var nodes = graph.Nodes;
        var live = new bool[nodes.Length];
        foreach (int o in graph.Outputs) live[o] = true;
        for (int i = nodes.Length - 1; i >= 0; i--)
        {
            ref readonly var n = ref nodes[i];
            // A graph fused before could already hold the node a fusion makes, which the builder would merge.
            if (!live[i] || ReferenceEquals(n.Op, Primitives.SinCos) || ReferenceEquals(n.Op, Primitives.PowInts)) return null;
            for (int j = 0; j < n.Arity; j++) live[n.Operand(j)] = true;
        }
        var families = new HashSet<(int, int)>();
        foreach (var ((x, _), (packed, _)) in _powers) families.Add((x, packed));
        var result = new Node[nodes.Length + _bothCount + families.Count];
        var map = new int[nodes.Length];
        var pairs = new int[nodes.Length];
        var powers = new Dictionary<(int, int), int>();
        int count = 0;
        for (int i = 0; i < nodes.Length; i++)
        {
            ref readonly var n = ref nodes[i];
            bool isSin = ReferenceEquals(n.Op, Primitives.Sin);
            if ((isSin || ReferenceEquals(n.Op, Primitives.Cos)) && IsBoth(n.A))
            {
                // pairs[a] is one past the pair's index (0: not made yet).
                int pair = pairs[n.A] - 1;
                if (pair < 0)
                {
                    pair = count;
                    pairs[n.A] = pair + 1;
                    result[count++] = new Node(Primitives.SinCos, Primitives.SinCos.ResultKind, map[n.A], -1, -1, 0, 0, 0);
                }
                var part = isSin ? Primitives.SinOfPair : Primitives.CosOfPair;
                result[map[i] = count++] = new Node(part, part.ResultKind, pair, -1, -1, 0, 0, 0);
            }
            else if (ReferenceEquals(n.Op, Primitives.PowInt) && _powers.TryGetValue((n.A, n.Aux), out var family))
            {
                if (!powers.TryGetValue((n.A, family.Packed), out int packed))
                {
                    powers[(n.A, family.Packed)] = packed = count;
                    result[count++] = new Node(Primitives.PowInts, Primitives.PowInts.ResultKind, map[n.A], -1, -1, family.Packed, 0, 0);
                }
                result[map[i] = count++] = new Node(Primitives.PowerOfPowers, Primitives.PowerOfPowers.ResultKind, packed, -1, -1, n.Aux, family.Slot, 0);
            }
            else result[map[i] = count++] = n.Remap(map);
        }
        System.Diagnostics.Debug.Assert(count == result.Length);
        var outputs = new int[graph.OutputCount];
        for (int k = 0; k < outputs.Length; k++) outputs[k] = map[graph.Outputs[k]];
        return new Graph(result, outputs, graph.ParameterNames);
    }

    protected override int Rewrite(GraphBuilder b, in Node n, ReadOnlySpan<int> operands)
    {
        bool isSin = ReferenceEquals(n.Op, Primitives.Sin);
        if ((isSin || ReferenceEquals(n.Op, Primitives.Cos)) && IsBoth(Rep(n.A)))
        {
            int pair = b.Make(Primitives.SinCos, operands[0]);
            return b.Make(isSin ? Primitives.SinOfPair : Primitives.CosOfPair, pair);
        }
        if (ReferenceEquals(n.Op, Primitives.PowInt) && _powers.TryGetValue((Rep(n.A), n.Aux), out var family))
        {
            int powers = b.Make(Primitives.PowInts, operands[0], aux: family.Packed);
            return b.Make(Primitives.PowerOfPowers, powers, aux: n.Aux, aux2: family.Slot);
        }
        return Copy(b, n, operands);
    }
}
