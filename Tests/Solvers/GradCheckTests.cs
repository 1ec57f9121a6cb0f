using System;
using System.Linq;
using System.Linq.Expressions;
using Xunit;

namespace ExprDiff.Tests.Solvers;

/// <summary>A user library whose rules the checks test: softplus' derivative is the logistic sigmoid, itself a
/// function with a rule of its own, so softplus' second derivative comes from sigmoid's rule.</summary>
internal static class GradCheckTestLib
{
    public static double Softplus(double t) => Math.Log(1 + Math.Exp(t));
    public static double Sigmoid(double t) => 1 / (1 + Math.Exp(-t));
}

public sealed class GradCheckTests
{
    private static double Sigmoid(double t) => GradCheckTestLib.Sigmoid(t);

    // The right rules: softplus' = σ, σ' = σ(1 − σ).
    private static readonly RuleSet RightRules = RuleSet.Default
        .With(t => GradCheckTestLib.Softplus(t), t => GradCheckTestLib.Sigmoid(t))
        .With(t => GradCheckTestLib.Sigmoid(t), t => GradCheckTestLib.Sigmoid(t) * (1 - GradCheckTestLib.Sigmoid(t)));

    // First derivative wrong: σ(−t) in place of σ(t) (a sign slip); written without Sigmoid so that its own derivative
    // is ExprDiff's, consistent with it.
    private static readonly RuleSet WrongFirstRules = RuleSet.Default
        .With(t => GradCheckTestLib.Softplus(t), t => 1 / (1 + Math.Exp(t)));

    // First derivative right, second wrong: σ' = σ(1 + σ), a sign slip in sigmoid's rule only.
    private static readonly RuleSet WrongSecondRules = RuleSet.Default
        .With(t => GradCheckTestLib.Softplus(t), t => GradCheckTestLib.Sigmoid(t))
        .With(t => GradCheckTestLib.Sigmoid(t), t => GradCheckTestLib.Sigmoid(t) * (1 + GradCheckTestLib.Sigmoid(t)));

    private static readonly Expression<Func<double[], double>> Rosenbrock =
        x => Enumerable.Range(0, x.Length - 1).Sum(i => 100 * Math.Pow(x[i + 1] - x[i] * x[i], 2) + Math.Pow(1 - x[i], 2));

    private static double[] RosenbrockGradient(double[] x)
    {
        var g = new double[x.Length];
        for (int i = 0; i < x.Length - 1; i++)
        {
            double r = x[i + 1] - x[i] * x[i];
            g[i] += -400 * x[i] * r - 2 * (1 - x[i]);
            g[i + 1] += 200 * r;
        }
        return g;
    }

    // ------------------------------------------------------------------------------------------------
    // Hand-written gradients
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public void Right_gradient_of_a_LINQ_loop_passes_at_random_points()
    {
        var points = GradCheck.RandomPoints(dimension: 6, count: 5, seed: 11, low: -1.5, high: 1.5);
        var r = GradCheck.Gradient(Rosenbrock, RosenbrockGradient, points);
        Assert.True(r.Passed, r.ToString());
        Assert.Equal(30, r.Entries);
        Assert.Equal(0, r.Failed);
        Assert.Equal(5, r.Points);
        // The central difference is far better than the tolerance: about 1e-10 of the scale, not just within 1e-5.
        Assert.True(r.Worst.RelativeError < 1e-8, r.ToString());
    }

