using System.Linq.Expressions;
using ExprDiff.Backends.IL;
using Xunit;

namespace ExprDiff.Tests.Backends;

/// <summary>A result buffer that shares memory with another argument (<c>vg(x, x)</c>) is an
/// <see cref="ArgumentException"/> naming the buffer on every entry point; inputs may share memory.</summary>
public class AliasingTests
{
    private static readonly Expression<Func<double[], double>> Loop =
        x => Enumerable.Range(0, x.Length - 1).Sum(i => 100 * Math.Pow(x[i + 1] - x[i] * x[i], 2) + Math.Pow(1 - x[i], 2));

    private static readonly Expression<Func<double[], double>> Straight = x => x[0] * x[1] + Math.Sin(x[2]);

    private static readonly Expression<Func<double[], double[]>> Vector = x => new[] { x[0] * x[1], Math.Sin(x[2]) + x[0] };

    private static string Message(string output, string other) =>
        $"'{output}' overlaps '{other}': results are written into '{output}', so it must not share memory with '{other}'; pass a separate buffer. (Parameter '{output}')";

    private static void Refused(string output, string other, Action call)
    {
        var e = Assert.Throws<ArgumentException>(call);
        Assert.Equal(output, e.ParamName);
        Assert.Equal(Message(output, other), e.Message);
    }

    private static double[] Point(int n) => Enumerable.Range(0, n).Select(i => 0.3 + 0.4 * Math.Sin(i)).ToArray();

    [Fact]
    public void Array_value_and_gradient_refuses_a_gradient_that_is_x_on_both_compilers()
    {
        foreach (var f in new[] { Loop, Straight })
        {
            var vg = Diff.ValueAndGradient(f);
            foreach (var run in new[] { vg.Compile(), vg.CompileIL() })
            {
                var x = Point(4);
                var before = (double[])x.Clone();
                Refused("gradient", "x", () => run(x, x));
                Assert.Equal(before, x); // refused before anything is written
                // A separate buffer is fine.
                Assert.Equal(f.Compile()(x), run(x, new double[4]), 1e-12);
            }
        }
    }

    [Fact]
    public void Empty_buffers_share_no_element_on_either_route()
    {
        // Span.Overlaps is false for empty spans; the array check agrees, so the routes fail or pass together.
        Expression<Func<double[], double>> sum = x => x.Sum(v => v * v);
        var empty = Array.Empty<double>();
        Assert.Equal(0.0, Diff.ValueAndGradient(sum).Compile()(empty, empty));
        Assert.Equal(0.0, Diff.ValueAndGradient(sum).CompileIL()(empty, empty));
        Assert.Equal(0.0, Compiled.ValueAndGradient(sum)(empty, empty));
        Intrinsics.RequireDistinct(new double[2], new double[2], "a", "b");
        Refused("a", "b", () => { var same = new double[1]; Intrinsics.RequireDistinct(same, same, "a", "b"); });
    }

    [Fact]
    public void Value_and_gradient_with_data_refuses_a_gradient_that_is_any_array_argument()
    {
        // Logistic loss with data X, y: the gradient buffer must be neither w nor y (nor, of course, X, which is a double[,]).
        Expression<Func<double[], double[,], double[], double>> loss = (w, X, y) =>
            Enumerable.Range(0, y.Length).Sum(i => Math.Log(1 + Math.Exp(-y[i] * (w[0] * X[i, 0] + w[1] * X[i, 1]))));
        var vg = Diff.ValueAndGradient(loss);
        double[,] data = { { 1, 2 }, { -0.5, 0.3 } };
        foreach (var run in new[] { vg.Compile(), vg.CompileIL() })
        {
            double[] w = [0.1, -0.2], y = [1, -1];
            Refused("gradient", "w", () => run(w, data, y, w));
            Refused("gradient", "y", () => run(w, data, y, y));
            var g = new double[2];
            Assert.Equal(loss.Compile()(w, data, y), run(w, data, y, g), 1e-12);
        }
        // Wrt a parameter that is not the first: the other double[] is data, and refused as a gradient too.
        Expression<Func<double[], double[], double>> fit = (a, p) => Enumerable.Range(0, a.Length).Sum(i => Math.Pow(p[0] * a[i] - p[1], 2));
        var wrt = Diff.ValueAndGradient(fit, ["p"]);
        foreach (var run in new[] { wrt.Compile(), wrt.CompileIL() })
        {
            double[] a = [1, 2, 3], p = [0.5, 0.25];
            Refused("gradient", "a", () => run(a, p, a));
            Refused("gradient", "p", () => run(a, p, p));
        }
    }

