using ExprDiff.Solvers.Internal;
using MathNet.Numerics.Providers.LinearAlgebra;

namespace ExprDiff.Solvers;

/// <summary>
/// Levenberg–Marquardt for least squares, minimize ½‖r(x)‖²: each step solves (JᵀJ + λ·D)δ = −Jᵀr with D the largest
/// diagonal of JᵀJ seen so far (Marquardt's scaling as MINPACK keeps it, so the method does not depend on the units of
/// x), and λ adapts to how well the linear model predicted the decrease (Nielsen 1999). Factors with MathNet.Numerics in buffers the solve owns.
/// </summary>
/// <remarks>The reported value is ½‖r‖² and the gradient norm that of Jᵀr. The options' evaluation budget counts
/// residual evaluations; each accepted step evaluates the Jacobian once.</remarks>
public sealed class LevenbergMarquardt
{
    /// <summary>Stopping rules, budgets and progress reporting.</summary>
    public SolverOptions Options { get; init; } = SolverOptions.Default;

    /// <summary>λ at the start, relative to the largest diagonal element of JᵀJ.</summary>
    public double InitialDamping { get; init; } = 1e-3;

    /// <summary>Minimizes ½‖r(x)‖² from <paramref name="start"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="problem"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="start"/> is empty or not finite.</exception>
    public SolverResult Minimize(LeastSquares problem, ReadOnlySpan<double> start, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(problem);
        SolverOptions.ValidateStart(start);
        if (!(InitialDamping > 0)) throw new ArgumentOutOfRangeException(nameof(InitialDamping), InitialDamping, "must be positive");
        Options.Validate();
        return new Solve(problem, Options, InitialDamping, start, cancellationToken).Run();
    }

    /// <summary>Minimizes ½‖r(x)‖² from <paramref name="start"/> for residuals written as an expression; ExprDiff derives
    /// and compiles their Jacobian (<see cref="LeastSquares.Create"/>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="residuals"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="start"/> is empty or not finite.</exception>
    /// <exception cref="ExprDiffException">r uses something ExprDiff cannot differentiate.</exception>
    public SolverResult Minimize(System.Linq.Expressions.Expression<Func<double[], double[]>> residuals, ReadOnlySpan<double> start,
        CancellationToken cancellationToken = default) =>
        Minimize(LeastSquares.Create(residuals), start, cancellationToken);

    // One solve's buffers.
    private sealed class Solve : LeastSquaresRun
    {
        private readonly int _n, _m;
        private readonly double[] _x, _xNew, _r, _rNew, _j, _jtj, _a, _g, _step, _scale;
        private readonly double _initialDamping;

        public Solve(LeastSquares problem, SolverOptions o, double initialDamping, ReadOnlySpan<double> start, CancellationToken cancellation)
            : base(problem, o, start, cancellation)
        {
            _initialDamping = initialDamping;
            _n = N;
            _m = M;
            _x = start.ToArray();
            _xNew = new double[_n];
            _r = new double[_m];
            _rNew = new double[_m];
            _j = new double[_m * _n];
            _jtj = new double[_n * _n];
            _a = new double[_n * _n];
            _g = new double[_n];
            _step = new double[_n];
            _scale = new double[_n];
        }

