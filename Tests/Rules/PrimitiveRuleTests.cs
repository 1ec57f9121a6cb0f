using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Linq.Expressions;
using System.Reflection;
using ExprDiff.Import;
using ExprDiff.Rules;
using ExprDiff.Tests.Support;
using Xunit;

namespace ExprDiff.Tests.Rules;

/// <summary>
/// Registry-driven check of every differentiable primitive in <see cref="Primitives.Functions"/>: one row per
/// primitive (a C# expression that imports as that primitive, and points away from kinks and domain edges),
/// whose first and second derivatives, in every mode, are compared with Richardson finite differences.
/// </summary>
public sealed class PrimitiveRuleTests
{
    private const double FirstOrderRel = 1e-7;
    private const double FirstOrderAbs = 1e-9;
    private const double SecondOrderRel = 1e-5;
    private const double SecondOrderAbs = 1e-7;

    /// <summary>Between two exact derivative computations of the same quantity (modes, overloads) only rounding differs.</summary>
    private const double SameQuantityRel = 1e-12;
    private const double SameQuantityAbs = 1e-14;

    /// <summary>
    /// One primitive under test.
    /// </summary>
    /// <param name="Label">Unique row name (the theory's argument).</param>
    /// <param name="Primitive">The primitive the expression must import as.</param>
    /// <param name="Arity">Number of scalar parameters of the lambda.</param>
    /// <param name="Build">The expression applying the primitive to its arguments.</param>
    /// <param name="Points">Points away from kinks and domain edges.</param>
    /// <param name="Exact">For primitives whose derivative is fixed by definition rather than by the function's
    /// slope (zero for floor and stop-gradient, one for the float round trip): the exact gradient, and a zero
    /// Hessian. Null: compare with finite differences.</param>
    private sealed record Row(string Label, Primitive Primitive, int Arity, Func<Expression[], Expression> Build,
        double[][] Points, Func<double[], double[]>? Exact = null);

    private static readonly MethodInfo PowIntMethod = typeof(Intrinsics).GetMethod(nameof(Intrinsics.PowInt), [typeof(double), typeof(int)])!;

    private static MethodInfo MathMethod(string name, int arity) =>
        typeof(Math).GetMethod(name, Enumerable.Repeat(typeof(double), arity).ToArray())
        ?? throw new MissingMethodException(nameof(Math), name);

    private static Func<Expression[], Expression> Call(string name, int arity)
    {
        var method = MathMethod(name, arity);
        return a => Expression.Call(method, a);
    }

    private static Row Unary(Primitive p, params double[] points) =>
        new(p.Name, p, 1, Call(p.Name, 1), points.Select(x => new[] { x }).ToArray());

    private static Row ZeroDerivative(string label, Primitive p, Func<Expression[], Expression> build, params double[] points) =>
        new(label, p, 1, build, points.Select(x => new[] { x }).ToArray(), _ => [0.0]);

    private static double[][] P(params double[][] points) => points;

