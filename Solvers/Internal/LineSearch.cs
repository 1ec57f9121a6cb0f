namespace ExprDiff.Solvers.Internal;

/// <summary>How a line search ended.</summary>
internal enum LineSearchStatus
{
    /// <summary>A step satisfying the strong Wolfe conditions.</summary>
    Wolfe,
    /// <summary>No Wolfe step was found, but a step that decreases f enough (Armijo) was: usable, at the cost of a
    /// poorer curvature pair.</summary>
    SufficientDecrease,
    /// <summary>No step decreased f enough.</summary>
    Failed,
    /// <summary>f or its gradient was NaN or infinite at every step tried.</summary>
    NonFinite,
    /// <summary>Evaluation stopped (budget, time, cancellation).</summary>
    Stopped,
}

/// <summary>
/// A line search for the strong Wolfe conditions (Nocedal and Wright, Numerical Optimization, 2nd ed., algorithms 3.5 and
/// 3.6): bracket a step, then zoom in by safeguarded cubic interpolation. A step where f or its gradient is not finite
/// is treated as too long. Works in buffers it owns: no allocation after construction.
/// </summary>
internal sealed class LineSearch
{
    private readonly double[] _x, _g, _loX, _loG;
    private const int MaxEvaluations = 40;

    public LineSearch(int dimension)
    {
        _x = new double[dimension];
        _g = new double[dimension];
        _loX = new double[dimension];
        _loG = new double[dimension];
    }

    /// <summary>Sufficient decrease: f(x + αd) ≤ f(x) + c₁·α·∇f·d.</summary>
    public double C1 { get; init; } = 1e-4;

    /// <summary>Curvature: |∇f(x + αd)·d| ≤ c₂·|∇f(x)·d|. 0.9 suits quasi-Newton methods, 0.1 nonlinear CG.</summary>
    public double C2 { get; init; } = 0.9;

    /// <summary>Searches along <paramref name="d"/> from <paramref name="x"/>, starting with step <paramref name="alpha0"/>;
    /// on success writes the new point and its gradient into <paramref name="xOut"/> and <paramref name="gOut"/>.</summary>
    /// <param name="slope">∇f(x)·d, which must be negative.</param>
    public LineSearchStatus Search(Evaluator ev, ReadOnlySpan<double> x, double f0, double slope, ReadOnlySpan<double> d, double alpha0,
        Span<double> xOut, Span<double> gOut, out double fOut, out double alphaOut)
    {
        fOut = f0;
        alphaOut = 0;
        double aLo = 0, fLo = f0, sLo = slope; // the lo end: the best step so far satisfying sufficient decrease
        bool loIsStart = true;
        double aPrev = 0, fPrev = f0, sPrev = slope;
        double alpha = alpha0;
        bool anyFinite = false;
        for (int k = 0; k < MaxEvaluations; k++)
        {
            if (!Evaluate(ev, x, d, alpha, out double f, out double s, out bool stopped))
            {
                if (stopped) return Finish(LineSearchStatus.Stopped, xOut, gOut, ref fOut, ref alphaOut, aLo, fLo, loIsStart);
                // Not finite: too long. Zoom between the last good step and this one.
                return Zoom(ev, x, f0, slope, d, aLo, fLo, sLo, loIsStart, alpha, double.NaN, double.NaN, MaxEvaluations - k - 1, anyFinite,
                    xOut, gOut, ref fOut, ref alphaOut);
            }
            anyFinite = true;
            if (!Decreases(f0, slope, f, alpha, s) || k > 0 && f > fPrev + Noise(f0))
                return Zoom(ev, x, f0, slope, d, aLo, fLo, sLo, loIsStart, alpha, f, s, MaxEvaluations - k - 1, anyFinite, xOut, gOut, ref fOut, ref alphaOut);
            if (Math.Abs(s) <= -C2 * slope)
            {
                _x.CopyTo(xOut);
                _g.CopyTo(gOut);
                fOut = f;
                alphaOut = alpha;
                return LineSearchStatus.Wolfe;
            }
            // Sufficient decrease holds here: this step is the new lo end.
            (aLo, fLo, sLo, loIsStart) = (alpha, f, s, false);
            _x.CopyTo(_loX);
            _g.CopyTo(_loG);
            if (s >= 0)
                return Zoom(ev, x, f0, slope, d, alpha, f, s, false, aPrev, fPrev, sPrev, MaxEvaluations - k - 1, anyFinite, xOut, gOut, ref fOut, ref alphaOut);
            (aPrev, fPrev, sPrev) = (alpha, f, s);
            alpha *= 4; // still going down: a longer step
        }
        return Finish(LineSearchStatus.SufficientDecrease, xOut, gOut, ref fOut, ref alphaOut, aLo, fLo, loIsStart);
    }

