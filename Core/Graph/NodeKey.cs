using ExprDiff.Rules;

namespace ExprDiff.Graphs;

/// <summary>Hash-consing key. Constants are keyed by their bits so that 0.0 and −0.0 (equal as doubles)
/// and NaNs stay distinct nodes; variadic operands compare by content, regions by identity, payloads by their own equality (identity for arrays).</summary>
internal readonly struct NodeKey : IEquatable<NodeKey>
{
    private readonly Primitive _op;
    private readonly ValueKind _kind;
    private readonly int _a, _b, _c, _aux, _aux2;
    private readonly long _bits;
    private readonly int[]? _args;
    private readonly Region? _region;
    private readonly object? _payload;

    private NodeKey(in Node n)
    {
        _op = n.Op; _kind = n.Kind; _a = n.A; _b = n.B; _c = n.C; _aux = n.Aux; _aux2 = n.Aux2;
        _bits = BitConverter.DoubleToInt64Bits(n.Value);
        _args = n.Args;
        _region = n.Region;
        _payload = n.Payload;
    }

    public static NodeKey Of(in Node n) => new(n);

    public bool Equals(NodeKey o) =>
        ReferenceEquals(_op, o._op) && _kind == o._kind && _a == o._a && _b == o._b && _c == o._c && _aux == o._aux
        && _aux2 == o._aux2 && _bits == o._bits && ReferenceEquals(_region, o._region) && Equals(_payload, o._payload)
        && (_args is null ? o._args is null : o._args is not null && _args.AsSpan().SequenceEqual(o._args));

    public override bool Equals(object? obj) => obj is NodeKey k && Equals(k);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(_op));
        h.Add(_kind); h.Add(_a); h.Add(_b); h.Add(_c); h.Add(_aux); h.Add(_aux2); h.Add(_bits);
        if (_args is not null) foreach (int a in _args) h.Add(a);
        if (_region is not null) h.Add(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(_region));
        // Arrays hash and compare by identity; a captured member by its root object's identity and its members.
        if (_payload is not null) h.Add(_payload.GetHashCode());
        return h.ToHashCode();
    }

    public static bool operator ==(NodeKey a, NodeKey b) => a.Equals(b);

    public static bool operator !=(NodeKey a, NodeKey b) => !a.Equals(b);
}
