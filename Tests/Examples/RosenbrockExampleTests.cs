using ExprDiff.Examples;
using ExprDiff.Examples.Rosenbrock;
using ExprDiff.Solvers;
using Xunit;

namespace ExprDiff.Tests.Examples;

/// <summary>The Rosenbrock example in quick mode (n = 2 and 100), run once for the class.</summary>
public sealed class RosenbrockExampleTests : IClassFixture<RosenbrockExampleTests.QuickRun>
{
    /// <summary>One quick run into a temporary folder.</summary>
    public sealed class QuickRun : IDisposable
    {
        private readonly TempFolder _folder = new();

        public QuickRun() => Result = RosenbrockExample.Run(RosenbrockOptions.From(new ExampleArgs(Quick: true, _folder.Path)), TextWriter.Null);

        public RosenbrockResult Result { get; }

        public void Dispose() => _folder.Dispose();
    }

    private static readonly string[] MethodNames = ["Newton", "Newton-CG", "CG (Hager-Zhang)", "L-BFGS"]; // written out: a renamed method must be noticed

    private readonly RosenbrockResult _result;

    public RosenbrockExampleTests(QuickRun run) => _result = run.Result;

    [Fact]
    public void Every_method_reaches_the_minimum_in_every_dimension()
    {
        Assert.Equal([2, 100], _result.Runs.Select(r => r.Dimension).Distinct());
        foreach (var run in _result.Runs)
        {
            Assert.True(run.Result.Value < 1e-10, $"{run.Method}, n = {run.Dimension}: f = {run.Result.Value}");
            Assert.Equal(TerminationReason.GradientTolerance, run.Result.Reason);
            Assert.All(run.Result.X, x => Assert.Equal(1, x, 1e-5));
            Assert.Equal(run.Result.Iterations + 1, run.Trace.Length);
            Assert.True(run.GradientTrace[^1] <= 1e-8, $"{run.Method}, n = {run.Dimension}: last reported |grad| {run.GradientTrace[^1]}");
        }
    }

    [Fact]
    public void Second_order_methods_use_Hessian_vector_products_and_first_order_methods_none()
    {
        foreach (var run in _result.Runs)
        {
            var counts = run.Result.Counts;
            bool secondOrder = run.Method.StartsWith("Newton", StringComparison.Ordinal);
            Assert.True(secondOrder ? counts.HessianVector > 0 : counts.HessianVector == 0, $"{run.Method}, n = {run.Dimension}: {counts}");
            Assert.Equal(counts.Function, counts.Gradient);
        }
        // Newton forms the dense Hessian from n products per iteration; Newton-CG needs far fewer.
        var newton = _result.Runs.Single(r => r.Method == "Newton" && r.Dimension == 100);
        Assert.Equal(100 * newton.Result.Iterations, newton.Result.Counts.HessianVector);
        var newtonCG = _result.Runs.Single(r => r.Method == "Newton-CG" && r.Dimension == 100);
        Assert.True(newtonCG.Result.Counts.HessianVector < newton.Result.Counts.HessianVector / 10);
    }

    [Fact]
    public void The_table_has_a_row_per_method_and_dimension()
    {
        var lines = _result.Table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("method", lines[0]);
        Assert.Equal(2 + 2 * MethodNames.Length, lines.Length);
        foreach (int n in new[] { 2, 100 })
            foreach (string name in MethodNames)
                Assert.Single(lines, l => l.StartsWith(name + " ", StringComparison.Ordinal)
                    && l[name.Length..].TrimStart().StartsWith(n + " ", StringComparison.Ordinal) && l.TrimEnd().EndsWith("GradientTolerance", StringComparison.Ordinal));
    }

    [Fact]
    public void On_the_chained_form_Newton_stops_at_the_local_minimum_the_others_at_the_global_one()
    {
        // The claim of RosenbrockExample's remarks, at a size that runs in a moment.
        var objective = Objective.Create(RosenbrockExample.Chained);
        var start = RosenbrockExample.Start(30);
        var newton = new Newton().Minimize(objective, start);
        Assert.Equal(3.99, newton.Value, 0.01);
        Assert.Equal(-1, newton.X[0], 0.05);
        var lbfgs = new Lbfgs().Minimize(objective, start);
        Assert.True(lbfgs.Value < 1e-10, $"L-BFGS: f = {lbfgs.Value}");
    }

    [Fact]
    public void Each_convergence_picture_has_data_a_title_and_axis_labels()
    {
        Assert.Equal(2, _result.Pngs.Count);
        Assert.All(_result.Pngs, PngCheck.IsAPlot);
    }
}
