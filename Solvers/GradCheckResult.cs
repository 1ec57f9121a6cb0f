using System.Globalization;
using System.Text;

namespace ExprDiff;

/// <summary>What a <see cref="GradCheck"/> entry compares.</summary>
public enum GradCheckQuantity
{
    /// <summary>∂f/∂xᵢ of a scalar function, against a central difference of f.</summary>
    Gradient,
    /// <summary>∂fᵣ/∂x꜀ of a vector function, against a central difference of f.</summary>
    Jacobian,
    /// <summary>∂²f/∂xᵣ∂x꜀ from a Hessian-vector product, against a central difference of the gradient.</summary>
    Hessian,
}

/// <summary>One compared entry: where it is, both values and how far apart they are.</summary>
/// <param name="Quantity">What was compared.</param>
/// <param name="Point">The index of the point in the list checked.</param>
/// <param name="Index">The gradient's component, or the row of a Jacobian or Hessian.</param>
/// <param name="Column">The column of a Jacobian or Hessian (the coordinate differentiated); null for a gradient.</param>
/// <param name="Analytic">The derivative under test.</param>
/// <param name="Numeric">The central difference.</param>
/// <param name="Tolerance">The largest |analytic − numeric| allowed here: <c>atol + rtol·|numeric|</c>.</param>
public readonly record struct GradCheckEntry(GradCheckQuantity Quantity, int Point, int Index, int? Column,
    double Analytic, double Numeric, double Tolerance)
{
    /// <summary>|analytic − numeric| (NaN or ∞ where either is not finite).</summary>
    public double AbsoluteError => Math.Abs(Analytic - Numeric);

    /// <summary>|analytic − numeric| / |numeric|: 0 where both are 0, ∞ where only the numeric one is.</summary>
    public double RelativeError =>
        Numeric != 0 ? AbsoluteError / Math.Abs(Numeric) : AbsoluteError == 0 ? 0 : double.PositiveInfinity;

    /// <summary>Whether both values are finite.</summary>
    public bool IsFinite => double.IsFinite(Analytic) && double.IsFinite(Numeric);

    /// <summary>Whether the entry is within tolerance (never where a value is NaN or infinite).</summary>
    public bool Passed => IsFinite && AbsoluteError <= Tolerance;

    /// <summary>How far past its tolerance the entry is: error / tolerance (≤ 1 passes), +∞ where a value is not
    /// finite. The worst entry of a check is the one where this is largest.</summary>
    public double Severity => !IsFinite ? double.PositiveInfinity
        : Tolerance > 0 ? AbsoluteError / Tolerance
        : AbsoluteError == 0 ? 0 : double.PositiveInfinity;

    /// <summary>The entry's name: <c>∂f/∂x[i]</c>, <c>J[r, c]</c> or <c>H[r, c]</c>.</summary>
    public string Name => Quantity switch
    {
        GradCheckQuantity.Gradient => $"∂f/∂x[{Index}]",
        GradCheckQuantity.Jacobian => $"J[{Index}, {Column}]",
        _ => $"H[{Index}, {Column}]",
    };

    /// <summary>The entry in words, e.g. <c>Hessian H[1, 1] at point 0: analytic 13.3740225029, numeric 1.34231806867,
    /// absolute error 1.20e+01, relative error 8.96e+00 (allowed 2.34e-05)</c>, with what is not finite said first.</summary>
    public override string ToString()
    {
        var s = new StringBuilder();
        s.Append(Quantity == GradCheckQuantity.Gradient ? "gradient" : Quantity.ToString()).Append(' ').Append(Name).Append(" at point ").Append(Point).Append(": ");
        if (!double.IsFinite(Analytic)) s.Append("the analytic value is ").Append(Format(Analytic)).Append("; ");
        if (!double.IsFinite(Numeric)) s.Append("the numeric value is ").Append(Format(Numeric)).Append("; ");
        s.Append("analytic ").Append(Format(Analytic))
         .Append(", numeric ").Append(Format(Numeric))
         .Append(", absolute error ").Append(Short(AbsoluteError))
         .Append(", relative error ").Append(Short(RelativeError))
         .Append(" (allowed ").Append(Short(Tolerance)).Append(')');
        return s.ToString();
    }

    internal static string Format(double v) => double.IsNaN(v) ? "NaN"
        : double.IsPositiveInfinity(v) ? "+∞" : double.IsNegativeInfinity(v) ? "-∞"
        : v.ToString("G12", CultureInfo.InvariantCulture);

    internal static string Short(double v) => double.IsFinite(v) ? v.ToString("0.00e+00", CultureInfo.InvariantCulture) : Format(v);
}

