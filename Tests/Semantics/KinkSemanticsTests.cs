using System;
using System.Linq.Expressions;
using Xunit;

namespace ExprDiff.Tests.Semantics;

/// <summary>User functions registered with <see cref="RuleSet.With(Expression{Func{double, double}}, Expression{Func{double, double}})"/>.</summary>
internal static class KinkTestLib
{
    /// <summary>x³; its derivative rule is written with <see cref="Sq"/>, another registered function.</summary>
    public static double Cube(double x) => x * x * x;

    /// <summary>x².</summary>
    public static double Sq(double x) => x * x;
}

/// <summary>
/// The documented values of derivatives at kinks and singular points (the remarks of <see cref="Diff"/>),
/// each checked exactly, in forward mode (<see cref="Diff.Derivative"/>), reverse mode (<see cref="Diff.Gradient(Expression{Func{double[], double}}, DiffOptions?)"/>)
/// and second order (<see cref="Diff.Hessian(Expression{Func{double[], double}}, DiffOptions?)"/>) where it matters.
/// </summary>
public sealed class KinkSemanticsTests
{
    private static Func<double, double> D(Expression<Func<double, double>> f, int order = 1) => Diff.Derivative(f, order).Compile();

    private static Func<double[], double[]> Grad(Expression<Func<double[], double>> f) => Diff.Gradient(f).Compile();

    private static Func<double[], double[,]> Hess(Expression<Func<double[], double>> f) => Diff.Hessian(f).Compile();

    [Fact]
    public void Sqrt_at_zero_is_positive_infinity()
    {
        Assert.Equal(double.PositiveInfinity, D(x => Math.Sqrt(x))(0.0));
        Assert.Equal(double.PositiveInfinity, Grad(x => Math.Sqrt(x[0]))([0.0])[0]);
        Assert.Equal(0.25, D(x => Math.Sqrt(x))(4.0));
    }

    [Fact]
    public void Cbrt_at_zero_is_positive_infinity()
    {
        Assert.Equal(double.PositiveInfinity, D(x => Math.Cbrt(x))(0.0));
        Assert.Equal(double.PositiveInfinity, Grad(x => Math.Cbrt(x[0]))([0.0])[0]);
    }

    [Fact]
    public void Abs_at_zero_is_zero()
    {
        Assert.Equal(0.0, D(x => Math.Abs(x))(0.0));
        Assert.Equal(0.0, Grad(x => Math.Abs(x[0]))([0.0])[0]);
        Assert.Equal(0.0, D(x => Math.Abs(x), 2)(0.0));
        Assert.Equal(-1.0, D(x => Math.Abs(x))(-3.0));
        Assert.Equal(1.0, D(x => Math.Abs(x))(3.0));
    }

    [Fact]
    public void Max_on_a_tie_gives_half_to_each_argument()
    {
        var g = Diff.Gradient((double x, double y) => Math.Max(x, y)).Compile();
        Assert.Equal([0.5, 0.5], g(1.5, 1.5));
        Assert.Equal([1.0, 0.0], g(2.0, 1.5));
        Assert.Equal([0.0, 1.0], g(1.0, 1.5));
        Assert.Equal([0.5, 0.5], Grad(x => Math.Max(x[0], x[1]))([-2.0, -2.0]));
        var jvp = Diff.Jvp((double x, double y) => new[] { Math.Max(x, y) }).Compile();
        Assert.Equal([0.5], jvp(1.5, 1.5, [1.0, 0.0]));
    }

    [Fact]
    public void Min_on_a_tie_gives_half_to_each_argument()
    {
        var g = Diff.Gradient((double x, double y) => Math.Min(x, y)).Compile();
        Assert.Equal([0.5, 0.5], g(1.5, 1.5));
        Assert.Equal([0.0, 1.0], g(2.0, 1.5));
        Assert.Equal([1.0, 0.0], g(1.0, 1.5));
        Assert.Equal([0.5, 0.5], Grad(x => Math.Min(x[0], x[1]))([-2.0, -2.0]));
    }

    [Fact]
    public void Integer_power_at_zero_has_derivative_zero_and_second_derivative_two()
    {
        Assert.Equal(0.0, D(x => Math.Pow(x, 2))(0.0));
        Assert.Equal(2.0, D(x => Math.Pow(x, 2), 2)(0.0));
        Assert.Equal(0.0, D(x => Math.Pow(x, 2), 3)(0.0));
        Assert.Equal(0.0, Grad(x => Math.Pow(x[0], 2))([0.0])[0]);
        Assert.Equal(2.0, Hess(x => Math.Pow(x[0], 2))([0.0])[0, 0]);
        Assert.Equal(0.0, D(x => Math.Pow(x, 3), 2)(0.0));
        Assert.Equal(6.0, D(x => Math.Pow(x, 3), 3)(0.0));
    }

