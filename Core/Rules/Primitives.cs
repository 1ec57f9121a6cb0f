using System.Linq.Expressions;
using ExprDiff.Graphs;

namespace ExprDiff.Rules;

/// <summary>
/// The built-in primitives, one entry each. Each unary function states its derivative as a graph of its
/// argument x and its own value y, so rules reuse the primal (exp, tanh, sqrt) instead of recomputing it.
/// </summary>
internal static class Primitives
{
    public static readonly ConstantPrimitive Constant = new();
    public static readonly InputPrimitive Input = new();

    public static readonly AddPrimitive Add = new();
    public static readonly SubPrimitive Sub = new();
    public static readonly MulPrimitive Mul = new();
    public static readonly DivPrimitive Div = new();
    public static readonly RemPrimitive Rem = new();
    public static readonly NegPrimitive Neg = new();
    public static readonly FmaPrimitive Fma = new();

    public static readonly UnaryMathPrimitive Sin = new("Sin", Math.Sin, (cx, x, y) => cx.Builder.Unary(Cos!, x));
    public static readonly UnaryMathPrimitive Cos = new("Cos", Math.Cos, (cx, x, y) => cx.Builder.Neg(cx.Builder.Unary(Sin!, x)));
    public static readonly UnaryMathPrimitive Tan = new("Tan", Math.Tan, (cx, x, y) => cx.Builder.Add(cx.Const(1), cx.Builder.PowInt(y, 2)));
    public static readonly UnaryMathPrimitive Asin = new("Asin", Math.Asin, (cx, x, y) => Reciprocal(cx, Sqrt1Minus(cx, x)));
    public static readonly UnaryMathPrimitive Acos = new("Acos", Math.Acos, (cx, x, y) => cx.Builder.Neg(Reciprocal(cx, Sqrt1Minus(cx, x))));
    public static readonly UnaryMathPrimitive Atan = new("Atan", Math.Atan, (cx, x, y) => Reciprocal(cx, cx.Builder.Add(cx.Const(1), cx.Builder.PowInt(x, 2))));
    public static readonly UnaryMathPrimitive Sinh = new("Sinh", Math.Sinh, (cx, x, y) => cx.Builder.Unary(Cosh!, x));
    public static readonly UnaryMathPrimitive Cosh = new("Cosh", Math.Cosh, (cx, x, y) => cx.Builder.Unary(Sinh!, x));
    public static readonly UnaryMathPrimitive Tanh = new("Tanh", Math.Tanh, (cx, x, y) => cx.Builder.Sub(cx.Const(1), cx.Builder.PowInt(y, 2)));
    public static readonly UnaryMathPrimitive Asinh = new("Asinh", Math.Asinh,
        (cx, x, y) => Reciprocal(cx, cx.Builder.Unary(Sqrt!, cx.Builder.Add(cx.Builder.PowInt(x, 2), cx.Const(1)))));
    // 1/(√(x−1)·√(x+1)) rather than 1/√(x²−1): x² overflows long before the derivative does.
    public static readonly UnaryMathPrimitive Acosh = new("Acosh", Math.Acosh, (cx, x, y) => Reciprocal(cx,
        cx.Builder.Mul(cx.Builder.Unary(Sqrt!, cx.Builder.Sub(x, cx.Const(1))), cx.Builder.Unary(Sqrt!, cx.Builder.Add(x, cx.Const(1))))));
    public static readonly UnaryMathPrimitive Atanh = new("Atanh", Math.Atanh,
        (cx, x, y) => Reciprocal(cx, cx.Builder.Sub(cx.Const(1), cx.Builder.PowInt(x, 2))));
    public static readonly UnaryMathPrimitive Exp = new("Exp", Math.Exp, (cx, x, y) => y);
    public static readonly UnaryMathPrimitive Log = new("Log", Math.Log, (cx, x, y) => Reciprocal(cx, x));
    public static readonly UnaryMathPrimitive Log10 = new("Log10", Math.Log10,
        (cx, x, y) => Reciprocal(cx, cx.Builder.Mul(x, cx.Const(Math.Log(10)))));
    public static readonly UnaryMathPrimitive Log2 = new("Log2", Math.Log2,
        (cx, x, y) => Reciprocal(cx, cx.Builder.Mul(x, cx.Const(Math.Log(2)))));
    // 0.5/√x: +∞ at 0, the one-sided derivative.
    public static readonly UnaryMathPrimitive Sqrt = new("Sqrt", Math.Sqrt, (cx, x, y) => cx.Builder.Div(cx.Const(0.5), y));
    public static readonly UnaryMathPrimitive Cbrt = new("Cbrt", Math.Cbrt,
        (cx, x, y) => Reciprocal(cx, cx.Builder.Mul(cx.Const(3), cx.Builder.PowInt(y, 2))));
    // The subgradient 0 at x = 0, as PyTorch and JAX: Sign(0) = 0.
    public static readonly UnaryMathPrimitive Abs = new("Abs", Math.Abs, (cx, x, y) => cx.Builder.Unary(Sign!, x));
    public static readonly UnaryMathPrimitive Floor = new("Floor", Math.Floor, null);
    public static readonly UnaryMathPrimitive Ceiling = new("Ceiling", Math.Ceiling, null);
    public static readonly UnaryMathPrimitive Round = new("Round", Math.Round, null);
    public static readonly UnaryMathPrimitive Truncate = new("Truncate", Math.Truncate, null);
    public static readonly UnaryMathPrimitive Sign = new("Sign", Intrinsics.Sign, null,
        typeof(Intrinsics).GetMethod(nameof(Intrinsics.Sign), [typeof(double)]));

