using System.Linq.Expressions;
using ExprDiff.Graphs;

namespace ExprDiff.Rules;

/// <summary>Base of the kind-generic binary operators: double arithmetic, or wrapping int arithmetic.</summary>
internal abstract class BinaryOperatorPrimitive : Primitive
{
    private readonly string _symbol;
    private readonly int _precedence;
    private readonly ExpressionType _type;

    protected BinaryOperatorPrimitive(string name, string symbol, int precedence, ExpressionType type)
        : base(name, 2, ValueKind.Double)
    {
        _symbol = symbol;
        _precedence = precedence;
        _type = type;
    }

    public override bool IsKindGeneric => true;

    public override double Evaluate(double a, double b, double c, in Node node) =>
        node.Kind == ValueKind.Int32 ? EvaluateInt((int)a, (int)b) : EvaluateDouble(a, b);

    protected abstract double EvaluateDouble(double a, double b);

    protected abstract int EvaluateInt(int a, int b);

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        Expression.MakeBinary(_type, operands[0], operands[1]);

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"{operands[0]} {_symbol} {operands[1]}", _precedence);

    // Left-associative: the right operand of a - b needs parentheses at equal precedence.
    public override int OperandPrecedence(int operand) => operand == 0 ? _precedence : _precedence + 1;
}

internal sealed class AddPrimitive : BinaryOperatorPrimitive
{
    public AddPrimitive() : base("add", "+", Precedence.Additive, ExpressionType.Add) { }
    protected override double EvaluateDouble(double a, double b) => a + b;
    protected override int EvaluateInt(int a, int b) => unchecked(a + b);

    public override int Simplify(GraphBuilder g, in Node n)
    {
        // x + (−0.0) is x for every x; x + 0.0 is not (−0.0 + 0.0 = +0.0).
        if (n.Kind == ValueKind.Double)
        {
            if (g.IsConstant(n.B, -0.0)) return n.A;
            if (g.IsConstant(n.A, -0.0)) return n.B;
        }
        else
        {
            if (g.IsConstant(n.B, 0.0)) return n.A;
            if (g.IsConstant(n.A, 0.0)) return n.B;
            // Integer offsets combine exactly (two's complement wraps the same either way): c + (i − d) is i + (c − d),
            // so a loop body shifted by −1 reads x[i − 1 + 1] as x[i], one node with its unshifted read.
            if (n.Kind == ValueKind.Int32)
            {
                if (g.IsConstant(n.A, out double ca) && SubPrimitive.IntOffset(g, n.B, out int b, out int ob)) return SubPrimitive.OffsetBy(g, b, unchecked((int)ca + ob));
                if (g.IsConstant(n.B, out double cb) && SubPrimitive.IntOffset(g, n.A, out int a, out int oa)) return SubPrimitive.OffsetBy(g, a, unchecked((int)cb + oa));
            }
        }
        // a + (−b) is a − b and (−a) + b is b − a, bit for bit: IEEE defines subtraction so.
        if (g.NegatedOperand(n.B) is int nb && nb >= 0) return g.Make(Primitives.Sub, n.A, nb, kind: n.Kind);
        if (g.NegatedOperand(n.A) is int na && na >= 0) return g.Make(Primitives.Sub, n.B, na, kind: n.Kind);
        // Commutative and exact in either order: one canonical order makes a+b and b+a one node.
        if (g.IsOutOfOrder(n.A, n.B)) return g.Make(this, n.B, n.A, kind: n.Kind);
        return -1;
    }

    public override void Partials(DerivativeContext cx, int node, Span<int> p) { p[0] = cx.Const(1); p[1] = cx.Const(1); }

    public override int Jvp(DerivativeContext cx, int node, ReadOnlySpan<int> t)
    {
        if (t[0] == DerivativeContext.Zero) return t[1];
        if (t[1] == DerivativeContext.Zero) return t[0];
        return cx.Builder.Add(t[0], t[1]);
    }

    public override void Vjp(DerivativeContext cx, int node, int ct, ReadOnlySpan<bool> wanted, Span<int> contributions)
    {
        contributions[0] = ct;
        contributions[1] = ct;
    }
}

internal sealed class SubPrimitive : BinaryOperatorPrimitive
{
    /// <summary>Whether int node <paramref name="node"/> is a non-constant <paramref name="baseNode"/> plus or minus a
    /// constant, and which.</summary>
    internal static bool IntOffset(GraphBuilder g, int node, out int baseNode, out int offset)
    {
        var m = g[node];
        baseNode = -1;
        offset = 0;
        if (m.Kind != ValueKind.Int32) return false;
        bool add = ReferenceEquals(m.Op, Primitives.Add), sub = ReferenceEquals(m.Op, Primitives.Sub);
        if ((add || sub) && g.IsConstant(m.B, out double c)) { baseNode = m.A; offset = add ? (int)c : unchecked(-(int)c); return true; }
        if (add && g.IsConstant(m.A, out c)) { baseNode = m.B; offset = (int)c; return true; }
        return false;
    }

