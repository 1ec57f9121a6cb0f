using ExprDiff.Rules;

namespace ExprDiff.Graphs;

/// <summary>
/// One operation in a <see cref="Graph"/>. Operands are indices of earlier nodes (−1 when absent), so a
/// graph is topologically ordered by construction and every pass is a loop over an array.
/// </summary>
/// <remarks>40 bytes with two references: a derivative of a million-deep expression holds millions of nodes, several
/// times over (builder, graph, each rewriting pass), so the rare parts (a constant's value, variadic operands, a loop
/// body, a captured array) live in one side object that other nodes do not have. Constants are hash-consed, so there
/// are few of them; +0.0 needs none.</remarks>
internal readonly struct Node
{
    public Node(Primitive op, ValueKind kind, int a, int b, int c, int aux, int aux2, double value,
        int[]? args = null, Region? region = null, object? payload = null)
        : this(op, kind, a, b, c, aux, aux2,
            args is null && region is null && payload is null && BitConverter.DoubleToInt64Bits(value) == 0 ? null : new NodeExtra(value, args, region, payload))
    {
    }

    private Node(Primitive op, ValueKind kind, int a, int b, int c, int aux, int aux2, NodeExtra? extra)
    {
        Op = op; Kind = kind; A = a; B = b; C = c; Aux = aux; Aux2 = aux2; _extra = extra;
    }

    public readonly Primitive Op;
    public readonly ValueKind Kind;
    public readonly int A, B, C;
    /// <summary>Integer attribute: parameter position of an input, exponent of an integer power.</summary>
    public readonly int Aux;
    /// <summary>Second integer attribute: element index of an array input.</summary>
    public readonly int Aux2;
    private readonly NodeExtra? _extra;

    /// <summary>Value of a constant.</summary>
    public double Value => _extra?.Value ?? 0;

    /// <summary>The operands of a variadic node (a loop's bounds and captured values); null otherwise.</summary>
    public int[]? Args => _extra?.Args;
    /// <summary>The body of a structured node (a reduction over a range), a graph of its own.</summary>
    public Region? Region => _extra?.Region;
    /// <summary>The object a constant array stands for, held by reference (an array captured from a closure).</summary>
    public object? Payload => _extra?.Payload;

    public int Arity => _extra?.Args?.Length ?? Op.Arity;

    public int Operand(int i) => _extra?.Args is { } args ? (i < args.Length ? args[i] : -1) : i switch { 0 => A, 1 => B, 2 => C, _ => -1 };

    /// <summary>The same node with every operand passed through <paramref name="map"/>.</summary>
    public Node Remap(int[] map)
    {
        if (Args is { } old)
        {
            var args = new int[old.Length];
            for (int i = 0; i < args.Length; i++) args[i] = map[old[i]];
            return new Node(Op, Kind, -1, -1, -1, Aux, Aux2, Value, args, Region, Payload);
        }
        return new Node(Op, Kind, A >= 0 ? map[A] : -1, B >= 0 ? map[B] : -1, C >= 0 ? map[C] : -1, Aux, Aux2, _extra);
    }

    private sealed class NodeExtra(double value, int[]? args, Region? region, object? payload)
    {
        public readonly double Value = value;
        public readonly int[]? Args = args;
        public readonly Region? Region = region;
        public readonly object? Payload = payload;
    }
}
