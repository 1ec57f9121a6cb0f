using System.Linq.Expressions;
using ExprDiff.Evaluation;
using ExprDiff.Graphs;
using ExprDiff.Rules;
using Xunit;

namespace ExprDiff.Tests.Core;

public class GraphBuilderTests
{
    private static GraphBuilder NewBuilder() => new(["x", "y"]);

    [Fact]
    public void Equal_nodes_are_made_once()
    {
        var b = NewBuilder();
        int x = b.Input(0, -1), y = b.Input(1, -1);
        int s1 = b.Unary(Primitives.Sin, b.Mul(x, y));
        int s2 = b.Unary(Primitives.Sin, b.Mul(x, y));
        Assert.Equal(s1, s2);
        Assert.Equal(b.Mul(x, y), b.Mul(y, x)); // canonical operand order
        Assert.Equal(4, b.Count);
    }

    [Fact]
    public void Constants_are_keyed_by_bits_so_signed_zeros_and_nans_stay_apart()
    {
        var b = NewBuilder();
        Assert.NotEqual(b.Constant(0.0), b.Constant(-0.0));
        Assert.Equal(b.Constant(double.NaN), b.Constant(double.NaN));
        Assert.NotEqual(b.Constant(1.0), b.Constant(1.0, ValueKind.Int32));
    }

    [Fact]
    public void Only_exact_simplifications_happen()
    {
        var b = NewBuilder();
        int x = b.Input(0, -1);
        Assert.Equal(x, b.Mul(x, b.Constant(1)));
        Assert.Equal(x, b.Div(x, b.Constant(1)));
        Assert.Equal(x, b.Sub(x, b.Constant(0)));
        Assert.Equal(x, b.Add(x, b.Constant(-0.0)));
        Assert.Equal(x, b.Neg(b.Neg(x)));
        // x + 0.0 is not x when x = -0.0; x * 0 is not 0 when x is ∞ or NaN.
        Assert.NotEqual(x, b.Add(x, b.Constant(0.0)));
        Assert.NotEqual(b.Constant(0), b.Mul(x, b.Constant(0)));
    }

    [Fact]
    public void Constant_operands_fold_with_dotnet_semantics()
    {
        var b = NewBuilder();
        int s = b.Unary(Primitives.Sin, b.Constant(0.5));
        Assert.True(b.IsConstant(s, out double v));
        Assert.Equal(Math.Sin(0.5), v);
        // Integer division by zero is left for run time, where C# throws.
        int div = b.Div(b.Constant(1, ValueKind.Int32), b.Constant(0, ValueKind.Int32));
        Assert.False(b.IsConstant(div, out _));
    }

    [Fact]
    public void Pow_with_a_constant_small_integer_exponent_imports_as_an_integer_power()
    {
        static Node Root(System.Linq.Expressions.Expression<Func<double, double>> f, IntegerPowerMode mode = IntegerPowerMode.Multiplication)
        {
            var g = ExprDiff.Import.ExpressionImporter.Import(f, RuleSet.Default, powers: mode).ToGraph();
            return g[g.Outputs[0]];
        }
        // By default a chain of multiplications: x³ = (x·x)·x.
        var cube = Root(x => Math.Pow(x, 3.0));
        Assert.Same(Primitives.Mul, cube.Op);
        var n = Root(x => Math.Pow(x, 3.0), IntegerPowerMode.CorrectlyRounded);
        Assert.Same(Primitives.PowInt, n.Op);
        Assert.Equal(3, n.Aux);
        Assert.Equal(-16, Root(x => Math.Pow(x, -16.0), IntegerPowerMode.CorrectlyRounded).Aux);
        Assert.Same(Primitives.Pow, Root(x => Math.Pow(x, 2.5)).Op);
        Assert.Same(Primitives.Mul, Root(x => Math.Pow(x, 16.0)).Op);
        Assert.Same(Primitives.Pow, Root(x => Math.Pow(x, 17.0)).Op);
        Assert.Same(Primitives.Pow, Root(x => Math.Pow(x, -17.0), IntegerPowerMode.CorrectlyRounded).Op);
        // The builder itself keeps Pow: an optimization pass must not change a value, even by an ulp.
        var b = NewBuilder();
        Assert.Same(Primitives.Pow, b[b.Binary(Primitives.Pow, b.Input(0, -1), b.Constant(3.0))].Op);
    }

    [Fact]
    public void Operands_of_the_wrong_kind_are_refused()
    {
        var b = NewBuilder();
        int x = b.Input(0, -1);
        int c = b.Compare(ExpressionType.LessThan, x, b.Constant(0));
        var e = Assert.Throws<InvalidOperationException>(() => b.Unary(Primitives.Sin, c));
        Assert.Equal("Sin: operand 0 is Boolean, expected Double.", e.Message);
    }

    [Fact]
    public void Build_keeps_only_live_nodes_and_verifies()
    {
        var b = NewBuilder();
        int x = b.Input(0, -1), y = b.Input(1, -1);
        b.Unary(Primitives.Cos, y); // dead
        int f = b.Add(b.Unary(Primitives.Sin, x), y);
        var g = b.Build([f]);
        GraphVerifier.Verify(g);
        Assert.Equal(4, g.NodeCount);
        Assert.Equal(Math.Sin(0.25) + 2, Interpreter.Evaluate(g, 0.25, 2.0)[0]);
    }

    [Fact]
    public void Printer_shows_one_assignment_per_node()
    {
        var b = NewBuilder();
        int x = b.Input(0, -1), y = b.Input(1, -1);
        int f = b.Mul(b.Unary(Primitives.Sin, x), b.Sub(x, y));
        var g = b.Build([f]);
        Assert.Equal(
            "double v0 = x;\ndouble v1 = y;\ndouble v2 = Math.Sin(v0);\ndouble v3 = v0 - v1;\ndouble v4 = v2 * v3;\nreturn v4;\n",
            g.ToString());
        Assert.Equal("Math.Sin(x) * (x - y)", GraphPrinter.Inline(g, g.Outputs[0]));
        Assert.Equal("Math.Sin(x...", GraphPrinter.Inline(g, g.Outputs[0], 13));
    }

    [Fact]
    public void Verifier_names_the_broken_invariant()
    {
        var nodes = new[]
        {
            new Node(Primitives.Input, ValueKind.Double, -1, -1, -1, 0, -1, 0),
            new Node(Primitives.Sin, ValueKind.Double, 1, -1, -1, 0, 0, 0),
        };
        var e = Assert.Throws<InvalidOperationException>(() => GraphVerifier.Verify(new Graph(nodes, [1], ["x"])));
        Assert.Equal("graph invariant broken: node v1 (Sin) operand 0 = 1 does not precede it.", e.Message);
    }
}
