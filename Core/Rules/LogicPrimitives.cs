using System.Linq.Expressions;
using ExprDiff.Graphs;

namespace ExprDiff.Rules;

/// <summary>A comparison of two doubles, two ints or two bools. IEEE: every comparison with NaN is false but !=.</summary>
internal sealed class ComparisonPrimitive : Primitive
{
    private readonly ValueKind _operandKind;

    public ComparisonPrimitive(ExpressionType type, ValueKind operandKind)
        : base(type.ToString(), 2, ValueKind.Boolean, operandKind, operandKind)
    {
        Type = type;
        _operandKind = operandKind;
    }

    public ExpressionType Type { get; }

    public override double Evaluate(double a, double b, double c, in Node node) => Type switch
    {
        ExpressionType.LessThan => a < b ? 1 : 0,
        ExpressionType.LessThanOrEqual => a <= b ? 1 : 0,
        ExpressionType.GreaterThan => a > b ? 1 : 0,
        ExpressionType.GreaterThanOrEqual => a >= b ? 1 : 0,
        ExpressionType.Equal => a == b ? 1 : 0,
        _ => a != b ? 1 : 0,
    };

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        Expression.MakeBinary(Type, operands[0], operands[1]);

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"{operands[0]} {Symbol} {operands[1]}", OwnPrecedence);

    public override int OperandPrecedence(int operand) => OwnPrecedence + 1;

    private int OwnPrecedence => Type is ExpressionType.Equal or ExpressionType.NotEqual ? Precedence.Equality : Precedence.Relational;

    private string Symbol => Type switch
    {
        ExpressionType.LessThan => "<",
        ExpressionType.LessThanOrEqual => "<=",
        ExpressionType.GreaterThan => ">",
        ExpressionType.GreaterThanOrEqual => ">=",
        ExpressionType.Equal => "==",
        _ => "!=",
    };

    public override string ToString() => $"{Name}<{_operandKind}>";
}

internal sealed class LogicalPrimitive : Primitive
{
    private readonly bool _isAnd;

    public LogicalPrimitive(bool isAnd) : base(isAnd ? "and" : "or", 2, ValueKind.Boolean, ValueKind.Boolean, ValueKind.Boolean)
    {
        _isAnd = isAnd;
    }

    public override double Evaluate(double a, double b, double c, in Node node) =>
        _isAnd ? (a != 0 && b != 0 ? 1 : 0) : (a != 0 || b != 0 ? 1 : 0);

    public override int Simplify(GraphBuilder g, in Node n)
    {
        double identity = _isAnd ? 1 : 0;
        if (g.IsConstant(n.A, out var ca) && g[n.A].Kind == ValueKind.Boolean) return ca == identity ? n.B : n.A;
        if (g.IsConstant(n.B, out var cb) && g[n.B].Kind == ValueKind.Boolean) return cb == identity ? n.A : n.B;
        if (n.A == n.B) return n.A;
        if (IsNegationOf(g, n.A, n.B) || IsNegationOf(g, n.B, n.A)) return g.Constant(_isAnd ? 0 : 1, ValueKind.Boolean);
        // No canonical operand order: the right operand is evaluated only when the left one does not decide
        // (`i > 0 && x[i - 1] > 0`), so swapping them could read what the left one guards.
        return -1;
    }

    public override (int Node, bool Value)? EdgeLiteral(in Node node, int operand) => operand == 1 ? (node.A, _isAnd) : null;

    private static bool IsNegationOf(GraphBuilder g, int a, int b) => ReferenceEquals(g[a].Op, Primitives.Not) && g[a].A == b;

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        _isAnd ? Expression.AndAlso(operands[0], operands[1]) : Expression.OrElse(operands[0], operands[1]);

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"{operands[0]} {(_isAnd ? "&&" : "||")} {operands[1]}", _isAnd ? Precedence.AndAlso : Precedence.OrElse);

    public override int OperandPrecedence(int operand) => _isAnd ? Precedence.AndAlso : Precedence.OrElse;
}

internal sealed class NotPrimitive : Primitive
{
    public NotPrimitive() : base("not", 1, ValueKind.Boolean, ValueKind.Boolean) { }

    public override double Evaluate(double a, double b, double c, in Node node) => a != 0 ? 0 : 1;

    public override int Simplify(GraphBuilder g, in Node n) => ReferenceEquals(g[n.A].Op, this) ? g[n.A].A : -1;

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) => Expression.Not(operands[0]);

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ("!" + operands[0], Precedence.Unary);

    public override int OperandPrecedence(int operand) => Precedence.Unary;
}

/// <summary>
/// <c>c ? a : b</c>. Its derivative is the derivative of the taken branch only: forward mode selects the
/// tangents, and reverse mode sends the cotangent to each branch under that branch's condition
/// (<see cref="EdgeCondition"/>), which the engine uses to keep an untaken branch's NaN or ∞ out of
/// the gradient (the <c>jnp.where</c> trap).
/// </summary>
internal sealed class SelectPrimitive : Primitive
{
    public SelectPrimitive() : base("select", 3, ValueKind.Double) { }

    public override bool IsKindGeneric => true;

    public override ValueKind OperandKind(int i, in Node node) => i == 0 ? ValueKind.Boolean : node.Kind;

    public override double Evaluate(double a, double b, double c, in Node node) => a != 0 ? b : c;

    public override int Simplify(GraphBuilder g, in Node n)
    {
        if (g.IsConstant(n.A, out var cond)) return cond != 0 ? n.B : n.C;
        if (n.B == n.C) return n.B;
        var c = g[n.A];
        if (ReferenceEquals(c.Op, Primitives.Not)) return g.Select(c.A, n.C, n.B);
        return -1;
    }

    public override int Jvp(DerivativeContext cx, int node, ReadOnlySpan<int> t)
    {
        if (t[1] == DerivativeContext.Zero && t[2] == DerivativeContext.Zero) return DerivativeContext.Zero;
        var g = cx.Builder;
        int ta = t[1] == DerivativeContext.Zero ? cx.Const(0) : t[1];
        int tb = t[2] == DerivativeContext.Zero ? cx.Const(0) : t[2];
        return g.Select(g[node].A, ta, tb);
    }

    public override void Vjp(DerivativeContext cx, int node, int ct, ReadOnlySpan<bool> wanted, Span<int> contributions)
    {
        // The engine guards each contribution by EdgeCondition where the branch is also used elsewhere.
        contributions[0] = DerivativeContext.Zero;
        contributions[1] = ct;
        contributions[2] = ct;
    }

    public override int EdgeCondition(GraphBuilder builder, in Node node, int operand) => operand switch
    {
        1 => node.A,
        2 => builder.Not(node.A),
        _ => -1,
    };

    public override (int Node, bool Value)? EdgeLiteral(in Node node, int operand) => operand switch
    {
        1 => (node.A, true),
        2 => (node.A, false),
        _ => null,
    };

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        Expression.Condition(operands[0], operands[1], operands[2]);

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"{operands[0]} ? {operands[1]} : {operands[2]}", Precedence.Conditional);

    public override int OperandPrecedence(int operand) => operand == 0 ? Precedence.OrElse : Precedence.Conditional;
}
