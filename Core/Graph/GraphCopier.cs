using ExprDiff.Rules;

namespace ExprDiff.Graphs;

/// <summary>Copies a graph's nodes into another builder with its parameters bound to given nodes: how a loop body
/// is re-parameterized when its derivative needs other parameters (a scan's tangent or adjoint sweep).</summary>
internal static class GraphCopier
{
    /// <summary>Returns, for each node of <paramref name="source"/>, its copy in <paramref name="target"/>.
    /// <paramref name="parameter"/> gives the node that stands for parameter p (of the given kind).</summary>
    public static int[] Copy(Graph source, GraphBuilder target, Func<int, ValueKind, int> parameter) =>
        Copy(source, target, (p, index, kind) => index < 0 ? parameter(p, kind) : throw new InvalidOperationException("a loop body reads whole parameters only."));

    /// <summary>As <see cref="Copy(Graph, GraphBuilder, Func{int, ValueKind, int})"/>, also for inputs that are one element
    /// of an array parameter (index ≥ 0; −1 for a whole parameter).</summary>
    public static int[] Copy(Graph source, GraphBuilder target, Func<int, int, ValueKind, int> input) => Copy(source, target, input, _ => -1);

    /// <summary>As <see cref="Copy(Graph, GraphBuilder, Func{int, int, ValueKind, int})"/>, with node i of the source
    /// replaced by <paramref name="replace"/>(i) where that is not −1 (a value computed elsewhere, passed in).</summary>
    public static int[] Copy(Graph source, GraphBuilder target, Func<int, int, ValueKind, int> input, Func<int, int> replace)
    {
        var map = new int[source.NodeCount];
        for (int i = 0; i < source.NodeCount; i++)
        {
            var n = source[i];
            if (replace(i) is var replaced and >= 0)
            {
                map[i] = replaced;
                continue;
            }
            if (ReferenceEquals(n.Op, Primitives.Input))
            {
                map[i] = input(n.Aux, n.Aux2, n.Kind);
                continue;
            }
            var remapped = n.Remap(map);
            map[i] = remapped.Payload is not null ? target.PayloadLeaf(remapped)
                : remapped.Args is not null
                ? target.MakeStructured(remapped.Op, remapped.Kind, remapped.Args, remapped.Region, remapped.Aux)
                : target.Make(remapped.Op, remapped.A, remapped.B, remapped.C, remapped.Aux, remapped.Aux2, remapped.Value, remapped.Kind);
        }
        return map;
    }
}