    [Fact]
    public void Real_power_with_respect_to_exponent_at_zero_base_is_zero()
    {
        var g = Diff.Gradient((double x, double y) => Math.Pow(x, y)).Compile();
        Assert.Equal([0.0, 0.0], g(0.0, 2.5));
        var r = Grad(v => Math.Pow(v[0], v[1]))([0.0, 2.5]);
        Assert.Equal([0.0, 0.0], r);
        // Away from zero: ∂y = x^y·ln x.
        Assert.Equal(Math.Pow(2.0, 2.5) * Math.Log(2.0), g(2.0, 2.5)[1], 14);
    }

    [Fact]
    public void Real_power_at_zero_base_has_a_finite_hessian()
    {
        // At x = 0 every second partial of x^y (y = 2.5) involves x^(y−k)·ln x terms defined as 0 there.
        var h = Diff.Hessian((double x, double y) => Math.Pow(x, y)).Compile()(0.0, 2.5);
        Assert.Equal(new double[2, 2], h);
    }

    [Fact]
    public void Conversion_to_float_passes_the_derivative_through()
    {
        Assert.Equal(1.0, D(x => (double)(float)x)(0.1));
        Assert.Equal(0.0, D(x => (double)(float)x, 2)(0.1));
        // Float arithmetic: d/dx (float)x·(float)x = 2·(float)x, rounded to float like the product.
        Assert.Equal(2.0 * (double)(float)0.1, D(x => (double)((float)x * (float)x))(0.1));
    }

    [Fact]
    public void Sign_of_nan_is_nan_in_a_derivative_rather_than_an_exception()
    {
        Assert.True(double.IsNaN(D(x => Math.Abs(x))(double.NaN)));
        Assert.True(double.IsNaN(Grad(x => Math.Abs(x[0]))([double.NaN])[0]));
    }

    [Fact]
    public void Real_power_with_respect_to_base_at_zero_exponent_is_zero()
    {
        var g = Diff.Gradient((double x, double y) => Math.Pow(x, y)).Compile();
        Assert.Equal(0.0, g(0.0, 0.0)[0]);
        Assert.Equal(0.0, g(2.0, 0.0)[0]);
        Assert.Equal(0.0, g(-3.0, 0.0)[0]);
        Assert.Equal(Math.Log(2.0), g(2.0, 0.0)[1], 15);
        Assert.Equal(0.0, Grad(v => Math.Pow(v[0], v[1]))([0.0, 0.0])[0]);
    }

    [Fact]
    public void Guarded_log_has_the_derivative_of_the_branch_taken_in_every_mode()
    {
        // Forward.
        var d = D(x => x > 0 ? Math.Log(x) : 0);
        Assert.Equal(0.0, d(0.0));
        Assert.Equal(0.0, d(-1.0));
        Assert.Equal(0.5, d(2.0));
        var d2 = D(x => x > 0 ? Math.Log(x) : 0, 2);
        Assert.Equal(0.0, d2(0.0));
        Assert.Equal(0.0, d2(-1.0));
        Assert.Equal(-0.25, d2(2.0));

        // Reverse.
        var g = Grad(x => x[0] > 0 ? Math.Log(x[0]) : 0);
        Assert.Equal([0.0], g([0.0]));
        Assert.Equal([0.0], g([-1.0]));
        Assert.Equal([0.5], g([2.0]));
        var gs = Diff.Gradient((double x) => x > 0 ? Math.Log(x) : 0).Compile();
        Assert.Equal([0.0], gs(0.0));
        Assert.Equal([0.0], gs(-1.0));
        Assert.Equal([0.5], gs(2.0));

        // Forward over reverse: no NaN from the untaken branch either.
        var h = Hess(x => x[0] > 0 ? Math.Log(x[0]) : 0);
        Assert.Equal(0.0, h([0.0])[0, 0]);
        Assert.Equal(0.0, h([-1.0])[0, 0]);
        Assert.Equal(-0.25, h([2.0])[0, 0]);
        var hs = Diff.Hessian((double x) => x > 0 ? Math.Log(x) : 0).Compile();
        Assert.Equal(0.0, hs(0.0)[0, 0]);
        Assert.Equal(0.0, hs(-1.0)[0, 0]);
        Assert.Equal(-0.25, hs(2.0)[0, 0]);
    }