    [Fact]
    public void Right_gradients_of_several_functions_pass()
    {
        Func<double[], double> f = x => Math.Exp(x[0]) * Math.Sin(x[1]) + Math.Log(1 + x[2] * x[2]) / (2 + Math.Cos(x[0]));
        Func<double[], double[]> g = x =>
        [
            Math.Exp(x[0]) * Math.Sin(x[1]) + Math.Log(1 + x[2] * x[2]) * Math.Sin(x[0]) / Math.Pow(2 + Math.Cos(x[0]), 2),
            Math.Exp(x[0]) * Math.Cos(x[1]),
            2 * x[2] / (1 + x[2] * x[2]) / (2 + Math.Cos(x[0])),
        ];
        var r = GradCheck.Gradient(f, g, GradCheck.RandomPoints(3, 8, seed: 3, low: -2, high: 2));
        Assert.True(r.Passed, r.ToString());
        Assert.Equal(24, r.Entries);

        Expression<Func<double[], double>> h = x => Math.Atan2(x[0], x[1]) + Math.Sqrt(x[0] * x[0] + x[1] * x[1]);
        Func<double[], double[]> dh = x =>
        {
            double q = x[0] * x[0] + x[1] * x[1], s = Math.Sqrt(q);
            return [x[1] / q + x[0] / s, -x[0] / q + x[1] / s];
        };
        Assert.True(GradCheck.Gradient(h, dh, [[0.3, 1.7], [-2.0, 0.4], [5.0, -3.0]]).Passed);
    }

    [Fact]
    public void Wrong_gradient_fails_and_reports_the_worst_entry()
    {
        // ∂/∂x1 of x1³ is 3x1², written as 2x1²: off by x1², worst at the second point (x1 = 2).
        Expression<Func<double[], double>> f = x => x[0] * x[0] + x[1] * x[1] * x[1];
        var r = GradCheck.Gradient(f, x => [2 * x[0], 2 * x[1] * x[1]], [[1.0, 1.0], [0.5, 2.0], [3.0, -0.5]]);
        Assert.False(r.Passed);
        Assert.Equal(6, r.Entries);
        Assert.Equal(3, r.Failed);
        Assert.Equal(GradCheckQuantity.Gradient, r.Worst.Quantity);
        Assert.Equal(1, r.Worst.Point);
        Assert.Equal(1, r.Worst.Index);
        Assert.Null(r.Worst.Column);
        Assert.Equal(8, r.Worst.Analytic);
        Assert.Equal(12, r.Worst.Numeric, 1e-8);
        Assert.Equal(4, r.Worst.AbsoluteError, 1e-8);
        Assert.Equal(1.0 / 3, r.Worst.RelativeError, 1e-9);
        Assert.Equal([0.5, 2.0], r.WorstPoint);
    }

    [Fact]
    public void Failure_message_names_the_entry_values_point_and_settings()
    {
        // Linear in x1 at x0 = 0: the differences are exact, so the message's figures are too.
        var r = GradCheck.Gradient(x => 2 * x[0] + 4 * x[1], x => [2.0, 5.0], [[0.0, 1.0]]);
        Assert.Equal(
            "GradCheck of the gradient failed: 1 of 2 entries at 1 point within |analytic − numeric| ≤ 1.00e-05 + 1.00e-05·|numeric| " +
            "or not finite (step 6.06e-06·max(1, |xᵢ|)). Worst: gradient ∂f/∂x[1] at point 0: analytic 5, numeric 4, " +
            "absolute error 1.00e+00, relative error 2.50e-01 (allowed 5.00e-05), x = [0, 1].",
            r.ToString());
    }

    [Fact]
    public void Span_value_and_gradient_is_checked_against_its_own_value()
    {
        var right = Compiled.ValueAndGradient(Rosenbrock);
        var points = GradCheck.RandomPoints(4, 3, seed: 5);
        Assert.True(GradCheck.Gradient(right, points).Passed);

        // A hand-written solver objective that forgets the factor 2 of ∂(x1²)/∂x1.
        GradientFunction wrong = (x, g) =>
        {
            g[0] = Math.Cos(x[0]);
            g[1] = x[1];
            return Math.Sin(x[0]) + x[1] * x[1];
        };
        var r = GradCheck.Gradient(wrong, [[0.2, 3.0]]);
        Assert.False(r.Passed);
        Assert.Equal(1, r.Failed);
        Assert.Equal(1, r.Worst.Index);
        Assert.Equal(3, r.Worst.Analytic);
        Assert.Equal(6, r.Worst.Numeric, 1e-8);
    }

