using System.Linq.Expressions;
using System.Reflection;
using ExprDiff.Graphs;

namespace ExprDiff.Rules;

/// <summary>A static method call: <c>Math.Sin(x)</c>, <c>Math.Atan2(y, x)</c>, <c>Intrinsics.PowInt(x, k)</c>.</summary>
internal abstract class MethodPrimitive : Primitive
{
    protected MethodPrimitive(string name, MethodInfo method, int arity, params ValueKind[] operandKinds)
        : base(name, arity, ValueKind.Double, operandKinds)
    {
        Method = method;
    }

    public MethodInfo Method { get; }

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        Expression.Call(Method, operands.ToArray());

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"{Method.DeclaringType!.Name}.{Method.Name}({string.Join(", ", operands.ToArray())})", Precedence.Primary);

    public override int OperandPrecedence(int operand) => 0;

    protected static MethodInfo MathMethod(string name, int arity) =>
        typeof(Math).GetMethod(name, Enumerable.Repeat(typeof(double), arity).ToArray())
        ?? throw new MissingMethodException(nameof(Math), name);
}

/// <summary>A one-argument function with its derivative written as a graph of x and y = f(x).</summary>
internal sealed class UnaryMathPrimitive : MethodPrimitive
{
    private readonly Func<double, double> _evaluate;
    private readonly Func<DerivativeContext, int, int, int>? _derivative;

    /// <param name="derivative">(context, x, y) → dy/dx; null for a piecewise-constant function.</param>
    public UnaryMathPrimitive(string name, Func<double, double> evaluate, Func<DerivativeContext, int, int, int>? derivative, MethodInfo? method = null)
        : base(name, method ?? MathMethod(name, 1), 1, ValueKind.Double)
    {
        _evaluate = evaluate;
        _derivative = derivative;
    }

    public override double Evaluate(double a, double b, double c, in Node node) => _evaluate(a);

    public override bool HasZeroDerivative => _derivative is null;

    public override void Partials(DerivativeContext cx, int node, Span<int> p) =>
        p[0] = _derivative is null ? DerivativeContext.Zero : _derivative(cx, cx.Builder[node].A, node);
}

/// <summary><c>Intrinsics.PowInt(x, k)</c>: an integer power by multiplications, within 1 ulp of <c>Math.Pow</c>.</summary>
internal sealed class PowIntPrimitive : MethodPrimitive
{
    public PowIntPrimitive()
        : base("powi", typeof(Intrinsics).GetMethod(nameof(Intrinsics.PowInt), [typeof(double), typeof(int)])!, 1, ValueKind.Double) { }

    public override double Evaluate(double a, double b, double c, in Node node) => Intrinsics.PowInt(a, node.Aux);

    public override int Simplify(GraphBuilder g, in Node n) => n.Aux switch
    {
        0 => g.Constant(1),  // Math.Pow(x, 0) is 1 for every x, NaN included.
        1 => n.A,
        _ => -1,
    };

    // d/dx x^k = k·x^(k−1); at x = 0 with k = 2 this is 0, not the NaN a log-based rule gives.
    public override void Partials(DerivativeContext cx, int node, Span<int> p)
    {
        var n = cx.Builder[node];
        p[0] = n.Aux == 0 ? DerivativeContext.Zero : cx.Builder.Mul(cx.Const(n.Aux), cx.Builder.PowInt(n.A, n.Aux - 1));
    }

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        Expression.Call(Method, operands[0], Expression.Constant(node.Aux));

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"Intrinsics.PowInt({operands[0]}, {node.Aux})", Precedence.Primary);
}

/// <summary><c>Math.Pow(x, y)</c> with a non-constant or non-small-integer exponent.</summary>
internal sealed class PowPrimitive : MethodPrimitive
{
    public PowPrimitive() : base("Pow", MathMethod("Pow", 2), 2, ValueKind.Double, ValueKind.Double) { }

    public override double Evaluate(double a, double b, double c, in Node node) => Math.Pow(a, b);

