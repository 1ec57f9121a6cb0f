using System;
using System.Linq.Expressions;
using System.Text;
using ExprDiff.Printing;
using Xunit;

namespace ExprDiff.Tests.Printing;

/// <summary>A user library whose static calls print with the declaring type's short name.</summary>
internal static class MyLib
{
    public static double Gamma(double x) => x;
}

public class ExpressionPrinterTests
{
    private static readonly ParameterExpression A = Expression.Parameter(typeof(double), "a");
    private static readonly ParameterExpression B = Expression.Parameter(typeof(double), "b");
    private static readonly ParameterExpression C = Expression.Parameter(typeof(double), "c");

    private static string Print(Expression e) => ExpressionPrinter.ToCSharp(e);

    [Fact]
    public void ArithmeticUsesMinimalParentheses()
    {
        Expression<Func<double, double, double>> f = (x, y) => (x + y) * x - -y;
        Assert.Equal("(x, y) => (x + y) * x - -y", Print(f));

        Expression<Func<double, double, double>> g = (x, y) => x / (y * x) % 2.5 + x * y / 3;
        Assert.Equal("(x, y) => x / (y * x) % 2.5 + x * y / 3.0", Print(g));
    }

    [Fact]
    public void NestedSubtractionAndUnaryOperators()
    {
        Assert.Equal("a - (b - c)", Print(Expression.Subtract(A, Expression.Subtract(B, C))));
        Assert.Equal("a - b - c", Print(Expression.Subtract(Expression.Subtract(A, B), C)));
        Assert.Equal("a + (b + c)", Print(Expression.Add(A, Expression.Add(B, C))));
        Assert.Equal("-(a * b)", Print(Expression.Negate(Expression.Multiply(A, B))));
        Assert.Equal("-a * b", Print(Expression.Multiply(Expression.Negate(A), B)));
        Assert.Equal("-(-a)", Print(Expression.Negate(Expression.Negate(A))));
        Assert.Equal("-(-2.0)", Print(Expression.Negate(Expression.Constant(-2.0))));
        Assert.Equal("a - -2.0", Print(Expression.Subtract(A, Expression.Constant(-2.0))));
        Assert.Equal("(a - b) * (b - c)",
            Print(Expression.MultiplyChecked(Expression.SubtractChecked(A, B), Expression.Subtract(B, C))));

        var flag = Expression.Parameter(typeof(bool), "flag");
        Assert.Equal("!flag", Print(Expression.Not(flag)));
        Assert.Equal("!(flag && flag)", Print(Expression.Not(Expression.AndAlso(flag, flag))));
        Assert.Equal("(flag || flag) && flag ^ flag",
            Print(Expression.AndAlso(Expression.OrElse(flag, flag), Expression.ExclusiveOr(flag, flag))));
        Assert.Equal("flag | flag & flag", Print(Expression.Or(flag, Expression.And(flag, flag))));
        Assert.Equal("(flag | flag) & flag", Print(Expression.And(Expression.Or(flag, flag), flag)));
        Assert.Equal("a == b != (b == c)",
            Print(Expression.NotEqual(Expression.Equal(A, B), Expression.Equal(B, C))));
    }

    [Fact]
    public void MathAndUserStaticCalls()
    {
        Expression<Func<double, double, double>> f = (x, y) => Math.Pow(x, y) + Math.Exp(-x) / Math.Sqrt(y);
        Assert.Equal("(x, y) => Math.Pow(x, y) + Math.Exp(-x) / Math.Sqrt(y)", Print(f));

        Expression<Func<double, double>> g = x => MyLib.Gamma(Math.Sin(x) * 2);
        Assert.Equal("x => MyLib.Gamma(Math.Sin(x) * 2.0)", Print(g));

        Assert.Equal("Math.Pow(a, b + c)", Print(Expression.Power(A, Expression.Add(B, C))));
    }

    [Fact]
    public void InstanceCallsAndInvoke()
    {
        Expression<Func<double, string>> f = x => (x + 1).ToString();
        Assert.Equal("x => (x + 1.0).ToString()", Print(f));

        var y = Expression.Parameter(typeof(double), "y");
        var square = Expression.Lambda(Expression.Multiply(y, y), y);
        Assert.Equal("(y => y * y)(a)", Print(Expression.Invoke(square, A)));
    }

    [Fact]
    public void ClosureCapturedDoublePrintsFieldName()
    {
        double scale = 2.5;
        Expression<Func<double, double>> f = x => x * scale + Math.Sin(x);
        Assert.Equal("x => x * scale + Math.Sin(x)", Print(f));
    }

    [Fact]
    public void ConditionalWithLogicalAndComparison()
    {
        Expression<Func<double, double, double>> f = (x, y) => x > 0 && y <= 1 ? x : y;
        Assert.Equal("(x, y) => x > 0.0 && y <= 1.0 ? x : y", Print(f));

        Expression<Func<double, double>> g = x => (x < 0 || x >= 10 ? -x : x) * 2;
        Assert.Equal("x => (x < 0.0 || x >= 10.0 ? -x : x) * 2.0", Print(g));

        Expression<Func<double, double>> h = x => x < 0 ? -1.0 : x > 0 ? 1.0 : 0.0;
        Assert.Equal("x => x < 0.0 ? -1.0 : x > 0.0 ? 1.0 : 0.0", Print(h));
    }