    // lo satisfies sufficient decrease and has the lowest f so far; the minimizer lies between lo and hi.
    private LineSearchStatus Zoom(Evaluator ev, ReadOnlySpan<double> x, double f0, double slope, ReadOnlySpan<double> d,
        double aLo, double fLo, double sLo, bool loIsStart, double aHi, double fHi, double sHi, int budget, bool anyFinite,
        Span<double> xOut, Span<double> gOut, ref double fOut, ref double alphaOut)
    {
        for (int k = 0; k < budget; k++)
        {
            double width = aHi - aLo;
            if (Math.Abs(width) <= 1e-16 * Math.Max(1, Math.Abs(aLo))) break;
            double alpha = double.IsFinite(fHi)
                ? Interpolate(aLo, fLo, sLo, aHi, fHi, sHi)
                : aLo + 0.5 * width; // nothing known at hi but that it is too long
            if (!Evaluate(ev, x, d, alpha, out double f, out double s, out bool stopped))
            {
                if (stopped) return Finish(LineSearchStatus.Stopped, xOut, gOut, ref fOut, ref alphaOut, aLo, fLo, loIsStart);
                (aHi, fHi, sHi) = (alpha, double.NaN, double.NaN);
                continue;
            }
            anyFinite = true;
            if (!Decreases(f0, slope, f, alpha, s) || f > fLo + Noise(f0))
            {
                (aHi, fHi, sHi) = (alpha, f, s);
                continue;
            }
            if (Math.Abs(s) <= -C2 * slope)
            {
                _x.CopyTo(xOut);
                _g.CopyTo(gOut);
                fOut = f;
                alphaOut = alpha;
                return LineSearchStatus.Wolfe;
            }
            if (s * (aHi - aLo) >= 0) (aHi, fHi, sHi) = (aLo, fLo, sLo);
            (aLo, fLo, sLo, loIsStart) = (alpha, f, s, false);
            _x.CopyTo(_loX);
            _g.CopyTo(_loG);
        }
        if (!loIsStart) return Finish(LineSearchStatus.SufficientDecrease, xOut, gOut, ref fOut, ref alphaOut, aLo, fLo, loIsStart);
        return anyFinite ? LineSearchStatus.Failed : LineSearchStatus.NonFinite;
    }

    // Sufficient decrease; or, where f is flat to rounding near a minimum and differences of f say nothing, the approximate
    // Wolfe condition of Hager and Zhang (2005): f no higher than rounding allows and the slope not reversed by more than
    // (1 − 2c₁) of its size. Without it a search near the minimum fails for want of a measurable decrease.
    private bool Decreases(double f0, double slope, double f, double alpha, double s) =>
        f <= f0 + C1 * alpha * slope || f <= f0 + Noise(f0) && s <= (2 * C1 - 1) * slope;

    private static double Noise(double f0) => 1e-12 * Math.Abs(f0);

    private LineSearchStatus Finish(LineSearchStatus status, Span<double> xOut, Span<double> gOut, ref double fOut, ref double alphaOut,
        double aLo, double fLo, bool loIsStart)
    {
        if (loIsStart) return status == LineSearchStatus.SufficientDecrease ? LineSearchStatus.Failed : status;
        _loX.CopyTo(xOut);
        _loG.CopyTo(gOut);
        fOut = fLo;
        alphaOut = aLo;
        return status == LineSearchStatus.Stopped ? LineSearchStatus.SufficientDecrease : status;
    }

    // f and the slope ∇f·d at x + αd, into the trial buffers; false when evaluation stopped or a value is not finite.
    private bool Evaluate(Evaluator ev, ReadOnlySpan<double> x, ReadOnlySpan<double> d, double alpha, out double f, out double s, out bool stopped)
    {
        Vectors.Step(_x, x, alpha, d);
        stopped = !ev.ValueAndGradient(_x, _g, out f);
        s = stopped ? double.NaN : Vectors.Dot(_g, d);
        return !stopped && double.IsFinite(f) && double.IsFinite(s);
    }

    // The minimizer of the cubic through (a, fa, sa) and (b, fb, sb), kept at least a tenth of the interval from its
    // ends (Nocedal and Wright 3.59); bisection where the cubic has none.
    private static double Interpolate(double a, double fa, double sa, double b, double fb, double sb)
    {
        double lo = Math.Min(a, b), hi = Math.Max(a, b), margin = 0.1 * (hi - lo);
        double t = double.NaN;
        if (double.IsFinite(sb))
        {
            double d1 = sa + sb - 3 * (fa - fb) / (a - b);
            double disc = d1 * d1 - sa * sb;
            if (disc >= 0)
            {
                double d2 = Math.Sign(b - a) * Math.Sqrt(disc);
                t = b - (b - a) * (sb + d2 - d1) / (sb - sa + 2 * d2);
            }
        }
        else
        {
            // Quadratic through fa, sa and fb.
            double denom = 2 * (fb - fa - sa * (b - a));
            if (denom > 0) t = a - sa * (b - a) * (b - a) / denom;
        }
        if (!double.IsFinite(t) || t < lo + margin || t > hi - margin) t = 0.5 * (a + b);
        return t;
    }
}
