using System.Linq.Expressions;
using ExprDiff.Solvers;
using ExprDiff.Tests.Solvers.Mgh;
using Xunit;

namespace ExprDiff.Tests.Solvers;

/// <summary>Levenberg–Marquardt on the residual form of the 35 Moré–Garbow–Hillstrom problems, and its contract.</summary>
public sealed class LevenbergMarquardtTests
{
    // The residual expressions as written (most with Select(…).ToArray() over data): ExprDiff compiles r and J into buffers.
    private static LeastSquares Problem(MghProblem p) => LeastSquares.Create(p.Residuals);

    [Fact]
    public void Solves_its_list_of_the_35_MGH_problems_in_residual_form()
    {
        var solved = new List<int>();
        var report = new List<string>();
        foreach (var p in MghCatalog.All)
        {
            var result = new LevenbergMarquardt { Options = new SolverOptions { MaxIterations = 5000, GradientTolerance = 1e-12 } }.Minimize(Problem(p), p.X0);
            // MGH's f is Σr²; the solver reports ½Σr².
            double f = 2 * result.Value;
            if (p.Minima.Any(m => Math.Abs(f - m.F) <= 1e-8 * Math.Max(1, Math.Abs(m.F)))) solved.Add(p.Number);
            report.Add($"{p.Number} {p.Name}: f = {f:G10}, {result.Reason}, {result.Iterations} iterations, {result.Counts.Function} residuals");
        }
        int[] expected = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 29, 30, 31, 32, 33, 34, 35];
        // Issue 12 asks at least 30; 26 (trigonometric) ends at an unlisted local minimum, f = 2.795e-5.
        Assert.True(expected.SequenceEqual(solved), $"solved [{string.Join(", ", solved)}]\n{string.Join("\n", report)}");
    }

    [Fact]
    public void Fits_an_exponential_model_and_keeps_the_contract()
    {
        // y = 2·exp(−0.5 t) sampled exactly: the residuals vanish at (2, 0.5).
        var t = Enumerable.Range(0, 20).Select(i => 0.25 * i).ToArray();
        var y = t.Select(ti => 2 * Math.Exp(-0.5 * ti)).ToArray();
        var problem = new LeastSquares(t.Length,
            (x, r) => { for (int i = 0; i < t.Length; i++) r[i] = x[0] * Math.Exp(-x[1] * t[i]) - y[i]; },
            (x, jac) =>
            {
                for (int i = 0; i < t.Length; i++)
                {
                    double e = Math.Exp(-x[1] * t[i]);
                    jac[2 * i] = e;
                    jac[2 * i + 1] = -x[0] * t[i] * e;
                }
            });
        var fit = new LevenbergMarquardt().Minimize(problem, [1, 1]);
        Assert.True(fit.Converged, fit.Message);
        Assert.Equal(2, fit.X[0], 8);
        Assert.Equal(0.5, fit.X[1], 8);

        var budget = new LevenbergMarquardt { Options = new SolverOptions { MaxEvaluations = 3 } }.Minimize(problem, [1, 1]);
        Assert.Equal(TerminationReason.MaxEvaluations, budget.Reason);
        Assert.Equal(3, budget.Counts.Function);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Equal(TerminationReason.Cancelled, new LevenbergMarquardt().Minimize(problem, [1, 1], cts.Token).Reason);
        Assert.Throws<ArgumentException>("start", () => new LevenbergMarquardt().Minimize(problem, []));

        long Allocated(int iterations)
        {
            var solver = new LevenbergMarquardt { Options = new SolverOptions { MaxIterations = iterations, GradientTolerance = 0, StepTolerance = 0 } };
            solver.Minimize(problem, [1, 1]);
            long before = GC.GetAllocatedBytesForCurrentThread();
            solver.Minimize(problem, [1, 1]);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        // MathNet's Cholesky temporaries (factor and solve, n = 2) per damped step; nothing else per iteration.
        Assert.InRange((Allocated(10) - Allocated(3)) / 7, 0, 4 * (152 + 128));
    }
}
