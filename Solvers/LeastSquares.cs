using System.Linq.Expressions;

namespace ExprDiff.Solvers;

/// <summary>Residuals r(x) written into the caller's buffer (one element per residual).</summary>
public delegate void ResidualFunction(ReadOnlySpan<double> x, Span<double> residuals);

/// <summary>
/// A least-squares problem, minimize ½‖r(x)‖², given its residuals and their Jacobian: for Levenberg–Marquardt, and for
/// Newton's method on a square nonlinear system r(x) = 0.
/// </summary>
public sealed class LeastSquares
{
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

    /// <summary>m, the number of residuals.</summary>
    public int ResidualCount { get; }

    /// <summary>r(x).</summary>
    public ResidualFunction Residuals { get; }

    /// <summary>J(x), row-major.</summary>
    public JacobianFunction Jacobian { get; }
}
