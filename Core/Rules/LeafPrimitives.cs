using System.Globalization;
using System.Linq.Expressions;
using ExprDiff.Graphs;

namespace ExprDiff.Rules;

/// <summary>A constant of any kind; its value is the node's <see cref="Node.Value"/>.</summary>
internal sealed class ConstantPrimitive : Primitive
{
    public ConstantPrimitive() : base("const", 0, ValueKind.Double) { }

    public override double Evaluate(double a, double b, double c, in Node node) => node.Value;

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) => node.Kind switch
    {
        ValueKind.Int32 => Expression.Constant((int)node.Value),
        ValueKind.Boolean => Expression.Constant(node.Value != 0),
        _ => Expression.Constant(node.Value),
    };

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName)
    {
        string text = node.Kind switch
        {
            ValueKind.Int32 => ((int)node.Value).ToString(CultureInfo.InvariantCulture),
            ValueKind.Boolean => node.Value != 0 ? "true" : "false",
            _ => FormatDouble(node.Value),
        };
        return (text, text.StartsWith('-') ? Precedence.Unary : Precedence.Primary);
    }

    public static string FormatDouble(double v)
    {
        if (double.IsNaN(v)) return "double.NaN";
        if (double.IsPositiveInfinity(v)) return "double.PositiveInfinity";
        if (double.IsNegativeInfinity(v)) return "double.NegativeInfinity";
        if (v == 0) return double.IsNegative(v) ? "-0.0" : "0.0";
        string r = v.ToString("R", CultureInfo.InvariantCulture);
        return r.Contains('.') || r.Contains('E') ? r : r + ".0";
    }
}

/// <summary>A function input: parameter <see cref="Node.Aux"/>, element <see cref="Node.Aux2"/> of it when it is an array (−1 for a scalar).</summary>
internal sealed class InputPrimitive : Primitive
{
    public InputPrimitive() : base("input", 0, ValueKind.Double) { }

    public override bool IsFoldable => false;

    public override double Evaluate(double a, double b, double c, in Node node) =>
        throw new InvalidOperationException("Inputs are read by the evaluator, not evaluated.");

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        throw new InvalidOperationException("Inputs are bound by the exporter.");

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName)
    {
        string name = inputName?.Invoke(node.Aux, node.Aux2) ?? $"p{node.Aux}";
        return (node.Aux2 >= 0 && inputName is null ? $"{name}[{node.Aux2}]" : name, Precedence.Primary);
    }
}

/// <summary>Conversions between the value kinds, with C#'s unchecked semantics.</summary>
internal sealed class ConvertPrimitive : Primitive
{
    public enum Conversion { IntToDouble, DoubleToInt, DoubleToFloat }

    private readonly Conversion _conversion;

    public ConvertPrimitive(Conversion conversion)
        : base(conversion.ToString(), 1,
            conversion == Conversion.DoubleToInt ? ValueKind.Int32 : ValueKind.Double,
            conversion == Conversion.IntToDouble ? ValueKind.Int32 : ValueKind.Double)
    {
        _conversion = conversion;
    }

    public override double Evaluate(double a, double b, double c, in Node node) => _conversion switch
    {
        Conversion.IntToDouble => a,
        // Saturating, NaN → 0: what (int)x does on .NET 9 and later.
        Conversion.DoubleToInt => (int)a,
        _ => (float)a,
    };

    public override bool HasZeroDerivative => _conversion != Conversion.DoubleToFloat;

    // Rounding to float passes the gradient straight through, as JAX's convert_element_type does.
    public override void Partials(DerivativeContext cx, int node, Span<int> p) =>
        p[0] = _conversion == Conversion.DoubleToFloat ? cx.Const(1) : DerivativeContext.Zero;

    public override int Jvp(DerivativeContext cx, int node, ReadOnlySpan<int> t) =>
        _conversion == Conversion.DoubleToFloat ? t[0] : DerivativeContext.Zero;

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) => _conversion switch
    {
        Conversion.IntToDouble => Expression.Convert(operands[0], typeof(double)),
        Conversion.DoubleToInt => Expression.Convert(operands[0], typeof(int)),
        _ => Expression.Convert(Expression.Convert(operands[0], typeof(float)), typeof(double)),
    };

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) => _conversion switch
    {
        Conversion.IntToDouble => ("(double)" + operands[0], Precedence.Unary),
        Conversion.DoubleToInt => ("(int)" + operands[0], Precedence.Unary),
        _ => ("(double)(float)" + operands[0], Precedence.Unary),
    };

    public override int OperandPrecedence(int operand) => Precedence.Unary;
}

/// <summary><c>Diff.StopGradient(x)</c>: the value of x, with a zero derivative.</summary>
internal sealed class StopGradientPrimitive : MethodPrimitive
{
    public StopGradientPrimitive()
        : base("StopGradient", typeof(Intrinsics).GetMethod(nameof(Intrinsics.StopGradient))!, 1, ValueKind.Double) { }

    public override bool IsFoldable => true;

    public override bool HasZeroDerivative => true;

    public override double Evaluate(double a, double b, double c, in Node node) => a;

    public override int Simplify(GraphBuilder g, in Node n) => g.IsConstant(n.A, out _) ? n.A : -1;
}
