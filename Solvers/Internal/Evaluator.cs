using System.Diagnostics;

namespace ExprDiff.Solvers.Internal;

/// <summary>
/// One solve's access to its objective: counts evaluations, enforces the budgets, the time limit and cancellation before
/// each evaluation, and keeps the best point seen (what every solver returns, whatever stops it). Allocates only when made.
/// </summary>
internal sealed class Evaluator
{
    private readonly Objective _objective;
    private readonly SolverOptions _options;
    private readonly CancellationToken _cancellation;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly double[] _best;

    public Evaluator(Objective objective, SolverOptions options, CancellationToken cancellation, int dimension)
    {
        _objective = objective;
        _options = options;
        _cancellation = cancellation;
        _best = new double[dimension];
    }

    public int Functions { get; private set; }
    public int Gradients { get; private set; }
    public int Hessians { get; private set; }
    public int HessianVectors { get; private set; }

    public double BestValue { get; private set; } = double.PositiveInfinity;
    public double BestGradientNorm { get; private set; } = double.NaN;
    public bool HasBest => !double.IsPositiveInfinity(BestValue);

    /// <summary>Why evaluating stopped (a budget, the time limit, cancellation), or null while it may go on.</summary>
    public TerminationReason? Stopped { get; private set; }

    public EvaluationCounts Counts => new(Functions, Gradients, Hessians, HessianVectors, 0);

    /// <summary>f and ∇f at x; false (and nothing evaluated) once a budget, the time limit or cancellation stops the solve.</summary>
    public bool ValueAndGradient(ReadOnlySpan<double> x, Span<double> gradient, out double value)
    {
        value = double.NaN;
        if (!MayEvaluate()) return false;
        value = _objective.ValueAndGradient(x, gradient);
        Functions++;
        Gradients++;
        if (value < BestValue && double.IsFinite(value) && AllFinite(gradient))
        {
            BestValue = value;
            x.CopyTo(_best);
            BestGradientNorm = Vectors.NormInf(gradient);
        }
        return true;
    }

    /// <summary>f and ∇f at the starting point; the result to return at once when evaluation stopped or a value is not
    /// finite there, else null (every method starts so).</summary>
    public SolverResult? Start(ReadOnlySpan<double> x, Span<double> gradient, out double value)
    {
        if (!ValueAndGradient(x, gradient, out value)) return StoppedResult(0);
        if (!double.IsFinite(value) || !double.IsFinite(Vectors.NormInf(gradient)))
            return Result(TerminationReason.NonFiniteValue, $"f or its gradient is not finite at the starting point (f = {value})", 0);
        return null;
    }

    /// <summary>H(x)·v into <paramref name="result"/> (from the dense Hessian <paramref name="hessian"/> at x where the
    /// objective has no product, which the caller evaluated with <see cref="DenseHessian"/>); false once cancellation or the
    /// time limit stops the solve. Products do not count against the budget of evaluations of f.</summary>
    public bool HessianVector(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> result, double[]? hessian)
    {
        if (Stopped is not null || StopsForTimeOrCancellation()) return false;
        if (_objective.HessianVector is { } product) product(x, v, result);
        else
        {
            int n = v.Length;
            for (int i = 0; i < n; i++) result[i] = Vectors.Dot(hessian.AsSpan(i * n, n), v);
        }
        HessianVectors++;
        return true;
    }

    /// <summary>Whether this objective computes products without a dense Hessian; else <see cref="DenseHessian"/> first.</summary>
    public bool HasProducts => _objective.HessianVector is not null;

    /// <summary>The dense Hessian at x into <paramref name="hessian"/> (row-major): the objective's own, or column by column
    /// from Hessian-vector products along unit vectors (<paramref name="unit"/> and <paramref name="column"/> are scratch).</summary>
    public bool DenseHessian(ReadOnlySpan<double> x, double[] hessian, double[] unit, double[] column)
    {
        if (Stopped is not null || StopsForTimeOrCancellation()) return false;
        int n = x.Length;
        if (_objective.Hessian is { } dense)
        {
            dense(x, hessian);
            Hessians++;
            return true;
        }
        var product = _objective.HessianVector!;
        Array.Clear(unit);
        for (int j = 0; j < n; j++)
        {
            unit[j] = 1;
            product(x, unit, column);
            unit[j] = 0;
            for (int i = 0; i < n; i++) hessian[i * n + j] = column[i];
            HessianVectors++;
        }
        return true;
    }

    private bool StopsForTimeOrCancellation()
    {
        if (_cancellation.IsCancellationRequested) Stopped = TerminationReason.Cancelled;
        else if (_options.TimeLimit is { } limit && Stopwatch.GetElapsedTime(_started) >= limit) Stopped = TerminationReason.TimeLimit;
        return Stopped is not null;
    }

    private bool MayEvaluate()
    {
        if (Stopped is not null) return false;
        if (_cancellation.IsCancellationRequested) Stopped = TerminationReason.Cancelled;
        else if (Functions >= _options.MaxEvaluations) Stopped = TerminationReason.MaxEvaluations;
        else if (_options.TimeLimit is { } limit && Stopwatch.GetElapsedTime(_started) >= limit) Stopped = TerminationReason.TimeLimit;
        return Stopped is null;
    }

    /// <summary>The result: the best point seen, with <paramref name="reason"/> and its <paramref name="message"/>.</summary>
    public SolverResult Result(TerminationReason reason, string message, int iterations) =>
        new(HasBest ? (double[])_best.Clone() : new double[_best.Length], BestValue, BestGradientNorm, reason, message, iterations, Counts);

    /// <summary>The result after evaluation stopped (<see cref="Stopped"/>), with the reason in words.</summary>
    public SolverResult StoppedResult(int iterations)
    {
        var reason = Stopped ?? throw new InvalidOperationException("evaluation has not stopped");
        string message = reason switch
        {
            TerminationReason.Cancelled => "cancelled; the best point seen is returned",
            TerminationReason.MaxEvaluations => $"reached the budget of {_options.MaxEvaluations} evaluations of f",
            TerminationReason.TimeLimit => $"reached the time limit of {_options.TimeLimit}",
            _ => reason.ToString(),
        };
        return Result(reason, message, iterations);
    }

    private static bool AllFinite(ReadOnlySpan<double> v)
    {
        foreach (double e in v) if (!double.IsFinite(e)) return false;
        return true;
    }
}
