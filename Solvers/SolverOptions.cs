namespace ExprDiff.Solvers;

/// <summary>
/// Stopping rules and budgets shared by every solver. A solver stops at the first rule that holds and reports which
/// (<see cref="TerminationReason"/>); reaching a budget is a normal end, never an exception, and the best point seen is
/// returned.
/// </summary>
/// <remarks>Tolerances of 0 disable their test. The defaults suit double precision on well-scaled problems: a gradient
/// norm of 10⁻⁸ is about the square root of machine epsilon times a typical |f|.</remarks>
public sealed record SolverOptions
{
    /// <summary>Stop when the gradient's infinity norm (for least squares: of Jᵀr) is at most this.</summary>
    public double GradientTolerance { get; init; } = 1e-8;

    /// <summary>Stop when a step changes x by at most <c>StepTolerance · (StepTolerance + ‖x‖∞)</c> in the infinity norm.</summary>
    public double StepTolerance { get; init; } = 1e-14;

    /// <summary>Stop when an iteration changes f by at most <c>FunctionTolerance · max(1, |f|)</c>.</summary>
    public double FunctionTolerance { get; init; } = 0;

    /// <summary>Residual problems (<see cref="LevenbergMarquardt"/>, <see cref="NewtonSystem"/>) stop when every residual
    /// is at most this in magnitude: a zero of r, the solution of a system. An absolute tolerance (as levmar's bound on
    /// ‖r‖²): for residuals whose natural scale is near it or below (measurements of 1e-9 m in meters, say), scale them or
    /// lower it, or 0 to turn it off.</summary>
    public double ResidualTolerance { get; init; } = 1e-10;

    /// <summary>The most iterations (outer steps; for Adam and its kin, updates).</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>The most evaluations of f (alone or with its gradient).</summary>
    public int MaxEvaluations { get; init; } = 100_000;

    /// <summary>Wall-clock budget, checked at each evaluation; null for none.</summary>
    public TimeSpan? TimeLimit { get; init; }

    /// <summary>Receives a report once per iteration (on the solver's thread; see <see cref="Progress{T}"/> to marshal it).</summary>
    public IProgress<SolverProgress>? Progress { get; init; }

    /// <summary>The defaults.</summary>
    public static SolverOptions Default { get; } = new();

    /// <summary>Throws where a solve cannot start from <paramref name="start"/>: no elements, or one that is NaN or infinite.</summary>
    internal static void ValidateStart(ReadOnlySpan<double> start)
    {
        if (start.IsEmpty) throw new ArgumentException("the starting point has no elements", nameof(start));
        foreach (double e in start)
            if (!double.IsFinite(e)) throw new ArgumentException("the starting point has an element that is NaN or infinite", nameof(start));
    }

    internal void Validate()
    {
        if (!(GradientTolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(GradientTolerance), GradientTolerance, "must be 0 or more");
        if (!(StepTolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(StepTolerance), StepTolerance, "must be 0 or more");
        if (!(FunctionTolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(FunctionTolerance), FunctionTolerance, "must be 0 or more");
        if (!(ResidualTolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(ResidualTolerance), ResidualTolerance, "must be 0 or more");
        if (MaxIterations < 0) throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "must be 0 or more");
        if (MaxEvaluations < 1) throw new ArgumentOutOfRangeException(nameof(MaxEvaluations), MaxEvaluations, "must be 1 or more");
        if (TimeLimit is { } t && t < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(TimeLimit), t, "must not be negative");
    }
}