    [Fact]
    public void Step_is_relative_to_large_coordinates()
    {
        // At |x| = 1e6, |f| = 5e12: the step scaled by |x| leaves an error of about 2e-11 of the gradient (measured).
        Func<double[], double> f = x => x[0] * x[0] + 3 * x[0] * x[1];
        Func<double[], double[]> g = x => [2 * x[0] + 3 * x[1], 3 * x[0]];
        var r = GradCheck.Gradient(f, g, [[1e6, -2e6]]);
        Assert.True(r.Passed, r.ToString());
        Assert.True(r.Worst.RelativeError < 1e-9, r.ToString());
        // PyTorch's absolute step (1e-6, a relative 1e-12 here) leaves rounding noise ε·|f|/h of about 30 in a gradient
        // of 4e6 (measured 7.6e-6 relative, within a hair of rtol = 1e-5): some 10⁵ times worse.
        var absolute = GradCheck.Gradient(f, g, [[1e6, -2e6]], new GradCheckOptions { Step = 1e-12 });
        Assert.True(absolute.Worst.RelativeError > 1e-7, absolute.ToString());
    }

    [Fact]
    public void Default_step_is_the_cube_root_of_machine_epsilon()
    {
        Assert.Equal(GradCheckOptions.DefaultStep, Math.Cbrt(Math.Pow(2, -52)), 1e-20);
        Assert.Equal(GradCheckOptions.DefaultStep, GradCheckOptions.Default.Step);
        Assert.Equal(1e-5, GradCheckOptions.Default.AbsoluteTolerance);
        Assert.Equal(1e-5, GradCheckOptions.Default.RelativeTolerance);
    }

    // ------------------------------------------------------------------------------------------------
    // NaN and infinity
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public void NaN_or_infinity_on_either_side_fails_with_a_clear_message()
    {
        // √ at 0: the analytic derivative is +∞ and the difference reads √(−h), NaN.
        var r = GradCheck.Gradient(x => Math.Sqrt(x[0]) + x[1], x => [0.5 / Math.Sqrt(x[0]), 1], [[4.0, 1.0], [0.0, 1.0]]);
        Assert.False(r.Passed);
        Assert.Equal(1, r.Failed);
        Assert.Equal(1, r.Worst.Point);
        Assert.Equal(0, r.Worst.Index);
        Assert.False(r.Worst.IsFinite);
        Assert.Contains("the analytic value is +∞; the numeric value is NaN;", r.ToString());

        // A gradient that returns NaN where f is smooth fails however loose the tolerance.
        var loose = new GradCheckOptions { AbsoluteTolerance = 1e300, RelativeTolerance = 1e300 };
        var n = GradCheck.Gradient(x => x[0] * x[0], x => [double.NaN], [[1.0]], loose);
        Assert.False(n.Passed);
        Assert.Contains("the analytic value is NaN;", n.ToString());
    }

    // ------------------------------------------------------------------------------------------------
    // ExprDiff's own derivatives and custom rules
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public void ExprDiff_gradient_and_Hessian_of_a_LINQ_loop_pass()
    {
        var r = GradCheck.Derivatives(Rosenbrock, GradCheck.RandomPoints(5, 3, seed: 2));
        Assert.True(r.Passed, r.ToString());
        // n gradient entries and n² Hessian entries per point.
        Assert.Equal(3 * (5 + 25), r.Entries);
    }

