using System.Diagnostics;
using System.Globalization;
using System.Linq.Expressions;
using ExprDiff.Solvers;

namespace ExprDiff.Examples.Rosenbrock;

/// <summary>The settings of one run; the defaults are the full run.</summary>
public sealed record RosenbrockOptions
{
    /// <summary>Where the PNGs go.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>The dimensions to solve in, one convergence plot each.</summary>
    public IReadOnlyList<int> Dimensions { get; init; } = [2, 1000];

    /// <summary>Each method's iteration budget.</summary>
    public int MaxIterations { get; init; } = 10_000;

    /// <summary>The full run, or the quick one (n = 2 and n = 100: Newton's dense Hessian is what costs at n = 1000).</summary>
    /// <param name="args">The parsed command line.</param>
    public static RosenbrockOptions From(ExampleArgs args) => args.Quick
        ? new RosenbrockOptions { OutputDirectory = args.OutputDirectory, Dimensions = [2, 100] }
        : new RosenbrockOptions { OutputDirectory = args.OutputDirectory };
}

/// <summary>One method's solve, a row of the table.</summary>
/// <param name="Method">The method's name.</param>
/// <param name="Dimension">n.</param>
/// <param name="Result">What the solver returned.</param>
/// <param name="Time">The solve's wall-clock time (derivatives compiled before).</param>
/// <param name="Trace">f at the start (index 0) and after each iteration.</param>
/// <param name="GradientTrace">The gradient's infinity norm at the start and after each iteration.</param>
public sealed record MethodRun(string Method, int Dimension, SolverResult Result, TimeSpan Time, double[] Trace, double[] GradientTrace);

/// <summary>What a run found and wrote.</summary>
/// <param name="Runs">One row per method and dimension.</param>
/// <param name="Table">The table as printed.</param>
/// <param name="Pngs">One convergence plot per dimension, in the order of <see cref="RosenbrockOptions.Dimensions"/>.</param>
public sealed record RosenbrockResult(IReadOnlyList<MethodRun> Runs, string Table, IReadOnlyList<string> Pngs);

/// <summary>
/// The extended Rosenbrock function (Moré, Garbow and Hillstrom 1981, problem 21): n/2 independent copies of
/// 100(x₂ − x₁²)² + (1 − x₁)², minimized from its standard start (−1.2, 1, −1.2, 1, …) by Newton, trust-region
/// Newton–CG, nonlinear conjugate gradients and L-BFGS, with what each costs in evaluations. The minimum is f* = 0 at
/// (1, …, 1); for n = 2 it is the classic Rosenbrock function.
/// </summary>
/// <remarks>The chained form, Σᵢ 100(x[i+1] − x[i]²)² + (1 − x[i])² (scipy's <c>rosen</c>), couples neighbours: from this
/// start at n = 1000 the methods need thousands of iterations, and Newton stops at the local minimum f ≈ 3.99 near
/// (−1, 1, …, 1) that the chained form has for n ≥ 4. See Examples/README.md.</remarks>
public static class RosenbrockExample
{
    /// <summary>The function, for every even n: one loop that ExprDiff differentiates as a loop.</summary>
    public static readonly Expression<Func<double[], double>> Function =
        x => Enumerable.Range(0, x.Length / 2).Sum(i => 100 * Math.Pow(x[2 * i + 1] - x[2 * i] * x[2 * i], 2) + Math.Pow(1 - x[2 * i], 2));

    /// <summary>The chained form, which couples neighbours (see the remarks on <see cref="RosenbrockExample"/>).</summary>
    public static readonly Expression<Func<double[], double>> Chained =
        x => Enumerable.Range(0, x.Length - 1).Sum(i => 100 * Math.Pow(x[i + 1] - x[i] * x[i], 2) + Math.Pow(1 - x[i], 2));

    /// <summary>The methods compared, by name, each with its defaults and the options it is given.</summary>
    public static IReadOnlyList<(string Name, Func<SolverOptions, Minimizer> Create)> Methods { get; } =
    [
        ("Newton", o => new Newton { Options = o }),
        ("Newton-CG", o => new TrustRegionNewtonCG { Options = o }),
        ("CG (Hager-Zhang)", o => new NonlinearConjugateGradient { Options = o }),
        ("L-BFGS", o => new Lbfgs { Options = o }),
    ];

    /// <summary>The standard start, (−1.2, 1, −1.2, 1, …).</summary>
    /// <param name="n">The dimension.</param>
    public static double[] Start(int n) => Enumerable.Range(0, n).Select(i => i % 2 == 0 ? -1.2 : 1.0).ToArray();

    /// <summary>Solves with every method in every dimension, prints the table and saves one plot per dimension.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="log">Where the table goes.</param>
    public static RosenbrockResult Run(RosenbrockOptions options, TextWriter log)
    {
        // Compiled here rather than by Objective.Create, which compiles Hessian-vector products at their first use: the
        // first second-order method would otherwise pay for it in its time.
        var objective = new Objective(Compiled.ValueAndGradient(Function), Compiled.Value(Function), Compiled.Hvp(Function));
        var runs = new List<MethodRun>();
        foreach (int n in options.Dimensions)
        {
            double[] start = Start(n);
            var g0 = new double[n];
            double f0 = objective.ValueAndGradient(start, g0);
            foreach (var (name, create) in Methods)
            {
                var progress = new ProgressLog();
                var method = create(new SolverOptions { MaxIterations = options.MaxIterations, Progress = progress });
                var watch = Stopwatch.StartNew();
                var result = method.Minimize(objective, start);
                var time = watch.Elapsed;
                double[] trace = [f0, .. progress.Reports.Select(r => r.Value)];
                double[] gradients = [g0.Max(Math.Abs), .. progress.Reports.Select(r => r.GradientNorm)];
                runs.Add(new MethodRun(name, n, result, time, trace, gradients));
            }
        }

        string table = TextTable.Format(
            ["method", "n", "iterations", "f evals", "grad evals", "Hv", "Hessians", "final f", "|grad|inf", "time ms", "stopped by"],
            runs.Select(r => (IReadOnlyList<string>)
            [
                r.Method, Invariant(r.Dimension), Invariant(r.Result.Iterations), Invariant(r.Result.Counts.Function),
                Invariant(r.Result.Counts.Gradient), Invariant(r.Result.Counts.HessianVector), Invariant(r.Result.Counts.Hessian),
                r.Result.Value.ToString("0.00E+00", CultureInfo.InvariantCulture), r.Result.GradientNorm.ToString("0.0E+00", CultureInfo.InvariantCulture),
                r.Time.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture), r.Result.Reason.ToString(),
            ]));
        log.WriteLine("Extended Rosenbrock from (-1.2, 1, -1.2, 1, ...), f* = 0 at (1, ..., 1); gradient tolerance 1e-8 (infinity norm)");
        log.Write(table);

        var pngs = new List<string>();
        foreach (int n in options.Dimensions)
        {
            var series = runs.Where(r => r.Dimension == n).Select(r => new Series(r.Method,
                Enumerable.Range(0, r.Trace.Length).Select(i => (double)i).ToArray(), r.Trace.Select(Math.Log10).ToArray()));
            var plot = Plots.Lines($"Extended Rosenbrock, n = {n}: convergence from the standard start", "iteration", "log10(f - f*)", series);
            string path = Plots.Save(plot, options.OutputDirectory, $"rosenbrock-n{n}.png");
            log.WriteLine($"wrote {path}");
            pngs.Add(path);
        }
        return new RosenbrockResult(runs, table, pngs);
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
