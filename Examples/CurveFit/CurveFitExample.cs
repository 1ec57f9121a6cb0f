using System.Globalization;
using System.Linq.Expressions;
using ExprDiff.Solvers;

namespace ExprDiff.Examples.CurveFit;

/// <summary>The settings of one run. The fit takes about a second, so quick mode is the full run.</summary>
public sealed record CurveFitOptions
{
    /// <summary>Where the PNG goes.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>The data (two columns, x and y; lines starting with # are comments); the shipped osborne1.dat beside the
    /// program when null.</summary>
    public string? DataFile { get; init; }

    /// <summary>The options of a command line.</summary>
    /// <param name="args">The parsed command line.</param>
    public static CurveFitOptions From(ExampleArgs args) => new() { OutputDirectory = args.OutputDirectory };
}

/// <summary>What a run found and wrote.</summary>
/// <param name="Fits">One fit per NIST starting point.</param>
/// <param name="Png">The data, the fitted model and its residuals.</param>
public sealed record CurveFitResult(IReadOnlyList<Fit> Fits, string Png);

/// <summary>One fitted parameter beside NIST's certified value.</summary>
/// <param name="Name">b1 … b5.</param>
/// <param name="Estimate">The fitted value.</param>
/// <param name="StandardError">Its standard error, √(s²(JᵀJ)⁻¹) at the solution.</param>
/// <param name="Certified">NIST's certified estimate.</param>
/// <param name="CertifiedError">NIST's certified standard deviation of the estimate.</param>
public sealed record Parameter(string Name, double Estimate, double StandardError, double Certified, double CertifiedError)
{
    /// <summary>Digits of agreement with the certified estimate (NIST's log relative error, LRE).</summary>
    public double EstimateDigits => CurveFitExample.Digits(Estimate, Certified);

    /// <summary>Digits of agreement with the certified standard deviation.</summary>
    public double ErrorDigits => CurveFitExample.Digits(StandardError, CertifiedError);
}

/// <summary>A fit from one starting point.</summary>
/// <param name="Start">The starting point.</param>
/// <param name="Solver">What Levenberg–Marquardt returned.</param>
/// <param name="Statistics">The fit's statistics at the solution; null where the fit failed.</param>
/// <param name="Parameters">Each parameter beside its certified value; empty where the fit failed.</param>
public sealed record Fit(double[] Start, SolverResult Solver, FitStatistics? Statistics, IReadOnlyList<Parameter> Parameters);

/// <summary>
/// Curve fitting with Levenberg–Marquardt on a data set shipped as a file: Osborne's biexponential decay (NIST StRD MGH17,
/// "higher difficulty"), from both of NIST's starting points; parameters and standard errors against the certified values.
/// </summary>
public static class CurveFitExample
{
    /// <summary>NIST's certified estimates and standard deviations for MGH17.</summary>
    public static IReadOnlyList<(string Name, double Estimate, double Error)> Certified { get; } =
    [
        ("b1", 3.7541005211E-01, 2.0723153551E-03),
        ("b2", 1.9358469127E+00, 2.2031669222E-01),
        ("b3", -1.4646871366E+00, 2.2175707739E-01),
        ("b4", 1.2867534640E-02, 4.4861358114E-04),
        ("b5", 2.2122699662E-02, 8.9471996575E-04),
    ];

    /// <summary>NIST's certified residual sum of squares.</summary>
    public const double CertifiedResidualSumOfSquares = 5.4648946975E-05;

    /// <summary>NIST's two starting points.</summary>
    public static IReadOnlyList<double[]> Starts { get; } = [[50, 150, -100, 1, 2], [0.5, 1.5, -1, 0.01, 0.02]];