        public SolverResult Run()
        {
            var lapack = LinearAlgebraControl.Provider;
            if (Stopped() is { } early) return StoppedResult(early, 0);
            double f = Evaluate(_x, _r);
            if (double.IsNaN(f))
                return Result(TerminationReason.NonFiniteValue, "a residual is not finite at the starting point", 0);
            double lambda = -1, nu = 2;
            for (int iteration = 0; ; iteration++)
            {
                if (Vectors.NormInf(_r) <= O.ResidualTolerance)
                    return Result(TerminationReason.ResidualTolerance, $"every residual is at most {O.ResidualTolerance:G3} in magnitude", iteration);
                if (Stopped() is { } stop) return StoppedResult(stop, iteration);
                Problem.Jacobian(_x, _j);
                JacobianEvaluations++;
                NormalEquations(_j, _r, _g, _jtj);
                // The scaling never shrinks (as MINPACK's lmder keeps the largest column norms seen): a column that becomes
                // small near the solution must not make its variable free to jump.
                for (int i = 0; i < _n; i++) _scale[i] = Math.Max(_scale[i], Math.Max(_jtj[i * _n + i], 1e-300));
                double gNorm = Vectors.NormInf(_g);
                if (f == BestValue) BestGradientNorm = gNorm; // accepted steps only decrease: x is the best point
                if (!double.IsFinite(gNorm))
                    return Result(TerminationReason.NonFiniteValue, "the Jacobian is not finite", iteration);
                if (Stopping.BeforeStepValues(O, gNorm, iteration) is { } reason)
                    return Result(reason, reason == TerminationReason.GradientTolerance
                        ? $"gradient norm (Jᵀr) {gNorm:G3} ≤ {O.GradientTolerance:G3}"
                        : $"reached {O.MaxIterations} iterations (gradient norm {gNorm:G3})", iteration);
                if (lambda < 0)
                {
                    double maxDiagonal = 0;
                    for (int i = 0; i < _n; i++) maxDiagonal = Math.Max(maxDiagonal, _jtj[i * _n + i]);
                    lambda = _initialDamping * Math.Max(maxDiagonal, 1e-300);
                }
                // Inner loop: raise λ until a step decreases ½‖r‖².
                while (true)
                {
                    if (Stopped() is { } inner) return StoppedResult(inner, iteration);
                    if (!DampedStep(lapack, lambda))
                    {
                        lambda *= nu;
                        nu *= 2;
                        if (!double.IsFinite(lambda))
                            return Result(TerminationReason.LineSearchFailed, "the damped normal equations could not be solved", iteration);
                        continue;
                    }
                    Vectors.Step(_xNew, _x, 1, _step);
                    double fNew = Evaluate(_xNew, _rNew);
                    // Predicted decrease of the linear model: ½δᵀ(λDδ − g) with g = Jᵀr.
                    double predicted = 0;
                    for (int i = 0; i < _n; i++) predicted += 0.5 * _step[i] * (lambda * _scale[i] * _step[i] - _g[i]);
                    double rho = double.IsNaN(fNew) || !(predicted > 0) ? -1 : (f - fNew) / predicted;
                    var (stepNorm, xNorm) = Stopping.Measure(_x, _xNew);
                    if (rho > 0)
                    {
                        double change = f - fNew;
                        _xNew.CopyTo(_x, 0);
                        _rNew.CopyTo(_r, 0);
                        f = fNew;
                        lambda *= Math.Max(1.0 / 3, 1 - Math.Pow(2 * rho - 1, 3));
                        nu = 2;
                        O.Progress?.Report(new SolverProgress(iteration + 1, f, gNorm, stepNorm, Counts));
                        if (stepNorm <= O.StepTolerance * (O.StepTolerance + xNorm))
                            return Result(TerminationReason.StepTolerance, $"step {stepNorm:G3} below the step tolerance", iteration + 1);
                        if (O.FunctionTolerance > 0 && Math.Abs(change) <= O.FunctionTolerance * Math.Max(1, Math.Abs(f)))
                            return Result(TerminationReason.FunctionTolerance, $"½‖r‖² changed by {change:G3}, below the function tolerance", iteration + 1);
                        break;
                    }
                    if (stepNorm <= O.StepTolerance * (O.StepTolerance + xNorm) && !double.IsNaN(fNew))
                        return Result(TerminationReason.StepTolerance, $"no smaller step decreases ½‖r‖² (step {stepNorm:G3})", iteration);
                    lambda *= nu;
                    nu *= 2;
                    if (!double.IsFinite(lambda) || lambda > 1e300)
                        return Result(double.IsNaN(fNew) ? TerminationReason.NonFiniteValue : TerminationReason.LineSearchFailed,
                            "no damped step decreased ½‖r‖²", iteration);
                }
            }
        }

        // δ = −(JᵀJ + λD)⁻¹g; false where the factorization fails.
        private bool DampedStep(ILinearAlgebraProvider lapack, double lambda)
        {
            _jtj.CopyTo(_a, 0);
            for (int i = 0; i < _n; i++) _a[i * _n + i] += lambda * _scale[i];
            try
            {
                lapack.CholeskyFactor(_a, _n);
            }
            catch (ArgumentException)
            {
                return false;
            }
            for (int i = 0; i < _n; i++) _step[i] = -_g[i];
            lapack.CholeskySolveFactored(_a, _n, _step, 1);
            foreach (double e in _step) if (!double.IsFinite(e)) return false;
            return true;
        }
    }
}
