using ExprDiff.Rules;

namespace ExprDiff.Graphs;

/// <summary>A boolean node and the value it must have.</summary>
internal readonly record struct GuardLiteral(int Node, bool Value);

/// <summary>
/// The condition under which a node's value is needed: an OR of conjunctions of literals. Each conjunction lists its
/// literals outermost first, so evaluating it with <c>&amp;&amp;</c> from the left never reads a condition whose own
/// guard does not hold (`i &gt; 0 &amp;&amp; x[i - 1] &gt; 0`). No terms at all: the value is never needed.
/// </summary>
internal sealed class Guard
{
    public Guard(IReadOnlyList<GuardLiteral[]> terms) => Terms = terms;

    public IReadOnlyList<GuardLiteral[]> Terms { get; }

    /// <summary>Every node the guard reads.</summary>
    public IEnumerable<int> Literals => Terms.SelectMany(t => t).Select(l => l.Node).Distinct();
}

/// <summary>
/// Which nodes a graph needs only under a condition. A select needs its branches only when taken and <c>&amp;&amp;</c>/<c>||</c>
/// their right operand only when the left one does not decide (<see cref="Primitive.EdgeLiteral"/>); a node needs its
/// operands whenever it is needed itself. A backend computes a guarded node under its guard, so the branch not taken
/// reads no array, divides no integer and calls no function (an index guarded by <c>i &gt; 0</c> stays guarded in every
/// derivative, where the read is shared between the value and its adjoint).
/// </summary>
/// <remarks>One backward sweep; guards are kept small by absorption (<c>a ∨ (a ∧ b) = a</c>) and by merging
/// complementary last literals (<c>(p ∧ c) ∨ (p ∧ ¬c) = p</c>).</remarks>
internal static class ExecutionGuards
{
    /// <summary>More terms than this in one guard is not kept: the test would grow without bound (an else-chain of
    /// compound conditions multiplies out). Such a node is weakened instead.</summary>
    public const int MaxTerms = 16;

    /// <summary>The guard of every node: null when the node is needed whenever the graph runs.</summary>
    /// <summary>Whether any edge of <paramref name="graph"/> is taken under a condition (a select's branch, the right
    /// operand of &amp;&amp; or ||): without one, every node is needed whenever the graph runs.</summary>
    public static bool HasConditions(Graph graph)
    {
        foreach (ref readonly var n in graph.Nodes)
            for (int j = 0; j < n.Arity; j++)
                if (n.Op.EdgeLiteral(n, j) is not null) return true;
        return false;
    }

    public static Guard?[] Compute(Graph graph) => Compute(graph, computedInOrder: false, out _);

    /// <summary>The guard of every node: null when the node is needed whenever the graph runs (or, where
    /// <paramref name="weakened"/> says so, when no exact guard could be kept).</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="computedInOrder">The nodes will be computed in index order, each guarded node where it is: a term
    /// reading a condition computed after the node cannot be tested there, and is cut before that condition (the node is
    /// then computed in more cases than it is needed). The exporter's ordering leaves such conditions only where a value
    /// is needed both to decide a condition and in a branch the condition selects.</param>
    /// <param name="weakened">Nodes whose guard holds in more cases than their value is needed: a cut term, a guard too
    /// large to keep (more than <see cref="MaxTerms"/> terms), or a user that is itself weakened. Pure arithmetic may
    /// run there; a node that <see cref="Primitive.MayFail"/> must be computed on demand instead.</param>
    public static Guard?[] Compute(Graph graph, bool computedInOrder, out bool[] weakened)
    {
        int count = graph.NodeCount;
        var result = new Guard?[count];
        weakened = new bool[count];
        // No conditionals: every node is needed always (and a deep derivative's millions of nodes need no work arrays).
        if (!HasConditions(graph)) return result;
        var always = new bool[count];
        var strict = new bool[count]; // needed always by a user that is not weakened: exactly always
        var pending = new List<GuardLiteral[]>?[count];
        foreach (int o in graph.Outputs) always[o] = strict[o] = true;

        for (int i = count - 1; i >= 0; i--)
        {
            ref readonly var n = ref graph[i];
            if (strict[i]) weakened[i] = false;
            Guard? guard;
            // Leaves (constants, parameters) cost nothing and cannot fail: never guarded, so never ordered after a condition.
            if (always[i] || n.Arity == 0 && !n.Op.MayFail(n)) guard = null;
            else
            {
                var terms = Simplify(pending[i] ?? []);
                if (computedInOrder && terms.Any(t => t.Any(l => l.Node > i)))
                {
                    terms = Simplify(terms.Select(t => t.TakeWhile(l => l.Node < i).ToArray()).ToList());
                    weakened[i] = true;
                }
                if (terms.Count > MaxTerms)
                {
                    terms = [[]];
                    weakened[i] = true;
                }
                guard = new Guard(terms);
                if (guard.Terms.Count > 0 && guard.Terms.All(t => t.Length == 0)) guard = null;
            }
            result[i] = guard;
            pending[i] = null;
            if (guard is { Terms.Count: 0 }) continue; // never needed: nor are its operands, through it
            for (int j = 0; j < n.Arity; j++)
            {
                int o = n.Operand(j);
                if (weakened[i]) weakened[o] = true;
                var edge = n.Op.EdgeLiteral(n, j);
                if (always[o])
                {
                    strict[o] |= guard is null && edge is null && !weakened[i];
                    continue;
                }
                if (guard is null && edge is null)
                {
                    always[o] = true;
                    strict[o] |= !weakened[i];
                    pending[o] = null;
                    continue;
                }
                var list = pending[o] ??= new List<GuardLiteral[]>();
                var terms = guard?.Terms ?? [[]];
                var atoms = edge is { } e ? Expand(graph, e.Node, e.Value, 0) : [[]];
                foreach (var term in terms)
                    foreach (var a in atoms)
                        if (And(term, a) is { } t) list.Add(t);
                if (list.Count > 4 * MaxTerms) pending[o] = Simplify(list);
            }
        }
        return result;
    }

