namespace ExprDiff;

/// <summary>How a Jacobian is computed.</summary>
public enum JacobianMode
{
    /// <summary>Forward mode when the function has no more inputs than outputs, reverse mode otherwise.</summary>
    Auto,
    /// <summary>One forward (JVP) sweep per input.</summary>
    Forward,
    /// <summary>One reverse (VJP) sweep per output.</summary>
    Reverse,
}

/// <summary>Options for the <see cref="Diff"/> operations. Immutable once built; safe to share.</summary>
public sealed class DiffOptions
{
    /// <summary>The options used when none are given.</summary>
    public static DiffOptions Default { get; } = new();

    /// <summary>Derivative rules in force, including the user's own functions. Default: <see cref="RuleSet.Default"/>.</summary>
    public RuleSet Rules { get; init; } = RuleSet.Default;

    /// <summary>How <see cref="Diff.Jacobian(System.Linq.Expressions.Expression{Func{double[], double[]}}, DiffOptions?)"/> sweeps.</summary>
    public JacobianMode Jacobian { get; init; } = JacobianMode.Auto;

    /// <summary>How far derivatives are optimized before they are returned. Default: <see cref="OptimizationLevel.Exact"/>,
    /// which never changes a value.</summary>
    public OptimizationLevel Optimization { get; init; } = OptimizationLevel.Exact;

    /// <summary>
    /// How <c>Math.Pow(x, k)</c> with a constant integer |k| ≤ 16 is computed. Default:
    /// <see cref="IntegerPowerMode.Multiplication"/>, plain products as one writes them by hand (x³ = (x·x)·x,
    /// x⁻ᵏ = (1/x)ᵏ, <see cref="Intrinsics.PowChain"/>; measured at most 12 ulps from the correctly rounded power for
    /// k ≤ 16 and 26 ulps for k ≥ −16, per k on <see cref="Intrinsics.PowChain"/>). <see cref="IntegerPowerMode.CorrectlyRounded"/> computes them with
    /// <see cref="Intrinsics.PowInt"/> (double-double, rounded once), several times slower where powers dominate.
    /// </summary>
    public IntegerPowerMode IntegerPowers { get; init; } = IntegerPowerMode.Multiplication;

    /// <summary>Called with the optimizer's node counts per pass for every derivative built with these options.</summary>
    public Action<OptimizationReport>? OnOptimized { get; init; }
}