    [Fact]
    public void Untaken_branch_used_elsewhere_does_not_leak_nan()
    {
        // Math.Sqrt(x) is NaN for x < 0 and its partial is NaN there; it is used only under x > 0.
        Expression<Func<double[], double>> f = x => (x[0] > 0 ? Math.Sqrt(x[0]) : x[0]) + 2 * x[0];
        Assert.Equal([3.0], Grad(f)([-1.0]));
        Assert.Equal([3.0], Grad(f)([0.0]));
        Assert.Equal([2.25], Grad(f)([4.0]));
        Assert.Equal(0.0, Hess(f)([-1.0])[0, 0]);
        Assert.Equal(3.0, D(x => (x > 0 ? Math.Sqrt(x) : x) + 2 * x)(-1.0));
    }

    [Fact]
    public void Conditional_at_its_switch_point_takes_the_selected_branch()
    {
        Assert.Equal(2.0, D(x => x >= 1 ? 2 * x : 3 * x)(1.0));
        Assert.Equal([2.0], Grad(x => x[0] >= 1 ? 2 * x[0] : 3 * x[0])([1.0]));
        Assert.Equal(3.0, D(x => x > 1 ? 2 * x : 3 * x)(1.0));
        Assert.Equal([3.0], Grad(x => x[0] > 1 ? 2 * x[0] : 3 * x[0])([1.0]));
        // Second order follows the same branch: d²/dx² of x ≥ 1 ? x² : x³ at 1 is 2, not 6.
        Assert.Equal(2.0, D(x => x >= 1 ? x * x : x * x * x, 2)(1.0));
        Assert.Equal(2.0, Hess(x => x[0] >= 1 ? x[0] * x[0] : x[0] * x[0] * x[0])([1.0])[0, 0]);
    }

    [Fact]
    public void Floor_round_sign_and_their_kin_have_derivative_zero_everywhere()
    {
        foreach (double x in new[] { -2.0, -1.5, 0.0, 0.5, 2.0, 2.5, 2.7 })
        {
            Assert.Equal(0.0, D(t => Math.Floor(t))(x));
            Assert.Equal(0.0, D(t => Math.Ceiling(t))(x));
            Assert.Equal(0.0, D(t => Math.Round(t))(x));
            Assert.Equal(0.0, D(t => Math.Truncate(t))(x));
            Assert.Equal(0.0, D(t => Math.Sign(t))(x));
            Assert.Equal(0.0, D(t => (int)t)(x));
            Assert.Equal([0.0], Grad(t => Math.Floor(t[0]))([x]));
            Assert.Equal([0.0], Grad(t => Math.Round(t[0]))([x]));
            Assert.Equal([0.0], Grad(t => Math.Sign(t[0]))([x]));
        }
        // A zero-derivative function composed with others: d/dx (x·floor(x)) = floor(x).
        Assert.Equal(2.0, D(x => x * Math.Floor(x))(2.5));
        Assert.Equal(-1.0, D(x => x * Math.Sign(x))(-3.0));
    }

    [Fact]
    public void Clamp_sends_the_gradient_to_the_active_argument()
    {
        var g = Diff.Gradient((double v, double lo, double hi) => Math.Clamp(v, lo, hi)).Compile();
        Assert.Equal([1.0, 0.0, 0.0], g(0.5, 0.0, 1.0));   // inside
        Assert.Equal([0.0, 1.0, 0.0], g(-1.0, 0.0, 1.0));  // below
        Assert.Equal([0.0, 0.0, 1.0], g(2.0, 0.0, 1.0));   // above
        Assert.Equal([1.0, 0.0, 0.0], g(0.0, 0.0, 1.0));   // at the lower bound
        Assert.Equal([1.0, 0.0, 0.0], g(1.0, 0.0, 1.0));   // at the upper bound
        var d = D(v => Math.Clamp(v, 0.0, 1.0));
        Assert.Equal(1.0, d(0.0));
        Assert.Equal(1.0, d(1.0));
        Assert.Equal(0.0, d(1.5));
        Assert.Equal(0.0, d(-0.5));
    }