    private static readonly Row[] Rows =
    [
        new("Add", Primitives.Add, 2, a => Expression.Add(a[0], a[1]), P([0.3, -1.2], [2.5, 0.7], [-3.1, 4.2])),
        new("Sub", Primitives.Sub, 2, a => Expression.Subtract(a[0], a[1]), P([0.3, -1.2], [2.5, 0.7], [-3.1, 4.2])),
        new("Mul", Primitives.Mul, 2, a => Expression.Multiply(a[0], a[1]), P([0.3, -1.2], [2.5, 0.7], [-3.1, 4.2])),
        new("Div", Primitives.Div, 2, a => Expression.Divide(a[0], a[1]), P([1.3, 0.7], [-2.1, 1.9], [0.4, -3.3])),
        // a % b jumps where a/b is an integer; these points have a/b = 2.52, −2.47, −2.44, 0.44.
        new("Rem", Primitives.Rem, 2, a => Expression.Modulo(a[0], a[1]), P([5.3, 2.1], [-7.4, 3.0], [2.2, -0.9], [0.7, 1.6])),
        new("Neg", Primitives.Neg, 1, a => Expression.Negate(a[0]), P([0.3], [-2.5], [7.0])),
        new("Fma", Primitives.Fma, 3, Call(nameof(Math.FusedMultiplyAdd), 3), P([1.2, -0.7, 0.3], [-2.5, 3.1, 4.0], [0.4, 0.9, -1.7])),
        Unary(Primitives.Sin, -2.0, 0.4, 3.7),
        Unary(Primitives.Cos, -2.0, 0.4, 3.7),
        Unary(Primitives.Tan, -1.1, 0.3, 1.2),
        Unary(Primitives.Asin, -0.6, 0.2, 0.75),
        Unary(Primitives.Acos, -0.6, 0.2, 0.75),
        Unary(Primitives.Atan, -2.0, 0.5, 3.0),
        Unary(Primitives.Sinh, -1.5, 0.4, 2.2),
        Unary(Primitives.Cosh, -1.5, 0.4, 2.2),
        Unary(Primitives.Tanh, -1.5, 0.4, 2.2),
        Unary(Primitives.Asinh, -3.0, 0.2, 5.0),
        Unary(Primitives.Acosh, 1.3, 2.5, 7.0),
        Unary(Primitives.Atanh, -0.6, 0.1, 0.8),
        Unary(Primitives.Exp, -2.0, 0.5, 3.0),
        Unary(Primitives.Log, 0.5, 1.7, 12.0),
        Unary(Primitives.Log10, 0.5, 1.7, 12.0),
        Unary(Primitives.Log2, 0.5, 1.7, 12.0),
        Unary(Primitives.Sqrt, 0.5, 2.0, 9.0),
        Unary(Primitives.Cbrt, -2.5, 0.6, 8.0),
        Unary(Primitives.Abs, -1.3, 0.7, 4.0),
        ZeroDerivative("Floor", Primitives.Floor, Call(nameof(Math.Floor), 1), 2.3, -1.6, 0.4),
        ZeroDerivative("Ceiling", Primitives.Ceiling, Call(nameof(Math.Ceiling), 1), 2.3, -1.6, 0.4),
        ZeroDerivative("Round", Primitives.Round, Call(nameof(Math.Round), 1), 2.3, -1.6, 0.4),
        ZeroDerivative("Truncate", Primitives.Truncate, Call(nameof(Math.Truncate), 1), 2.3, -1.6, 0.4),
        // Math.Sign returns int; the importer reads it as the double-valued Sign primitive.
        ZeroDerivative("Sign", Primitives.Sign,
            a => Expression.Convert(Expression.Call(typeof(Math).GetMethod(nameof(Math.Sign), [typeof(double)])!, a[0]), typeof(double)),
            -2.3, 0.7, 5.0),
        // Intrinsics.PowInt (what Math.Pow with a constant small integer exponent imports as under
        // IntegerPowerMode.CorrectlyRounded); by default Math.Pow(x, k) is a chain of multiplications (PowerChainTests).
        new("PowInt(3)", Primitives.PowInt, 1, a => Expression.Call(PowIntMethod, a[0], Expression.Constant(3)),
            P([-1.7], [0.6], [2.2])),
        new("PowInt(-2)", Primitives.PowInt, 1, a => Expression.Call(PowIntMethod, a[0], Expression.Constant(-2)),
            P([-1.7], [0.6], [2.2])),
        new("PowInt(8)", Primitives.PowInt, 1, a => Expression.Call(PowIntMethod, a[0], Expression.Constant(8)),
            P([-1.1], [0.6], [1.3])),
        new("Pow", Primitives.Pow, 2, Call(nameof(Math.Pow), 2), P([1.3, 2.7], [0.6, -1.4], [2.2, 0.5])),
        // Atan2(y, x) away from its cut (x < 0, y = 0).
        new("Atan2", Primitives.Atan2, 2, Call(nameof(Math.Atan2), 2), P([1.0, 2.0], [-0.7, 0.4], [2.0, -1.5])),
        new("LogBase", Primitives.LogBase, 2, Call(nameof(Math.Log), 2), P([3.0, 2.0], [0.5, 10.0], [7.5, 0.3])),
        new("Max", Primitives.Max, 2, Call(nameof(Math.Max), 2), P([1.2, -0.4], [-2.0, 0.5], [3.3, 3.0])),
        new("Min", Primitives.Min, 2, Call(nameof(Math.Min), 2), P([1.2, -0.4], [-2.0, 0.5], [3.3, 3.0])),
        // Inside, below and above [lo, hi].
        new("Clamp", Primitives.Clamp, 3, Call(nameof(Math.Clamp), 3), P([0.5, -1.0, 2.0], [-1.5, -1.0, 2.0], [2.7, -1.0, 2.0])),
        // (double)(float)x is flat between floats, so no difference quotient sees the documented slope 1.
        new("DoubleToFloat", Primitives.DoubleToFloat, 1,
            a => Expression.Convert(Expression.Convert(a[0], typeof(float)), typeof(double)), P([0.3], [-2.5], [1e5 + 0.1]), _ => [1.0]),
        ZeroDerivative("StopGradient", Primitives.StopGradient,
            a => Expression.Call(typeof(Diff).GetMethod(nameof(Diff.StopGradient))!, a[0]), 2.3, -1.6, 0.4),
    ];

