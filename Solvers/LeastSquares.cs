using System.Linq.Expressions;

namespace ExprDiff.Solvers;

/// <summary>Residuals r(x) written into the caller's buffer (one element per residual).</summary>
public delegate void ResidualFunction(ReadOnlySpan<double> x, Span<double> residuals);

/// <summary>
/// A least-squares problem, minimize ½‖r(x)‖², given its residuals and their Jacobian: for Levenberg–Marquardt, and for
/// Newton's method on a square nonlinear system r(x) = 0 (<see cref="NewtonSystem"/>).
/// </summary>
/// <remarks>A problem may be shared by solvers running on several threads at once: its delegates are thread-safe.</remarks>
public sealed class LeastSquares
{
    private readonly Func<double[], int>? _countAt;

    /// <summary>A problem of your own delegates.</summary>
    /// <param name="residualCount">m, the number of residuals.</param>
    /// <param name="residuals">r(x).</param>
    /// <param name="jacobian">J(x), m × n, row-major (<see cref="JacobianFunction"/>).</param>
    public LeastSquares(int residualCount, ResidualFunction residuals, JacobianFunction jacobian)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(residualCount);
        ArgumentNullException.ThrowIfNull(residuals);
        ArgumentNullException.ThrowIfNull(jacobian);
        ResidualCount = residualCount;
        Residuals = residuals;
        Jacobian = jacobian;
    }

    private LeastSquares(Func<double[], int> countAt, ResidualFunction residuals, JacobianFunction jacobian)
    {
        _countAt = countAt;
        Residuals = residuals;
        Jacobian = jacobian;
    }

    /// <summary>A problem ExprDiff derives from residuals written as an expression: r compiled into a buffer
    /// (<see cref="Compiled.Function"/>) and its Jacobian (<see cref="Compiled.Jacobian"/>: by rows in reverse mode when
    /// there are no more residuals than unknowns, else by columns in forward mode). The residuals may be written with
    /// <c>.Select(…).ToArray()</c> over captured data, which is read when they run, as r reads it; their number is
    /// found at a solve's starting point.</summary>
    /// <example><code>
    /// double[] t = …, y = …;   // measurements
    /// var fit = LeastSquares.Create(p => t.Select((ti, i) => p[0] * Math.Exp(-p[1] * ti) - y[i]).ToArray());
    /// SolverResult r = new LevenbergMarquardt().Minimize(fit, [1.0, 0.1]);
    /// </code></example>
    /// <exception cref="ArgumentNullException"><paramref name="residuals"/> is null.</exception>
    /// <exception cref="ExprDiffException">The residuals use something ExprDiff cannot differentiate.</exception>
    public static LeastSquares Create(Expression<Func<double[], double[]>> residuals, DiffOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(residuals);
        var function = Compiled.Function(residuals, options);
        var jacobian = Compiled.Jacobian(residuals, options);
        // The count is needed once per solve, for its buffers; the array delegate's allocation then is the only one.
        var whole = residuals.CompileIL();
        return new LeastSquares(x => whole(x)?.Length ?? throw new ArgumentException("the residual function returned null", "residuals"),
            (x, r) => function(x, r), jacobian);
    }

    /// <summary>m, the number of residuals; null for a problem built by <see cref="Create"/>, whose count is found at
    /// a point (<see cref="ResidualCountAt"/>).</summary>
    public int? ResidualCount { get; }

    /// <summary>r(x).</summary>
    public ResidualFunction Residuals { get; }

    /// <summary>J(x), row-major.</summary>
    public JacobianFunction Jacobian { get; }

    /// <summary>m at <paramref name="x"/>: <see cref="ResidualCount"/>, or the length of r(x) where that is null.</summary>
    /// <exception cref="ArgumentException">The residuals are empty at x.</exception>
    public int ResidualCountAt(ReadOnlySpan<double> x)
    {
        if (ResidualCount is { } m) return m;
        int count = _countAt!(x.ToArray());
        if (count <= 0) throw new ArgumentException("the residual function returned no residuals at the starting point", "residuals");
        return count;
    }
}
