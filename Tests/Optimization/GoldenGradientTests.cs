using System.Linq.Expressions;
using Xunit;

namespace ExprDiff.Tests.Optimization;

/// <summary>
/// The printed gradient of small functions is what a careful person would write by hand. The expected
/// texts were written first, as a person would write each derivative (sharing the common factor,
/// one SinCos for both halves), and the passes were made to produce them.
/// </summary>
public class GoldenGradientTests
{
    [Fact]
    public void Product_x_x_y()
    {
        Expression<Func<double, double, double>> f = (x, y) => x * x * y;
        Assert.Equal("(x, y) => new double[] { x * (2.0 * y), x * x }", Diff.Gradient(f).ToCSharp());
    }

    /// <summary>A cube, either association, differentiates as 3·x² (sharing x·x with the value), not by the product rule.</summary>
    [Fact]
    public void Cubes_differentiate_as_three_x_squared()
    {
        Expression<Func<double, double, double>> f = (x, y) => x * x * x * y + y * (y * y);
        Assert.Equal(
            """
            (x, y) =>
            {
                double v0;
                v0 = x * x;
                return new double[] { v0 * (3.0 * y), x * v0 + 3.0 * (y * y) };
            }
            """.ReplaceLineEndings("\n"),
            Diff.Gradient(f).ToCSharp());
        Assert.Equal("x => 6.0", Diff.Derivative((double x) => x * x * x, order: 3).ToCSharp());
        var h = Diff.Hessian(f).Compile()(1.5, -0.5);
        Assert.Equal(new[,] { { 6 * 1.5 * -0.5, 3 * 1.5 * 1.5 }, { 3 * 1.5 * 1.5, 6 * -0.5 } }, h);
    }

    [Fact]
    public void Exp_times_sin_computes_each_transcendental_once()
    {
        Expression<Func<double, double>> f = x => Math.Exp(x) * Math.Sin(x);
        Assert.Equal(
            """
            x =>
            {
                double v0;
                (double, double) v1;
                v0 = Math.Exp(x);
                v1 = Math.SinCos(x);
                return new double[] { v0 * v1.Item1 + v0 * v1.Item2 };
            }
            """.ReplaceLineEndings("\n"),
            Diff.Gradient(f).ToCSharp());
    }

    [Fact]
    public void Two_variable_rosenbrock()
    {
        Expression<Func<double, double, double>> f = (x, y) => 100 * Math.Pow(y - x * x, 2) + Math.Pow(1 - x, 2);
        Assert.Equal(
            """
            (x, y) =>
            {
                double v0;
                v0 = 200.0 * (y - x * x);
                return new double[] { x * (-2.0 * v0) - 2.0 * (1.0 - x), v0 };
            }
            """.ReplaceLineEndings("\n"),
            Diff.Gradient(f).ToCSharp());
    }

    [Fact]
    public void Rosenbrock_value_and_gradient_shares_the_residual()
    {
        Expression<Func<double[], double>> f = x => 100 * Math.Pow(x[1] - x[0] * x[0], 2) + Math.Pow(1 - x[0], 2);
        Assert.Equal(
            """
            (x, gradient) =>
            {
                double v0, v1, v2, v3;
                Intrinsics.RequireLength(x, 2, "x");
                Intrinsics.RequireLengthOf(gradient, x.Length, "gradient", "element of 'x'");
                Intrinsics.RequireDistinct(gradient, x, "gradient", "x");
                v0 = x[0];
                v1 = x[1] - v0 * v0;
                v2 = 1.0 - v0;
                v3 = 200.0 * v1;
                gradient[1] = v3;
                gradient[0] = v0 * (-2.0 * v3) - 2.0 * v2;
                Array.Clear(gradient, 2, x.Length - 2);
                return 100.0 * (v1 * v1) + v2 * v2;
            }
            """.ReplaceLineEndings("\n"),
            Diff.ValueAndGradient(f).ToCSharp());
    }

    [Fact]
    public void Optimized_and_unoptimized_derivatives_agree_bit_for_bit()
    {
        Expression<Func<double[], double>> f = x => Math.Exp(x[0]) * Math.Sin(x[1]) + Math.Pow(x[0], 3) / (1 + x[1] * x[1]) - Math.Cos(x[1]);
        var none = new DiffOptions { Optimization = OptimizationLevel.None };
        double[] point = [0.3, -1.7];
        Assert.Equal(Diff.Gradient(f, none).Compile()(point), Diff.Gradient(f).Compile()(point));
        var h0 = Diff.Hessian(f, none).Compile()(point);
        var h1 = Diff.Hessian(f).Compile()(point);
        Assert.Equal(h0.Cast<double>(), h1.Cast<double>());
    }

    [Fact]
    public void Fast_math_gathers_constants_and_expands_powers()
    {
        Expression<Func<double, double>> f = x => 3 * (2.5 * Math.Pow(x, 3)) + 0 * Math.Exp(x);
        var fast = new DiffOptions { Optimization = OptimizationLevel.FastMath };
        Assert.Equal("x => 7.5 * (x * (x * x))", Diff.Derivative(f, 0, fast).ToCSharp());
        double exact = Diff.Derivative(f).Compile()(1.3);
        Assert.Equal(exact, Diff.Derivative(f, 1, fast).Compile()(1.3), 12);
    }

    [Fact]
    public void Optimization_report_shows_each_pass()
    {
        OptimizationReport? report = null;
        Expression<Func<double, double>> f = x => Math.Sin(x) * Math.Sin(x);
        Diff.Derivative(f, 1, new DiffOptions { OnOptimized = r => report = r });
        Assert.NotNull(report);
        Assert.Equal(OptimizationLevel.Exact, report!.Level);
        Assert.Contains(report.Passes, p => p.Pass == "fusion (SinCos, powers)" && p.NodesAfter == p.NodesBefore + 1);
        Assert.StartsWith("optimization (Exact): ", report.ToString());
    }
}
