using System.Linq.Expressions;
using Xunit;

namespace ExprDiff.Tests.Properties;

/// <summary>
/// Shrunk counterexamples found by <see cref="DerivativeProperties"/>, kept as plain facts so that they run on
/// every build whatever the random seed.
/// </summary>
public sealed class PropertyRegressionTests
{
    private static void Near(double expected, double actual, string what) =>
        Checks.Close(expected, actual, 1e-12, Math.Max(1, Math.Abs(expected)), what);

    // ------------------------------------------------------------------------------------------
    // Math.FusedMultiplyAdd had no derivative rule: it imported as an opaque function, and every
    // derivative threw "it has no derivative rule" (found by all properties at once; fixed by the rule
    // Math.FusedMultiplyAdd → Primitives.Fma in RuleSet.BuildDefault).
    // ------------------------------------------------------------------------------------------

    // ------------------------------------------------------------------------------------------
    // Math.Min(+0.0, -0.0) is -0.0, but the .NET 10 JIT returns +0.0 when the -0.0 is a constant in the
    // compiled code: ValueAndGradient's value differed from the interpreter's in its sign (found by
    // ValueAndGradient_AgreesWithGradientAndFunction; the exporter now writes -Math.Max(-a, 0.0)).
    // ------------------------------------------------------------------------------------------

    [Fact]
    public void MinWithNegativeZero_ShrunkCounterexample_KeepsTheSign()
    {
        // Shrunk: f = x => Math.Min(Math.Floor(Math.Exp(Math.Tanh(x[2]))), -(0.0)), at x[2] = -1 (the floor is +0.0).
        Expression<Func<double[], double>> f = x => Math.Min(Math.Floor(Math.Exp(Math.Tanh(x[2]))), -(0.0));
        double[] x = [0.0, 0.0, -1.0, 0.0];
        var buffer = new double[4];
        Assert.True(double.IsNegative(Diff.ValueAndGradient(f).Compile()(x, buffer)));
        Assert.True(double.IsNegative(Diff.ValueAndGradient(f).CompileIL()(x, buffer)));
        Expression<Func<double, double>> g = t => Math.Min(-0.0, t * t);
        Assert.True(double.IsNegative(Diff.Derivative(g, order: 0).Compile()(0.0)));
    }

    [Fact]
    public void Fma_ShrunkCounterexample_HasAGradient()
    {
        // Shrunk: f = x => Math.FusedMultiplyAdd(x[0], 0.0, x[0]), x = { 1, -1, 1, -2 }.
        Expression<Func<double[], double>> f = x => Math.FusedMultiplyAdd(x[0], 0.0, x[0]);
        var g = Diff.Gradient(f).Compile()([1.0, -1.0, 1.0, -2.0]);
        Assert.Equal([1.0, 0.0, 0.0, 0.0], g);
    }

