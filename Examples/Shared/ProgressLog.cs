using ExprDiff.Solvers;

namespace ExprDiff.Examples;

/// <summary>
/// Records every <see cref="SolverProgress"/> a solver reports, synchronously on the solver's thread.
/// </summary>
/// <remarks><see cref="Progress{T}"/> would post each report to the thread pool, so a curve read right after the solve
/// could miss its last points (and arrive out of order); a plot needs all of them, in order.</remarks>
public sealed class ProgressLog : IProgress<SolverProgress>
{
    private readonly List<SolverProgress> _reports = [];

    /// <summary>The reports so far, in the order the solver made them.</summary>
    public IReadOnlyList<SolverProgress> Reports => _reports;

    /// <inheritdoc/>
    public void Report(SolverProgress value) => _reports.Add(value);
}