    /// <summary><paramref name="baseNode"/> + <paramref name="offset"/> as an int node.</summary>
    internal static int OffsetBy(GraphBuilder g, int baseNode, int offset) =>
        offset == 0 ? baseNode : g.Make(Primitives.Add, g.Constant(offset, ValueKind.Int32), baseNode, kind: ValueKind.Int32);

    public SubPrimitive() : base("sub", "-", Precedence.Additive, ExpressionType.Subtract) { }
    protected override double EvaluateDouble(double a, double b) => a - b;
    protected override int EvaluateInt(int a, int b) => unchecked(a - b);

    public override int Simplify(GraphBuilder g, in Node n)
    {
        // x − (+0.0) is x for every x, including −0.0.
        if (g.IsConstant(n.B, 0.0)) return n.A;
        if (n.Kind == ValueKind.Int32 && g.IsConstant(n.B, out double c) && IntOffset(g, n.A, out int a, out int oa))
            return OffsetBy(g, a, unchecked(oa - (int)c));
        // −0.0 − x is −x exactly.
        if (n.Kind == ValueKind.Double && g.IsConstant(n.A, -0.0)) return g.Neg(n.B);
        // a − (−b) is a + b.
        if (g.NegatedOperand(n.B) is int nb && nb >= 0) return g.Make(Primitives.Add, n.A, nb, kind: n.Kind);
        return -1;
    }

    public override void Partials(DerivativeContext cx, int node, Span<int> p) { p[0] = cx.Const(1); p[1] = cx.Const(-1); }

    public override int Jvp(DerivativeContext cx, int node, ReadOnlySpan<int> t)
    {
        if (t[1] == DerivativeContext.Zero) return t[0];
        if (t[0] == DerivativeContext.Zero) return cx.Builder.Neg(t[1]);
        return cx.Builder.Sub(t[0], t[1]);
    }

    public override void Vjp(DerivativeContext cx, int node, int ct, ReadOnlySpan<bool> wanted, Span<int> contributions)
    {
        contributions[0] = ct;
        contributions[1] = wanted[1] ? cx.Builder.Neg(ct) : DerivativeContext.Zero;
    }
}

internal sealed class MulPrimitive : BinaryOperatorPrimitive
{
    public MulPrimitive() : base("mul", "*", Precedence.Multiplicative, ExpressionType.Multiply) { }
    protected override double EvaluateDouble(double a, double b) => a * b;
    protected override int EvaluateInt(int a, int b) => unchecked(a * b);

    public override int Simplify(GraphBuilder g, in Node n)
    {
        if (g.IsConstant(n.B, 1.0)) return n.A;
        if (g.IsConstant(n.A, 1.0)) return n.B;
        if (n.Kind == ValueKind.Double)
        {
            // x * −1 flips the sign bit exactly like −x.
            if (g.IsConstant(n.B, -1.0)) return g.Neg(n.A);
            if (g.IsConstant(n.A, -1.0)) return g.Neg(n.B);
            // Rounding is symmetric, so a sign may move into a constant: (−a)·c → a·(−c), (−a)·(−b) → a·b.
            int na = g.NegationOf(n.A), nb = g.NegationOf(n.B);
            if (na >= 0 && nb >= 0) return g.Mul(na, nb);
            if (na >= 0 && g.IsConstant(n.B, out double cb)) return g.Mul(g.Constant(-cb), na);
            if (nb >= 0 && g.IsConstant(n.A, out double ca)) return g.Mul(g.Constant(-ca), nb);
            if (GatherPowerOfTwo(g, n.A, n.B) is int gathered and >= 0) return gathered;
            if (GatherPowerOfTwo(g, n.B, n.A) is int gathered2 and >= 0) return gathered2;
        }
        if (g.IsOutOfOrder(n.A, n.B)) return g.Make(this, n.B, n.A, kind: n.Kind);
        return -1;
    }

    /// <summary>
    /// c·(2ᵏ·x) → (c·2ᵏ)·x for k ≥ 1 and |c| ≥ 1: 2ᵏ·x is exact unless it overflows, and then both sides
    /// overflow alike because |c| ≥ 1. (A smaller c, or a power of two below 1, could differ at the edges of
    /// the range.) This is what turns the 100·(2·d) of a squared term's derivative into 200·d.
    /// </summary>
    private int GatherPowerOfTwo(GraphBuilder g, int outer, int inner)
    {
        if (!g.IsConstant(outer, out double c) || !(Math.Abs(c) >= 1) || double.IsInfinity(c)) return -1;
        var m = g[inner];
        if (!ReferenceEquals(m.Op, this)) return -1;
        int power = g.IsConstant(m.A, out double p) ? m.A : g.IsConstant(m.B, out p) ? m.B : -1;
        if (power < 0 || !IsPowerOfTwoAboveOne(p)) return -1;
        double product = c * p;
        if (double.IsInfinity(product)) return -1;
        return g.Mul(g.Constant(product), power == m.A ? m.B : m.A);
    }