    [Fact]
    public void Right_custom_rule_passes_at_first_and_second_order()
    {
        var options = new DiffOptions { Rules = RightRules };
        var r = GradCheck.Derivatives(x => GradCheckTestLib.Softplus(x[0] * x[1]) + x[2] * GradCheckTestLib.Softplus(x[0]),
            GradCheck.RandomPoints(3, 4, seed: 9, low: -3, high: 3), options);
        Assert.True(r.Passed, r.ToString());
        Assert.Equal(4 * (3 + 9), r.Entries);

        var s = GradCheck.Derivatives(t => GradCheckTestLib.Softplus(t), [-2.0, 0.5, 3.0], options);
        Assert.True(s.Passed, s.ToString());
        Assert.Equal(6, s.Entries);
    }

    [Fact]
    public void Wrong_first_derivative_of_a_custom_rule_fails_the_gradient()
    {
        var options = new DiffOptions { Rules = WrongFirstRules };
        var r = GradCheck.Derivatives(t => GradCheckTestLib.Softplus(t), [-1.0, 2.0], options);
        Assert.False(r.Passed);
        Assert.Equal(GradCheckQuantity.Gradient, r.Worst.Quantity);
        // σ(−t) against σ(t): further apart at t = 2 (0.119 against 0.881) than at −1.
        Assert.Equal(1, r.Worst.Point);
        Assert.Equal(Sigmoid(-2), r.Worst.Analytic, 1e-15);
        Assert.Equal(Sigmoid(2), r.Worst.Numeric, 1e-9);
        // The rule's own derivative is consistent with it: the Hessian entries pass, only the two gradient entries fail.
        Assert.Equal(2, r.Failed);
    }

    [Fact]
    public void Wrong_second_derivative_with_a_right_first_is_caught_only_through_Hvp()
    {
        var options = new DiffOptions { Rules = WrongSecondRules };
        Expression<Func<double[], double>> f = x => GradCheckTestLib.Softplus(x[0]) + GradCheckTestLib.Softplus(3 * x[1]);
        double[][] points = [[0.2, 0.5]];

        var first = GradCheck.Derivatives(f, points, options, new GradCheckOptions { SecondOrder = false });
        Assert.True(first.Passed, first.ToString());

        var r = GradCheck.Derivatives(f, points, options);
        Assert.False(r.Passed);
        Assert.Equal(GradCheckQuantity.Hessian, r.Worst.Quantity);
        // H is diagonal; H[1, 1] = 9σ'(1.5) is off by 9·2σ(1.5)², the worse of the two diagonal entries.
        Assert.Equal(2, r.Failed);
        Assert.Equal(1, r.Worst.Index);
        Assert.Equal(1, r.Worst.Column);
        double s = Sigmoid(1.5);
        Assert.Equal(9 * s * (1 + s), r.Worst.Analytic, 1e-12);
        Assert.Equal(9 * s * (1 - s), r.Worst.Numeric, 1e-8);
        Assert.Contains("Hessian H[1, 1] at point 0: analytic 13.3740225029, numeric 1.342318", r.ToString());
    }

    // ------------------------------------------------------------------------------------------------
    // Jacobians
    // ------------------------------------------------------------------------------------------------

    private static readonly Expression<Func<double[], double[]>> F = x => new[] { x[0] * x[1], Math.Sin(x[0]), x[1] * x[1] * x[2] };

    private static double[,] RightJacobian(double[] x) => new[,]
    {
        { x[1], x[0], 0 },
        { Math.Cos(x[0]), 0, 0 },
        { 0, 2 * x[1] * x[2], x[1] * x[1] },
    };

    [Fact]
    public void Right_Jacobians_pass_on_every_route()
    {
        var points = GradCheck.RandomPoints(3, 4, seed: 21);
        var r = GradCheck.Jacobian(F, RightJacobian, points);
        Assert.True(r.Passed, r.ToString());
        Assert.Equal(4 * 9, r.Entries);
        Assert.True(GradCheck.Jacobian(F.Compile(), RightJacobian, points).Passed);
        Assert.True(GradCheck.Jacobian(F.Compile(), Compiled.Jacobian(F), points).Passed);
        var own = GradCheck.Derivatives(F, points);
        Assert.True(own.Passed, own.ToString());
        Assert.Equal(36, own.Entries);
    }

