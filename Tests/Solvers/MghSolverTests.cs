using ExprDiff.Solvers;
using ExprDiff.Tests.Solvers.Mgh;
using Xunit;

namespace ExprDiff.Tests.Solvers;

/// <summary>
/// Every minimizer on the 35 Moré–Garbow–Hillstrom problems from their standard starting points. Success is
/// |f − f*| ≤ 1e-8·max(1, |f*|) for any minimum MGH publish; each method's list of successes is asserted exactly, so a
/// change in a solver's behaviour shows here. Issue 12 asks at least 30 for Newton and L-BFGS, 28 for trust-region
/// Newton-CG and 25 for nonlinear CG.
/// </summary>
/// <remarks>The failures: 26 (trigonometric) ends at f = 2.795e-5, a local minimum MGH do not list, for every method;
/// 31 (Broyden banded) at f = 3.057, another unlisted local minimum, for L-BFGS and CG; 10 (Meyer), whose valley is
/// badly scaled, for trust-region Newton-CG and CG; 3 and 4 (Powell and Brown badly scaled) for CG.</remarks>
public sealed class MghSolverTests
{
    public static TheoryData<string, int[]> Expected => new()
    {
        { "Newton", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 29, 30, 31, 32, 33, 34, 35] },
        { "L-BFGS", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 29, 30, 32, 33, 34, 35] },
        { "trust-region Newton-CG", [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 29, 30, 31, 32, 33, 34, 35] },
        { "nonlinear CG (Hager-Zhang)", [1, 2, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 29, 30, 32, 33, 34, 35] },
    };

    private static Minimizer Method(string name) => name switch
    {
        "Newton" => new Newton { Options = new SolverOptions { MaxIterations = 2000, GradientTolerance = 1e-10 } },
        "L-BFGS" => new Lbfgs { Options = new SolverOptions { MaxIterations = 20_000, GradientTolerance = 1e-10 } },
        "trust-region Newton-CG" => new TrustRegionNewtonCG { Options = new SolverOptions { MaxIterations = 5000, GradientTolerance = 1e-10 } },
        _ => new NonlinearConjugateGradient { Options = new SolverOptions { MaxIterations = 50_000, MaxEvaluations = 200_000, GradientTolerance = 1e-10 } },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void Each_method_solves_its_list_of_problems(string method, int[] expected)
    {
        var solved = new List<int>();
        var report = new List<string>();
        foreach (var p in MghCatalog.All)
        {
            var objective = Objective.Create(p.Objective);
            var r = Method(method).Minimize(objective, p.X0);
            // The reported value is f at the returned point (as ExprDiff computes f: powers as products, so not always
            // bit for bit what Expression.Compile() gives).
            Assert.Equal(r.Value, objective.Value!(r.X));
            bool ok = p.Minima.Any(m => Math.Abs(r.Value - m.F) <= 1e-8 * Math.Max(1, Math.Abs(m.F)));
            if (ok) solved.Add(p.Number);
            report.Add($"{p.Number} {p.Name}: f = {r.Value:G10}, {r.Reason}, {r.Iterations} iterations");
        }
        Assert.True(expected.SequenceEqual(solved), $"{method} solved [{string.Join(", ", solved)}]:\n{string.Join("\n", report)}");
    }
}