    [Fact]
    public void ArrayIndexLengthAndMultiDimensionalAccess()
    {
        Expression<Func<double[], int, double>> f = (a, i) => a[i] * a[0] + a.Length;
        Assert.Equal("(a, i) => a[i] * a[0] + (double)a.Length", Print(f));

        Expression<Func<double[,], double>> g = m => m[0, 1] + m[1, 0];
        Assert.Equal("m => m[0, 1] + m[1, 0]", Print(g));

        var m2 = Expression.Parameter(typeof(double[,]), "m");
        var i2 = Expression.Parameter(typeof(int), "i");
        Assert.Equal("m[i, i + 1]",
            Print(Expression.ArrayAccess(m2, i2, Expression.Add(i2, Expression.Constant(1)))));
    }

    [Fact]
    public void NewArrays()
    {
        Expression<Func<double, double[]>> f = x => new[] { x, x * 2 };
        Assert.Equal("x => new double[] { x, x * 2.0 }", Print(f));

        var n = Expression.Parameter(typeof(int), "n");
        Assert.Equal("new double[n]", Print(Expression.NewArrayBounds(typeof(double), n)));
        Assert.Equal("new double[n, n + 1]",
            Print(Expression.NewArrayBounds(typeof(double), n, Expression.Add(n, Expression.Constant(1)))));
        Assert.Equal("new double[n][]", Print(Expression.NewArrayBounds(typeof(double[]), n)));
    }

    [Fact]
    public void BlockWithVariablesAndAssignments()
    {
        var x = Expression.Parameter(typeof(double), "x");
        var v0 = Expression.Variable(typeof(double), "v0");
        var i = Expression.Variable(typeof(int), "i");
        var v1 = Expression.Variable(typeof(double), "v1");
        var body = Expression.Block(
            new[] { v0, i, v1 },
            Expression.Assign(v0, Expression.Multiply(x, x)),
            Expression.Assign(i, Expression.Constant(2)),
            Expression.Assign(v1, Expression.Add(v0, Expression.Convert(i, typeof(double)))),
            v1);
        var lambda = Expression.Lambda<Func<double, double>>(body, x);

        Assert.Equal(
            "x =>\n{\n    double v0, v1;\n    int i;\n    v0 = x * x;\n    i = 2;\n    v1 = v0 + (double)i;\n    return v1;\n}",
            Print(lambda));
    }

    [Fact]
    public void UnnamedParametersAndVariablesGetGeneratedNames()
    {
        var p = Expression.Parameter(typeof(double));
        var q = Expression.Parameter(typeof(double));
        var v = Expression.Variable(typeof(double[]));
        var body = Expression.Block(
            new[] { v },
            Expression.Assign(v, Expression.NewArrayInit(typeof(double), p, q)),
            Expression.IfThen(
                Expression.GreaterThan(p, q),
                Expression.Assign(Expression.ArrayAccess(v, Expression.Constant(0)), q)),
            Expression.ArrayIndex(v, Expression.Constant(0)));
        var lambda = Expression.Lambda<Func<double, double, double>>(body, p, q);

        Assert.Equal(
            "(p0, p1) =>\n{\n    double[] v0;\n    v0 = new double[] { p0, p1 };\n    if (p0 > p1)\n    {\n" +
            "        v0[0] = p1;\n    }\n    return v0[0];\n}",
            Print(lambda));
    }

    [Fact]
    public void Conversions()
    {
        Expression<Func<double, int>> f = x => (int)x + 1;
        Assert.Equal("x => (int)x + 1", Print(f));

        Expression<Func<int, double>> g = i => (double)i * 0.5;
        Assert.Equal("i => (double)i * 0.5", Print(g));

        Expression<Func<double, float>> h = x => (float)(x + 1);
        Assert.Equal("x => (float)(x + 1.0)", Print(h));

        Assert.Equal("(int)(-a)", Print(Expression.Convert(Expression.Negate(A), typeof(int))));
    }

    [Fact]
    public void Constants()
    {
        Assert.Equal("2.0", Print(Expression.Constant(2.0)));
        Assert.Equal("0.1", Print(Expression.Constant(0.1)));
        Assert.Equal("1E+20", Print(Expression.Constant(1e20)));
        Assert.Equal("1000000000000000.0", Print(Expression.Constant(1e15)));
        Assert.Equal("-12.0", Print(Expression.Constant(-12.0)));
        Assert.Equal("1E-05", Print(Expression.Constant(1e-5)));
        Assert.Equal("double.NaN", Print(Expression.Constant(double.NaN)));
        Assert.Equal("double.PositiveInfinity", Print(Expression.Constant(double.PositiveInfinity)));
        Assert.Equal("double.NegativeInfinity", Print(Expression.Constant(double.NegativeInfinity)));
        Assert.Equal("-0.0", Print(Expression.Constant(-0.0)));
        Assert.Equal("-3", Print(Expression.Constant(-3)));
        Assert.Equal("true", Print(Expression.Constant(true)));
        Assert.Equal("\"a\\\"b\\n\"", Print(Expression.Constant("a\"b\n")));
        Assert.Equal("null", Print(Expression.Constant(null, typeof(string))));
        Assert.Equal("default(double)", Print(Expression.Default(typeof(double))));
    }

