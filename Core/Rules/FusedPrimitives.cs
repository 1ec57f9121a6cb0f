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

    // Found once: looking a field up by name for each of a million exported halves costs more than building them.
    private static readonly FieldInfo Item1 = typeof(ValueTuple<double, double>).GetField(nameof(ValueTuple<double, double>.Item1))!;
    private static readonly FieldInfo Item2 = typeof(ValueTuple<double, double>).GetField(nameof(ValueTuple<double, double>.Item2))!;

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        Expression.Field(operands[0], _isSin ? Item1 : Item2);

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"{operands[0]}.{(_isSin ? "Item1" : "Item2")}", Precedence.Primary);
}

/// <summary>
/// <c>Intrinsics.PowInts(x, n0, n1, n2, n3)</c>: up to four integer powers of one base in one call that shares
/// their double-double chain, bit for bit equal to separate <c>PowInt</c>s; made by the fusion pass. The four
/// exponents are packed into <c>Aux</c>, a byte each (|n| ≤ 64). Like SinCos, for export only: the importer
/// splits <c>.P0</c> … <c>.P3</c> back into <c>PowInt</c>s.
/// </summary>
internal sealed class PowIntsPrimitive : Primitive
{
    public static readonly MethodInfo Method = typeof(Intrinsics).GetMethod(nameof(Intrinsics.PowInts))!;

    /// <summary>The field of <see cref="IntPowers"/> that holds each slot.</summary>
    public static readonly string[] Fields = [nameof(IntPowers.P0), nameof(IntPowers.P1), nameof(IntPowers.P2), nameof(IntPowers.P3)];

    public PowIntsPrimitive() : base("powints", 1, ValueKind.Powers, ValueKind.Double) { }

    public override bool IsFoldable => false;

    public static int Pack(ReadOnlySpan<int> exponents)
    {
        int packed = 0;
        for (int k = 0; k < 4; k++) packed |= (exponents[Math.Min(k, exponents.Length - 1)] & 0xFF) << (8 * k);
        return packed;
    }

    public static int Exponent(int packed, int slot) => (sbyte)(packed >> (8 * slot));

    // The node's payload is its base; each power evaluates PowInt on it.
    public override double Evaluate(double a, double b, double c, in Node node) => a;

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        Expression.Call(Method, operands[0], Expression.Constant(Exponent(node.Aux, 0)), Expression.Constant(Exponent(node.Aux, 1)),
            Expression.Constant(Exponent(node.Aux, 2)), Expression.Constant(Exponent(node.Aux, 3)));

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"Intrinsics.PowInts({operands[0]}, {Exponent(node.Aux, 0)}, {Exponent(node.Aux, 1)}, {Exponent(node.Aux, 2)}, {Exponent(node.Aux, 3)})", Precedence.Primary);

    public override int OperandPrecedence(int operand) => 0;
}

/// <summary>One power of a <see cref="PowIntsPrimitive"/>: <c>Aux</c> is its exponent, <c>Aux2</c> its slot.</summary>
internal sealed class PowIntsPartPrimitive : Primitive
{
    public PowIntsPartPrimitive() : base("powints.part", 1, ValueKind.Double, ValueKind.Powers) { }

    public override bool IsFoldable => false;

    public override double Evaluate(double a, double b, double c, in Node node) => Intrinsics.PowInt(a, node.Aux);

    private static readonly FieldInfo[] FieldInfos = PowIntsPrimitive.Fields.Select(f => typeof(IntPowers).GetField(f)!).ToArray();

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        Expression.Field(operands[0], FieldInfos[node.Aux2]);

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"{operands[0]}.{PowIntsPrimitive.Fields[node.Aux2]}", Precedence.Primary);
}
