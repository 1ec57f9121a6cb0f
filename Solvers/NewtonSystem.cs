using System.Linq.Expressions;
using ExprDiff.Solvers.Internal;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace ExprDiff.Solvers;

/// <summary>
/// Newton's method for a square nonlinear system r(x) = 0 (as many equations as unknowns): each step solves J·δ = −r by
/// LU factorization with partial pivoting (MathNet.Numerics), then backtracks along δ until ½‖r‖² decreases enough
/// (Armijo; Dennis and Schnabel, algorithm 6.3.1). Where J is singular or ill-conditioned the step is a Levenberg–Marquardt
/// one, (JᵀJ + μI)·δ = −Jᵀr with μ = ‖r‖ (Yamashita and Fukushima), which still descends and converges near a regular root.
/// </summary>
/// <remarks>Stops at a root when every residual is at most <see cref="SolverOptions.ResidualTolerance"/>; where the
/// system has no root nearby it stops at a local minimum of ‖r‖ (its gradient Jᵀr/‖r‖ below
/// <see cref="SolverOptions.GradientTolerance"/>, reason <see cref="TerminationReason.GradientTolerance"/>), which
/// <see cref="SolverResult.Value"/> tells apart from a root.
/// The reported value is ½‖r‖². Iterations allocate only MathNet's factorization temporaries (one column).</remarks>
public sealed class NewtonSystem
{
    /// <summary>Stopping rules, budgets and progress reporting.</summary>
    public SolverOptions Options { get; init; } = SolverOptions.Default;

    /// <summary>Solves r(x) = 0 from <paramref name="start"/> for residuals given as delegates.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="system"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="start"/> is empty or not finite, or the system is not square.</exception>
    public SolverResult Solve(LeastSquares system, ReadOnlySpan<double> start, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        SolverOptions.ValidateStart(start);
        Options.Validate();
        return new Run(system, Options, start, cancellationToken).Solve();
    }

    /// <summary>Solves r(x) = 0 from <paramref name="start"/>; ExprDiff derives and compiles r's Jacobian
    /// (<see cref="LeastSquares.Create"/>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="residuals"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="start"/> is empty or not finite, or the system is not square.</exception>
    /// <exception cref="ExprDiffException">r uses something ExprDiff cannot differentiate.</exception>
    public SolverResult Solve(Expression<Func<double[], double[]>> residuals, ReadOnlySpan<double> start, CancellationToken cancellationToken = default) =>
        Solve(LeastSquares.Create(residuals), start, cancellationToken);

    private sealed class Run : LeastSquaresRun
    {
        // Below this reciprocal condition estimate (smallest over largest pivot of U) the Newton step is not trusted.
        private const double Singular = 1e-13;
        private const double Armijo = 1e-4;
        private readonly double[] _x, _xNew, _r, _rNew, _j, _lu, _jtj, _g, _step;
        private readonly int[] _pivots;

        public Run(LeastSquares problem, SolverOptions o, ReadOnlySpan<double> start, CancellationToken cancellation)
            : base(problem, o, start, cancellation)
        {
            if (M != N)
                throw new ArgumentException($"Newton's method for systems needs as many equations as unknowns, but r has {M} residuals for {N} unknowns; use LevenbergMarquardt for least squares", nameof(problem));
            _x = start.ToArray();
            _xNew = new double[N];
            _r = new double[N];
            _rNew = new double[N];
            _j = new double[N * N];
            _lu = new double[N * N];
            _jtj = new double[N * N];
            _g = new double[N];
            _step = new double[N];
            _pivots = new int[N];
        }