    [Fact]
    public void Wrong_Jacobian_entry_is_reported_by_row_and_column()
    {
        // ∂(x1²x2)/∂x1 written as x1·x2.
        var r = GradCheck.Jacobian(F, x =>
        {
            var J = RightJacobian(x);
            J[2, 1] = x[1] * x[2];
            return J;
        }, [[0.5, 2.0, 3.0]]);
        Assert.False(r.Passed);
        Assert.Equal(1, r.Failed);
        Assert.Equal(GradCheckQuantity.Jacobian, r.Worst.Quantity);
        Assert.Equal(2, r.Worst.Index);
        Assert.Equal(1, r.Worst.Column);
        Assert.Equal(6, r.Worst.Analytic);
        Assert.Equal(12, r.Worst.Numeric, 1e-8);
        Assert.Contains("Jacobian J[2, 1] at point 0", r.ToString());
    }

    [Fact]
    public void Function_with_no_outputs_has_nothing_to_compare()
    {
        var r = GradCheck.Jacobian(x => new double[0], x => new double[0, 2], [[1.0, 2.0]]);
        Assert.True(r.Passed);
        Assert.Equal(0, r.Entries);
        Assert.Equal("GradCheck of the Jacobian passed: no entries to compare at 1 point.", r.ToString());
    }

    // ------------------------------------------------------------------------------------------------
    // Random points, throwing, argument checks
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public void Random_points_are_reproducible_by_seed_and_within_range()
    {
        var a = GradCheck.RandomPoints(4, 6, seed: 42, low: 0.1, high: 3);
        var b = GradCheck.RandomPoints(4, 6, seed: 42, low: 0.1, high: 3);
        var c = GradCheck.RandomPoints(4, 6, seed: 43, low: 0.1, high: 3);
        Assert.Equal(6, a.Length);
        Assert.All(a, x => Assert.Equal(4, x.Length));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.All(a.SelectMany(x => x), v => Assert.InRange(v, 0.1, 3));
        // The documented draw: low + (high − low)·NextDouble() from new Random(seed), point by point.
        var random = new Random(42);
        Assert.Equal(0.1 + 2.9 * random.NextDouble(), a[0][0]);
        Assert.Equal(0.1 + 2.9 * random.NextDouble(), a[0][1]);

        // A check at seeded points reports the same worst entry each time.
        Func<double[], double[]> wrong = x => [1 / x[0], 1 / x[1], 1 / x[2], 2 / x[3]];
        var r1 = GradCheck.Gradient(x => x.Sum(Math.Log), wrong, a);
        var r2 = GradCheck.Gradient(x => x.Sum(Math.Log), wrong, b);
        Assert.False(r1.Passed);
        Assert.Equal(r1.Worst, r2.Worst);
        Assert.Equal(3, r1.Worst.Index);
        Assert.Equal(r1.ToString(), r2.ToString());
    }

    [Fact]
    public void ThrowOnFailure_throws_with_the_result_as_message()
    {
        Func<double[], double[]> wrong = x => [3 * x[0]];
        var e = Assert.Throws<GradCheckException>(() =>
            GradCheck.Gradient(x => x[0] * x[0], wrong, [[1.0]], new GradCheckOptions { ThrowOnFailure = true }));
        Assert.False(e.Result.Passed);
        Assert.Equal(e.Result.ToString(), e.Message);

        var failed = GradCheck.Gradient(x => x[0] * x[0], wrong, [[1.0]]);
        Assert.Equal(failed.ToString(), Assert.Throws<GradCheckException>(() => failed.ThrowIfFailed()).Message);
        var passed = GradCheck.Gradient(x => x[0] * x[0], x => [2 * x[0]], [[1.0]], new GradCheckOptions { ThrowOnFailure = true });
        Assert.Same(passed, passed.ThrowIfFailed());
        Assert.StartsWith("GradCheck of the gradient passed: 1 entry at 1 point", passed.ToString());
    }

