using System.Linq.Expressions;
using System.Reflection;
using ExprDiff.Graphs;

namespace ExprDiff.Rules;

/// <summary>
/// <c>Math.SinCos(a)</c>: one call for both the sine and the cosine of a, made by the fusion pass where a
/// graph needs both. Fused graphs are for export only; the importer splits <c>Math.SinCos(a).Item1</c>
/// back into <c>Math.Sin(a)</c>, so an exported derivative can be differentiated again.
/// </summary>
internal sealed class SinCosPrimitive : Primitive
{
    public static readonly MethodInfo Method = typeof(Math).GetMethod(nameof(Math.SinCos), [typeof(double)])!;

    public SinCosPrimitive() : base("sincos", 1, ValueKind.Pair, ValueKind.Double) { }

    public override bool IsFoldable => false;

    // The pair's payload is its argument; each half evaluates Math.SinCos on it.
    public override double Evaluate(double a, double b, double c, in Node node) => a;

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) => Expression.Call(Method, operands[0]);

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"Math.SinCos({operands[0]})", Precedence.Primary);

    public override int OperandPrecedence(int operand) => 0;
}

/// <summary>The sine (<c>Item1</c>) or cosine (<c>Item2</c>) half of a <see cref="SinCosPrimitive"/> pair.</summary>
internal sealed class SinCosPartPrimitive : Primitive
{
    private readonly bool _isSin;

    public SinCosPartPrimitive(bool isSin) : base(isSin ? "sincos.sin" : "sincos.cos", 1, ValueKind.Double, ValueKind.Pair)
    {
        _isSin = isSin;
    }

    public override bool IsFoldable => false;

    public override double Evaluate(double a, double b, double c, in Node node)
    {
        var (sin, cos) = Math.SinCos(a);
        return _isSin ? sin : cos;
    }

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        Expression.Field(operands[0], _isSin ? "Item1" : "Item2");

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"{operands[0]}.{(_isSin ? "Item1" : "Item2")}", Precedence.Primary);
}
