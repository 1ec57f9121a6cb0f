using System.Linq.Expressions;
using ExprDiff.Solvers;
using Xunit;

namespace ExprDiff.Tests.Solvers;

/// <summary>Standard errors of a fit against the closed form of linear regression, and the refusals.</summary>
public sealed class FitStatisticsTests
{
    [Fact]
    public void A_straight_line_has_the_textbook_covariance()
    {
        double[] t = [0, 1, 2, 3, 4, 5, 6];
        double[] y = [1.1, 2.9, 5.2, 6.8, 9.1, 11.2, 12.8];
        Expression<Func<double[], double[]>> r = p => t.Select((ti, i) => p[0] + p[1] * ti - y[i]).ToArray();
        var problem = LeastSquares.Create(r);
        var fit = new LevenbergMarquardt().Minimize(problem, [0.0, 0.0]);
        Assert.True(fit.Converged, fit.Message);

        // Closed form: b = Sty/Stt, a = ȳ − b·t̄; Var(b) = s²/Stt, Var(a) = s²(1/m + t̄²/Stt), Cov(a, b) = −t̄·s²/Stt.
        int m = t.Length;
        double tm = t.Average(), ym = y.Average();
        double stt = t.Sum(v => (v - tm) * (v - tm)), sty = t.Select((v, i) => (v - tm) * (y[i] - ym)).Sum();
        double b = sty / stt, a = ym - b * tm;
        double rss = t.Select((v, i) => Math.Pow(a + b * v - y[i], 2)).Sum(), s2 = rss / (m - 2);
        Assert.Equal(a, fit.X[0], 10);
        Assert.Equal(b, fit.X[1], 10);

        var stats = FitStatistics.At(problem, fit.X);
        Assert.Equal(m - 2, stats.DegreesOfFreedom);
        Assert.Equal(rss, stats.ResidualSumOfSquares, 12);
        Assert.Equal(Math.Sqrt(s2), stats.ResidualStandardDeviation, 12);
        Assert.Equal(s2 * (1.0 / m + tm * tm / stt), stats.Covariance[0, 0], 12);
        Assert.Equal(s2 / stt, stats.Covariance[1, 1], 12);
        Assert.Equal(-tm * s2 / stt, stats.Covariance[0, 1], 12);
        Assert.Equal(stats.Covariance[0, 1], stats.Covariance[1, 0], 15);
        Assert.Equal(Math.Sqrt(s2 / stt), stats.StandardErrors[1], 12);
    }

    [Fact]
    public void Refuses_too_few_residuals_and_undetermined_parameters()
    {
        Expression<Func<double[], double[]>> square = p => new[] { p[0] - 1, p[1] - 2 };
        Assert.Throws<ArgumentException>("problem", () => FitStatistics.At(LeastSquares.Create(square), [1.0, 2.0]));
        // Only p0 + p1 is determined by the data.
        double[] t = [1, 2, 3];
        Expression<Func<double[], double[]>> sum = p => t.Select(ti => (p[0] + p[1]) * ti - 2 * ti).ToArray();
        var e = Assert.Throws<ArgumentException>(() => FitStatistics.At(LeastSquares.Create(sum), [1.0, 1.0]));
        Assert.Contains("rank-deficient", e.Message);
    }
}
