using System;
using System.Collections.Generic;
using System.Linq;
using ExprDiff.Tests.Support;
using Xunit;

namespace ExprDiff.Tests.Solvers.Mgh;

/// <summary>
/// Proves the MGH catalog right before any solver relies on it: the objective written directly equals the sum of
/// squared residuals; published minimizers attain published minima (and are stationary); f(x0) equals what MINPACK-1's
/// drivers print; and ExprDiff's gradients, Jacobians and Hessian-vector products of every problem agree with finite
/// differences of the plain compiled expressions.
/// </summary>
public sealed class MghCatalogTests
{
    public static IEnumerable<object[]> Numbers => Enumerable.Range(1, 35).Select(k => new object[] { k });

    public static IEnumerable<object[]> NumbersWithPublishedStart =>
        MghCatalog.All.Where(p => p.PublishedFAtX0 is not null).Select(p => new object[] { p.Number });

    public static IEnumerable<object[]> NumbersWithMinimizer =>
        MghCatalog.All.Where(p => p.Minima.Any(m => m.Minimizer is not null)).Select(p => new object[] { p.Number });

    [Fact]
    public void CatalogHasTheThirtyFiveProblemsInOrderWithConsistentSizes()
    {
        Assert.Equal(35, MghCatalog.All.Count);
        for (int k = 1; k <= 35; k++)
        {
            var p = MghCatalog.Get(k);
            Assert.Equal(k, p.Number);
            Assert.Equal(p.N, p.X0.Length);
            Assert.Equal(p.M, p.Residuals.Compile()(p.X0).Length);
            Assert.NotEmpty(p.Minima);
            Assert.All(p.Minima, m => Assert.True(m.Minimizer is null || m.Minimizer.Length == p.N, $"{p}: minimizer length"));
        }
    }

    [Theory]
    [MemberData(nameof(Numbers))]
    public void ObjectiveEqualsSumOfSquaredResiduals(int number)
    {
        var p = MghCatalog.Get(number);
        var f = p.Objective.Compile();
        var r = p.Residuals.Compile();
        foreach (var x in new[] { p.X0, Perturbed(p.X0, 1), Perturbed(p.X0, 2) })
        {
            double sum = r(x).Sum(v => v * v);
            FiniteDifferences.AssertClose(sum, f(x), 1e-12, 0, $"{p}: f(x) vs Σ r(x)² at [{string.Join(", ", x)}]");
        }
    }

    [Theory]
    [MemberData(nameof(NumbersWithMinimizer))]
    public void PublishedMinimizersAttainPublishedMinimaAndAreStationary(int number)
    {
        var p = MghCatalog.Get(number);
        var f = p.Objective.Compile();
        // Finite differences, not ExprDiff: this test is about the catalog alone.
        double[] Gradient(double[] x) => FiniteDifferences.Gradient(f, x, FdStep);
        double gradientScale = Norm(Gradient(p.X0));
        foreach (var m in p.Minima.Where(m => m.Minimizer is not null))
        {
            FiniteDifferences.AssertClose(m.F, f(m.Minimizer!), 0, m.MinimizerTolerance, $"{p}: f at the minimizer of f* = {m.Published}");
            if (m.PublishedDigits > 0)
            {
                // MGH print a value's leading digits, truncated or rounded: f* is within one unit of the last one.
                double unit = Math.Pow(10, Math.Floor(Math.Log10(Math.Abs(m.Published))) - m.PublishedDigits + 1);
                Assert.True(Math.Abs(m.F - m.Published) < unit, $"{p}: f* = {m.F:R} is not MGH's {m.Published:R} to {m.PublishedDigits} digits");
            }
            // A minimizer known to all its digits is a stationary point: its gradient is rounding noise next to the
            // gradient at x0 (MGH's 4-digit minimizer of Powell badly scaled is not).
            if (m.MinimizerDigits > 0) continue;
            double g = Norm(Gradient(m.Minimizer!));
            Assert.True(g <= 1e-8 * gradientScale, $"{p}: |∇f| = {g:G3} at the minimizer of f* = {m.Published} (|∇f(x0)| = {gradientScale:G3})");
        }
    }

    [Theory]
    [MemberData(nameof(NumbersWithPublishedStart))]
    public void ValueAtStartingPointEqualsPublished(int number)
    {
        var p = MghCatalog.Get(number);
        FiniteDifferences.AssertClose(p.PublishedFAtX0!.Value, p.Objective.Compile()(p.X0), p.FAtX0RelativeTolerance, 0,
            $"{p}: f(x0) vs {p.FAtX0Source}");
    }

