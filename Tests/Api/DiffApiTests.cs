using System.Linq.Expressions;
using Xunit;

namespace ExprDiff.Tests.Api;

public class DiffApiTests
{
    private static readonly Expression<Func<double[], double>> Rosenbrock =
        x => 100 * Math.Pow(x[1] - x[0] * x[0], 2) + Math.Pow(1 - x[0], 2);

    [Fact]
    public void Rosenbrock_gradient_and_hessian_have_their_closed_forms()
    {
        double[] x = [-1.2, 1.0];
        var g = Diff.Gradient(Rosenbrock).Compile()(x);
        Assert.Equal(-400 * x[0] * (x[1] - x[0] * x[0]) - 2 * (1 - x[0]), g[0], 12);
        Assert.Equal(200 * (x[1] - x[0] * x[0]), g[1], 12);
        var h = Diff.Hessian(Rosenbrock).Compile()(x);
        Assert.Equal(1200 * x[0] * x[0] - 400 * x[1] + 2, h[0, 0], 10);
        Assert.Equal(-400 * x[0], h[0, 1], 10);
        Assert.Equal(-400 * x[0], h[1, 0], 10);
        Assert.Equal(200, h[1, 1], 10);
    }

    [Fact]
    public void Gradient_has_the_length_of_the_argument()
    {
        Expression<Func<double[], double>> f = x => x[0] * x[2];
        var g = Diff.Gradient(f).Compile()([2.0, 5.0, 3.0, 7.0]);
        Assert.Equal(new[] { 3.0, 0.0, 2.0, 0.0 }, g);
    }

    [Fact]
    public void Value_and_gradient_overwrites_the_whole_buffer()
    {
        Expression<Func<double[], double>> f = x => x[0] * x[2];
        var buffer = new[] { 9.0, 9.0, 9.0 };
        double v = Diff.ValueAndGradient(f).Compile()([2.0, 5.0, 3.0], buffer);
        Assert.Equal(6.0, v);
        Assert.Equal(new[] { 3.0, 0.0, 2.0 }, buffer);
    }

    [Fact]
    public void Jacobian_of_the_gradient_is_the_hessian()
    {
        double[] x = [0.3, -0.7, 1.1];
        Expression<Func<double[], double>> f = x => Math.Exp(x[0] * x[1]) * Math.Sin(x[2]) + x[0] * x[0] * x[2] / (1 + x[1] * x[1]);
        var h = Diff.Hessian(f).Compile()(x);
        var j = Diff.Jacobian(Diff.Gradient(f)).Compile()(x);
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
                Assert.Equal(h[r, c], j[r, c], 12);
    }

    [Fact]
    public void Scalar_parameter_overloads_are_in_parameter_order()
    {
        Expression<Func<double, double, double, double>> f = (a, b, c) => a * a * b + Math.Sin(c);
        var g = Diff.Gradient(f).Compile()(2, 3, 0.5);
        Assert.Equal(new[] { 12.0, 4.0, Math.Cos(0.5) }, g);
        var grad = new double[3];
        Assert.Equal(12 + Math.Sin(0.5), Diff.ValueAndGradient(f).Compile()(2, 3, 0.5, grad));
        Assert.Equal(g, grad);
        var h = Diff.Hessian(f).Compile()(2, 3, 0.5);
        Assert.Equal(6.0, h[0, 0]);
        Assert.Equal(4.0, h[0, 1]);
        Assert.Equal(-Math.Sin(0.5), h[2, 2]);
        var hv = Diff.Hvp(f).Compile()(2, 3, 0.5, [1.0, 0.0, 0.0]);
        Assert.Equal(new[] { 6.0, 4.0, 0.0 }, hv);
    }

    [Fact]
    public void Eight_parameters_work()
    {
        Expression<Func<double, double, double, double, double, double, double, double, double>> f =
            (a, b, c, d, e, f2, g, h) => a * b * c * d * e * f2 * g * h;
        var grad = Diff.Gradient(f).Compile()(1, 2, 3, 4, 5, 6, 7, 8);
        Assert.Equal(40320.0 / 1, grad[0]);
        Assert.Equal(40320.0 / 8, grad[7]);
    }

