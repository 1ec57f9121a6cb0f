using System.Linq.Expressions;
using ExprDiff.Tests.Support;
using Xunit;

namespace ExprDiff.Tests.Api;

/// <summary>The overloads that name the parameters to differentiate; the others are data.</summary>
public class WrtTests
{
    [Fact]
    public void A_subset_of_scalar_parameters_in_the_order_named()
    {
        Expression<Func<double, double, double, double>> f = (a, b, c) => a * Math.Sin(b) + c * c * b;
        var g = Diff.Gradient(f, ["c", "a"]).Compile()(1.5, 0.3, -2.0);
        Assert.Equal(new[] { 2 * -2.0 * 0.3, Math.Sin(0.3) }, g);
        var buffer = new double[2];
        double value = Diff.ValueAndGradient(f, ["b"]).Compile()(1.5, 0.3, -2.0, new double[1]);
        Assert.Equal(1.5 * Math.Sin(0.3) + 4.0 * 0.3, value);
        Diff.ValueAndGradient(f, ["a", "b"]).Compile()(1.5, 0.3, -2.0, buffer);
        Assert.Equal(new[] { Math.Sin(0.3), 1.5 * Math.Cos(0.3) + 4.0 }, buffer);
    }

    [Fact]
    public void An_array_that_is_not_the_first_parameter()
    {
        // Least squares of a line through data: (t, y, p) with p = (slope, intercept) last.
        Expression<Func<double[], double[], double[], double>> loss =
            (t, y, p) => Enumerable.Range(0, t.Length).Sum(i => Math.Pow(p[0] * t[i] + p[1] - y[i], 2));
        double[] t = [0, 1, 2, 3], y = [1.0, 2.9, 5.2, 7.1], p = [2.0, 0.5];
        var g = Diff.Gradient(loss, ["p"]).Compile()(t, y, p);
        double gs = 0, gi = 0;
        for (int i = 0; i < t.Length; i++) { double r = p[0] * t[i] + p[1] - y[i]; gs += 2 * r * t[i]; gi += 2 * r; }
        Assert.Equal(gs, g[0], 1e-12);
        Assert.Equal(gi, g[1], 1e-12);
        // With respect to the data instead: y, as the second parameter.
        var gy = Diff.Gradient(loss, ["y"]).Compile()(t, y, p);
        Assert.Equal(t.Length, gy.Length);
        for (int i = 0; i < t.Length; i++) Assert.Equal(-2 * (p[0] * t[i] + p[1] - y[i]), gy[i], 1e-12);
    }

    [Fact]
    public void Scalars_next_to_arrays_and_ints()
    {
        Expression<Func<int, double[], double, double>> f = (n, x, s) => s * Enumerable.Range(0, n).Sum(i => x[i] * x[i]) + Math.Exp(s);
        double[] x = [1.0, -2.0, 0.5];
        var value = f.Compile();
        var ds = Diff.Gradient(f, ["s"]).Compile()(2, x, 0.7)[0];
        Assert.Equal(FiniteDifferences.Derivative(v => value(2, x, v), 0.7), ds, 1e-9);
        var dx = Diff.Gradient(f, ["x"]).Compile()(2, x, 0.7);
        Assert.Equal(new[] { 2 * 0.7 * 1.0, 2 * 0.7 * -2.0, 0.0 }, dx);
    }

    [Fact]
    public void Bad_names_are_argument_errors_that_say_what_exists()
    {
        Expression<Func<double[], double, double>> f = (x, s) => s * x[0];
        Assert.Equal("Diff.Gradient: the function has no parameter 'z' (it has 'x', 's'). (Parameter 'wrt')",
            Assert.Throws<ArgumentException>(() => Diff.Gradient(f, ["z"])).Message);
        Assert.Contains("named twice", Assert.Throws<ArgumentException>(() => Diff.Gradient(f, ["s", "s"])).Message);
        Assert.Contains("name at least one parameter", Assert.Throws<ArgumentException>(() => Diff.Gradient(f, [])).Message);
        Assert.Throws<ArgumentNullException>(() => Diff.Gradient(f, (IReadOnlyList<string>)null!));
        var e = Assert.Throws<ExprDiffException>(() => Diff.Gradient(f, ["x", "s"]));
        Assert.Contains("differentiates with respect to one double[] parameter or to double parameters, not to 'x' (double[]), 's' (double) together", e.Message);
        Expression<Func<int, double, double>> g = (n, s) => n * s;
        Assert.Contains("parameter 'n' has type int; only double and double[] parameters can be differentiated",
            Assert.Throws<ArgumentException>(() => Diff.Gradient(g, ["n"])).Message);
    }
}