    /// <summary>Largest |k| for which <c>Math.Pow(x, k)</c> becomes an integer power.</summary>
    public const int MaxIntegerExponent = 16;

    /// <summary>Whether the importer turns <c>Math.Pow(x, k)</c> into an integer power: a multiplication chain
    /// (<see cref="Intrinsics.PowChain"/>) or, under <see cref="IntegerPowerMode.CorrectlyRounded"/>,
    /// <see cref="Intrinsics.PowInt"/>. glibc's pow is slow and not correctly rounded. Done on import only: it is
    /// what a derivative means by <c>Math.Pow(x, k)</c>, and an exact optimization pass must not change a value.</summary>
    public static bool IsSmallInteger(double k, out int exponent)
    {
        bool small = k == Math.Round(k) && Math.Abs(k) <= MaxIntegerExponent;
        exponent = small ? (int)k : 0;
        return small;
    }

    public override void Partials(DerivativeContext cx, int node, Span<int> p)
    {
        var g = cx.Builder;
        var n = g[node];
        int x = n.A, y = n.B, zero = cx.Const(0);
        // ∂x = y·x^(y−1), defined as 0 at x = y = 0, where it would be 0·∞. Guarding only that point keeps
        // the rule's own derivatives right at y = 0 elsewhere (∂²/∂x∂y = 1/x there; a guard on y = 0 alone,
        // as JAX writes it, loses that term and makes the Hessian asymmetric).
        int bothZero = g.And(g.Compare(ExpressionType.Equal, y, zero), g.Compare(ExpressionType.Equal, x, zero));
        p[0] = g.Select(bothZero, zero, g.Mul(y, g.Binary(this, x, g.Sub(y, cx.Const(1)))));
        // ∂y = x^y·ln x, but 0 at x = 0 (x^y is flat in y there for y > 0), as JAX does.
        p[1] = g.Select(g.Compare(ExpressionType.Equal, x, zero), zero,
            g.Mul(node, g.Unary(Primitives.Log, x)));
    }
}

/// <summary>Two-argument functions with derivatives as graphs of (a, b, y).</summary>
internal sealed class BinaryMathPrimitive : MethodPrimitive
{
    private readonly Func<double, double, double> _evaluate;
    private readonly Func<DerivativeContext, int, int, int, (int, int)> _partials;

    public BinaryMathPrimitive(string name, Func<double, double, double> evaluate,
        Func<DerivativeContext, int, int, int, (int, int)> partials, MethodInfo? method = null)
        : base(name, method ?? MathMethod(name, 2), 2, ValueKind.Double, ValueKind.Double)
    {
        _evaluate = evaluate;
        _partials = partials;
    }

    public override double Evaluate(double a, double b, double c, in Node node) => _evaluate(a, b);

    public override void Partials(DerivativeContext cx, int node, Span<int> p)
    {
        var n = cx.Builder[node];
        (p[0], p[1]) = _partials(cx, n.A, n.B, node);
    }
}

/// <summary><c>Math.Clamp(v, lo, hi)</c>. The gradient goes to v on [lo, hi] (bounds included, as PyTorch),
/// to lo below it and to hi above it.</summary>
internal sealed class ClampPrimitive : MethodPrimitive
{
    public ClampPrimitive()
        : base("Clamp", typeof(Math).GetMethod(nameof(Math.Clamp), [typeof(double), typeof(double), typeof(double)])!, 3,
            ValueKind.Double, ValueKind.Double, ValueKind.Double) { }

    public override double Evaluate(double a, double b, double c, in Node node) => Math.Clamp(a, b, c);

    public override void Partials(DerivativeContext cx, int node, Span<int> p)
    {
        var g = cx.Builder;
        var n = g[node];
        int below = g.Compare(ExpressionType.LessThan, n.A, n.B);
        int above = g.Compare(ExpressionType.GreaterThan, n.A, n.C);
        p[0] = g.Indicator(g.Not(g.Or(below, above)));
        p[1] = g.Indicator(below);
        p[2] = g.Indicator(above);
    }
}