    [Theory]
    [InlineData(JacobianMode.Forward)]
    [InlineData(JacobianMode.Reverse)]
    [InlineData(JacobianMode.Auto)]
    public void Jacobian_modes_agree(JacobianMode mode)
    {
        Expression<Func<double[], double[]>> F = x => new[] { x[0] * x[1], Math.Sin(x[0]), x[1] / x[2] };
        double[] x = [0.5, 2.0, 4.0];
        var j = Diff.Jacobian(F, new DiffOptions { Jacobian = mode }).Compile()(x);
        Assert.Equal(2.0, j[0, 0]);
        Assert.Equal(0.5, j[0, 1]);
        Assert.Equal(Math.Cos(0.5), j[1, 0]);
        Assert.Equal(0.25, j[2, 1]);
        Assert.Equal(-2.0 / 16, j[2, 2]);
        Assert.Equal(0.0, j[1, 2]);
    }

    [Fact]
    public void Vjp_and_jvp_satisfy_the_adjoint_identity()
    {
        Expression<Func<double, double, double[]>> F = (a, b) => new[] { a * b, Math.Exp(a) - b, Math.Atan2(a, b) };
        var jv = Diff.Jvp(F).Compile()(0.4, 1.3, [0.7, -1.1]);
        var uj = Diff.Vjp(F).Compile()(0.4, 1.3, [1.0, 2.0, -0.5]);
        double lhs = 1.0 * jv[0] + 2.0 * jv[1] - 0.5 * jv[2];
        double rhs = uj[0] * 0.7 + uj[1] * -1.1;
        Assert.Equal(lhs, rhs, 14);
    }

    [Fact]
    public void Higher_order_derivatives_match_closed_forms()
    {
        // d³/dt³ exp(−t²) = (−8t³ + 12t)·exp(−t²)
        var d3 = Diff.Derivative((double t) => Math.Exp(-t * t), order: 3).Compile();
        foreach (double t in new[] { -1.5, 0.0, 0.3, 2.0 })
            Assert.Equal((-8 * t * t * t + 12 * t) * Math.Exp(-t * t), d3(t), 12);
        var d0 = Diff.Derivative((double t) => Math.Sin(t), order: 0).Compile();
        Assert.Equal(Math.Sin(0.7), d0(0.7));
        Assert.Throws<ArgumentOutOfRangeException>(() => Diff.Derivative((double t) => t, order: -1));
    }

    [Fact]
    public void Derivatives_can_be_differentiated_again()
    {
        Expression<Func<double, double>> f = t => Math.Sin(t) * t;
        var d1 = Diff.Derivative(f);
        var d2 = Diff.Derivative(d1);
        var d2direct = Diff.Derivative(f, order: 2).Compile();
        Assert.Equal(d2direct(0.9), d2.Compile()(0.9), 14);
    }

    [Fact]
    public void Shared_work_is_exported_once()
    {
        // e = exp(x0·x1) appears in the value and both partials; the export computes it once.
        Expression<Func<double[], double>> f = x => Math.Exp(x[0] * x[1]);
        string text = Diff.ValueAndGradient(f).ToCSharp();
        Assert.Equal(1, CountOf(text, "Math.Exp("));
    }

    [Fact]
    public void Compiled_derivatives_are_thread_safe()
    {
        var g = Diff.Gradient(Rosenbrock).Compile();
        var results = new double[8][];
        Parallel.For(0, 8, i =>
        {
            for (int k = 0; k < 2000; k++) results[i] = g([i * 0.1, 1.0]);
        });
        for (int i = 0; i < 8; i++)
            Assert.Equal(Diff.Gradient(Rosenbrock).Compile()([i * 0.1, 1.0]), results[i]);
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal)) count++;
        return count;
    }
}
