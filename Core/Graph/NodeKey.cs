using System.Runtime.CompilerServices;
using ExprDiff.Rules;

namespace ExprDiff.Graphs;

/// <summary>Hash-consing key. Constants are keyed by their bits so that 0.0 and −0.0 (equal as doubles)
/// and NaNs stay distinct nodes; variadic operands compare by content, regions by identity, payloads by their own equality (identity for arrays).</summary>
internal readonly struct NodeKey : IEquatable<NodeKey>
{
    private readonly Node _node;

    private NodeKey(in Node n) => _node = n;

    public static NodeKey Of(in Node n) => new(n);

    public bool Equals(NodeKey o) => Same(_node, o._node);

    public override bool Equals(object? obj) => obj is NodeKey k && Equals(k);

    public override int GetHashCode() => Hash(_node);

    public static bool operator ==(NodeKey a, NodeKey b) => a.Equals(b);

    public static bool operator !=(NodeKey a, NodeKey b) => !a.Equals(b);

    /// <summary>Whether two nodes are the same computation (what hash-consing merges).</summary>
    public static bool Same(in Node a, in Node b) =>
        ReferenceEquals(a.Op, b.Op) && a.Kind == b.Kind && a.A == b.A && a.B == b.B && a.C == b.C && a.Aux == b.Aux
        && a.Aux2 == b.Aux2 && BitConverter.DoubleToInt64Bits(a.Value) == BitConverter.DoubleToInt64Bits(b.Value)
        && ReferenceEquals(a.Region, b.Region) && Equals(a.Payload, b.Payload)
        && (a.Args is not { } x ? b.Args is null : b.Args is { } y && x.AsSpan().SequenceEqual(y));

    /// <summary>A hash consistent with <see cref="Same"/>: a multiply-rotate mix of the fields, cheap enough for a
    /// builder that hashes every node it makes (millions for a deep expression).</summary>
    public static int Hash(in Node n)
    {
        ulong h = (ulong)(uint)RuntimeHelpers.GetHashCode(n.Op) * 0x9E3779B97F4A7C15UL;
        h = Mix(h, (ulong)n.Kind);
        h = Mix(h, (ulong)(uint)n.A | (ulong)(uint)n.B << 32);
        h = Mix(h, (ulong)(uint)n.C | (ulong)(uint)n.Aux << 32);
        h = Mix(h, (uint)n.Aux2);
        h = Mix(h, (ulong)BitConverter.DoubleToInt64Bits(n.Value));
        if (n.Args is { } args) foreach (int a in args) h = Mix(h, (uint)a);
        if (n.Region is { } region) h = Mix(h, (uint)RuntimeHelpers.GetHashCode(region));
        // Arrays hash and compare by identity; a captured member by its root object's identity and its members.
        if (n.Payload is { } payload) h = Mix(h, (uint)payload.GetHashCode());
        h ^= h >> 29;
        h *= 0xBF58476D1CE4E5B9UL;
        return (int)(h ^ h >> 32);
    }

    private static ulong Mix(ulong h, ulong v) => (ulong)System.Numerics.BitOperations.RotateLeft(h ^ v * 0x94D049BB133111EBUL, 27) * 0x9E3779B97F4A7C15UL;
}
