using System.Linq.Expressions;
using ExprDiff.Benchmarks;
using Xunit;

namespace ExprDiff.Tests.Benchmarks;

public class ExpressionSizeTests
{
    private static readonly ParameterExpression X = Expression.Parameter(typeof(double[]), "x");

    private static Expression At(int i) => Expression.ArrayIndex(X, Expression.Constant(i));

    private static Expression<Func<double[], double>> Lambda(Expression body) => Expression.Lambda<Func<double[], double>>(body, X);

    [Fact]
    public void Tree_count_counts_every_occurrence_and_distinct_count_counts_identical_subtrees_once()
    {
        // x[0]*x[0] + x[0]*x[0]: four reads, two products, one sum; distinct: x[0], x[0]*x[0], the sum
        var f = Lambda(Expression.Add(Expression.Multiply(At(0), At(0)), Expression.Multiply(At(0), At(0))));
        Assert.Equal(7, ExpressionSize.CountComputations(f));
        Assert.Equal(3, ExpressionSize.CountDistinctComputations(f));
    }

    [Fact]
    public void A_shared_expression_object_is_one_subtree()
    {
        var square = Expression.Multiply(At(1), At(1));
        var f = Lambda(Expression.Subtract(square, Expression.Call(typeof(Math).GetMethod(nameof(Math.Sin), [typeof(double)])!, square)));
        Assert.Equal(4, ExpressionSize.CountDistinctComputations(f)); // x[1], square, Sin, −
    }

    [Fact]
    public void Constants_are_keyed_by_their_bits_so_zero_and_negative_zero_differ()
    {
        var f = Lambda(Expression.Add(Expression.Multiply(At(0), Expression.Constant(0.0)), Expression.Multiply(At(0), Expression.Constant(-0.0))));
        Assert.Equal(4, ExpressionSize.CountDistinctComputations(f));
        var g = Lambda(Expression.Add(Expression.Multiply(At(0), Expression.Constant(2.0)), Expression.Multiply(At(0), Expression.Constant(2.0))));
        Assert.Equal(3, ExpressionSize.CountDistinctComputations(g));
    }

    [Fact]
    public void A_block_variable_counts_as_its_assigned_value_and_its_reads_are_free()
    {
        var v = Expression.Variable(typeof(double), "v");
        var f = Lambda(Expression.Block([v], Expression.Assign(v, Expression.Multiply(At(0), At(1))), Expression.Add(v, v)));
        Assert.Equal(4, ExpressionSize.CountComputations(f)); // x[0], x[1], *, +
    }

    [Fact]
    public void Spill_array_slots_are_variables_but_reads_of_the_argument_count()
    {
        var spill = Expression.Variable(typeof(double[]), "spill");
        var slot = Expression.ArrayAccess(spill, Expression.Constant(0));
        var f = Lambda(Expression.Block([spill],
            Expression.Assign(spill, Expression.NewArrayBounds(typeof(double), Expression.Constant(1))),
            Expression.Assign(slot, Expression.Multiply(At(0), Expression.ArrayAccess(X, Expression.Constant(1)))),
            Expression.Add(slot, slot)));
        Assert.Equal(5, ExpressionSize.CountComputations(f)); // new double[1], x[0], x[1], *, +
    }

    [Fact]
    public void Void_calls_and_conversions_of_constants_are_not_computations()
    {
        var f = Lambda(Expression.Block(
            Expression.Call(typeof(Array).GetMethod(nameof(Array.Clear), [typeof(Array)])!, X),
            Expression.Multiply(At(0), Expression.Convert(Expression.Constant(2), typeof(double)))));
        Assert.Equal(2, ExpressionSize.CountComputations(f)); // x[0], *
    }

    [Fact]
    public void Both_counters_handle_a_200000_deep_chain_without_recursion()
    {
        const int depth = 200_000;
        Expression body = At(0);
        for (int i = 0; i < depth; i++) body = Expression.Add(body, At(0));
        var f = Lambda(body);
        Assert.Equal(2 * depth + 1, ExpressionSize.CountComputations(f));
        Assert.Equal(depth + 1, ExpressionSize.CountDistinctComputations(f));
    }

    [Fact]
    public void Distinct_count_rejects_statements()
    {
        var v = Expression.Variable(typeof(double), "v");
        var f = Lambda(Expression.Block([v], Expression.Assign(v, At(0)), v));
        Assert.Throws<NotSupportedException>(() => ExpressionSize.CountDistinctComputations(f));
    }

    [Fact]
    public void Exported_value_and_gradient_of_a_product_is_small()
    {
        // x[0]*x[1]: the export reads x[0] and x[1] and multiplies; the gradient is (x[1], x[0]).
        Expression<Func<double[], double>> f = x => x[0] * x[1];
        int size = ExpressionSize.CountComputations(Diff.ValueAndGradient(f));
        Assert.InRange(size, 3, 6);
        Assert.Equal(3, ExpressionSize.CountDistinctComputations(f));
    }
}
