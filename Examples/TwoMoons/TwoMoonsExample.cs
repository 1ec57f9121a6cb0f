using System.Diagnostics;
using ExprDiff.Solvers;

namespace ExprDiff.Examples.TwoMoons;

/// <summary>The settings of one run; the defaults are the full run, <see cref="Quick"/> the short one.</summary>
public sealed record TwoMoonsOptions
{
    /// <summary>Where the PNGs go.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>How many training points.</summary>
    public int Count { get; init; } = 300;

    /// <summary>The standard deviation of the noise added to the moons.</summary>
    public double Noise { get; init; } = 0.15;

    /// <summary>The seed of the data and of the initial weights.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Adam's updates (full batch: one per epoch).</summary>
    public int Iterations { get; init; } = 1000;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 0.02;

    /// <summary>The largest gradient norm Adam uses; longer gradients are scaled down to it.</summary>
    public double ClipNorm { get; init; } = 1;

    /// <summary>The weight of the L2 penalty on the weights.</summary>
    public double L2 { get; init; } = 1e-4;

    /// <summary>Grid points per side of the decision-boundary picture.</summary>
    public int GridSize { get; init; } = 120;

    /// <summary>The full run, or the quick one (fewer updates and a coarser picture, same data).</summary>
    /// <param name="args">The parsed command line.</param>
    public static TwoMoonsOptions From(ExampleArgs args) => args.Quick
        ? new TwoMoonsOptions { OutputDirectory = args.OutputDirectory, Iterations = 250, GridSize = 60 }
        : new TwoMoonsOptions { OutputDirectory = args.OutputDirectory };
}

/// <summary>What a run found and wrote.</summary>
/// <param name="Accuracy">The fraction of training points classified right.</param>
/// <param name="LossCurve">The loss before the first update (index 0) and after each one.</param>
/// <param name="Solver">Adam's result.</param>
/// <param name="CompileTime">Deriving and compiling the loss's value and gradient.</param>
/// <param name="TrainTime">Adam's updates.</param>
/// <param name="BoundaryPng">The decision boundary with the training points.</param>
/// <param name="LossPng">The loss curve.</param>
public sealed record TwoMoonsResult(double Accuracy, double[] LossCurve, SolverResult Solver, TimeSpan CompileTime, TimeSpan TrainTime,
    string BoundaryPng, string LossPng);

/// <summary>
/// A binary classifier trained by ExprDiff's gradients: a small perceptron (<see cref="Mlp"/>) fitted to two noisy
/// moons by <see cref="Adam"/> with gradient clipping, its loss one expression over the flat weight vector.
/// </summary>
public static class TwoMoonsExample
{
    /// <summary>Generates the data, trains, prints a summary and saves the two pictures.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="log">Where the summary goes (the console, or <see cref="TextWriter.Null"/>).</param>
    public static TwoMoonsResult Run(TwoMoonsOptions options, TextWriter log)
    {
        var data = LabeledPoints.TwoMoons(options.Count, options.Noise, options.Seed);
        var watch = Stopwatch.StartNew();
        var objective = Objective.Create(Mlp.Loss(data, options.L2));
        var compileTime = watch.Elapsed;

        double[] start = Mlp.InitialWeights(options.Seed);
        var progress = new ProgressLog();
        var adam = new Adam
        {
            LearningRate = options.LearningRate,
            ClipNorm = options.ClipNorm,
            // Only the update budget ends training: a network's gradient never gets as small as a solver's tolerance.
            Options = new SolverOptions { MaxIterations = options.Iterations, GradientTolerance = 0, StepTolerance = 0, Progress = progress },
        };
        watch.Restart();
        var result = adam.Minimize(objective, start);
        var trainTime = watch.Elapsed;

        var curve = new double[progress.Reports.Count + 1];
        curve[0] = objective.ValueAndGradient(start, new double[start.Length]);
        for (int i = 0; i < progress.Reports.Count; i++) curve[i + 1] = progress.Reports[i].Value;
        double accuracy = Mlp.Accuracy(result.X, data);

        log.WriteLine($"two moons: {data.Count} points, noise {options.Noise}, a 2-{Mlp.Hidden}-{Mlp.Hidden}-1 perceptron ({Mlp.ParameterCount} weights)");
        log.WriteLine($"loss and gradient derived and compiled in {compileTime.TotalMilliseconds:F0} ms");
        log.WriteLine($"Adam, learning rate {options.LearningRate}, gradient norm clipped at {options.ClipNorm}: {result.Iterations} updates " +
            $"in {trainTime.TotalSeconds:F1} s ({trainTime.TotalMilliseconds / Math.Max(1, result.Iterations):F1} ms each)");
        log.WriteLine($"loss {curve[0]:F4} -> {result.Value:F4}, training accuracy {accuracy:P1}");

        string boundary = Plots.Save(BoundaryPlot(result.X, data, options.GridSize, accuracy), options.OutputDirectory, "two-moons-boundary.png");
        var iterations = Enumerable.Range(0, curve.Length).Select(i => (double)i).ToArray();
        var lossPlot = Plots.Lines("Two moons: training loss (Adam, clipped)", "update", "log10 loss",
            [new Series("mean log-loss + L2", iterations, curve.Select(Math.Log10).ToArray())]);
        string loss = Plots.Save(lossPlot, options.OutputDirectory, "two-moons-loss.png");
        log.WriteLine($"wrote {boundary}");
        log.WriteLine($"wrote {loss}");
        return new TwoMoonsResult(accuracy, curve, result, compileTime, trainTime, boundary, loss);
    }

    // The probability of class 1 over a grid around the data, the points, and the cells where it crosses ½ as the
    // boundary line.
    private static ScottPlot.Plot BoundaryPlot(double[] w, LabeledPoints data, int size, double accuracy)
    {
        const double xMin = -1.6, xMax = 2.6, yMin = -1.2, yMax = 1.7;
        var probability = new double[size, size];
        for (int r = 0; r < size; r++)
            for (int c = 0; c < size; c++)
                probability[r, c] = Mlp.Probability(w, xMin + (xMax - xMin) * (c + 0.5) / size, yMin + (yMax - yMin) * (r + 0.5) / size);
        var plot = Plots.Heatmap($"Two moons: P(class 1), training accuracy {accuracy:P1}", "x", "y", probability, xMin, xMax, yMin, yMax, opacity: 0.55);

        var (bx, by) = (new List<double>(), new List<double>());
        for (int r = 0; r + 1 < size; r++)
            for (int c = 0; c + 1 < size; c++)
                if (probability[r, c] > 0.5 != probability[r, c + 1] > 0.5 || probability[r, c] > 0.5 != probability[r + 1, c] > 0.5)
                {
                    bx.Add(xMin + (xMax - xMin) * (c + 1) / size);
                    by.Add(yMin + (yMax - yMin) * (r + 1) / size);
                }
        var line = plot.Add.Markers(bx.ToArray(), by.ToArray(), ScottPlot.MarkerShape.FilledSquare, 3, ScottPlot.Colors.Black);
        line.LegendText = "P = 1/2";

        for (int label = 0; label < 2; label++)
        {
            var members = Enumerable.Range(0, data.Count).Where(p => data.Labels[p] == label).ToArray();
            Plots.Points(plot, $"class {label}", members.Select(p => data.Points[p, 0]).ToArray(), members.Select(p => data.Points[p, 1]).ToArray(),
                label == 0 ? "#0b1f5c" : "#7a0010", label == 0 ? ScottPlot.MarkerShape.FilledCircle : ScottPlot.MarkerShape.FilledDiamond);
        }
        return plot;
    }
}
