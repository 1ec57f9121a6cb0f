using System.Linq.Expressions;
using Xunit;

namespace ExprDiff.Tests.Import;

/// <summary>Trees built with the Expression API can share a subexpression by reference. Import reuses its value while
/// nothing it reads has changed (linear, not exponential, in the depth of repeated sharing) and imports it again where
/// a variable it reads was reassigned in between.</summary>
public sealed class SharedSubtreeTests
{
    private static readonly System.Reflection.MethodInfo Sin = typeof(Math).GetMethod(nameof(Math.Sin))!;
    private static readonly System.Reflection.MethodInfo Cos = typeof(Math).GetMethod(nameof(Math.Cos))!;

    /// <summary>t ← sin(t)·cos(t) with both factors reading one shared t: 2^depth paths, depth + 1 distinct nodes.</summary>
    private static Expression<Func<double[], double>> SharedChain(int depth)
    {
        var x = Expression.Parameter(typeof(double[]), "x");
        Expression t = Expression.ArrayIndex(x, Expression.Constant(0));
        for (int i = 0; i < depth; i++)
            t = Expression.Multiply(Expression.Call(Sin, t), Expression.Call(Cos, t));
        return Expression.Lambda<Func<double[], double>>(t, x);
    }

    [Theory]
    [InlineData(40)]
    [InlineData(3000)]
    public void A_chain_of_shared_squares_imports_in_linear_time_with_the_right_derivative(int depth)
    {
        double x0 = 0.7, t = x0, dt = 1;
        for (int i = 0; i < depth; i++) { dt *= Math.Cos(2 * t); t = Math.Sin(t) * Math.Cos(t); }

        var f = SharedChain(depth);
        var gradient = new double[1];
        double value = Diff.ValueAndGradient(f).CompileIL()([x0], gradient);
        Assert.Equal(t, value, 12);
        Assert.Equal(dt, gradient[0], 10);
        Assert.Equal(dt, Diff.Gradient(f).Compile()([x0])[0], 10);
    }

    [Fact]
    public void Shared_squares_have_the_finite_difference_hessian()
    {
        var f = SharedChain(12);
        var fc = f.Compile();
        var h = Diff.Hessian(f).Compile()([0.4]);
        double e = 1e-4, x = 0.4;
        double fd = (fc([x + e]) - 2 * fc([x]) + fc([x - e])) / (e * e);
        Assert.Equal(fd, h[0, 0], 5);
    }

    [Fact]
    public void A_shared_expression_reading_a_reassigned_variable_is_imported_again()
    {
        // v = x0; a = v * x2; v = x1; b = v * x2 (the same node object); return a + 3b  →  x0·x2 + 3·x1·x2.
        var x = Expression.Parameter(typeof(double[]), "x");
        var v = Expression.Variable(typeof(double), "v");
        var a = Expression.Variable(typeof(double), "a");
        var b = Expression.Variable(typeof(double), "b");
        Expression X(int k) => Expression.ArrayIndex(x, Expression.Constant(k));
        var shared = Expression.Multiply(v, X(2));
        var body = Expression.Block([v, a, b],
            Expression.Assign(v, X(0)), Expression.Assign(a, shared),
            Expression.Assign(v, X(1)), Expression.Assign(b, shared),
            Expression.Add(a, Expression.Multiply(Expression.Constant(3.0), b)));
        var f = Expression.Lambda<Func<double[], double>>(body, x);
        double[] at = [2, 5, 7];
        Assert.Equal(2 * 7 + 3 * 5 * 7, f.Compile()(at));
        Assert.Equal(new[] { 7.0, 21.0, 2 + 15.0 }, Diff.Gradient(f).Compile()(at));
    }

    [Fact]
    public void One_body_object_summed_over_two_ranges_and_a_shared_local_array_stay_distinct()
    {
        // The same lambda object in two sums, and the same `new double[2]` node assigned to two variables.
        var x = Expression.Parameter(typeof(double[]), "x");
        var i = Expression.Parameter(typeof(int), "i");
        var term = Expression.Lambda<Func<int, double>>(
            Expression.Multiply(Expression.ArrayIndex(x, i), Expression.ArrayIndex(x, i)), i);
        var range = typeof(Enumerable).GetMethod(nameof(Enumerable.Range))!;
        Expression<Func<double>> sample = () => Enumerable.Range(0, 1).Sum(k => (double)k);
        var sum = ((MethodCallExpression)sample.Body).Method;
        Expression Sum(int start, int count) => Expression.Call(sum, Expression.Call(range, Expression.Constant(start), Expression.Constant(count)), term);
        var p = Expression.Variable(typeof(double[]), "p");
        var q = Expression.Variable(typeof(double[]), "q");
        var fresh = Expression.NewArrayBounds(typeof(double), Expression.Constant(2));
        var body = Expression.Block([p, q],
            Expression.Assign(p, fresh), Expression.Assign(q, fresh),
            Expression.Assign(Expression.ArrayAccess(p, Expression.Constant(0)), Sum(0, 3)),
            Expression.Assign(Expression.ArrayAccess(q, Expression.Constant(0)), Sum(1, 2)),
            Expression.Add(Expression.ArrayIndex(p, Expression.Constant(0)),
                Expression.Multiply(Expression.Constant(10.0), Expression.ArrayIndex(q, Expression.Constant(0)))));
        var f = Expression.Lambda<Func<double[], double>>(body, x);
        double[] at = [1, 2, 3];
        Assert.Equal(14 + 10 * 13, f.Compile()(at));
        Assert.Equal(new[] { 2.0, 44, 66 }, Diff.Gradient(f).Compile()(at));
    }
}