    /// <summary>Reads the data, fits from each start, writes a report to <paramref name="log"/> and the fit as a PNG.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="log">Where the report goes.</param>
    public static CurveFitResult Run(CurveFitOptions options, TextWriter log)
    {
        var (x, y) = Read(options.DataFile ?? Path.Combine(AppContext.BaseDirectory, "osborne1.dat"));
        // The model as one writes it: one residual per observation, the data captured.
        Expression<Func<double[], double[]>> residuals = b =>
            x.Select((xi, i) => b[0] + b[1] * Math.Exp(-xi * b[3]) + b[2] * Math.Exp(-xi * b[4]) - y[i]).ToArray();
        var problem = LeastSquares.Create(residuals);
        var solver = new LevenbergMarquardt { Options = new SolverOptions { MaxIterations = 5000, GradientTolerance = 1e-15, StepTolerance = 1e-15 } };
        var fits = new List<Fit>();
        log.WriteLine($"Osborne 1 (NIST MGH17): {x.Length} observations, y = b1 + b2·exp(−x·b4) + b3·exp(−x·b5)");
        foreach (var start in Starts)
        {
            var result = solver.Minimize(problem, start);
            // MGH17's certified minimum, not another local one: the RSS agrees to 6 digits.
            bool found = result.Converged && Digits(2 * result.Value, CertifiedResidualSumOfSquares) >= 6;
            var statistics = found ? FitStatistics.At(problem, result.X) : null;
            var parameters = statistics is null ? [] : Certified.Select((c, k) =>
                new Parameter(c.Name, result.X[k], statistics.StandardErrors[k], c.Estimate, c.Error)).ToArray();
            fits.Add(new Fit(start, result, statistics, parameters));
            log.WriteLine();
            log.WriteLine($"start ({string.Join(", ", start)}): {result.Reason}, {result.Iterations} iterations, " +
                $"{result.Counts.Function} residual and {result.Counts.Jacobian} Jacobian evaluations; RSS = {2 * result.Value:0.0000000000E+00}");
            if (statistics is null)
            {
                log.WriteLine($"  did not reach the certified minimum: {result.Message}");
                continue;
            }
            log.WriteLine($"  residual standard deviation {statistics.ResidualStandardDeviation:0.0000000000E+00} ({statistics.DegreesOfFreedom} degrees of freedom)");
            log.WriteLine("  param      estimate          certified    digits   std. error        certified    digits");
            foreach (var p in parameters)
                log.WriteLine($"  {p.Name,-5} {p.Estimate,17:0.0000000000E+00} {p.Certified,17:0.0000000000E+00} {p.EstimateDigits,6:F1}  {p.StandardError,17:0.0000000000E+00} {p.CertifiedError,17:0.0000000000E+00} {p.ErrorDigits,6:F1}");
        }
        var best = fits.Where(f => f.Statistics is not null).Select(f => f.Solver.X).FirstOrDefault() ?? fits[^1].Solver.X;
        string png = Plot(x, y, best, options.OutputDirectory);
        log.WriteLine();
        log.WriteLine($"wrote {png}");
        return new CurveFitResult(fits, png);
    }

    /// <summary>The data, the model at <paramref name="b"/> on a fine grid, and the residuals (magnified) below.</summary>
    private static string Plot(double[] x, double[] y, double[] b, string directory)
    {
        static double Model(double[] b, double t) => b[0] + b[1] * Math.Exp(-t * b[3]) + b[2] * Math.Exp(-t * b[4]);
        var grid = Enumerable.Range(0, 321).Select(i => (double)i).ToArray();
        // Residuals are ~1e-3: drawn 100 times larger around 0.3, under the curve.
        var residualY = x.Select((t, i) => 0.3 + 100 * (y[i] - Model(b, t))).ToArray();
        var plot = Plots.Lines("Osborne 1 (NIST MGH17): Levenberg–Marquardt fit", "x", "y",
        [
            new Series("model y = b1 + b2·exp(−x·b4) + b3·exp(−x·b5)", grid, grid.Select(t => Model(b, t)).ToArray()),
            new Series("residuals × 100, around 0.3", x, residualY),
        ]);
        Plots.Points(plot, "data (33 observations)", x, y, "#d62728");
        return Plots.Save(plot, directory, "osborne1-fit.png");
    }

    /// <summary>Reads two whitespace-separated columns, skipping comments and blank lines.</summary>
    public static (double[] X, double[] Y) Read(string path)
    {
        var x = new List<double>();
        var y = new List<double>();
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2)
                throw new FormatException($"{Path.GetFileName(path)}: expected two columns, got '{line}'");
            x.Add(double.Parse(parts[0], CultureInfo.InvariantCulture));
            y.Add(double.Parse(parts[1], CultureInfo.InvariantCulture));
        }
        return (x.ToArray(), y.ToArray());
    }

    /// <summary>NIST's log relative error: −log₁₀(|a − b|/|b|), capped at 15.</summary>
    public static double Digits(double a, double b) => a == b ? 15 : Math.Min(15, -Math.Log10(Math.Abs(a - b) / Math.Abs(b)));
}