    public static readonly PowIntPrimitive PowInt = new();
    public static readonly PowPrimitive Pow = new();

    public static readonly BinaryMathPrimitive Atan2 = new("Atan2", Math.Atan2, (cx, y, x, r) =>
    {
        var g = cx.Builder;
        int d = g.Add(g.PowInt(x, 2), g.PowInt(y, 2));
        return (g.Div(x, d), g.Neg(g.Div(y, d)));
    });

    /// <summary><c>Math.Log(a, newBase)</c> = ln a / ln b.</summary>
    public static readonly BinaryMathPrimitive LogBase = new("Log", Math.Log, (cx, a, b, y) =>
    {
        var g = cx.Builder;
        int lnb = g.Unary(Log, b);
        return (Reciprocal(cx, g.Mul(a, lnb)), g.Neg(g.Div(y, g.Mul(b, lnb))));
    });

    // On a tie each operand gets half the gradient, as JAX and PyTorch do.
    public static readonly BinaryMathPrimitive Max = new("Max", Math.Max, (cx, a, b, y) => TieSplit(cx, a, b, ExpressionType.GreaterThan));
    public static readonly BinaryMathPrimitive Min = new("Min", Math.Min, (cx, a, b, y) => TieSplit(cx, a, b, ExpressionType.LessThan));
    public static readonly ClampPrimitive Clamp = new();

    public static readonly LogicalPrimitive And = new(isAnd: true);
    public static readonly LogicalPrimitive Or = new(isAnd: false);
    public static readonly NotPrimitive Not = new();
    public static readonly SelectPrimitive Select = new();

    public static readonly ConvertPrimitive IntToDouble = new(ConvertPrimitive.Conversion.IntToDouble);
    public static readonly ConvertPrimitive DoubleToInt = new(ConvertPrimitive.Conversion.DoubleToInt);
    public static readonly ConvertPrimitive DoubleToFloat = new(ConvertPrimitive.Conversion.DoubleToFloat);
    public static readonly StopGradientPrimitive StopGradient = new();

    public static readonly ReadPrimitive Read = new();
    public static readonly LengthPrimitive Length = new();
    public static readonly ConstantArrayPrimitive ConstantArray = new();
    public static readonly Read2Primitive Read2 = new();
    public static readonly MatrixLengthPrimitive MatrixLength = new();
    public static readonly AssemblePrimitive Assemble = new();
    public static readonly DataReadPrimitive ReadInt = new("readint", ValueKind.IntArray, ValueKind.Int32);
    public static readonly DataReadPrimitive ReadRow = new("readrow", ValueKind.IntJagged, ValueKind.IntArray);
    public static readonly DataRead2Primitive ReadInt2 = new();
    public static readonly DataLengthPrimitive IntLength = new(ValueKind.IntArray);
    public static readonly DataLengthPrimitive IntRowsLength = new(ValueKind.IntJagged);
    public static readonly DataLengthPrimitive IntMatrixLength = new(ValueKind.IntMatrix);
    public static readonly MemberReadPrimitive MemberRead = new();
    public static readonly SumRangePrimitive SumRange = new();
    public static readonly ScatterPrimitive Scatter = new();
    public static readonly TabulatePrimitive Tabulate = new();
    public static readonly MatrixTabulatePrimitive MatrixTabulate = new();
    public static readonly UnitVectorPrimitive UnitVector = new();
    public static readonly CheckedLengthPrimitive CheckedLength = new();
    public static readonly ScanPrimitive Scan = new(reverse: false, records: false);
    public static readonly ScanPrimitive ScanReverse = new(reverse: true, records: false);
    public static readonly ScanPrimitive ScanRecord = new(reverse: false, records: true);
    public static readonly ScanPrimitive ScanReverseRecord = new(reverse: true, records: true);
    public static readonly ExtremumRangePrimitive MaxRange = new(isMax: true, returnsIndex: false);
    public static readonly ExtremumRangePrimitive MinRange = new(isMax: false, returnsIndex: false);
    public static readonly ExtremumRangePrimitive ArgMaxRange = new(isMax: true, returnsIndex: true);
    public static readonly ExtremumRangePrimitive ArgMinRange = new(isMax: false, returnsIndex: true);

