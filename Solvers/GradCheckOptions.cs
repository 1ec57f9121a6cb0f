using System.Globalization;

namespace ExprDiff;

/// <summary>
/// How <see cref="GradCheck"/> differentiates numerically and when it calls an analytic derivative right.
/// The defaults suit float64 functions whose values and coordinates are of moderate size.
/// </summary>
/// <remarks>
/// <para><b>Step.</b> Coordinate i is moved by <c>hᵢ = Step · max(1, |xᵢ|)</c> both ways and the derivative is the
/// central difference <c>(f(x + hᵢeᵢ) − f(x − hᵢeᵢ)) / (2hᵢ)</c>, with 2hᵢ taken as the distance between the two
/// rounded points actually evaluated (so the rounding of <c>xᵢ ± hᵢ</c> costs no accuracy).</para>
/// <para>Why <see cref="DefaultStep"/> = ∛ε ≈ 6.06·10⁻⁶ (ε = 2⁻⁵² is float64's machine epsilon): a central difference
/// errs by about <c>h²|f‴|/6</c> (truncation) plus <c>ε|f|/h</c> (rounding of the two values), which is smallest near
/// <c>h = ∛(3ε|f|/|f‴|)</c>, i.e. h ≈ ∛ε where f and its derivatives are of one scale, leaving an error near
/// ε^⅔ ≈ 4·10⁻¹¹ of that scale. Scaling by <c>max(1, |xᵢ|)</c> keeps the step relative for large coordinates, where
/// PyTorch's absolute <c>eps = 1e-6</c> would fall below the spacing of the doubles near xᵢ (at |xᵢ| = 10⁴ it is
/// 10⁻¹⁰ of xᵢ, and rounding dominates), and absolute near zero, where a relative step would vanish.</para>
/// <para><b>Tolerances.</b> An entry passes when <c>|analytic − numeric| ≤ AbsoluteTolerance + RelativeTolerance ·
/// |numeric|</c> (PyTorch's <c>allclose</c> test, as gradcheck uses it). The defaults are
/// <see cref="DefaultAbsoluteTolerance"/> = 10⁻⁵ (PyTorch's atol) and <see cref="DefaultRelativeTolerance"/> = 10⁻⁵,
/// a hundred times tighter than PyTorch's rtol = 10⁻³: with the step above the numeric derivative is good to about
/// 10⁻¹⁰ of the function's scale, so 10⁻⁵ leaves five orders of magnitude for curvature (|f‴| up to ~10⁵ times |f′|)
/// and still catches an analytic derivative that is off by more than a hundred-thousandth. Raise the absolute
/// tolerance for functions whose values are large (rounding noise grows with ε|f|/h ≈ 4·10⁻¹¹·|f|), and move points
/// away from kinks and branch boundaries, where no finite difference agrees with a one-sided derivative.</para>
/// <para>NaN or ±∞ on either side always fails, whatever the tolerances.</para>
/// </remarks>
public sealed class GradCheckOptions
{
    /// <summary>∛ε for float64, ε = 2⁻⁵²: the classic optimum relative step of a central difference (see remarks).</summary>
    public const double DefaultStep = 6.0554544523933395e-6;

    /// <summary>10⁻⁵, PyTorch gradcheck's atol.</summary>
    public const double DefaultAbsoluteTolerance = 1e-5;

    /// <summary>10⁻⁵: a hundred times tighter than PyTorch's rtol of 10⁻³, which the step allows (see remarks).</summary>
    public const double DefaultRelativeTolerance = 1e-5;

    /// <summary>The defaults.</summary>
    public static GradCheckOptions Default { get; } = new();

    /// <summary>The relative step: coordinate i moves by <c>Step · max(1, |xᵢ|)</c> each way. Positive and finite;
    /// <see cref="DefaultStep"/> unless set.</summary>
    public double Step { get; init; } = DefaultStep;

    /// <summary>The absolute part of the tolerance (see remarks). Non-negative and finite; 10⁻⁵ unless set.</summary>
    public double AbsoluteTolerance { get; init; } = DefaultAbsoluteTolerance;

    /// <summary>The relative part of the tolerance, a multiple of |numeric| (see remarks). Non-negative and finite;
    /// 10⁻⁵ unless set.</summary>
    public double RelativeTolerance { get; init; } = DefaultRelativeTolerance;

    /// <summary>Throw a <see cref="GradCheckException"/> carrying the result when a check fails, instead of returning it
    /// (PyTorch's <c>raise_exception</c>). False unless set; <see cref="GradCheckResult.ThrowIfFailed"/> does the same
    /// afterwards.</summary>
    public bool ThrowOnFailure { get; init; }

    /// <summary>Whether <see cref="GradCheck.Derivatives(System.Linq.Expressions.Expression{Func{double[], double}}, IReadOnlyList{double[]}, DiffOptions?, GradCheckOptions?)"/>
    /// also checks second derivatives (Hessian-vector products against central differences of the gradient). True
    /// unless set.</summary>
    public bool SecondOrder { get; init; } = true;

    /// <summary>Throws an <see cref="ArgumentException"/> naming <paramref name="parameterName"/> and the property when
    /// a value is out of range.</summary>
    internal void Validate(string parameterName)
    {
        if (!(Step > 0) || !double.IsFinite(Step))
            throw Invalid(parameterName, nameof(Step), Step, "positive and finite");
        if (!(AbsoluteTolerance >= 0) || !double.IsFinite(AbsoluteTolerance))
            throw Invalid(parameterName, nameof(AbsoluteTolerance), AbsoluteTolerance, "non-negative and finite");
        if (!(RelativeTolerance >= 0) || !double.IsFinite(RelativeTolerance))
            throw Invalid(parameterName, nameof(RelativeTolerance), RelativeTolerance, "non-negative and finite");
    }

    private static ArgumentException Invalid(string parameterName, string property, double value, string must) =>
        new($"{parameterName}.{property} must be {must}, but is {value.ToString("R", CultureInfo.InvariantCulture)}.", parameterName);
}