    // How deep a condition's &&, || and ! are taken apart; deeper ones stay whole literals.
    private const int MaxExpansionDepth = 12;

    /// <summary>
    /// The literal "node has this value" as an OR of conjunctions of conditions that are not &amp;&amp;, || or !, in the
    /// order C# evaluates them: <c>a &amp;&amp; b</c> true is a, then b; false is ¬a, or a then ¬b. Guards over the same
    /// comparisons then simplify against each other: a value read in <c>i &gt;= 2 &amp;&amp; x[i - 2] &gt; 0</c> and again in
    /// the branch it selects is needed under <c>i &gt;= 2</c>, which the condition computes first.
    /// </summary>
    private static List<GuardLiteral[]> Expand(Graph graph, int node, bool value, int depth)
    {
        ref readonly var n = ref graph[node];
        if (depth < MaxExpansionDepth)
        {
            if (ReferenceEquals(n.Op, Primitives.Not)) return Expand(graph, n.A, !value, depth + 1);
            if (n.Op is LogicalPrimitive)
            {
                bool isAnd = ReferenceEquals(n.Op, Primitives.And);
                var left = Expand(graph, n.A, value, depth + 1);
                // a && b true, a || b false: both operands decide together; otherwise the left decides alone, or passes on.
                var through = Product(isAnd == value ? left : Expand(graph, n.A, !value, depth + 1), Expand(graph, n.B, value, depth + 1));
                var result = isAnd == value ? through : left.Concat(through).ToList();
                if (result.Count <= MaxTerms) return result;
            }
        }
        return [[new GuardLiteral(node, value)]];
    }

    private static List<GuardLiteral[]> Product(List<GuardLiteral[]> first, List<GuardLiteral[]> second)
    {
        var result = new List<GuardLiteral[]>();
        foreach (var a in first)
            foreach (var b in second)
                if (And(a, b) is { } t) result.Add(t);
        return result;
    }

    // term ∧ more (literals appended in order, repeats dropped): null when they contradict.
    private static GuardLiteral[]? And(GuardLiteral[] term, GuardLiteral[] more)
    {
        if (more.Length == 0) return term;
        var t = new List<GuardLiteral>(term);
        foreach (var e in more)
        {
            int at = t.FindIndex(l => l.Node == e.Node);
            if (at < 0) t.Add(e);
            else if (t[at].Value != e.Value) return null;
        }
        return t.ToArray();
    }

    private static List<GuardLiteral[]> Simplify(List<GuardLiteral[]> terms)
    {
        var list = new List<GuardLiteral[]>(terms);
        bool changed = true;
        while (changed)
        {
            changed = false;
            // Absorption: a term implied by another (a superset of its literals) adds nothing.
            for (int a = 0; a < list.Count && !changed; a++)
                for (int b = 0; b < list.Count && !changed; b++)
                    if (a != b && IsSubset(list[a], list[b]) && (list[a].Length < list[b].Length || a < b))
                    {
                        list.RemoveAt(b);
                        changed = true;
                    }
            // (p ∧ c) ∨ (p ∧ ¬c) = p, for the same prefix p in the same order.
            for (int a = 0; a < list.Count && !changed; a++)
                for (int b = a + 1; b < list.Count && !changed; b++)
                    if (Complementary(list[a], list[b]))
                    {
                        list[a] = list[a][..^1];
                        list.RemoveAt(b);
                        changed = true;
                    }
        }
        return list;
    }

    private static bool IsSubset(GuardLiteral[] small, GuardLiteral[] large)
    {
        if (small.Length > large.Length) return false;
        foreach (var l in small)
            if (Array.IndexOf(large, l) < 0) return false;
        return true;
    }

    private static bool Complementary(GuardLiteral[] a, GuardLiteral[] b)
    {
        if (a.Length != b.Length || a.Length == 0) return false;
        for (int k = 0; k < a.Length - 1; k++)
            if (a[k] != b[k]) return false;
        return a[^1].Node == b[^1].Node && a[^1].Value != b[^1].Value;
    }
}