        public SolverResult Solve()
        {
            var lapack = LinearAlgebraControl.Provider;
            if (Stopped() is { } early) return StoppedResult(early, 0);
            double f = Evaluate(_x, _r);
            if (double.IsNaN(f)) return Result(TerminationReason.NonFiniteValue, "a residual is not finite at the starting point", 0);
            for (int iteration = 0; ; iteration++)
            {
                double rNorm = Vectors.NormInf(_r);
                if (rNorm <= O.ResidualTolerance)
                    return Result(TerminationReason.ResidualTolerance, $"every residual is at most {O.ResidualTolerance:G3} in magnitude (largest {rNorm:G3})", iteration);
                if (Stopped() is { } stop) return StoppedResult(stop, iteration);
                Problem.Jacobian(_x, _j);
                JacobianEvaluations++;
                NormalEquations(_j, _r, _g, []);
                double gNorm = Vectors.NormInf(_g);
                if (f == BestValue) BestGradientNorm = gNorm;
                if (!double.IsFinite(gNorm)) return Result(TerminationReason.NonFiniteValue, "the Jacobian is not finite", iteration);
                // The gradient of ‖r‖ is Jᵀr/‖r‖: near a regular root it stays of the order of J while Jᵀr itself vanishes,
                // so only a point where r is orthogonal to J's range (a local minimum of ‖r‖ away from a root) passes.
                if (Stopping.BeforeStepValues(O, gNorm / Math.Sqrt(2 * f), iteration) is { } reason)
                    return Result(reason, reason == TerminationReason.GradientTolerance
                        ? $"the gradient of ‖r‖ (Jᵀr/‖r‖) is {gNorm / Math.Sqrt(2 * f):G3} ≤ {O.GradientTolerance:G3} with residuals up to {rNorm:G3}: a local minimum of ‖r‖, not a root"
                        : $"reached {O.MaxIterations} iterations (largest residual {rNorm:G3})", iteration);

                bool newton = NewtonStep(lapack) || RegularizedStep(lapack, Math.Sqrt(2 * f));
                if (!newton) return Result(TerminationReason.LineSearchFailed, "neither the Newton nor the regularized system could be solved", iteration);
                // The slope of ½‖r‖² along δ is gᵀδ (= −‖r‖² for an exact Newton step).
                double slope = Vectors.Dot(_g, _step);
                if (!(slope < 0))
                {
                    for (int i = 0; i < N; i++) _step[i] = -_g[i];
                    slope = Vectors.Dot(_g, _step);
                }
                double t = 1, fNew = double.NaN;
                while (true)
                {
                    if (Stopped() is { } inner) return StoppedResult(inner, iteration);
                    Vectors.Step(_xNew, _x, t, _step);
                    fNew = Evaluate(_xNew, _rNew);
                    if (fNew <= f + Armijo * t * slope) break;
                    // Minimizer of the quadratic through f, the slope and fNew, kept within [0.1t, 0.5t]; halving where fNew is not finite.
                    double next = double.IsNaN(fNew) ? 0.5 * t : -slope * t * t / (2 * (fNew - f - slope * t));
                    t = Math.Clamp(double.IsFinite(next) ? next : 0.5 * t, 0.1 * t, 0.5 * t);
                    var (shortStep, around) = Stopping.Measure(_x, _xNew);
                    if (shortStep <= O.StepTolerance * (O.StepTolerance + around))
                        return Result(double.IsNaN(fNew) ? TerminationReason.NonFiniteValue : TerminationReason.LineSearchFailed,
                            $"no step along the direction decreased ½‖r‖² enough (largest residual {rNorm:G3})", iteration);
                }
                var (stepNorm, xNorm) = Stopping.Measure(_x, _xNew);
                double change = f - fNew;
                _xNew.CopyTo(_x, 0);
                _rNew.CopyTo(_r, 0);
                f = fNew;
                O.Progress?.Report(new SolverProgress(iteration + 1, f, gNorm, stepNorm, Counts));
                if (Vectors.NormInf(_r) > O.ResidualTolerance)
                {
                    if (stepNorm <= O.StepTolerance * (O.StepTolerance + xNorm))
                        return Result(TerminationReason.StepTolerance, $"step {stepNorm:G3} below the step tolerance (largest residual {Vectors.NormInf(_r):G3})", iteration + 1);
                    if (O.FunctionTolerance > 0 && Math.Abs(change) <= O.FunctionTolerance * Math.Max(1, Math.Abs(f)))
                        return Result(TerminationReason.FunctionTolerance, $"½‖r‖² changed by {change:G3}, below the function tolerance", iteration + 1);
                }
            }
        }

        // δ = −J⁻¹r by LU with partial pivoting; false where J is singular or nearly so.
        private bool NewtonStep(ILinearAlgebraProvider lapack)
        {
            // MathNet reads the matrix column-major: J (row-major) is copied into that layout.
            for (int r = 0; r < N; r++)
                for (int c = 0; c < N; c++) _lu[c * N + r] = _j[r * N + c];
            lapack.LUFactor(_lu, N, _pivots);
            double largest = 0, smallest = double.PositiveInfinity;
            for (int i = 0; i < N; i++)
            {
                double u = Math.Abs(_lu[i * N + i]);
                largest = Math.Max(largest, u);
                smallest = Math.Min(smallest, u);
            }
            if (!(smallest > Singular * largest)) return false;
            for (int i = 0; i < N; i++) _step[i] = -_r[i];
            lapack.LUSolveFactored(1, _lu, N, _pivots, _step);
            foreach (double e in _step) if (!double.IsFinite(e)) return false;
            return true;
        }

        // δ = −(JᵀJ + μI)⁻¹Jᵀr: a descent direction of ½‖r‖² whatever J's rank.
        private bool RegularizedStep(ILinearAlgebraProvider lapack, double mu)
        {
            NormalEquations(_j, _r, _g, _jtj);
            double largest = 0;
            for (int i = 0; i < N; i++) largest = Math.Max(largest, _jtj[i * N + i]);
            mu = Math.Max(mu, 1e-12 * Math.Max(largest, 1e-300));
            for (int i = 0; i < N; i++) _jtj[i * N + i] += mu;
            try
            {
                lapack.CholeskyFactor(_jtj, N);
            }
            catch (ArgumentException)
            {
                return false;
            }
            for (int i = 0; i < N; i++) _step[i] = -_g[i];
            lapack.CholeskySolveFactored(_jtj, N, _step, 1);
            foreach (double e in _step) if (!double.IsFinite(e)) return false;
            return true;
        }
    }
}