    private static bool IsPowerOfTwoAboveOne(double v)
    {
        long bits = BitConverter.DoubleToInt64Bits(v);
        return v >= 2 && double.IsFinite(v) && (bits & 0x000F_FFFF_FFFF_FFFFL) == 0;
    }

    public override void Partials(DerivativeContext cx, int node, Span<int> p)
    {
        var n = cx.Builder[node];
        p[0] = n.B;
        p[1] = n.A;
    }

    // x·x: one term 2·(x·t) instead of x·t + t·x (equal bit for bit, and half the nodes).
    public override int Jvp(DerivativeContext cx, int node, ReadOnlySpan<int> t)
    {
        var b = cx.Builder;
        var n = b[node];
        if (IsCube(b, n, out int square))
            return t[1 - square] == DerivativeContext.Zero ? DerivativeContext.Zero : b.Mul(b.Mul(cx.Const(3), t[1 - square]), n.Operand(square));
        if (n.A != n.B) return base.Jvp(cx, node, t);
        return cx.Builder.Mul(cx.Const(2), cx.Builder.Mul(n.A, t[0]));
    }

    /// <summary>Whether the product is x·(x·x) or (x·x)·x; <paramref name="square"/> is the operand that is x·x.</summary>
    /// <remarks>Its derivative is then 3·x²·t in one term, as one writes d(x³) by hand (P3's i6 = i2·i2·i2), instead of
    /// the product rule's x²·t + x·(2·(x·t)); the value of x·x is shared with the primal.</remarks>
    private static bool IsCube(GraphBuilder b, in Node n, out int square)
    {
        square = -1;
        if (n.Kind != ValueKind.Double || n.A == n.B) return false;
        bool IsSquareOf(int candidate, int x) => ReferenceEquals(b[candidate].Op, Primitives.Mul) && b[candidate].A == x && b[candidate].B == x;
        if (IsSquareOf(n.A, n.B)) square = 0;
        else if (IsSquareOf(n.B, n.A)) square = 1;
        return square >= 0;
    }

    public override void Vjp(DerivativeContext cx, int node, int ct, ReadOnlySpan<bool> wanted, Span<int> contributions)
    {
        var b = cx.Builder;
        var n = b[node];
        if (IsCube(b, n, out int square))
        {
            contributions[square] = DerivativeContext.Zero;
            contributions[1 - square] = wanted[1 - square] ? b.Mul(b.Mul(cx.Const(3), ct), n.Operand(square)) : DerivativeContext.Zero;
            return;
        }
        if (n.A != n.B) { base.Vjp(cx, node, ct, wanted, contributions); return; }
        // (2·ȳ)·x rather than 2·(ȳ·x): a sum of squares (r² = dx² + dy² + dz²) then doubles its cotangent once, not
        // once per square. Equal bit for bit (doubling is exact) unless 2·ȳ overflows or ȳ·x is subnormal.
        contributions[0] = cx.Builder.Mul(cx.Builder.Mul(cx.Const(2), ct), n.A);
        contributions[1] = DerivativeContext.Zero;
    }
}

internal sealed class DivPrimitive : BinaryOperatorPrimitive
{
    public DivPrimitive() : base("div", "/", Precedence.Multiplicative, ExpressionType.Divide) { }
    public override bool MayFail(in Node node) => node.Kind == ValueKind.Int32;
    protected override double EvaluateDouble(double a, double b) => a / b;
    protected override int EvaluateInt(int a, int b) => a / b;

    public override int Simplify(GraphBuilder g, in Node n)
    {
        if (g.IsConstant(n.B, 1.0)) return n.A;
        if (n.Kind == ValueKind.Double)
        {
            if (g.IsConstant(n.B, -1.0)) return g.Neg(n.A);
            int na = g.NegationOf(n.A), nb = g.NegationOf(n.B);
            if (na >= 0 && nb >= 0) return g.Div(na, nb);
            if (na >= 0 && g.IsConstant(n.B, out double cb)) return g.Div(na, g.Constant(-cb));
        }
        return -1;
    }

    public override void Partials(DerivativeContext cx, int node, Span<int> p)
    {
        var b = cx.Builder;
        var n = b[node];
        // ∂(a/b)/∂a = 1/b; ∂/∂b = −(a/b)/b, reusing the primal quotient; for a reciprocal y = 1/b that is −y·y, no division.
        p[0] = b.Div(cx.Const(1), n.B);
        p[1] = b.Neg(IsReciprocal(b, n) ? b.Mul(node, node) : b.Div(node, n.B));
    }