    public static readonly SinCosPrimitive SinCos = new();
    public static readonly SinCosPartPrimitive SinOfPair = new(isSin: true);
    public static readonly SinCosPartPrimitive CosOfPair = new(isSin: false);
    public static readonly PowIntsPrimitive PowInts = new();
    public static readonly PowIntsPartPrimitive PowerOfPowers = new();

    public static readonly CheckedIntPrimitive AddChecked = new(ExpressionType.AddChecked);
    public static readonly CheckedIntPrimitive SubChecked = new(ExpressionType.SubtractChecked);
    public static readonly CheckedIntPrimitive MulChecked = new(ExpressionType.MultiplyChecked);
    public static readonly CheckedIntPrimitive NegChecked = new(ExpressionType.NegateChecked);
    public static readonly CheckedToIntPrimitive DoubleToIntChecked = new();

    private static readonly ExpressionType[] ComparisonTypes =
    [
        ExpressionType.LessThan, ExpressionType.LessThanOrEqual, ExpressionType.GreaterThan,
        ExpressionType.GreaterThanOrEqual, ExpressionType.Equal, ExpressionType.NotEqual,
    ];

    private static readonly ComparisonPrimitive[] Comparisons = ComparisonTypes
        .SelectMany(t => new[] { ValueKind.Double, ValueKind.Int32, ValueKind.Boolean }.Select(k => new ComparisonPrimitive(t, k)))
        .ToArray();

    /// <summary>The comparison primitive for <paramref name="type"/> over operands of <paramref name="kind"/>.</summary>
    public static ComparisonPrimitive Comparison(ExpressionType type, ValueKind kind)
    {
        int t = Array.IndexOf(ComparisonTypes, type);
        if (t < 0) throw new ArgumentException($"{type} is not a comparison.", nameof(type));
        return Comparisons[t * 3 + (int)kind];
    }

    /// <summary>Every differentiable scalar function of doubles, for registry-driven tests.</summary>
    public static IReadOnlyList<Primitive> Functions { get; } =
    [
        Add, Sub, Mul, Div, Rem, Neg, Fma, Sin, Cos, Tan, Asin, Acos, Atan, Sinh, Cosh, Tanh, Asinh, Acosh, Atanh,
        Exp, Log, Log10, Log2, Sqrt, Cbrt, Abs, Floor, Ceiling, Round, Truncate, Sign, PowInt, Pow, Atan2, LogBase,
        Max, Min, Clamp, DoubleToFloat, StopGradient,
    ];

    private static int Reciprocal(DerivativeContext cx, int x) => cx.Builder.Div(cx.Const(1), x);

    private static int Sqrt1Minus(DerivativeContext cx, int x) =>
        cx.Builder.Unary(Sqrt, cx.Builder.Sub(cx.Const(1), cx.Builder.PowInt(x, 2)));

    private static (int, int) TieSplit(DerivativeContext cx, int a, int b, ExpressionType wins)
    {
        var g = cx.Builder;
        var loses = wins == ExpressionType.GreaterThan ? ExpressionType.LessThan : ExpressionType.GreaterThan;
        int half = g.Select(g.Compare(ExpressionType.Equal, a, b), cx.Const(0.5), cx.Const(0));
        return (g.Select(g.Compare(wins, a, b), cx.Const(1), half), g.Select(g.Compare(loses, a, b), cx.Const(1), half));
    }
}
