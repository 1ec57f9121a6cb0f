using System.Linq.Expressions;
using ExprDiff.Rules;

namespace ExprDiff.Graphs;

/// <summary>Short names for the nodes transforms and rules make most.</summary>
internal sealed partial class GraphBuilder
{
    public int Constant(double value, ValueKind kind = ValueKind.Double)
    {
        // Rules ask for the same few constants at every node they differentiate; a constant's node carries its value in a
        // side object (see Node), made once rather than for each lookup.
        long bits = BitConverter.DoubleToInt64Bits(value);
        if (_constants.TryGetValue((bits, kind), out int known)) return known;
        return _constants[(bits, kind)] = Intern(new Node(Primitives.Constant, kind, -1, -1, -1, 0, 0, value));
    }

    private readonly Dictionary<(long Bits, ValueKind Kind), int> _constants = new();

    /// <summary>An array captured from a closure, held by reference: the compiled code reads its elements when it runs.</summary>
    public int ConstantArray(double[] array) =>
        Intern(new Node(Primitives.ConstantArray, ValueKind.Array, -1, -1, -1, 0, 0, 0, payload: array));

    /// <summary>A captured variable or static member, read when the derivative runs.</summary>
    public int MemberRead(CapturedMember member, ValueKind kind) =>
        Intern(new Node(Primitives.MemberRead, kind, -1, -1, -1, 0, 0, 0, payload: member));

    /// <summary>A copy of a leaf that carries a payload (a captured array or member) into this builder.</summary>
    public int PayloadLeaf(in Node leaf) => leaf.Payload switch
    {
        double[] array => ConstantArray(array),
        CapturedMember member => MemberRead(member, leaf.Kind),
        _ => throw new InvalidOperationException($"a {leaf.Op.Name} node carries an unknown payload."),
    };

    public int True => Constant(1, ValueKind.Boolean);

    public int False => Constant(0, ValueKind.Boolean);

    /// <summary>An input: element <paramref name="index"/> of array parameter <paramref name="parameter"/>,
    /// or the scalar parameter itself when <paramref name="index"/> is −1.</summary>
    public int Input(int parameter, int index, ValueKind kind = ValueKind.Double) =>
        Intern(new Node(Primitives.Input, kind, -1, -1, -1, parameter, index, 0));

    /// <summary>A structured node: variadic operands and, for a loop, its body.</summary>
    public int MakeStructured(Primitive op, ValueKind kind, int[] args, Region? region = null, int aux = 0)
    {
        if (region is not null && op.FirstCapture >= 0 && _simplify)
            (args, region) = RegionSpecializer.Specialize(this, args, region, op.FirstCapture, op is ScanPrimitive ? aux & (ScanPrimitive.SplitRecord - 1) : 0);
        var node = new Node(op, kind, -1, -1, -1, aux, 0, 0, args, region);
        ValidateStructured(node);
        return InternNode(node);
    }

    /// <summary>An array of <paramref name="length"/>: zeros plus the (index, value) pairs plus the dense arrays.</summary>
    public int Assemble(int length, IReadOnlyCollection<(int Index, int Value)> pairs, IReadOnlyCollection<int> dense)
    {
        var args = new List<int>(1 + 2 * pairs.Count + dense.Count) { length };
        foreach (var (index, value) in pairs) { args.Add(index); args.Add(value); }
        args.AddRange(dense);
        return MakeStructured(Primitives.Assemble, ValueKind.Array, args.ToArray(), aux: pairs.Count);
    }

    public int Add(int a, int b) => Make(Primitives.Add, a, b);
    public int Sub(int a, int b) => Make(Primitives.Sub, a, b);
    public int Mul(int a, int b) => Make(Primitives.Mul, a, b);
    public int Div(int a, int b) => Make(Primitives.Div, a, b);
    public int Neg(int a) => Make(Primitives.Neg, a);
    public int Unary(Primitive op, int a) => Make(op, a);
    public int Binary(Primitive op, int a, int b) => Make(op, a, b);
    public int PowInt(int a, int exponent) => Make(Primitives.PowInt, a, aux: exponent);
    public int Select(int condition, int whenTrue, int whenFalse) => Make(Primitives.Select, condition, whenTrue, whenFalse);
    public int Not(int a) => Make(Primitives.Not, a);
    public int And(int a, int b) => Make(Primitives.And, a, b);
    public int Or(int a, int b) => Make(Primitives.Or, a, b);
    /// <summary>A comparison <paramref name="type"/> (LessThan, Equal, ...) of two values of one kind.</summary>
    public int Compare(ExpressionType type, int a, int b) => Make(Primitives.Comparison(type, KindOf(a)), a, b);

    /// <summary>The canonical order of a commutative operation's operands: a constant first (as people write
    /// 2·x), otherwise the earlier node first.</summary>
    public bool IsOutOfOrder(int a, int b)
    {
        bool ca = IsConstant(a, out _), cb = IsConstant(b, out _);
        return ca != cb ? cb : a > b;
    }

    /// <summary>x when <paramref name="node"/> is a negation −x, else −1.</summary>
    public int NegationOf(int node)
    {
        var n = this[node];
        return n.Kind == ValueKind.Double && ReferenceEquals(n.Op, Primitives.Neg) ? n.A : -1;
    }

    /// <summary>x when <paramref name="node"/> is −x (a negation, or a negative double constant), else −1.</summary>
    public int NegatedOperand(int node)
    {
        var n = this[node];
        if (n.Kind != ValueKind.Double) return -1;
        if (ReferenceEquals(n.Op, Primitives.Neg)) return n.A;
        return ReferenceEquals(n.Op, Primitives.Constant) && double.IsNegative(n.Value) && !double.IsNaN(n.Value) ? Constant(-n.Value) : -1;
    }

    /// <summary>A double constant 1/0 selected by a condition: the partial of a piecewise rule.</summary>
    public int Indicator(int condition) => Select(condition, Constant(1), Constant(0));
}
