using System.Linq.Expressions;
using Xunit;

namespace ExprDiff.Tests.Data;

/// <summary>Captured variables and static members are read when the derivative runs, as f reads them.</summary>
public class CapturedVariableTests
{
    private static double _scale = 2;
    private static int _power = 3;
    private static readonly double FrozenScale = 5;

    private static double Scale => _scale * 10;

    [Fact]
    public void A_captured_double_changed_between_calls_gives_the_derivative_at_the_new_value()
    {
        double k = 2;
        Expression<Func<double[], double>> f = x => k * x[0] * x[0] + Math.Sin(k * x[1]);
        var g = Diff.Gradient(f);
        var routes = new Func<double[], double[]>[] { g.Compile(), g.CompileIL() };
        var hv = Diff.Hvp(f).CompileIL();
        var span = Compiled.ValueAndGradient(f);
        double[] x = [1.5, 0.25];
        foreach (double value in new[] { 2.0, -1.0, 0.5 })
        {
            k = value; // a parameter sweep
            double[] expected = [2 * k * x[0], k * Math.Cos(k * x[1])];
            foreach (var route in routes) Assert.Equal(expected, route(x));
            var buffer = new double[2];
            Assert.Equal(f.Compile()(x), span(x, buffer));
            Assert.Equal(expected, buffer);
            Assert.Equal(2 * k, hv(x, [1, 0])[0]);
        }
    }

    [Fact]
    public void A_captured_int_changed_between_calls_changes_the_loop_and_the_index()
    {
        int n = 2, offset = 0;
        Expression<Func<double[], double>> f = x => Enumerable.Range(0, n).Sum(i => x[i + offset] * x[i + offset]);
        var g = Diff.Gradient(f).CompileIL();
        double[] x = [1, 2, 3, 4];
        Assert.Equal([2.0, 4, 0, 0], g(x));
        n = 3; offset = 1;
        Assert.Equal([0.0, 4, 6, 8], g(x));
        Assert.Equal([0.0, 4, 6, 8], Diff.Gradient(f).Compile()(x));
    }

    [Fact]
    public void A_reassigned_captured_array_is_seen_reassigned()
    {
        double[] w = [1, 2, 3];
        Expression<Func<double[], double>> f = x => Enumerable.Range(0, w.Length).Sum(i => w[i] * x[i] * x[i]);
        var g = Diff.Gradient(f).CompileIL();
        double[] x = [1, 1, 1, 1];
        Assert.Equal([2.0, 4, 6, 0], g(x));
        w[0] = 10;
        Assert.Equal([20.0, 4, 6, 0], g(x));
        w = [1, 1, 1, 1];
        Assert.Equal([2.0, 2, 2, 2], g(x));
        Assert.Equal([2.0, 2, 2, 2], Diff.Gradient(f).Compile()(x));
    }

    [Fact]
    public void Mutable_static_fields_and_properties_are_read_when_run()
    {
        Expression<Func<double[], double>> f = x => _scale * Math.Pow(x[0], _power) + Scale * x[1];
        var g = Diff.Gradient(f);
        var compiled = g.Compile();
        var il = g.CompileIL();
        double[] x = [2, 1];
        _scale = 2; _power = 3;
        Assert.Equal([2 * 3 * 4.0, 20], compiled(x));
        Assert.Equal([2 * 3 * 4.0, 20], il(x));
        _scale = 1; _power = 2;
        Assert.Equal([1 * 2 * 2.0, 10], compiled(x));
        Assert.Equal([1 * 2 * 2.0, 10], il(x));
        _scale = 2; _power = 3;
    }

    [Fact]
    public void Static_readonly_numbers_are_folded_and_run_time_reads_print_as_the_member()
    {
        double k = 3;
        Expression<Func<double[], double>> f = x => FrozenScale * x[0] * k;
        string text = Diff.Gradient(f).ToCSharp();
        Assert.DoesNotContain("FrozenScale", text);
        Assert.Contains("k", text);
        Assert.Equal([15.0], Diff.Gradient(f).CompileIL()([1.0]));
    }

    [Fact]
    public void A_property_chain_through_a_struct_is_read_when_run()
    {
        var clock = new Clock();
        Expression<Func<double[], double>> f = x => clock.Now.Seconds * x[0] * x[0];
        var g = Diff.Gradient(f);
        var il = ILBackend.Compile(g);
        Assert.False(il.UsedFallback, il.FallbackReason);
        clock.Tick = 3;
        Assert.Equal([6.0], g.Compile()([1.0]));
        Assert.Equal([6.0], il.Delegate([1.0]));
        clock.Tick = 4;
        Assert.Equal([8.0], il.Delegate([1.0]));
    }

    [Fact]
    public void A_batch_of_a_function_with_a_captured_double_stays_vectorized_and_reads_it_when_run()
    {
        double k = 2;
        var batch = BatchGradient.Create((a, b) => k * a * a + b * Math.Sqrt(k));
        Assert.True(batch.IsVectorized, batch.NotVectorizedReason);
        const int count = 8;
        var points = DataCheck.Random(2 * count, 40);
        var values = new double[count];
        var gradients = new double[2 * count];
        foreach (double value in new[] { 2.0, 3.0 })
        {
            k = value;
            batch.Evaluate(points, values, gradients, new BatchOptions { MaxDegreeOfParallelism = 1 });
            for (int p = 0; p < count; p++)
            {
                double a = points[p], b = points[count + p];
                Assert.Equal(k * a * a + b * Math.Sqrt(k), values[p]);
                Assert.Equal(2 * k * a, gradients[p]);
                Assert.Equal(Math.Sqrt(k), gradients[count + p]);
            }
        }
    }

    [Fact]
    public void Reads_of_one_captured_variable_share_one_node()
    {
        double k = 2;
        Expression<Func<double[], double>> f = x => k * x[0] + k * x[1] + Enumerable.Range(0, x.Length).Sum(i => k * x[i]);
        var p = ExprDiff.Transforms.DiffProblem.Create(f, null, "test");
        int reads = 0;
        for (int i = 0; i < p.Builder.Count; i++) if (ReferenceEquals(p.Builder[i].Op, ExprDiff.Rules.Primitives.MemberRead)) reads++;
        Assert.Equal(1, reads);
    }

    private sealed class Clock
    {
        public int Tick;

        public TimeSpan Now => TimeSpan.FromSeconds(Tick);
    }
}
