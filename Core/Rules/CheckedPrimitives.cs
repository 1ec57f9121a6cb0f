using System.Linq.Expressions;
using ExprDiff.Graphs;

namespace ExprDiff.Rules;

/// <summary>
/// <c>checked</c> int arithmetic (<c>AddChecked</c>, <c>SubtractChecked</c>, <c>MultiplyChecked</c>, <c>NegateChecked</c>):
/// throws <see cref="OverflowException"/> where C# does, in the interpreter and in every exported derivative. Primitives
/// of their own rather than a flag on <c>+ − × −</c>, so that no identity, offset combining or index analysis written
/// for wrapping arithmetic applies to them: nothing simplifies a check away. Constant operands fold only where no
/// overflow occurs (the builder keeps a node whose evaluation throws, so the program fails at run time as C# would).
/// </summary>
internal sealed class CheckedIntPrimitive : Primitive
{
    public override bool MayFail(in Node node) => true;

    private readonly ExpressionType _type;

    public CheckedIntPrimitive(ExpressionType type)
        : base("checked." + type switch
        {
            ExpressionType.AddChecked => "add",
            ExpressionType.SubtractChecked => "sub",
            ExpressionType.MultiplyChecked => "mul",
            ExpressionType.NegateChecked => "neg",
            _ => throw new ArgumentException($"{type} is not checked int arithmetic.", nameof(type)),
        }, type == ExpressionType.NegateChecked ? 1 : 2, ValueKind.Int32, ValueKind.Int32, ValueKind.Int32)
    {
        _type = type;
    }

    public override bool HasZeroDerivative => true;

    public override double Evaluate(double a, double b, double c, in Node node)
    {
        int x = (int)a, y = (int)b;
        return _type switch
        {
            ExpressionType.AddChecked => checked(x + y),
            ExpressionType.SubtractChecked => checked(x - y),
            ExpressionType.MultiplyChecked => checked(x * y),
            _ => checked(-x),
        };
    }

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        _type == ExpressionType.NegateChecked ? Expression.NegateChecked(operands[0]) : Expression.MakeBinary(_type, operands[0], operands[1]);

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        (_type switch
        {
            ExpressionType.AddChecked => $"checked({operands[0]} + {operands[1]})",
            ExpressionType.SubtractChecked => $"checked({operands[0]} - {operands[1]})",
            ExpressionType.MultiplyChecked => $"checked({operands[0]} * {operands[1]})",
            _ => $"checked(-{operands[0]})",
        }, Precedence.Primary);

    // Inside checked( … ) the operands bind as in C#: left-associative, so the right operand of a − (b − c) keeps its
    // parentheses (and so does a * (b * c): its overflow is not that of (a * b) * c); −(−x), never --x.
    public override int OperandPrecedence(int operand) => _type switch
    {
        ExpressionType.NegateChecked => Precedence.Unary + 1,
        ExpressionType.MultiplyChecked => Precedence.Multiplicative + operand,
        _ => Precedence.Additive + operand,
    };
}

/// <summary><c>checked((int)x)</c> of a double: truncates toward zero and throws <see cref="OverflowException"/> for NaN
/// and values outside the int range, where the unchecked conversion saturates. Zero derivative, as every conversion to int.</summary>
internal sealed class CheckedToIntPrimitive : Primitive
{
    public override bool MayFail(in Node node) => true;

    public CheckedToIntPrimitive() : base("checked.DoubleToInt", 1, ValueKind.Int32, ValueKind.Double) { }

    public override bool HasZeroDerivative => true;

    public override double Evaluate(double a, double b, double c, in Node node) => checked((int)a);

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        Expression.ConvertChecked(operands[0], typeof(int));

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"checked((int){operands[0]})", Precedence.Primary);

    public override int OperandPrecedence(int operand) => Precedence.Unary;
}