/// <summary>The outcome of a <see cref="GradCheck"/>: passed or failed, the worst entry, and how many were compared.</summary>
public sealed class GradCheckResult
{
    internal GradCheckResult(string what, int points, int entries, int failed, GradCheckEntry worst, double[] worstPoint,
        GradCheckOptions options)
    {
        What = what;
        Points = points;
        Entries = entries;
        Failed = failed;
        Worst = worst;
        WorstPoint = worstPoint;
        Step = options.Step;
        AbsoluteTolerance = options.AbsoluteTolerance;
        RelativeTolerance = options.RelativeTolerance;
    }

    /// <summary>Whether every entry was finite and within tolerance.</summary>
    public bool Passed => Failed == 0;

    /// <summary>What was checked, in words (e.g. "the gradient").</summary>
    public string What { get; }

    /// <summary>The number of points checked.</summary>
    public int Points { get; }

    /// <summary>The number of entries compared, over all points and quantities.</summary>
    public int Entries { get; }

    /// <summary>The number of entries that failed (outside tolerance, NaN or infinite).</summary>
    public int Failed { get; }

    /// <summary>The entry furthest past its tolerance (largest <see cref="GradCheckEntry.Severity"/>; the first such on
    /// a tie); when every entry passed, the closest to failing; <c>default</c> when no entry was compared (a vector
    /// function with no outputs).</summary>
    public GradCheckEntry Worst { get; }

    /// <summary>The coordinates of the point where <see cref="Worst"/> is (a copy).</summary>
    public IReadOnlyList<double> WorstPoint { get; }

    /// <summary>The relative step used (<see cref="GradCheckOptions.Step"/>).</summary>
    public double Step { get; }

    /// <summary>The absolute tolerance used.</summary>
    public double AbsoluteTolerance { get; }

    /// <summary>The relative tolerance used.</summary>
    public double RelativeTolerance { get; }

    /// <summary>Throws a <see cref="GradCheckException"/> with <see cref="ToString"/> as its message when the check failed.</summary>
    /// <returns>This result, when it passed.</returns>
    /// <exception cref="GradCheckException">The check failed.</exception>
    public GradCheckResult ThrowIfFailed() => Passed ? this : throw new GradCheckException(this);

    /// <summary>The outcome in words: passed or failed, counts, the worst entry and its point, the settings.</summary>
    public override string ToString()
    {
        var s = new StringBuilder("GradCheck of ").Append(What);
        // A function with no outputs has nothing to compare; Worst is then no entry at all.
        if (Entries == 0) return s.Append(" passed: no entries to compare at ").Append(Points).Append(Points == 1 ? " point." : " points.").ToString();
        if (Passed) s.Append(" passed: ").Append(Entries).Append(Entries == 1 ? " entry" : " entries");
        else s.Append(" failed: ").Append(Failed).Append(" of ").Append(Entries).Append(Entries == 1 ? " entry" : " entries");
        s.Append(" at ").Append(Points).Append(Points == 1 ? " point" : " points").Append(" within |analytic − numeric| ≤ ")
         .Append(GradCheckEntry.Short(AbsoluteTolerance)).Append(" + ").Append(GradCheckEntry.Short(RelativeTolerance))
         .Append("·|numeric|").Append(Passed ? "" : " or not finite").Append(" (step ")
         .Append(GradCheckEntry.Short(Step)).Append("·max(1, |xᵢ|)). ")
         .Append(Passed ? "Closest to failing: " : "Worst: ").Append(Worst).Append(", x = [");
        const int shown = 8;
        for (int i = 0; i < Math.Min(shown, WorstPoint.Count); i++)
            s.Append(i > 0 ? ", " : "").Append(GradCheckEntry.Format(WorstPoint[i]));
        if (WorstPoint.Count > shown) s.Append(", … (").Append(WorstPoint.Count).Append(" coordinates)");
        return s.Append("].").ToString();
    }
}

/// <summary>A failed <see cref="GradCheck"/> (PyTorch's <c>raise_exception</c>): the message is the result's
/// <see cref="GradCheckResult.ToString"/>.</summary>
public sealed class GradCheckException : Exception
{
    /// <summary>An exception for a failed check.</summary>
    public GradCheckException(GradCheckResult result) : base(result?.ToString()) =>
        Result = result ?? throw new ArgumentNullException(nameof(result));

    /// <summary>The failed check.</summary>
    public GradCheckResult Result { get; }
}
