using System.Linq.Expressions;

namespace ExprDiff.Solvers;

/// <summary>
/// A method that minimizes a smooth function. Every method stops by the rules of its <see cref="Options"/>, never throws
/// on reaching a budget, and returns the best point it saw; a cancelled token stops it at the next evaluation
/// (<see cref="TerminationReason.Cancelled"/>).
/// </summary>
/// <remarks>A minimizer holds only its settings: one instance may run any number of solves, on several threads at once.
/// Each solve allocates its buffers once, at its start.</remarks>
public abstract class Minimizer
{
    private protected Minimizer() { }

    /// <summary>Stopping rules, budgets and progress reporting.</summary>
    public SolverOptions Options { get; init; } = SolverOptions.Default;

    /// <summary>Minimizes <paramref name="objective"/> from <paramref name="start"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="objective"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="start"/> is empty or not finite.</exception>
    public SolverResult Minimize(Objective objective, ReadOnlySpan<double> start, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(objective);
        SolverOptions.ValidateStart(start);
        Options.Validate();
        return Run(objective, start, cancellationToken);
    }

    /// <summary>Minimizes <paramref name="f"/> from <paramref name="start"/>; ExprDiff derives and compiles what the method
    /// needs (<see cref="Objective.Create"/>).</summary>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate.</exception>
    public SolverResult Minimize(Expression<Func<double[], double>> f, ReadOnlySpan<double> start, CancellationToken cancellationToken = default) =>
        Minimize(Objective.Create(f), start, cancellationToken);

    private protected abstract SolverResult Run(Objective objective, ReadOnlySpan<double> start, CancellationToken cancellationToken);
}
