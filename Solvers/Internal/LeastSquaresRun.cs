namespace ExprDiff.Solvers.Internal;

/// <summary>What the solvers of residual problems share within one solve: the problem and its counts, the budgets, and
/// the best point seen (by ½‖r‖²).</summary>
internal abstract class LeastSquaresRun
{
    private readonly CancellationToken _cancellation;
    private readonly long _started = System.Diagnostics.Stopwatch.GetTimestamp();

    protected LeastSquaresRun(LeastSquares problem, SolverOptions options, ReadOnlySpan<double> start, CancellationToken cancellation)
    {
        Problem = problem;
        O = options;
        _cancellation = cancellation;
        N = start.Length;
        M = problem.ResidualCountAt(start);
        Best = start.ToArray();
    }

    protected LeastSquares Problem { get; }

    protected SolverOptions O { get; }

    /// <summary>Unknowns and residuals.</summary>
    protected int N { get; }

    /// <inheritdoc cref="N"/>
    protected int M { get; }

    protected int ResidualEvaluations { get; set; }

    protected int JacobianEvaluations { get; set; }

    protected double[] Best { get; }

    protected double BestValue { get; set; } = double.PositiveInfinity;

    protected double BestGradientNorm { get; set; } = double.NaN;

    protected EvaluationCounts Counts => new(ResidualEvaluations, 0, 0, 0, JacobianEvaluations);

    /// <summary>The reason to stop before the next evaluation, if any.</summary>
    protected TerminationReason? Stopped()
    {
        if (_cancellation.IsCancellationRequested) return TerminationReason.Cancelled;
        if (ResidualEvaluations >= O.MaxEvaluations) return TerminationReason.MaxEvaluations;
        if (O.TimeLimit is { } limit && System.Diagnostics.Stopwatch.GetElapsedTime(_started) >= limit) return TerminationReason.TimeLimit;
        return null;
    }

    /// <summary>r(x) into <paramref name="r"/>, counted; returns ½‖r‖² (NaN where a residual is not finite) and keeps x
    /// if it is the best point so far.</summary>
    protected double Evaluate(double[] x, double[] r)
    {
        Problem.Residuals(x, r);
        ResidualEvaluations++;
        double f = HalfSquares(r);
        if (f < BestValue)
        {
            BestValue = f;
            x.CopyTo(Best, 0);
            BestGradientNorm = double.NaN;
        }
        return f;
    }

    protected SolverResult Result(TerminationReason reason, string message, int iterations) =>
        new((double[])Best.Clone(), BestValue, BestGradientNorm, reason, message, iterations, Counts);

    protected SolverResult StoppedResult(TerminationReason reason, int iterations) => Result(reason, reason switch
    {
        TerminationReason.Cancelled => "cancelled; the best point seen is returned",
        TerminationReason.MaxEvaluations => $"reached the budget of {O.MaxEvaluations} residual evaluations",
        _ => $"reached the time limit of {O.TimeLimit}",
    }, iterations);

    /// <summary>½‖r‖², NaN where a residual is not finite.</summary>
    protected static double HalfSquares(ReadOnlySpan<double> r)
    {
        double s = 0;
        foreach (double e in r) s += e * e;
        return double.IsFinite(s) ? 0.5 * s : double.NaN;
    }

    /// <summary>g = Jᵀr, and JᵀJ where <paramref name="jtj"/> is given, from the row-major m × n Jacobian.</summary>
    protected void NormalEquations(ReadOnlySpan<double> j, ReadOnlySpan<double> r, Span<double> g, Span<double> jtj)
    {
        int n = N;
        bool square = !jtj.IsEmpty;
        g.Clear();
        jtj.Clear();
        for (int k = 0; k < M; k++)
        {
            var row = j.Slice(k * n, n);
            double rk = r[k];
            for (int i = 0; i < n; i++)
            {
                double ji = row[i];
                if (ji == 0) continue;
                g[i] += ji * rk;
                if (square)
                    for (int c = 0; c <= i; c++) jtj[i * n + c] += ji * row[c];
            }
        }
        if (square)
            for (int i = 0; i < n; i++)
                for (int c = 0; c < i; c++) jtj[c * n + i] = jtj[i * n + c];
    }
}
