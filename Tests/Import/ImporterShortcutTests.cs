using System.Linq.Expressions;
using ExprDiff.Import;
using Xunit;

namespace ExprDiff.Tests.Import;

/// <summary>The importer reads <c>x[k]</c> of an array parameter at a constant index without visiting x and k, and keeps
/// its work stack in chunks: both must behave as the general path does.</summary>
public sealed class ImporterShortcutTests
{
    [Fact]
    public void Constant_indices_read_elements_of_parameters_and_data_alike()
    {
        Expression<Func<double[], double[], double>> f = (x, d) => x[0] * d[1] + x[2] * x[0];
        var g = Diff.Gradient(f).Compile();
        var x = new[] { 1.5, -2.0, 3.0 };
        var d = new[] { 7.0, 0.25 };
        Assert.Equal(new[] { 0.25 + 3.0, 0.0, 1.5 }, g(x, d));
    }

    [Fact]
    public void A_negative_constant_index_is_refused_with_the_general_message()
    {
        // C# refuses x[-1] at compile time; a tree built by hand can hold it.
        var x = Expression.Parameter(typeof(double[]), "x");
        var f = Expression.Lambda<Func<double[], double>>(
            Expression.Multiply(Expression.ArrayIndex(x, Expression.Constant(-1)), Expression.ArrayIndex(x, Expression.Constant(0))), x);
        var e = Assert.Throws<ExprDiffException>(() => Diff.Gradient(f));
        Assert.Contains("constant non-negative int", e.Message);
    }

    [Fact]
    public void A_local_array_shadowing_nothing_is_read_through_the_general_path()
    {
        var x = Expression.Parameter(typeof(double[]), "x");
        var a = Expression.Variable(typeof(double[]), "a");
        var body = Expression.Block([a],
            Expression.Assign(a, Expression.NewArrayInit(typeof(double), Expression.ArrayIndex(x, Expression.Constant(1)), Expression.Constant(2.0))),
            Expression.Multiply(Expression.ArrayIndex(a, Expression.Constant(0)), Expression.ArrayIndex(a, Expression.Constant(1))));
        var f = Expression.Lambda<Func<double[], double>>(body, x);
        Assert.Equal(new[] { 0.0, 2.0 }, Diff.Gradient(f).Compile()(new[] { 5.0, 3.0 }));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(8_192)]
    [InlineData(8_193)]
    [InlineData(40_000)]
    public void The_chunked_stack_pops_what_was_pushed_in_reverse(int count)
    {
        var stack = new ChunkedStack<(int, string)>();
        for (int round = 0; round < 2; round++) // chunks are kept and reused
        {
            for (int i = 0; i < count; i++) stack.Push((i, i.ToString()));
            Assert.Equal(count, stack.Count);
            for (int i = count - 1; i >= 0; i--) Assert.Equal((i, i.ToString()), stack.Pop());
            Assert.Equal(0, stack.Count);
        }
        Assert.Throws<InvalidOperationException>(() => stack.Pop());
    }
}
