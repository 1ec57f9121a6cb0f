using System.Linq.Expressions;
using ExprDiff.Solvers;

namespace ExprDiff.Examples.NonlinearSystem;

/// <summary>The settings of one run; the defaults are the full run.</summary>
public sealed record HEquationOptions
{
    /// <summary>Where the PNGs go.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Unknowns (quadrature nodes).</summary>
    public int N { get; init; } = 400;

    /// <summary>The albedos c to solve for, each from H = 1.</summary>
    public IReadOnlyList<double> Albedos { get; init; } = [0.5, 0.9, 0.99, 0.9999];

    /// <summary>The full run, or the quick one (n = 100).</summary>
    /// <param name="args">The parsed command line.</param>
    public static HEquationOptions From(ExampleArgs args) =>
        new() { OutputDirectory = args.OutputDirectory, N = args.Quick ? 100 : 400 };
}

/// <summary>What a run found and wrote.</summary>
/// <param name="Solves">One solve per albedo.</param>
/// <param name="Pngs">H(μ) for every albedo, and the residual's norm by iteration.</param>
public sealed record HEquationResult(IReadOnlyList<HSolve> Solves, IReadOnlyList<string> Pngs);

/// <summary>One solve of the discretized H-equation.</summary>
/// <param name="C">The albedo c.</param>
/// <param name="N">Unknowns (quadrature nodes).</param>
/// <param name="Result">What Newton's method returned.</param>
/// <param name="ResidualNorms">‖r‖₂ at the start and after each iteration: quadratic convergence shows as the exponent doubling.</param>
/// <param name="MomentError">|c/(2n)·Σhᵢ − (1 − √(1 − c))|: the discrete system's exact zeroth-moment identity, violated only by rounding and
/// by the residual left.</param>
/// <param name="Seconds">Wall time of the solve, including compiling r and J on first use.</param>
public sealed record HSolve(double C, int N, SolverResult Result, IReadOnlyList<double> ResidualNorms, double MomentError, double Seconds);

/// <summary>
/// A nonlinear system solved by Newton's method with its Jacobian: Chandrasekhar's H-equation of radiative transfer,
/// H(μ) = 1 / (1 − (c/2)·∫₀¹ μ H(ν)/(μ + ν) dν), discretized by the midpoint rule (Kelley, Solving Nonlinear Equations with
/// Newton's Method, SIAM 2003, §1.7): n equations in n unknowns, a dense Jacobian that ExprDiff derives.
/// </summary>
/// <remarks>Summing hᵢ·(1/hᵢ) over i and pairing the terms (i, j) and (j, i) gives the identity
/// c/(2n)·Σᵢ hᵢ = 1 − √(1 − c) for every solution of the discrete system, a check of the answer independent of the solver.
/// As c → 1 the Jacobian at the solution becomes singular and Newton's convergence slows from quadratic to linear.</remarks>
public static class HEquationExample
{
    /// <summary>Solves the H-equation for each albedo, writes a report to <paramref name="log"/> and two PNGs.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="log">Where the report goes.</param>
    public static HEquationResult Run(HEquationOptions options, TextWriter log)
    {
        int n = options.N;
        var solves = new List<HSolve>();
        var output = log;
        output.WriteLine($"Chandrasekhar's H-equation, midpoint rule with n = {n}: Newton's method from H = 1");
        foreach (double c in options.Albedos)
        {
            var mu = Enumerable.Range(1, n).Select(i => (i - 0.5) / n).ToArray();
            // rᵢ(h) = hᵢ − 1 / (1 − c/(2n)·Σⱼ μᵢ hⱼ / (μᵢ + μⱼ)), written as one would on paper.
            Expression<Func<double[], double[]>> residual = h => Enumerable.Range(0, n).Select(i =>
                h[i] - 1 / (1 - c / (2 * n) * Enumerable.Range(0, n).Sum(j => mu[i] * h[j] / (mu[i] + mu[j])))).ToArray();
            var norms = new List<double>();
            var r = new double[n];
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var system = LeastSquares.Create(residual);
            var start = Enumerable.Repeat(1.0, n).ToArray();
            system.Residuals(start, r);
            norms.Add(Math.Sqrt(r.Sum(v => v * v)));
            var solver = new NewtonSystem
            {
                Options = new SolverOptions { ResidualTolerance = 1e-12, MaxIterations = 200, Progress = new Norms(norms) },
            };
            var result = solver.Solve(system, start);
            watch.Stop();
            double moment = Math.Abs(c / (2 * n) * result.X.Sum() - (1 - Math.Sqrt(1 - c)));
            var solve = new HSolve(c, n, result, norms, moment, watch.Elapsed.TotalSeconds);
            solves.Add(solve);
            output.WriteLine();
            output.WriteLine($"c = {c}: {result.Reason} after {result.Iterations} iterations ({result.Counts.Function} residual, " +
                $"{result.Counts.Jacobian} Jacobian evaluations, {solve.Seconds:F2} s)");
            output.WriteLine("  ‖r‖₂ by iteration: " + string.Join("  ", norms.Select(v => v.ToString("0.0E+00"))));
            output.WriteLine($"  H(μ) at μ = {mu[0]:F4}, {mu[n / 2]:F4}, {mu[^1]:F4}: {result.X[0]:F10}, {result.X[n / 2]:F10}, {result.X[^1]:F10}");
            output.WriteLine($"  moment identity c/(2n)·Σh = 1 − √(1 − c): off by {moment:0.0E+00}");
        }
        var nodes = Enumerable.Range(1, n).Select(i => (i - 0.5) / n).ToArray();
        var h = Plots.Lines($"Chandrasekhar's H-function (midpoint rule, n = {n})", "μ", "H(μ)",
            solves.Select(s => new Series($"c = {s.C}", nodes, s.Result.X)));
        var convergence = Plots.Lines("Newton's method on the H-equation", "iteration", "log10 ‖r‖₂",
            solves.Select(s => new Series($"c = {s.C}", Enumerable.Range(0, s.ResidualNorms.Count).Select(i => (double)i).ToArray(),
                s.ResidualNorms.Select(Math.Log10).ToArray())));
        var pngs = new[] { Plots.Save(h, options.OutputDirectory, "h-function.png"), Plots.Save(convergence, options.OutputDirectory, "h-convergence.png") };
        output.WriteLine();
        output.WriteLine($"wrote {string.Join(", ", pngs)}");
        return new HEquationResult(solves, pngs);
    }

    // ‖r‖₂ after each iteration, from ½‖r‖² reported as progress.
    private sealed class Norms(List<double> norms) : IProgress<SolverProgress>
    {
        public void Report(SolverProgress value) => norms.Add(Math.Sqrt(2 * value.Value));
    }
}
