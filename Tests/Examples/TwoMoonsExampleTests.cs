using ExprDiff.Examples;
using ExprDiff.Examples.TwoMoons;
using Xunit;

namespace ExprDiff.Tests.Examples;

/// <summary>The two-moons example in quick mode, run once for the class: the accuracy it promises and its pictures.</summary>
public sealed class TwoMoonsExampleTests : IClassFixture<TwoMoonsExampleTests.QuickRun>
{
    /// <summary>One quick run into a temporary folder.</summary>
    public sealed class QuickRun : IDisposable
    {
        private readonly TempFolder _folder = new();

        public QuickRun() => Result = TwoMoonsExample.Run(TwoMoonsOptions.From(new ExampleArgs(Quick: true, _folder.Path)), TextWriter.Null);

        public TwoMoonsResult Result { get; }

        public void Dispose() => _folder.Dispose();
    }

    private readonly TwoMoonsResult _result;

    public TwoMoonsExampleTests(QuickRun run) => _result = run.Result;

    [Fact]
    public void Quick_mode_reaches_95_percent_training_accuracy()
    {
        Assert.True(_result.Accuracy >= 0.95, $"training accuracy {_result.Accuracy:P1}");
        Assert.Equal(250, _result.Solver.Iterations);
        Assert.Equal(251, _result.LossCurve.Length);
        // From about log 2 (a coin toss) to well under a tenth of it.
        Assert.InRange(_result.LossCurve[0], 0.4, 1.0);
        Assert.True(_result.LossCurve[^1] < 0.1 * _result.LossCurve[0], $"loss {_result.LossCurve[0]} -> {_result.LossCurve[^1]}");
        Assert.Equal(_result.Solver.Value, _result.LossCurve[^1]);
    }

    [Fact]
    public void The_loss_expression_is_the_hand_written_network_s_log_loss()
    {
        var data = LabeledPoints.TwoMoons(40, 0.15, seed: 3);
        var random = new Random(5);
        var w = Enumerable.Range(0, Mlp.ParameterCount).Select(_ => random.NextDouble() * 2 - 1).ToArray();
        const double l2 = 1e-3;
        double expected = 0;
        for (int p = 0; p < data.Count; p++)
        {
            double probability = Mlp.Probability(w, data.Points[p, 0], data.Points[p, 1]);
            expected -= data.Labels[p] == 1 ? Math.Log(probability) : Math.Log(1 - probability);
        }
        expected = expected / data.Count + l2 * w.Sum(v => v * v);
        double actual = Compiled.Value(Mlp.Loss(data, l2))(w);
        Assert.Equal(expected, actual, 1e-12);
    }

    [Fact]
    public void The_same_seed_gives_the_same_moons_and_the_classes_are_balanced()
    {
        var a = LabeledPoints.TwoMoons(301, 0.1, seed: 9);
        var b = LabeledPoints.TwoMoons(301, 0.1, seed: 9);
        Assert.Equal(a.Points.Cast<double>(), b.Points.Cast<double>());
        Assert.Equal(151, a.Labels.Count(l => l == 0));
        Assert.Equal(150, a.Labels.Count(l => l == 1));
    }

    [Fact]
    public void The_boundary_picture_has_data_a_title_and_axis_labels() => PngCheck.IsAPlot(_result.BoundaryPng);

    [Fact]
    public void The_loss_picture_has_data_a_title_and_axis_labels() => PngCheck.IsAPlot(_result.LossPng);
}
