namespace ExprDiff.Solvers.Internal;

/// <summary>The stopping rules every method applies after a step, in one place so they read the same everywhere.</summary>
internal static class Stopping
{
    /// <summary>Measures the step from <paramref name="x"/> to <paramref name="xNew"/>: its length and the size of the
    /// new point, both in the infinity norm.</summary>
    public static (double Step, double Size) Measure(ReadOnlySpan<double> x, ReadOnlySpan<double> xNew)
    {
        double step = 0, size = 0;
        for (int i = 0; i < x.Length; i++)
        {
            step = Math.Max(step, Math.Abs(xNew[i] - x[i]));
            size = Math.Max(size, Math.Abs(xNew[i]));
        }
        return (step, size);
    }

    /// <summary>The result when a step of length <paramref name="step"/> at a point of size <paramref name="size"/>, which
    /// changed f by <paramref name="change"/> to <paramref name="f"/>, meets the step or function tolerance; else null.</summary>
    public static SolverResult? AfterStep(Evaluator ev, SolverOptions o, double step, double size, double change, double f, int iterations)
    {
        if (step <= o.StepTolerance * (o.StepTolerance + size))
            return ev.Result(TerminationReason.StepTolerance, $"step {step:G3} below the step tolerance", iterations);
        if (o.FunctionTolerance > 0 && Math.Abs(change) <= o.FunctionTolerance * Math.Max(1, Math.Abs(f)))
            return ev.Result(TerminationReason.FunctionTolerance, $"f changed by {change:G3}, below the function tolerance", iterations);
        return null;
    }

    /// <summary>The result before a step when the gradient is small enough or the iterations are spent; else null.</summary>
    public static SolverResult? BeforeStep(Evaluator ev, SolverOptions o, double gradientNorm, int iteration)
    {
        if (gradientNorm <= o.GradientTolerance)
            return ev.Result(TerminationReason.GradientTolerance, $"gradient norm {gradientNorm:G3} ≤ {o.GradientTolerance:G3}", iteration);
        if (iteration >= o.MaxIterations)
            return ev.Result(TerminationReason.MaxIterations, $"reached {o.MaxIterations} iterations (gradient norm {gradientNorm:G3})", iteration);
        return null;
    }

    /// <summary>The reason to stop before a step (gradient tolerance, iterations spent), or null.</summary>
    public static TerminationReason? BeforeStepValues(SolverOptions o, double gradientNorm, int iteration) =>
        gradientNorm <= o.GradientTolerance ? TerminationReason.GradientTolerance
        : iteration >= o.MaxIterations ? TerminationReason.MaxIterations
        : null;

    /// <summary>The result of a line search that found no usable step; null when it did.</summary>
    public static SolverResult? AfterSearch(Evaluator ev, LineSearchStatus status, double f, double gradientNorm, int iteration) => status switch
    {
        LineSearchStatus.Stopped => ev.StoppedResult(iteration),
        LineSearchStatus.NonFinite => ev.Result(TerminationReason.NonFiniteValue,
            "f or its gradient was NaN or infinite at every step tried along the search direction", iteration),
        LineSearchStatus.Failed => ev.Result(TerminationReason.LineSearchFailed,
            $"no step decreased f enough along the search direction (f = {f:G17}, gradient norm {gradientNorm:G3})", iteration),
        _ => null,
    };
}
