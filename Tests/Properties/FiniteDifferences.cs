namespace ExprDiff.Tests.Properties;

/// <summary>Richardson-extrapolated central differences, with a check of their own reliability.</summary>
public static class FiniteDifferences
{
    /// <summary>Larger and smaller base steps (powers of two: x ± h is then as exact as it can be).</summary>
    public const double CoarseStep = 1.0 / 64, FineStep = 1.0 / 512;

    /// <summary>Central difference (f(x + h) − f(x − h)) / (2h) along coordinate <paramref name="k"/>,
    /// dividing by the step actually taken after rounding.</summary>
    public static double Central(Func<double[], double> f, double[] x, int k, double h)
    {
        var p = (double[])x.Clone();
        var m = (double[])x.Clone();
        p[k] = x[k] + h;
        m[k] = x[k] - h;
        return (f(p) - f(m)) / (p[k] - m[k]);
    }

    /// <summary>One Richardson step: (4·D(h/2) − D(h)) / 3, error O(h⁴) for smooth f.</summary>
    public static double Richardson(Func<double[], double> f, double[] x, int k, double h) =>
        (4 * Central(f, x, k, h / 2) - Central(f, x, k, h)) / 3;

    /// <summary>Step of the one-sided differences that detect kinks.</summary>
    public const double KinkStep = 1.0 / 16384;

    /// <summary>Second-order one-sided difference along coordinate <paramref name="k"/>: forward for h &gt; 0,
    /// backward for h &lt; 0, (−3f(x) + 4f(x + h) − f(x + 2h)) / 2h.</summary>
    public static double OneSided(Func<double[], double> f, double[] x, int k, double h)
    {
        var p1 = (double[])x.Clone();
        var p2 = (double[])x.Clone();
        p1[k] = x[k] + h;
        p2[k] = x[k] + 2 * h;
        return (-3 * f(x) + 4 * f(p1) - f(p2)) / (2 * h);
    }

    /// <summary>
    /// ∂f/∂x_k by Richardson extrapolation at the fine step, or null when it is not trustworthy: a value
    /// is not finite, or the coarse and fine estimates disagree by more than <paramref name="tolerance"/>
    /// (relative, floor 1), which happens near a jump or a singularity and where high derivatives are too
    /// large for the steps, or the forward and backward one-sided differences disagree, which happens at a
    /// kink (a switch point of a conditional, a tie of Max, Abs at 0), where central differences average
    /// the two one-sided slopes and agree with themselves.
    /// </summary>
    public static double? Partial(Func<double[], double> f, double[] x, int k, double tolerance = 1e-7)
    {
        double coarse = Richardson(f, x, k, CoarseStep);
        double fine = Richardson(f, x, k, FineStep);
        if (!double.IsFinite(coarse) || !double.IsFinite(fine)) return null;
        double scale = Math.Max(1, Math.Abs(fine));
        if (Math.Abs(coarse - fine) > tolerance * scale) return null;
        double forward = OneSided(f, x, k, KinkStep), backward = OneSided(f, x, k, -KinkStep);
        if (!(Math.Abs(forward - backward) <= 10 * tolerance * scale)) return null;
        return fine;
    }
}
