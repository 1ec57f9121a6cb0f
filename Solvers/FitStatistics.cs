using MathNet.Numerics.LinearAlgebra.Double;

namespace ExprDiff.Solvers;

/// <summary>
/// The statistics of a nonlinear least-squares fit at its solution, as NIST's Statistical Reference Datasets certify them:
/// the residual sum of squares, the residual standard deviation s = √(RSS / (m − n)), and the covariance s²·(JᵀJ)⁻¹ of
/// the parameters (the linearization at the solution), with their standard errors.
/// </summary>
/// <param name="ResidualSumOfSquares">‖r‖² at the solution.</param>
/// <param name="DegreesOfFreedom">m − n.</param>
/// <param name="ResidualStandardDeviation">√(RSS / (m − n)).</param>
/// <param name="Covariance">s²·(JᵀJ)⁻¹, n × n.</param>
/// <param name="StandardErrors">The square roots of the covariance's diagonal.</param>
public sealed record FitStatistics(double ResidualSumOfSquares, int DegreesOfFreedom, double ResidualStandardDeviation,
    double[,] Covariance, double[] StandardErrors)
{
    /// <summary>The statistics of <paramref name="problem"/> at <paramref name="solution"/> (a solver's
    /// <see cref="SolverResult.X"/>). (JᵀJ)⁻¹ comes from the singular value decomposition of J (MathNet.Numerics), which
    /// keeps the digits that forming JᵀJ would lose: the squares of J's condition number.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="problem"/> is null.</exception>
    /// <exception cref="ArgumentException">There are no more residuals than parameters, or J is rank-deficient at the
    /// solution (some parameter combination is not determined by the data), or not finite.</exception>
    public static FitStatistics At(LeastSquares problem, ReadOnlySpan<double> solution)
    {
        ArgumentNullException.ThrowIfNull(problem);
        int n = solution.Length, m = problem.ResidualCountAt(solution);
        if (m <= n)
            throw new ArgumentException($"standard errors need more residuals than parameters, but there are {m} residuals for {n} parameters", nameof(problem));
        var r = new double[m];
        var j = new double[m * n];
        problem.Residuals(solution, r);
        problem.Jacobian(solution, j);
        double rss = 0;
        foreach (double e in r) rss += e * e;
        foreach (double e in j)
            if (!double.IsFinite(e)) throw new ArgumentException("the Jacobian is not finite at the solution", nameof(solution));
        if (!double.IsFinite(rss)) throw new ArgumentException("a residual is not finite at the solution", nameof(solution));

        var svd = DenseMatrix.Build.DenseOfRowMajor(m, n, j).Svd(computeVectors: true);
        var sigma = svd.S;
        if (!(sigma[n - 1] > sigma[0] * 1e-14 * Math.Max(m, n)))
            throw new ArgumentException($"the Jacobian is rank-deficient at the solution (singular values {sigma[0]:G3} … {sigma[n - 1]:G3}): the data do not determine every parameter", nameof(solution));
        double s2 = rss / (m - n);
        var v = svd.VT.Transpose();
        var covariance = new double[n, n];
        var errors = new double[n];
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
            {
                double c = 0;
                for (int k = 0; k < n; k++) c += v[a, k] * v[b, k] / (sigma[k] * sigma[k]);
                covariance[a, b] = s2 * c;
            }
        for (int a = 0; a < n; a++) errors[a] = Math.Sqrt(covariance[a, a]);
        return new FitStatistics(rss, m - n, Math.Sqrt(s2), covariance, errors);
    }
}