    [Fact]
    public void Span_value_and_gradient_refuses_any_overlap_with_x()
    {
        foreach (var f in new[] { Loop, Straight })
        {
            var vg = Compiled.ValueAndGradient(f);
            var copies = ArrayRoute.Gradient(Diff.ValueAndGradient(f));
            foreach (var run in new[] { vg, copies })
            {
                var x = Point(4);
                Refused("gradient", "x", () => run(x, x));
                // One buffer holding both, overlapping by one element.
                var both = Point(7);
                Refused("gradient", "x", () => run(both.AsSpan(0, 4), both.AsSpan(3, 4)));
                // Side by side, they do not overlap: the gradient is right.
                var expected = new double[4];
                double value = Diff.ValueAndGradient(f).Compile()(both[..4], expected);
                var apart = Point(8);
                Assert.Equal(value, run(apart.AsSpan(0, 4), apart.AsSpan(4, 4)));
                Assert.Equal(expected, apart[4..]);
            }
        }
    }

    [Fact]
    public void Products_into_buffers_refuse_a_result_over_an_input_and_accept_equal_inputs()
    {
        var x = Point(4);
        foreach (var (hvp, name) in new[] { (Compiled.Hvp(Loop), "Compiled"), (ArrayRoute.Product(Diff.HvpInto(Loop, null)), "copies") })
        {
            var v = Point(4).Select(t => -t).ToArray();
            Refused("result", "x", () => hvp(x, v, x));
            Refused("result", "v", () => hvp(x, v, v));
            var shared = Point(6);
            Refused("result", "x", () => hvp(shared.AsSpan(0, 4), v, shared.AsSpan(2, 4)));
            // x and v may be the same memory: H(x)·x.
            var result = new double[4];
            hvp(x, x, result);
            Assert.Equal(Diff.Hvp(Loop).Compile()(x, (double[])x.Clone()), result);
            Assert.Equal(Diff.Hvp(Loop).Compile()(x, x), result);
        }
        var u = new double[] { 0.5, -1 };
        var d = Point(4);
        foreach (var jvp in new[] { Compiled.Jvp(Vector), ArrayRoute.Product(Diff.JvpInto(Vector, null)) })
        {
            Refused("result", "x", () => jvp(x, d, x.AsSpan(0, 2)));
            Refused("result", "v", () => jvp(x, d, d.AsSpan(2, 2)));
        }
        foreach (var vjp in new[] { Compiled.Vjp(Vector), ArrayRoute.Product(Diff.VjpInto(Vector, null)) })
        {
            Refused("result", "x", () => vjp(x, u, x));
            var wide = new double[6];
            Refused("result", "u", () => vjp(x, wide.AsSpan(0, 2), wide.AsSpan(1, 4)));
        }
    }

    [Fact]
    public void A_Jacobian_into_a_buffer_refuses_one_that_overlaps_x()
    {
        var jacobian = Compiled.Jacobian(Vector);
        var buffer = new double[12];
        var x = buffer.AsSpan(8, 4);
        Point(4).CopyTo(x);
        Refused("jacobian", "x", () => jacobian(buffer.AsSpan(8, 4), buffer));
        Refused("jacobian", "x", () => jacobian(buffer.AsSpan(4, 4), buffer.AsSpan(0, 8)));
        var j = new double[8];
        jacobian(buffer.AsSpan(8, 4), j);
        var expected = Diff.Jacobian(Vector).Compile()(buffer[8..]);
        for (int r = 0; r < 2; r++)
            for (int c = 0; c < 4; c++) Assert.Equal(expected[r, c], j[r * 4 + c], 1e-15);
    }

    [Fact]
    public void Batches_refuse_outputs_that_overlap_the_points_or_each_other()
    {
        var batch = BatchGradient.Create(Straight, 3);
        int count = 4;
        var memory = new double[3 * count + count + 3 * count];
        var points = memory.AsSpan(0, 3 * count);
        for (int k = 0; k < points.Length; k++) points[k] = 0.1 * k;
        var e = Assert.Throws<ArgumentException>(() => batch.Evaluate(memory.AsSpan(0, 12), memory.AsSpan(10, 4), memory.AsSpan(16, 12)));
        Assert.Equal(Message("values", "points"), e.Message);
        e = Assert.Throws<ArgumentException>(() => batch.Evaluate(memory.AsSpan(0, 12), memory.AsSpan(12, 4), memory.AsSpan(11, 12)));
        Assert.Equal(Message("gradients", "points"), e.Message);
        e = Assert.Throws<ArgumentException>(() => batch.Evaluate(memory.AsSpan(0, 12), memory.AsSpan(12, 4), memory.AsSpan(15, 12)));
        Assert.Equal(Message("gradients", "values"), e.Message);
        // Side by side in one buffer: fine, and the values are those of the scalar delegate.
        batch.Evaluate(memory.AsSpan(0, 12), memory.AsSpan(12, 4), memory.AsSpan(16, 12));
        var vg = Diff.ValueAndGradient(Straight).Compile();
        for (int p = 0; p < count; p++)
        {
            var g = new double[3];
            Assert.Equal(vg([memory[p], memory[count + p], memory[2 * count + p]], g), memory[12 + p]);
            for (int k = 0; k < 3; k++) Assert.Equal(g[k], memory[16 + k * count + p]);
        }
    }
}
