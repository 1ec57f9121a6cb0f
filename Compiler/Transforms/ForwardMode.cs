using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Transforms;

/// <summary>
/// Forward mode (JVP): one sweep in node order that builds, beside each needed node, the node of its
/// tangent. The result is graph nodes in the same builder, so it can be differentiated again.
/// </summary>
internal static class ForwardMode
{
    /// <summary>
    /// Tangents of <paramref name="outputs"/> given the tangent of each seed node (an input), or
    /// <see cref="DerivativeContext.Zero"/> where an output does not depend on the seeds.
    /// </summary>
    public static int[] Jvp(DerivativeContext cx, ReadOnlySpan<int> outputs, IReadOnlyDictionary<int, int> seeds)
    {
        var b = cx.Builder;
        int limit = Activity.Limit(outputs);
        var needed = Activity.Needed(b, outputs, limit);
        var tangent = new int[limit];
        Span<int> small = stackalloc int[3];
        for (int i = 0; i < limit; i++)
        {
            tangent[i] = DerivativeContext.Zero;
            if (!needed[i]) continue;
            if (seeds.TryGetValue(i, out int seed)) { tangent[i] = seed; continue; }
            var n = b[i];
            if (n.Arity == 0 || !Activity.IsDifferentiable(n.Kind) || n.Op.HasZeroDerivative) continue;
            Span<int> operandTangents = n.Arity <= 3 ? small[..n.Arity] : new int[n.Arity];
            bool any = false;
            for (int j = 0; j < n.Arity; j++)
            {
                int o = n.Operand(j);
                operandTangents[j] = Activity.IsDifferentiable(b.KindOf(o)) ? tangent[o] : DerivativeContext.Zero;
                any |= operandTangents[j] != DerivativeContext.Zero;
            }
            if (any) tangent[i] = n.Op.Jvp(cx, i, operandTangents);
        }
        var result = new int[outputs.Length];
        for (int k = 0; k < outputs.Length; k++) result[k] = tangent[outputs[k]];
        return result;
    }
}
