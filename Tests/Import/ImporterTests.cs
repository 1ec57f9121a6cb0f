using System.Linq.Expressions;
using ExprDiff.Evaluation;
using ExprDiff.Import;
using Xunit;

namespace ExprDiff.Tests.Import;

public class ImporterTests
{
    private static double Eval(LambdaExpression f, params object[] args) =>
        Interpreter.Evaluate(ExpressionImporter.Import(f, RuleSet.Default).ToGraph(), args)[0];

    [Fact]
    public void Captured_values_are_read_as_constants()
    {
        double scale = 2.5;
        float half = 0.5f;
        int k = 3;
        var data = new[] { 1.0, 4.0 };
        Expression<Func<double, double>> f = x => scale * x + half + k + data[1];
        Assert.Equal(2.5 * 3 + 0.5 + 3 + 4.0, Eval(f, 3.0));
    }

    [Fact]
    public void Conversions_follow_csharp()
    {
        Expression<Func<double, double>> f = x => (int)x + (double)(float)x + (int)(x * 2) / 3;
        foreach (double x in new[] { 1.7, -2.3, 1e10, double.NaN, 0.1 })
            Assert.Equal(f.Compile()(x), Eval(f, x));
    }

    [Fact]
    public void Float_arithmetic_rounds_like_csharp()
    {
        Expression<Func<double, double>> f = x => (float)x * (float)x + (float)x / 3f;
        foreach (double x in new[] { 0.1, 1.0 / 3, 12345.678, -7.77 })
            Assert.Equal(f.Compile()(x), Eval(f, x));
    }

    [Fact]
    public void Conditionals_and_logic()
    {
        Expression<Func<double, double, double>> f = (x, y) => x > 0 && !(y <= 1) || x == y ? x - y : Math.Max(x, y);
        foreach (var (x, y) in new[] { (1.0, 2.0), (1.0, 0.5), (-1.0, -1.0), (-3.0, 2.0), (double.NaN, 1.0) })
            Assert.Equal(f.Compile()(x, y), Eval(f, x, y));
    }

    [Fact]
    public void Invoke_of_another_lambda_is_inlined()
    {
        Expression<Func<double, double>> sq = t => t * t;
        var x = Expression.Parameter(typeof(double), "x");
        var f = Expression.Lambda<Func<double, double>>(
            Expression.Add(Expression.Invoke(sq, x), Expression.Invoke(sq, Expression.Invoke(sq, x))), x);
        Assert.Equal(3.0 * 3 + 81, Eval(f, 3.0));
    }

    [Fact]
    public void Blocks_assign_in_order_and_variables_can_be_reused()
    {
        var x = Expression.Parameter(typeof(double), "x");
        var v = Expression.Variable(typeof(double), "v");
        var body = Expression.Block([v],
            Expression.Assign(v, Expression.Multiply(x, x)),
            Expression.Assign(v, Expression.Add(v, Expression.Constant(1.0))),
            Expression.Multiply(v, x));
        var f = Expression.Lambda<Func<double, double>>(body, x);
        Assert.Equal((2.0 * 2 + 1) * 2, Eval(f, 2.0));
    }

    [Fact]
    public void Vector_results_keep_their_extent()
    {
        Expression<Func<double[], double[]>> f = x => new[] { x[0] * 2, Math.Sin(x[1]), 3.0 };
        var imported = ExpressionImporter.Import(f, RuleSet.Default);
        Assert.Equal(ResultShape.Vector, imported.Shape);
        Assert.Equal(Extent.Of(3), imported.Rows);
        Assert.Equal(new[] { 2.0, Math.Sin(1.0), 3.0 }, Interpreter.Evaluate(imported.ToGraph(), (object)new[] { 1.0, 1.0 }));
    }

    [Fact]
    public void Every_supported_math_method_evaluates_as_dotnet_does()
    {
        Expression<Func<double, double, double>> f = (x, y) =>
            Math.Sin(x) + Math.Cos(y) + Math.Tan(x) + Math.Asin(x / 4) + Math.Acos(y / 4) + Math.Atan(x) + Math.Atan2(y, x)
            + Math.Sinh(x) + Math.Cosh(y) + Math.Tanh(x) + Math.Asinh(y) + Math.Acosh(y + 2) + Math.Atanh(x / 4)
            + Math.Exp(x) + Math.Log(y) + Math.Log(y, 3) + Math.Log10(y) + Math.Log2(y) + Math.Sqrt(y) + Math.Cbrt(x)
            + Math.Pow(y, x) + Math.Pow(x, 3) + Math.Abs(x) + Math.Max(x, y) + Math.Min(x, y) + Math.Sign(x)
            + Math.Floor(x) + Math.Ceiling(y) + Math.Round(x) + Math.Truncate(y) + Math.Clamp(x, -0.5, 0.5)
            + Math.FusedMultiplyAdd(x, y, 1) + x % y;
        var compiled = f.Compile();
        foreach (var (x, y) in new[] { (0.3, 1.7), (-1.2, 0.4), (2.5, 3.5) })
            Assert.Equal(compiled(x, y), Eval(f, x, y), 12);
    }
}
