using ExprDiff.Rules;

namespace ExprDiff.Graphs;

/// <summary>Hash-consing key. Constants are keyed by their bits so that 0.0 and −0.0 (equal as doubles)
/// and NaNs stay distinct nodes.</summary>
internal readonly record struct NodeKey(Primitive Op, ValueKind Kind, int A, int B, int C, int Aux, int Aux2, long Bits)
{
    public static NodeKey Of(in Node n) =>
        new(n.Op, n.Kind, n.A, n.B, n.C, n.Aux, n.Aux2, BitConverter.DoubleToInt64Bits(n.Value));
}
