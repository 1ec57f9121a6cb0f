using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Transforms;

/// <summary>Which nodes a derivative has to visit: those that reach an output through differentiable edges
/// (needed) and that depend on a differentiated input (active).</summary>
internal static class Activity
{
    /// <summary>Nodes below <paramref name="limit"/> whose derivative can reach an output.</summary>
    public static bool[] Needed(GraphBuilder b, ReadOnlySpan<int> outputs, int limit)
    {
        var needed = new bool[limit];
        foreach (int o in outputs) needed[o] = true;
        for (int i = limit - 1; i >= 0; i--)
        {
            if (!needed[i]) continue;
            var n = b[i];
            if (!IsDifferentiable(n.Kind) || n.Op.HasZeroDerivative) continue;
            for (int j = 0; j < n.Arity; j++)
            {
                int o = n.Operand(j);
                if (IsDifferentiable(b.KindOf(o))) needed[o] = true;
            }
        }
        return needed;
    }

    /// <summary>Nodes that depend on a seed through differentiable edges, among <paramref name="needed"/>.</summary>
    public static bool[] Active(GraphBuilder b, bool[] needed, Func<int, bool> isSeed)
    {
        var active = new bool[needed.Length];
        for (int i = 0; i < needed.Length; i++)
        {
            if (!needed[i]) continue;
            if (isSeed(i)) { active[i] = true; continue; }
            var n = b[i];
            if (!IsDifferentiable(n.Kind) || n.Op.HasZeroDerivative) continue;
            for (int j = 0; j < n.Arity && !active[i]; j++) active[i] = active[n.Operand(j)];
        }
        return active;
    }

    /// <summary>Kinds that carry tangents and cotangents: numbers and arrays of them.</summary>
    public static bool IsDifferentiable(ValueKind kind) => kind is ValueKind.Double or ValueKind.Array;

    public static int Limit(ReadOnlySpan<int> outputs)
    {
        int limit = 0;
        foreach (int o in outputs) limit = Math.Max(limit, o + 1);
        return limit;
    }
}