    [Theory]
    [MemberData(nameof(Numbers))]
    public void GradientsAgreeWithFiniteDifferences(int number)
    {
        var p = MghCatalog.Get(number);
        Func<double[], double[]>? gradient = Diff.Gradient(p.Objective).Compile();
        var f = p.Objective.Compile();
        var valueAndGradient = Compiled.ValueAndGradient(p.Objective);
        foreach (var x in new[] { p.X0, Perturbed(p.X0, 3) })
        {
            var expected = FiniteDifferences.Gradient(f, x, FdStep);
            if (gradient is not null) AssertCloseScaled(expected, gradient(x), $"{p}: Diff.Gradient");
            var g = new double[x.Length];
            double value = valueAndGradient(x, g);
            FiniteDifferences.AssertClose(f(x), value, 1e-12, 0, $"{p}: Compiled.ValueAndGradient value");
            AssertCloseScaled(expected, g, $"{p}: Compiled.ValueAndGradient gradient");
        }
    }

    [Theory]
    [MemberData(nameof(Numbers))]
    public void JacobianAgreesWithFiniteDifferences(int number)
    {
        var p = MghCatalog.Get(number);
        var r = p.Residuals.Compile();
        var jacobian = Compiled.Jacobian(p.Residuals);
        foreach (var x in new[] { p.X0, Perturbed(p.X0, 4) })
        {
            var expected = FiniteDifferences.Jacobian(r, x, FdStep);
            var actual = new double[p.M * p.N];
            jacobian(x, actual);
            var flat = new double[p.M * p.N];
            for (int i = 0; i < p.M; i++)
                for (int j = 0; j < p.N; j++) flat[i * p.N + j] = expected[i, j];
            AssertCloseScaled(flat, actual, $"{p}: Compiled.Jacobian");
        }
    }

    /// <summary>The residuals' derivatives through <c>Diff.Jacobian</c> too (the other mode for most problems).</summary>
    [Theory]
    [MemberData(nameof(Numbers))]
    public void DiffJacobianAgreesWithFiniteDifferences(int number)
    {
        var p = MghCatalog.Get(number);
        var r = p.Residuals.Compile();
        var jacobian = Diff.Jacobian(p.Residuals).CompileIL();
        foreach (var x in new[] { p.X0, Perturbed(p.X0, 6) })
        {
            var expected = FiniteDifferences.Jacobian(r, x, FdStep);
            var actual = jacobian(x);
            Assert.Equal(p.M, actual.GetLength(0));
            Assert.Equal(p.N, actual.GetLength(1));
            FiniteDifferences.AssertClose(expected, actual, 1e-6, 1e-7 * Math.Max(expected.Cast<double>().Max(Math.Abs), 1e-300),
                $"{p}: Diff.Jacobian");
        }
    }

    [Theory]
    [MemberData(nameof(Numbers))]
    public void HessianVectorProductAgreesWithFiniteDifferencesOfTheGradient(int number)
    {
        var p = MghCatalog.Get(number);
        var gradient = Diff.Gradient(p.Objective).Compile();
        var hvp = Compiled.Hvp(p.Objective);
        var random = new Random(1000 + number);
        foreach (var x in new[] { p.X0, Perturbed(p.X0, 5) })
        {
            // A direction scaled like x, so that every coordinate (Meyer's x₂ = 4000 beside x₁ = 0.02) moves.
            var v = x.Select(xi => (2 * random.NextDouble() - 1) * Math.Max(1, Math.Abs(xi))).ToArray();
            var expected = new double[x.Length];
            for (int i = 0; i < x.Length; i++)
            {
                int k = i;
                expected[i] = FiniteDifferences.Derivative(t => gradient(x.Select((xj, j) => xj + t * v[j]).ToArray())[k], 0, 1e-3);
            }
            var actual = new double[x.Length];
            hvp(x, v, actual);
            AssertCloseScaled(expected, actual, $"{p}: Compiled.Hvp");
        }
    }

    /// <summary>Relative step of the finite differences: 1e-3 · max(1, |xⱼ|). The default 1e-2 is too coarse for Osborne 1,
    /// whose exp(−tᵢ x₄) with tᵢ up to 320 changes by e^{±3.2} over it; rounding (ε|f|/h) stays below 1e-12 of the gradients.</summary>
    private const double FdStep = 1e-3;

    /// <summary>Element by element within 1e-6 relative, or 1e-7 of the largest element: a finite difference is
    /// accurate relative to the size of the whole vector, not to each (possibly cancelling) element.</summary>
    private static void AssertCloseScaled(double[] expected, double[] actual, string message) =>
        FiniteDifferences.AssertClose(expected, actual, 1e-6, 1e-7 * Math.Max(Norm(expected), 1e-300), message);

    private static double Norm(double[] v) => v.Max(Math.Abs);

    /// <summary>x0 moved by up to 5% of max(1, |x0ⱼ|) in each coordinate, deterministically (one seed per use), so that
    /// checks run away from the special structure of x0 (zeros, equal components) but within each problem's domain.</summary>
    private static double[] Perturbed(double[] x0, int seed)
    {
        var random = new Random(seed);
        return x0.Select(xj => xj + 0.05 * (2 * random.NextDouble() - 1) * Math.Max(1, Math.Abs(xj))).ToArray();
    }
}
