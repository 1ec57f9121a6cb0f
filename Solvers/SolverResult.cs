namespace ExprDiff.Solvers;

/// <summary>Why a solver stopped.</summary>
public enum TerminationReason
{
    /// <summary>The gradient norm reached <see cref="SolverOptions.GradientTolerance"/>: a stationary point.</summary>
    GradientTolerance,
    /// <summary>Steps became smaller than <see cref="SolverOptions.StepTolerance"/> allows.</summary>
    StepTolerance,
    /// <summary>f changed less than <see cref="SolverOptions.FunctionTolerance"/> allows.</summary>
    FunctionTolerance,
    /// <summary><see cref="SolverOptions.MaxIterations"/> reached.</summary>
    MaxIterations,
    /// <summary><see cref="SolverOptions.MaxEvaluations"/> reached.</summary>
    MaxEvaluations,
    /// <summary><see cref="SolverOptions.TimeLimit"/> reached.</summary>
    TimeLimit,
    /// <summary>The cancellation token was cancelled.</summary>
    Cancelled,
    /// <summary>f or its gradient was NaN or infinite at every step tried, however short.</summary>
    NonFiniteValue,
    /// <summary>No step along the search direction decreased f enough (often: the gradient is not f's, or f is not
    /// smooth there, or the point is already as good as rounding allows).</summary>
    LineSearchFailed,
    /// <summary>Every residual reached <see cref="SolverOptions.ResidualTolerance"/> in magnitude: a zero of r
    /// (<see cref="LevenbergMarquardt"/>, <see cref="NewtonSystem"/>).</summary>
    ResidualTolerance,
}

/// <summary>How many times a solver evaluated each kind of derivative.</summary>
/// <param name="Function">Evaluations of f, alone or with its gradient.</param>
/// <param name="Gradient">Evaluations of the gradient (each came with f).</param>
/// <param name="Hessian">Evaluations of the full Hessian.</param>
/// <param name="HessianVector">Hessian-vector products.</param>
/// <param name="Jacobian">Evaluations of the Jacobian (least squares).</param>
public readonly record struct EvaluationCounts(int Function, int Gradient, int Hessian, int HessianVector, int Jacobian);

/// <summary>One iteration's report, through <see cref="SolverOptions.Progress"/>.</summary>
/// <param name="Iteration">Iterations completed.</param>
/// <param name="Value">f at the current point.</param>
/// <param name="GradientNorm">The gradient's infinity norm there.</param>
/// <param name="StepLength">The length (infinity norm) of the last step.</param>
/// <param name="Counts">Evaluations so far.</param>
public readonly record struct SolverProgress(int Iteration, double Value, double GradientNorm, double StepLength, EvaluationCounts Counts);

/// <summary>What a solver found: the best point seen, whatever the reason it stopped.</summary>
/// <param name="X">The best point seen (a new array).</param>
/// <param name="Value">f there.</param>
/// <param name="GradientNorm">The gradient's infinity norm there (NaN where the gradient was never evaluated there).</param>
/// <param name="Reason">Why the solver stopped.</param>
/// <param name="Message">The reason in words, with the figures that decided it.</param>
/// <param name="Iterations">Iterations completed.</param>
/// <param name="Counts">Evaluations of each kind.</param>
public sealed record SolverResult(double[] X, double Value, double GradientNorm, TerminationReason Reason, string Message,
    int Iterations, EvaluationCounts Counts)
{
    /// <summary>Whether the solver stopped at a point its tolerances call converged (gradient, step or function
    /// tolerance; for residual problems, a zero of r), rather than at a budget, a cancellation or a failure.</summary>
    public bool Converged => Reason is TerminationReason.GradientTolerance or TerminationReason.StepTolerance
        or TerminationReason.FunctionTolerance or TerminationReason.ResidualTolerance;
}