    [Fact]
    public void Invalid_arguments_name_the_argument()
    {
        Func<double[], double> f = x => x[0] * x[0];
        Func<double[], double[]> g = x => [2 * x[0]];
        double[][] ok = [[1.0]];

        Assert.Equal("f", Assert.Throws<ArgumentNullException>(() => GradCheck.Gradient((Func<double[], double>)null!, g, ok)).ParamName);
        Assert.Equal("gradient", Assert.Throws<ArgumentNullException>(() => GradCheck.Gradient(f, null!, ok)).ParamName);
        Assert.Equal("points", Assert.Throws<ArgumentNullException>(() => GradCheck.Gradient(f, g, null!)).ParamName);
        Assert.Equal("points", Assert.Throws<ArgumentException>(() => GradCheck.Gradient(f, g, [])).ParamName);
        Assert.Equal("points", Assert.Throws<ArgumentException>(() => GradCheck.Gradient(f, g, [[1.0], null!])).ParamName);
        Assert.Equal("points", Assert.Throws<ArgumentException>(() => GradCheck.Gradient(f, g, [[]])).ParamName);
        var nan = Assert.Throws<ArgumentException>(() => GradCheck.Gradient(f, g, [[1.0], [double.NaN]]));
        Assert.Equal("points", nan.ParamName);
        Assert.StartsWith("'points[1][0]' is NaN: points must be finite.", nan.Message);

        var step = Assert.Throws<ArgumentException>(() => GradCheck.Gradient(f, g, ok, new GradCheckOptions { Step = 0 }));
        Assert.Equal("options", step.ParamName);
        Assert.StartsWith("options.Step must be positive and finite, but is 0.", step.Message);
        Assert.Equal("options", Assert.Throws<ArgumentException>(() =>
            GradCheck.Gradient(f, g, ok, new GradCheckOptions { RelativeTolerance = -1 })).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentException>(() =>
            GradCheck.Derivatives(x => x[0], ok, null, new GradCheckOptions { AbsoluteTolerance = double.NaN })).ParamName);

        var length = Assert.Throws<ArgumentException>(() => GradCheck.Gradient(f, x => [1.0, 2.0], ok));
        Assert.Equal("gradient", length.ParamName);
        Assert.StartsWith("'gradient' returned 2 values at point 0, which has 1 coordinates.", length.Message);
        Assert.Equal("jacobian", Assert.Throws<ArgumentException>(() =>
            GradCheck.Jacobian(F, x => new double[2, 3], [[1.0, 2.0, 3.0]])).ParamName);
        Assert.Equal("f", Assert.Throws<ArgumentException>(() =>
            GradCheck.Jacobian(x => new double[x[0] > 1 ? 2 : 1], x => new double[1, 1], [[1.0]])).ParamName);

        Assert.Equal("dimension", Assert.Throws<ArgumentOutOfRangeException>(() => GradCheck.RandomPoints(0, 1, 1)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => GradCheck.RandomPoints(1, 0, 1)).ParamName);
        Assert.Equal("high", Assert.Throws<ArgumentOutOfRangeException>(() => GradCheck.RandomPoints(1, 1, 1, low: 2, high: 2)).ParamName);
        var scalar = Assert.Throws<ArgumentException>(() => GradCheck.Derivatives(t => Math.Sin(t), [0.5, double.PositiveInfinity]));
        Assert.Equal("points", scalar.ParamName);
        Assert.StartsWith("'points[1]' is +∞: points must be finite.", scalar.Message);

        Assert.Equal("low", Assert.Throws<ArgumentOutOfRangeException>(() => GradCheck.RandomPoints(1, 1, 1, low: double.NegativeInfinity)).ParamName);
    }
}
