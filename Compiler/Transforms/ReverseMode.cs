using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Transforms;

/// <summary>
/// Reverse mode (VJP): one sweep against node order that accumulates, for each active node, the node of
/// its cotangent. The result is graph nodes in the same builder, so it can be differentiated again.
/// </summary>
/// <remarks>
/// Conditionals: a select sends its cotangent to each branch under that branch's condition. Every node
/// gets a guard, the condition under which a non-zero cotangent can reach it (the OR of the guards of
/// the edges that feed it). A contribution that crosses from a narrower guard to a wider one is wrapped
/// in <c>guard ? contribution : 0</c>, and so is each result whose guard is not "always". Inside a
/// branch, partials may be NaN or ∞ when the branch is not taken (log(0) in <c>x > 0 ? log(x) : 0</c>);
/// the wrap keeps them out of the gradient, where a plain <c>0 * ∞</c> would give NaN (the jnp.where
/// trap). Code without conditionals has every guard "always" and pays nothing.
/// </remarks>
internal static class ReverseMode
{
    private const int Always = -2;

    /// <summary>
    /// Cotangents of the <paramref name="wrt"/> nodes, given a cotangent node for each output;
    /// <see cref="DerivativeContext.Zero"/> where a wrt node does not influence the outputs.
    /// </summary>
    public static int[] Vjp(DerivativeContext cx, ReadOnlySpan<int> outputs, ReadOnlySpan<int> cotangents, ReadOnlySpan<int> wrt)
    {
        var b = cx.Builder;
        int limit = Activity.Limit(outputs);
        var needed = Activity.Needed(b, outputs, limit);
        var seeds = new HashSet<int>();
        foreach (int w in wrt) seeds.Add(w);
        var active = Activity.Active(b, needed, seeds.Contains);

        var sum = new int[limit];        // cotangent contributions along always-guarded edges
        var guard = new int[limit];
        var adjoint = new int[limit];
        var hasAlways = new bool[limit];
        var guarded = new Dictionary<int, List<(int Guard, int Value)>>();
        var arrays = new Dictionary<int, List<int>>();
        Array.Fill(sum, DerivativeContext.Zero);
        Array.Fill(adjoint, DerivativeContext.Zero);

        for (int k = 0; k < outputs.Length; k++)
            if (active[outputs[k]] && cotangents[k] != DerivativeContext.Zero)
                Accumulate(b, sum, hasAlways, guarded, arrays, outputs[k], Always, cotangents[k]);

        Span<bool> smallWanted = stackalloc bool[3];
        Span<int> smallContributions = stackalloc int[3];
        for (int i = limit - 1; i >= 0; i--)
        {
            if (!active[i]) continue;
            (guard[i], adjoint[i]) = b.KindOf(i) == ValueKind.Array
                ? (Always, ResolveArray(b, i, arrays))
                : Resolve(b, i, sum[i], hasAlways[i], guarded);
            if (adjoint[i] == DerivativeContext.Zero || seeds.Contains(i)) continue;
            var n = b[i];
            if (n.Arity == 0) continue;
            Span<bool> wanted = n.Arity <= 3 ? smallWanted[..n.Arity] : new bool[n.Arity];
            Span<int> contributions = n.Arity <= 3 ? smallContributions[..n.Arity] : new int[n.Arity];
            bool any = false;
            for (int j = 0; j < n.Arity; j++) any |= wanted[j] = active[n.Operand(j)];
            if (!any) continue;
            n.Op.Vjp(cx, i, adjoint[i], wanted, contributions);
            for (int j = 0; j < n.Arity; j++)
            {
                if (!wanted[j] || contributions[j] == DerivativeContext.Zero) continue;
                int condition = n.Op.EdgeCondition(b, n, j);
                int edgeGuard = condition < 0 ? guard[i] : guard[i] == Always ? condition : b.And(guard[i], condition);
                Accumulate(b, sum, hasAlways, guarded, arrays, n.Operand(j), edgeGuard, contributions[j]);
            }
        }

        var result = new int[wrt.Length];
        for (int k = 0; k < wrt.Length; k++)
        {
            int w = wrt[k];
            if (w >= limit || !active[w] || adjoint[w] == DerivativeContext.Zero) { result[k] = DerivativeContext.Zero; continue; }
            result[k] = guard[w] == Always || b.KindOf(w) == ValueKind.Array ? adjoint[w] : b.Select(guard[w], adjoint[w], b.Constant(0));
        }
        return result;
    }