    [Fact]
    public void ThrowAndUnknownNodesDoNotThrow()
    {
        var ctor = typeof(ArgumentException).GetConstructor(new[] { typeof(string) })!;
        var thrown = Expression.Throw(Expression.New(ctor, Expression.Constant("bad")));
        Assert.Equal("throw new ArgumentException(\"bad\")", Print(thrown));

        Assert.Equal("<RuntimeVariables>", Print(Expression.RuntimeVariables(A)));
    }

    [Fact]
    public void LoopPrintsReadably()
    {
        var i = Expression.Variable(typeof(int), "i");
        var brk = Expression.Label("done");
        var loop = Expression.Loop(
            Expression.IfThenElse(
                Expression.LessThan(i, Expression.Constant(10)),
                Expression.PostIncrementAssign(i),
                Expression.Break(brk)),
            brk);
        var block = Expression.Block(new[] { i }, Expression.Assign(i, Expression.Constant(0)), loop);
        var lambda = Expression.Lambda<Action>(block);

        Assert.Equal(
            "() =>\n{\n    int i;\n    i = 0;\n    while (true)\n    {\n        if (i < 10)\n        {\n" +
            "            i++;\n        }\n        else\n        {\n            break;\n        }\n    }\n}",
            Print(lambda));
    }

    [Fact]
    public void MaxLengthTruncates()
    {
        Expression<Func<double, double, double>> f = (x, y) => (x + y) * x - -y;
        const string full = "(x, y) => (x + y) * x - -y";
        Assert.Equal(full, ExpressionPrinter.ToCSharp(f, full.Length));
        Assert.Equal(full, ExpressionPrinter.ToCSharp(f, 1000));
        Assert.Equal("(x, y) => (x + y) * x...", ExpressionPrinter.ToCSharp(f, 24));
        Assert.Equal("(x, y) ...", ExpressionPrinter.ToCSharp(f, 10));
        Assert.Equal(10, ExpressionPrinter.ToCSharp(f, 10).Length);
        Assert.Equal("...", ExpressionPrinter.ToCSharp(f, 3));
        Assert.Equal("", ExpressionPrinter.ToCSharp(f, 0));
    }

    [Fact]
    public void MillionDeepAddChainPrintsIteratively()
    {
        const int depth = 1_000_000;
        var x = Expression.Parameter(typeof(double), "x");
        Expression e = x;
        for (int i = 0; i < depth; i++) e = Expression.Add(e, x);
        var lambda = Expression.Lambda<Func<double, double>>(e, x);

        string truncated = ExpressionPrinter.ToCSharp(lambda, 200);
        Assert.Equal(200, truncated.Length);
        string prefix = "x => x" + new StringBuilder().Insert(0, " + x", 60);
        Assert.Equal(prefix.Substring(0, 197) + "...", truncated);

        string full = Print(lambda);
        Assert.Equal(6 + 4 * depth, full.Length);
        Assert.StartsWith("x => x + x + x", full);
        Assert.EndsWith(" + x + x", full);
    }

    [Fact]
    public void MillionDeepAlternatingSinAddPrintsIteratively()
    {
        const int depth = 1_000_000;
        var x = Expression.Parameter(typeof(double), "x");
        var sin = typeof(Math).GetMethod(nameof(Math.Sin))!;
        Expression e = x;
        for (int i = 0; i < depth; i++) e = i % 2 == 0 ? Expression.Call(sin, e) : Expression.Add(e, x);
        var lambda = Expression.Lambda<Func<double, double>>(e, x);

        var expected = new StringBuilder("x => ");
        expected.Insert(expected.Length, "Math.Sin(", depth / 2).Append('x');
        for (int i = 0; i < depth; i++) expected.Append(i % 2 == 0 ? ")" : " + x");
        string expectedText = expected.ToString();

        Assert.Equal(expectedText, Print(lambda));
        Assert.Equal(expectedText.Substring(0, 197) + "...", ExpressionPrinter.ToCSharp(lambda, 200));
    }

    [Fact]
    public void MillionDeepRightNestedSubtractionAndNegation()
    {
        const int depth = 1_000_000;
        Expression e = A;
        for (int i = 0; i < depth; i++) e = Expression.Subtract(A, Expression.Negate(e));
        string text = Print(e);
        Assert.StartsWith("a - -(a - -(a - -(", text);
        Assert.Equal(7 * depth - 1, text.Length);
        Assert.Equal(200, ExpressionPrinter.ToCSharp(e, 200).Length);
    }
}
