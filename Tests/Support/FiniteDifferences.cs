using System;
using System.Globalization;
using Xunit.Sdk;

namespace ExprDiff.Tests.Support;

/// <summary>
/// Reference derivatives by finite differences, for checking derivatives ExprDiff computes: a
/// Richardson-extrapolated central difference (error O(h⁶)), gradients and Jacobian columns built from it, and
/// a tolerance comparison whose failure message says by how much a value missed.
/// </summary>
internal static class FiniteDifferences
{
    /// <summary>Default relative step: h = <c>DefaultStep · max(1, |x|)</c>. Large enough that rounding error
    /// (≈ ε·|f|/h) stays near 1e-13, small enough that the O(h⁶) truncation error is negligible for smooth f.</summary>
    public const double DefaultStep = 1e-2;

    /// <summary>The step used at <paramref name="x"/>: relative to max(1, |x|), and exactly representable offsets
    /// are not required because the difference quotient divides by the actual distance between the points.</summary>
    public static double StepAt(double x, double relativeStep = DefaultStep) => relativeStep * Math.Max(1.0, Math.Abs(x));

    /// <summary>
    /// f′(x) by central differences at h, h/2 and h/4 combined in a Richardson table:
    /// D(h) = f′ + c₂h² + c₄h⁴ + …, so (4D(h/2) − D(h))/3 removes h², and (16R₂₁ − R₁₁)/15 removes h⁴.
    /// </summary>
    /// <param name="f">A function smooth on [x − h, x + h].</param>
    /// <param name="x">The point.</param>
    /// <param name="h">The largest step; <see cref="StepAt"/> when not given.</param>
    public static double Derivative(Func<double, double> f, double x, double? h = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        double step = h ?? StepAt(x);
        if (!(step > 0)) throw new ArgumentOutOfRangeException(nameof(h), step, "the step must be positive");
        double d0 = Central(f, x, step);
        double d1 = Central(f, x, step / 2);
        double d2 = Central(f, x, step / 4);
        double r11 = (4 * d1 - d0) / 3;
        double r21 = (4 * d2 - d1) / 3;
        return (16 * r21 - r11) / 15;
    }

    /// <summary>One central difference, dividing by the distance the two points really are apart
    /// (x ± h rounds, and the rounding is not negligible at the 1e-10 level).</summary>
    private static double Central(Func<double, double> f, double x, double h)
    {
        double xp = x + h, xm = x - h;
        return (f(xp) - f(xm)) / (xp - xm);
    }

    /// <summary>∂f/∂xᵢ for every i, each by <see cref="Derivative"/> along one coordinate.</summary>
    public static double[] Gradient(Func<double[], double> f, double[] x, double relativeStep = DefaultStep)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        var g = new double[x.Length];
        for (int i = 0; i < x.Length; i++) g[i] = Partial(f, x, i, relativeStep);
        return g;
    }

    /// <summary>∂f/∂xᵢ by <see cref="Derivative"/> along coordinate <paramref name="i"/>.</summary>
    public static double Partial(Func<double[], double> f, double[] x, int i, double relativeStep = DefaultStep)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        return Derivative(t => f(With(x, i, t)), x[i], StepAt(x[i], relativeStep));
    }

    /// <summary>
    /// Column <paramref name="i"/> of the Jacobian of a vector function, ∂f/∂xᵢ, by <see cref="Derivative"/>
    /// applied to each output. Used for second derivatives as the Jacobian of a compiled gradient.
    /// </summary>
    public static double[] JacobianColumn(Func<double[], double[]> f, double[] x, int i, double relativeStep = DefaultStep)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        int m = f(x).Length;
        var column = new double[m];
        for (int r = 0; r < m; r++)
        {
            int row = r;
            column[r] = Derivative(t => f(With(x, i, t))[row], x[i], StepAt(x[i], relativeStep));
        }
        return column;
    }

    /// <summary>The Jacobian of a vector function, rows are outputs: for a gradient, the Hessian.</summary>
    public static double[,] Jacobian(Func<double[], double[]> f, double[] x, double relativeStep = DefaultStep)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(x);
        int m = f(x).Length;
        var j = new double[m, x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            var column = JacobianColumn(f, x, i, relativeStep);
            for (int r = 0; r < m; r++) j[r, i] = column[r];
        }
        return j;
    }

    private static double[] With(double[] x, int i, double value)
    {
        var copy = (double[])x.Clone();
        copy[i] = value;
        return copy;
    }

    /// <summary>True when |expected − actual| ≤ abs + rel·|expected|; infinities must match exactly and NaN
    /// matches only NaN.</summary>
    public static bool IsClose(double expected, double actual, double rel, double abs)
    {
        if (double.IsNaN(expected) || double.IsNaN(actual)) return double.IsNaN(expected) && double.IsNaN(actual);
        if (double.IsInfinity(expected) || double.IsInfinity(actual)) return expected == actual;
        return Math.Abs(expected - actual) <= abs + rel * Math.Abs(expected);
    }

    /// <summary>Fails unless <paramref name="actual"/> is within <paramref name="abs"/> + <paramref name="rel"/>·|expected|
    /// of <paramref name="expected"/> (see <see cref="IsClose"/>).</summary>
    public static void AssertClose(double expected, double actual, double rel, double abs, string message)
    {
        if (IsClose(expected, actual, rel, abs)) return;
        double error = Math.Abs(expected - actual);
        throw new XunitException(string.Format(CultureInfo.InvariantCulture,
            "{0}: expected {1:R}, actual {2:R} (|error| {3:G3}, relative {4:G3}; allowed rel {5:G3} + abs {6:G3})",
            message, expected, actual, error, expected == 0 ? double.PositiveInfinity : error / Math.Abs(expected), rel, abs));
    }

    /// <summary><see cref="AssertClose(double, double, double, double, string)"/> element by element, after checking lengths.</summary>
    public static void AssertClose(double[] expected, double[] actual, double rel, double abs, string message)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        if (expected.Length != actual.Length)
            throw new XunitException($"{message}: expected {expected.Length} elements, actual {actual.Length}");
        for (int i = 0; i < expected.Length; i++) AssertClose(expected[i], actual[i], rel, abs, $"{message} [{i}]");
    }

    /// <summary><see cref="AssertClose(double, double, double, double, string)"/> cell by cell, after checking dimensions.</summary>
    public static void AssertClose(double[,] expected, double[,] actual, double rel, double abs, string message)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        if (expected.GetLength(0) != actual.GetLength(0) || expected.GetLength(1) != actual.GetLength(1))
            throw new XunitException($"{message}: expected {expected.GetLength(0)}×{expected.GetLength(1)}, " +
                $"actual {actual.GetLength(0)}×{actual.GetLength(1)}");
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int j = 0; j < expected.GetLength(1); j++)
                AssertClose(expected[i, j], actual[i, j], rel, abs, $"{message} [{i},{j}]");
    }
}