    [Fact]
    public void Fma_GradientAndHessian()
    {
        Expression<Func<double[], double>> f = x => Math.FusedMultiplyAdd(x[0], x[1], x[2]);
        double[] x = [1.5, -2.0, 0.25];
        Assert.Equal([-2.0, 1.5, 1.0], Diff.Gradient(f).Compile()(x));
        var h = Diff.Hessian(f).Compile()(x);
        double[,] expected = { { 0, 1, 0 }, { 1, 0, 0 }, { 0, 0, 0 } };
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) Near(expected[i, j], h[i, j], $"H[{i},{j}]");
    }

    // ------------------------------------------------------------------------------------------
    // Math.Pow(a, y) at y = 0: the Hessian loses ∂²f/∂a∂y = a^(y−1)·(1 + y·ln a) = 1/a in the entry
    // H[a, y] (differentiating ∂f/∂a along y), while H[y, a] has it, so the Hessian is not symmetric.
    // Cause: PowPrimitive.Partials defines ∂f/∂a as `y == 0 ? 0 : y·a^(y−1)`; at y = 0 the select takes
    // the constant branch, whose tangent along y is 0 instead of a^(y−1).
    // ------------------------------------------------------------------------------------------

    [Fact]
    public void PowAtZeroExponent_ShrunkCounterexample_HessianIsSymmetric()
    {
        // Found by Hessian_IsSymmetric_AndEqualsJacobianOfGradient; shrunk:
        // f = x => Math.Pow((Math.Abs(x[0]) + 0.5), Math.Tanh(x[1])), x = { 2, -0.0, -2, 2 }: H[0,1] = 0, H[1,0] = 0.4.
        Expression<Func<double[], double>> f = x => Math.Pow((Math.Abs(x[0]) + 0.5), Math.Tanh(x[1]));
        var h = Diff.Hessian(f).Compile()([2.0, -0.0, -2.0, 2.0]);
        Near(0.4, h[1, 0], "H[1,0]");
        Near(0.4, h[0, 1], "H[0,1]");
    }

    [Fact]
    public void PowAtZeroExponent_ShrunkCounterexample_HessianMatchesFiniteDifferences()
    {
        // Found by Hessian_MatchesFiniteDifferencesOfGradient; shrunk:
        // f = x => Math.Pow((Math.Abs(x[0]) + 0.5), Math.Tanh(x[2])), x = { -0.2, -0.0, -0.0, -2 }:
        // finite differences of the gradient give H[0,2] = −1/0.7 = −1.4285714..., the Hessian gives −0.
        Expression<Func<double[], double>> f = x => Math.Pow((Math.Abs(x[0]) + 0.5), Math.Tanh(x[2]));
        double[] x = [-0.2, -0.0, -0.0, -2.0];
        var gradient = Diff.Gradient(f).Compile();
        double? fd = FiniteDifferences.Partial(p => gradient(p)[0], x, 2);
        Assert.NotNull(fd);
        Checks.Close(-1 / 0.7, fd.Value, 1e-9, 1, "finite differences of ∂f/∂x0 along x2");
        Near(-1 / 0.7, Diff.Hessian(f).Compile()(x)[0, 2], "H[0,2]");
    }

    [Fact]
    public void PowAtZeroExponent_ShrunkCounterexample_DiagonalHessianEntry()
    {
        // Found by Hessian_MatchesFiniteDifferencesOfGradient; shrunk:
        // f = x => Math.Pow(Math.Exp(Math.Tanh(x[0])), x[0]), x = { -0.0, -1, 1, -0.0 }: f = exp(x0·tanh x0) ≈ 1 + x0²,
        // so H[0,0] = 2; the Hessian gives 1 (the symmetric-looking half of the mixed term is lost).
        Expression<Func<double[], double>> f = x => Math.Pow(Math.Exp(Math.Tanh(x[0])), x[0]);
        Near(2, Diff.Hessian(f).Compile()([-0.0, -1.0, 1.0, -0.0])[0, 0], "H[0,0]");
    }

    [Fact]
    public void PowAtZeroExponent_SecondDerivativeOfOneVariable()
    {
        // (1 + t)^t = exp(t·ln(1 + t)) = 1 + t² + O(t³): f''(0) = 2. Repeated forward mode gives 1.
        Expression<Func<double, double>> f = t => Math.Pow(t + 1, t);
        Near(2, Diff.Derivative(f, 2).Compile()(0.0), "f''(0)");
    }

    [Fact]
    public void PowAtZeroExponent_MixedSecondDerivative()
    {
        // f = a^y at (a, y) = (2.5, 0): H = [[0, 1/a], [1/a, ln²a]].
        Expression<Func<double[], double>> f = x => Math.Pow(x[0], x[1]);
        double[] x = [2.5, 0.0];
        var h = Diff.Hessian(f).Compile()(x);
        Near(0, h[0, 0], "∂²f/∂a²");
        Near(Math.Log(2.5) * Math.Log(2.5), h[1, 1], "∂²f/∂y²");
        Near(0.4, h[1, 0], "∂²f/∂y∂a");
        Near(0.4, h[0, 1], "∂²f/∂a∂y");
        var hv = Diff.Hvp(f).Compile()(x, [0.0, 1.0]);
        Near(0.4, hv[0], "(H·e_y)[a]");
    }
}