    private static void Accumulate(GraphBuilder b, int[] sum, bool[] hasAlways, Dictionary<int, List<(int, int)>> guarded,
        Dictionary<int, List<int>> arrays, int target, int edgeGuard, int value)
    {
        if (b.KindOf(target) == ValueKind.Array)
        {
            // An array's adjoint is built whole, so a guarded contribution (a read inside a conditional
            // branch) carries its guard into each of its values.
            if (edgeGuard != Always) value = Guard(b, value, edgeGuard);
            if (!arrays.TryGetValue(target, out var contributions)) arrays[target] = contributions = new List<int>();
            contributions.Add(value);
            return;
        }
        if (edgeGuard == Always)
        {
            sum[target] = sum[target] == DerivativeContext.Zero ? value : b.Add(sum[target], value);
            hasAlways[target] = true;
            return;
        }
        if (!guarded.TryGetValue(target, out var list)) guarded[target] = list = new List<(int, int)>(2);
        list.Add((edgeGuard, value));
    }

    private static int Guard(GraphBuilder b, int contribution, int guard)
    {
        var n = b[contribution];
        if (!ReferenceEquals(n.Op, Primitives.Assemble) || AssemblePrimitive.Dense(n).Any())
            throw new ExprDiffException("cannot differentiate a loop inside a conditional branch in reverse mode yet; " +
                "move the loop out of the branch (compute it unconditionally and select its result)");
        // The index is guarded with the value (GuardedPairs): a read that `i > 0` protects is at i − 1, which must not be
        // written, nor even computed when it reads an index array, where the branch is not taken. 0 keeps it in range
        // for backends that add the 0.0 instead of skipping the pair.
        var zero = b.Constant(0);
        var intZero = b.Constant(0, ValueKind.Int32);
        var pairs = AssemblePrimitive.Pairs(n).Select(p => (b.Select(guard, p.Index, intZero), b.Select(guard, p.Value, zero))).ToList();
        return b.Assemble(n.Operand(0), pairs, []);
    }

    /// <summary>
    /// The adjoint of an array: every contribution (one-element reads, whole arrays from loops) gathered into
    /// one assemble node, so the array is built once however many places read it.
    /// </summary>
    private static int ResolveArray(GraphBuilder b, int i, Dictionary<int, List<int>> arrays)
    {
        if (!arrays.Remove(i, out var contributions)) return DerivativeContext.Zero;
        var pairs = new List<(int, int)>();
        var dense = new List<int>();
        foreach (int c in contributions)
        {
            var n = b[c];
            if (ReferenceEquals(n.Op, Primitives.Assemble))
            {
                pairs.AddRange(AssemblePrimitive.Pairs(n));
                dense.AddRange(AssemblePrimitive.Dense(n));
            }
            else dense.Add(c);
        }
        if (pairs.Count == 0 && dense.Count == 1) return dense[0];
        return b.Assemble(b.Make(Primitives.Length, i), pairs, dense);
    }

    /// <summary>Whether the guards hold some condition c and also !c, so that together they always hold.</summary>
    private static bool HasComplementaryPair(GraphBuilder b, List<(int Guard, int Value)> list)
    {
        foreach (var (guard, _) in list)
        {
            var n = b[guard];
            if (!ReferenceEquals(n.Op, Primitives.Not)) continue;
            foreach (var (other, _) in list)
                if (other == n.A) return true;
        }
        return false;
    }

    /// <summary>The guard of node <paramref name="i"/> and its cotangent, wrapping contributions whose
    /// guard is narrower than the node's.</summary>
    private static (int Guard, int Adjoint) Resolve(GraphBuilder b, int i, int sum, bool hasAlways, Dictionary<int, List<(int Guard, int Value)>> guarded)
    {
        if (!guarded.Remove(i, out var list)) return (hasAlways ? Always : Always, sum);
        int g = Always;
        if (!hasAlways)
        {
            g = list[0].Guard;
            for (int k = 1; k < list.Count; k++) g = b.Or(g, list[k].Guard);
            // Or(c, !c) simplifies to true: the node is needed on every path after all. Without simplification (the
            // builder of OptimizationLevel.None) the pair is found here, so that what differentiates does not depend on it.
            if (b.IsConstant(g, 1) || HasComplementaryPair(b, list)) g = Always;
        }
        int adjoint = sum;
        foreach (var (edgeGuard, value) in list)
        {
            int term = edgeGuard == g ? value : b.Select(edgeGuard, value, b.Constant(0));
            adjoint = adjoint == DerivativeContext.Zero ? term : b.Add(adjoint, term);
        }
        return (g, adjoint);
    }
}