    public override void Vjp(DerivativeContext cx, int node, int ct, ReadOnlySpan<bool> wanted, Span<int> contributions)
    {
        var b = cx.Builder;
        var n = b[node];
        // ā = ȳ/b (one division instead of ȳ·(1/b)); b̄ = −ā·(a/b). A reciprocal y = 1/b has no ā to share that
        // division with: b̄ = −ȳ·(y·y) instead, as one writes d(1/r²) by hand (P3: one division per pair, not two).
        if (IsReciprocal(b, n))
        {
            contributions[0] = DerivativeContext.Zero;
            contributions[1] = wanted[1] ? b.Neg(b.Mul(ct, b.Mul(node, node))) : DerivativeContext.Zero;
            return;
        }
        int abar = b.Div(ct, n.B);
        contributions[0] = wanted[0] ? abar : DerivativeContext.Zero;
        contributions[1] = wanted[1] ? b.Neg(b.Mul(abar, node)) : DerivativeContext.Zero;
    }

    private static bool IsReciprocal(GraphBuilder b, in Node n) => n.Kind == ValueKind.Double && b.IsConstant(n.A, 1.0);

    public override int Jvp(DerivativeContext cx, int node, ReadOnlySpan<int> t)
    {
        var b = cx.Builder;
        var n = b[node];
        // (ta − y·tb)/b
        int num = t[1] == DerivativeContext.Zero ? t[0]
            : t[0] == DerivativeContext.Zero ? b.Neg(b.Mul(node, t[1]))
            : b.Sub(t[0], b.Mul(node, t[1]));
        return b.Div(num, n.B);
    }
}

internal sealed class RemPrimitive : BinaryOperatorPrimitive
{
    public RemPrimitive() : base("rem", "%", Precedence.Multiplicative, ExpressionType.Modulo) { }
    public override bool MayFail(in Node node) => node.Kind == ValueKind.Int32;
    protected override double EvaluateDouble(double a, double b) => a % b;
    protected override int EvaluateInt(int a, int b) => a % b;

    // a % b = a − trunc(a/b)·b, so ∂a = 1 and ∂b = −trunc(a/b) away from the jumps.
    public override void Partials(DerivativeContext cx, int node, Span<int> p)
    {
        var b = cx.Builder;
        var n = b[node];
        p[0] = cx.Const(1);
        p[1] = b.Neg(b.Unary(Primitives.Truncate, b.Div(n.A, n.B)));
    }
}

internal sealed class NegPrimitive : Primitive
{
    public NegPrimitive() : base("neg", 1, ValueKind.Double) { }
    public override bool IsKindGeneric => true;

    public override double Evaluate(double a, double b, double c, in Node node) =>
        node.Kind == ValueKind.Int32 ? unchecked(-(int)a) : -a;

    public override int Simplify(GraphBuilder g, in Node n)
    {
        var inner = g[n.A];
        return ReferenceEquals(inner.Op, this) ? inner.A : -1;
    }

    public override void Partials(DerivativeContext cx, int node, Span<int> p) => p[0] = cx.Const(-1);

    public override int Jvp(DerivativeContext cx, int node, ReadOnlySpan<int> t) => cx.Builder.Neg(t[0]);

    public override void Vjp(DerivativeContext cx, int node, int ct, ReadOnlySpan<bool> wanted, Span<int> contributions) =>
        contributions[0] = cx.Builder.Neg(ct);

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) => Expression.Negate(operands[0]);

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ("-" + operands[0], Precedence.Unary);

    // -(-x), never --x, which C# reads as a decrement.
    public override int OperandPrecedence(int operand) => Precedence.Unary + 1;
}

/// <summary><c>Math.FusedMultiplyAdd(a, b, c)</c> = a·b + c with one rounding.</summary>
internal sealed class FmaPrimitive : Primitive
{
    public FmaPrimitive() : base("fma", 3, ValueKind.Double, ValueKind.Double, ValueKind.Double, ValueKind.Double) { }

    public override double Evaluate(double a, double b, double c, in Node node) => Math.FusedMultiplyAdd(a, b, c);

    public override void Partials(DerivativeContext cx, int node, Span<int> p)
    {
        var n = cx.Builder[node];
        p[0] = n.B;
        p[1] = n.A;
        p[2] = cx.Const(1);
    }

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        Expression.Call(typeof(Math).GetMethod(nameof(Math.FusedMultiplyAdd), [typeof(double), typeof(double), typeof(double)])!,
            operands[0], operands[1], operands[2]);

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"Math.FusedMultiplyAdd({operands[0]}, {operands[1]}, {operands[2]})", Precedence.Primary);

    public override int OperandPrecedence(int operand) => 0;
}
