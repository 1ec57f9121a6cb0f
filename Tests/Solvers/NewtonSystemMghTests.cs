using ExprDiff.Solvers;
using ExprDiff.Tests.Solvers.Mgh;
using Xunit;

namespace ExprDiff.Tests.Solvers;

/// <summary><see cref="NewtonSystem"/> on the square Moré–Garbow–Hillstrom problems (as many residuals as unknowns)
/// whose published minimum is a root (f* = 0), from the standard starts.</summary>
public sealed class NewtonSystemMghTests
{
    [Fact]
    public void Finds_the_roots_of_its_list_of_square_MGH_systems()
    {
        var solved = new List<int>();
        var report = new List<string>();
        var square = MghCatalog.All.Where(p => p.M == p.N && p.Minima.Any(m => m.F == 0)).ToList();
        foreach (var p in square)
        {
            var result = new NewtonSystem { Options = new SolverOptions { MaxIterations = 500 } }.Solve(LeastSquares.Create(p.Residuals), p.X0);
            double largest = p.Residuals.Compile()(result.X).Max(Math.Abs);
            if (result.Reason == TerminationReason.ResidualTolerance && largest <= 1e-10) solved.Add(p.Number);
            report.Add($"{p.Number} {p.Name} (n = {p.N}): {result.Reason}, {result.Iterations} iterations, {result.Counts.Function} residuals, max |r| = {largest:G3}; {result.Message}");
        }
        // 13 square systems with a root; 2 (Freudenstein and Roth) from its standard start descends into the local minimum of
        // ‖r‖ that MGH list (Σr² = 48.98), where no step decreases ‖r‖: no root is near.
        int[] expected = [1, 3, 7, 13, 21, 22, 26, 27, 28, 29, 30, 31];
        Assert.True(expected.SequenceEqual(solved), $"square systems [{string.Join(", ", square.Select(p => p.Number))}], solved [{string.Join(", ", solved)}]\n{string.Join("\n", report)}");
    }
}