    private static readonly Dictionary<string, Row> ByLabel = Rows.ToDictionary(r => r.Label);

    public static TheoryData<string> Labels
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var row in Rows) data.Add(row.Label);
            return data;
        }
    }

    [Fact]
    public void Every_primitive_in_the_registry_has_a_row()
    {
        var missing = Primitives.Functions.Where(p => !Rows.Any(r => ReferenceEquals(r.Primitive, p))).Select(p => p.Name).ToList();
        Assert.True(missing.Count == 0, $"primitives without a row in {nameof(PrimitiveRuleTests)}: {string.Join(", ", missing)}");
        Assert.Equal(Rows.Length, ByLabel.Count);
        foreach (var row in Rows)
        {
            Assert.Contains(row.Primitive, Primitives.Functions);
            Assert.True(row.Points.Length >= 3, $"{row.Label} has fewer than 3 points");
            Assert.All(row.Points, p => Assert.Equal(row.Arity, p.Length));
        }
    }

    [Theory]
    [MemberData(nameof(Labels))]
    public void Derivatives_match_finite_differences_in_every_mode(string label)
    {
        var row = ByLabel[label];
        var fns = Compile(row);
        foreach (var point in row.Points)
        {
            string at = $"{row.Label} at ({string.Join(", ", point.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))})";
            double value = fns.Value(point);
            Assert.True(double.IsFinite(value), $"{at}: the point is outside the domain (f = {value})");

            var gradient = fns.Gradient(point);
            var hessian = fns.Hessian(point);

            // First order: reverse mode against finite differences (or the defined exact value).
            if (row.Exact is { } exact)
            {
                Assert.Equal(exact(point), gradient);
                Assert.Equal(new double[row.Arity, row.Arity], hessian);
            }
            else
            {
                FiniteDifferences.AssertClose(FiniteDifferences.Gradient(fns.Value, point), gradient, FirstOrderRel, FirstOrderAbs,
                    $"{at}: Diff.Gradient against finite differences of f");
                // Second order: forward over reverse against finite differences of the compiled gradient.
                FiniteDifferences.AssertClose(FiniteDifferences.Jacobian(fns.Gradient, point), hessian, SecondOrderRel, SecondOrderAbs,
                    $"{at}: Diff.Hessian against finite differences of Diff.Gradient");
            }

            // Forward mode gives the same gradient as reverse mode.
            var forward = fns.ForwardJacobian(point);
            var reverse = fns.ReverseJacobian(point);
            Assert.Equal(1, forward.GetLength(0));
            Assert.Equal(1, reverse.GetLength(0));
            var seeds = new[] { 0.7, -1.3, 2.1 }.Take(row.Arity).ToArray();
            double expectedJvp = gradient.Zip(seeds, (g, s) => g * s).Sum();
            FiniteDifferences.AssertClose(expectedJvp, fns.Jvp(point, seeds)[0], SameQuantityRel, SameQuantityAbs, $"{at}: Diff.Jvp against the gradient");
            for (int i = 0; i < row.Arity; i++)
            {
                FiniteDifferences.AssertClose(gradient[i], forward[0, i], SameQuantityRel, SameQuantityAbs, $"{at}: forward Jacobian [{i}]");
                FiniteDifferences.AssertClose(gradient[i], reverse[0, i], SameQuantityRel, SameQuantityAbs, $"{at}: reverse Jacobian [{i}]");
            }

            // The double[] overloads agree with the scalar-parameter ones, and ValueAndGradient with both.
            FiniteDifferences.AssertClose(gradient, fns.ArrayGradient(point), SameQuantityRel, SameQuantityAbs, $"{at}: double[] Gradient");
            FiniteDifferences.AssertClose(hessian, fns.ArrayHessian(point), SameQuantityRel, SameQuantityAbs, $"{at}: double[] Hessian");
            var buffer = new double[row.Arity];
            double v = fns.ArrayValueAndGradient(point, buffer);
            FiniteDifferences.AssertClose(value, v, 1e-14, 0, $"{at}: ValueAndGradient value");
            FiniteDifferences.AssertClose(gradient, buffer, SameQuantityRel, SameQuantityAbs, $"{at}: ValueAndGradient gradient");

            // H·v without forming H.
            var hv = fns.Hvp(point, seeds);
            for (int i = 0; i < row.Arity; i++)
            {
                double expected = 0;
                for (int j = 0; j < row.Arity; j++) expected += hessian[i, j] * seeds[j];
                FiniteDifferences.AssertClose(expected, hv[i], 1e-11, 1e-13, $"{at}: Diff.Hvp [{i}]");
            }

            // Hessians are symmetric.
            for (int i = 0; i < row.Arity; i++)
                for (int j = 0; j < i; j++)
                    FiniteDifferences.AssertClose(hessian[i, j], hessian[j, i], 1e-11, 1e-13, $"{at}: Hessian symmetry [{i},{j}]");

            // Repeated forward mode for functions of one variable.
            if (fns.FirstDerivative is { } d1 && fns.SecondDerivative is { } d2)
            {
                FiniteDifferences.AssertClose(gradient[0], d1(point[0]), SameQuantityRel, SameQuantityAbs, $"{at}: Diff.Derivative order 1");
                FiniteDifferences.AssertClose(hessian[0, 0], d2(point[0]), 1e-11, 1e-13, $"{at}: Diff.Derivative order 2");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Labels))]
    public void Row_expression_imports_as_its_primitive(string label)
    {
        var row = ByLabel[label];
        var (lambda, _) = ScalarLambda(row);
        var builder = ExpressionImporter.Import(lambda, RuleSet.Default).Builder;
        var ops = Enumerable.Range(0, builder.Count).Select(i => builder[i].Op).ToList();
        Assert.True(ops.Any(op => ReferenceEquals(op, row.Primitive)),
            $"'{Diff.ToCSharp(lambda)}' should import as the primitive {row.Primitive.Name} ({row.Primitive.GetType().Name}) " +
            $"but imports as: {string.Join(", ", ops.Select(op => $"{op.Name} ({op.GetType().Name})"))}");
    }

    /// <summary>Compiled f and its derivatives, all taking the point as an array.</summary>
    private sealed record Functions(
        Func<double[], double> Value,
        Func<double[], double[]> Gradient,
        Func<double[], double[,]> Hessian,
        Func<double[], double[,]> ForwardJacobian,
        Func<double[], double[,]> ReverseJacobian,
        Func<double[], double[], double[]> Jvp,
        Func<double[], double[], double[]> Hvp,
        Func<double[], double[]> ArrayGradient,
        Func<double[], double[,]> ArrayHessian,
        Func<double[], double[], double> ArrayValueAndGradient,
        Func<double, double>? FirstDerivative,
        Func<double, double>? SecondDerivative);

    private static readonly string[] Names = ["a", "b", "c"];

    private static (LambdaExpression Scalar, ParameterExpression[] Parameters) ScalarLambda(Row row)
    {
        var ps = Names.Take(row.Arity).Select(n => Expression.Parameter(typeof(double), n)).ToArray();
        var body = row.Build(ps);
        return (Expression.Lambda(body, ps), ps);
    }

    private static Functions Compile(Row row)
    {
        var (scalar, ps) = ScalarLambda(row);
        var body = scalar.Body;
        var vector = Expression.Lambda(Expression.NewArrayInit(typeof(double), body), ps);
        var forward = new DiffOptions { Jacobian = JacobianMode.Forward };
        var reverse = new DiffOptions { Jacobian = JacobianMode.Reverse };

        var x = Expression.Parameter(typeof(double[]), "x");
        var array = Expression.Lambda<Func<double[], double>>(
            row.Build(Enumerable.Range(0, row.Arity).Select(i => (Expression)Expression.ArrayIndex(x, Expression.Constant(i))).ToArray()), x);
        var arrayGradient = Diff.Gradient(array).Compile();
        var arrayHessian = Diff.Hessian(array).Compile();
        var arrayValueAndGradient = Diff.ValueAndGradient(array).Compile();

        switch (row.Arity)
        {
            case 1:
            {
                var f = (Expression<Func<double, double>>)scalar;
                var vf = (Expression<Func<double, double[]>>)vector;
                var value = f.Compile();
                var g = Diff.Gradient(f).Compile();
                var h = Diff.Hessian(f).Compile();
                var fj = Diff.Jacobian(vf, forward).Compile();
                var rj = Diff.Jacobian(vf, reverse).Compile();
                var jvp = Diff.Jvp(vf).Compile();
                var hvp = Diff.Hvp(f).Compile();
                return new(p => value(p[0]), p => g(p[0]), p => h(p[0]), p => fj(p[0]), p => rj(p[0]),
                    (p, v) => jvp(p[0], v), (p, v) => hvp(p[0], v), arrayGradient, arrayHessian, arrayValueAndGradient,
                    Diff.Derivative(f, 1).Compile(), Diff.Derivative(f, 2).Compile());
            }
            case 2:
            {
                var f = (Expression<Func<double, double, double>>)scalar;
                var vf = (Expression<Func<double, double, double[]>>)vector;
                var value = f.Compile();
                var g = Diff.Gradient(f).Compile();
                var h = Diff.Hessian(f).Compile();
                var fj = Diff.Jacobian(vf, forward).Compile();
                var rj = Diff.Jacobian(vf, reverse).Compile();
                var jvp = Diff.Jvp(vf).Compile();
                var hvp = Diff.Hvp(f).Compile();
                return new(p => value(p[0], p[1]), p => g(p[0], p[1]), p => h(p[0], p[1]), p => fj(p[0], p[1]), p => rj(p[0], p[1]),
                    (p, v) => jvp(p[0], p[1], v), (p, v) => hvp(p[0], p[1], v), arrayGradient, arrayHessian, arrayValueAndGradient,
                    null, null);
            }
            case 3:
            {
                var f = (Expression<Func<double, double, double, double>>)scalar;
                var vf = (Expression<Func<double, double, double, double[]>>)vector;
                var value = f.Compile();
                var g = Diff.Gradient(f).Compile();
                var h = Diff.Hessian(f).Compile();
                var fj = Diff.Jacobian(vf, forward).Compile();
                var rj = Diff.Jacobian(vf, reverse).Compile();
                var jvp = Diff.Jvp(vf).Compile();
                var hvp = Diff.Hvp(f).Compile();
                return new(p => value(p[0], p[1], p[2]), p => g(p[0], p[1], p[2]), p => h(p[0], p[1], p[2]),
                    p => fj(p[0], p[1], p[2]), p => rj(p[0], p[1], p[2]),
                    (p, v) => jvp(p[0], p[1], p[2], v), (p, v) => hvp(p[0], p[1], p[2], v),
                    arrayGradient, arrayHessian, arrayValueAndGradient, null, null);
            }
            default:
                throw new InvalidOperationException($"{row.Label}: arity {row.Arity}");
        }
    }
}