    [Fact]
    public void StopGradient_has_derivative_zero_and_stays_constant_when_differentiated_again()
    {
        Assert.Equal(0.0, D(x => Diff.StopGradient(x))(3.0));
        Assert.Equal([0.0], Grad(x => Diff.StopGradient(x[0]))([3.0]));
        // f = s·x² with s = x held constant: f′ = 2·s·x, f″ = 2·s.
        Assert.Equal(18.0, D(x => Diff.StopGradient(x) * x * x)(3.0));
        Assert.Equal(6.0, D(x => Diff.StopGradient(x) * x * x, 2)(3.0));
        Assert.Equal(6.0, Hess(x => Diff.StopGradient(x[0]) * x[0] * x[0])([3.0])[0, 0]);
        // The exported derivative keeps the stop: differentiating it again is still 2·s.
        var first = Diff.Derivative(x => Diff.StopGradient(x) * x * x);
        Assert.Equal(6.0, Diff.Derivative(first).Compile()(3.0));
    }

    [Fact]
    public void Untaken_reciprocal_branch_at_zero_gives_no_nan()
    {
        Expression<Func<double, double>> f = x => x == 0 ? 0 : x * Math.Sin(1 / x);
        Assert.Equal(0.0, D(f)(0.0));
        Assert.Equal(0.0, D(f, 2)(0.0));
        Assert.Equal([0.0], Diff.Gradient(f).Compile()(0.0));
        Assert.Equal(0.0, Diff.Hessian(f).Compile()(0.0)[0, 0]);
        Assert.Equal([0.0], Grad(x => x[0] == 0 ? 0 : x[0] * Math.Sin(1 / x[0]))([0.0]));
        Assert.Equal(0.0, Hess(x => x[0] == 0 ? 0 : x[0] * Math.Sin(1 / x[0]))([0.0])[0, 0]);
        // Away from 0 it is sin(1/x) − cos(1/x)/x.
        double t = 0.5;
        Assert.Equal(Math.Sin(1 / t) - Math.Cos(1 / t) / t, D(f)(t), 14);
    }

    private static DiffOptions UserRules => new()
    {
        Rules = RuleSet.Default
            .With(x => KinkTestLib.Sq(x), x => 2 * x)
            .With(x => KinkTestLib.Cube(x), x => 3 * KinkTestLib.Sq(x)),
    };

    [Fact]
    public void Registered_user_function_differentiates_to_any_order()
    {
        var options = UserRules;

        // f(x, y) = Cube(x·y): ∂x = 3x²y³, ∂y = 3x³y², ∂xx = 6xy³, ∂xy = 9x²y², ∂yy = 6x³y.
        Expression<Func<double, double, double>> f = (x, y) => KinkTestLib.Cube(x * y);
        double a = 1.5, b = -2.0;
        Assert.Equal([3 * a * a * b * b * b, 3 * a * a * a * b * b], Diff.Gradient(f, options).Compile()(a, b));
        var h = Diff.Hessian(f, options).Compile()(a, b);
        Assert.Equal(6 * a * b * b * b, h[0, 0]);
        Assert.Equal(9 * a * a * b * b, h[0, 1]);
        Assert.Equal(9 * a * a * b * b, h[1, 0]);
        Assert.Equal(6 * a * a * a * b, h[1, 1]);

        Expression<Func<double[], double>> fa = x => KinkTestLib.Cube(x[0] * x[1]);
        Assert.Equal([3 * a * a * b * b * b, 3 * a * a * a * b * b], Diff.Gradient(fa, options).Compile()([a, b]));

        // Cube(2x) = 8x³: derivatives 24x², 48x, 48, 0.
        Expression<Func<double, double>> g = x => KinkTestLib.Cube(2 * x);
        Assert.Equal(8 * 27.0, g.Compile()(3.0));
        Assert.Equal(24 * 9.0, Diff.Derivative(g, 1, options).Compile()(3.0));
        Assert.Equal(48 * 3.0, Diff.Derivative(g, 2, options).Compile()(3.0));
        Assert.Equal(48.0, Diff.Derivative(g, 3, options).Compile()(3.0));
        Assert.Equal(0.0, Diff.Derivative(g, 4, options).Compile()(3.0));
    }

    [Fact]
    public void Registered_user_function_without_its_helper_rule_fails_only_at_the_order_that_needs_it()
    {
        // Cube's derivative calls Sq; with no rule for Sq, first order works and second order needs d/dx Sq.
        var options = new DiffOptions { Rules = RuleSet.Default.With(x => KinkTestLib.Cube(x), x => 3 * KinkTestLib.Sq(x)) };
        Expression<Func<double, double>> f = x => KinkTestLib.Cube(x);
        Assert.Equal(12.0, Diff.Derivative(f, 1, options).Compile()(2.0));
        var e = Assert.Throws<ExprDiffException>(() => Diff.Derivative(f, 2, options));
        Assert.Contains("KinkTestLib.Sq", e.Message);
        Assert.Contains("RuleSet.With", e.Message);
    }
}
