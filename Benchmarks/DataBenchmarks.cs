using System.Linq.Expressions;
using BenchmarkDotNet.Attributes;
using ExprDiff.Benchmarks.Problems;

namespace ExprDiff.Benchmarks;

/// <summary>
/// P5 (springs over captured <c>int[]</c> endpoints) and P6 (φ⁴ with guarded boundaries): value and gradient through the
/// IL backend and through <c>Expression.Compile()</c>, against the hand-written one-pass value+gradient. These shapes are
/// lowered in the plain way (a scatter loop through the index arrays); bringing them to hand-written speed is the
/// scheduled-program issue's work. No tiering (see <see cref="NoTieringConfig"/>).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(NoTieringConfig))]
public class DataGradientBenchmarks
{
    private double[] _x = [];
    private double[] _grad = [];
    private Func<double[], double[], double> _handwritten = null!;
    private Func<double[], double[], double> _il = null!;
    private Func<double[], double[], double> _compiled = null!;

    [Params("P5", "P6")]
    public string Problem { get; set; } = "P5";

    /// <summary>The problem's point, hand-written value+gradient and loop form.</summary>
    public static (double[] Point, Func<double[], double[], double> Handwritten, Expression<Func<double[], double>> Loop) Case(string problem) => problem switch
    {
        "P5" => (P5Springs.Point(), P5Springs.ValueAndGradient, P5Springs.Loop(P5Springs.Instance)),
        "P6" => (P6Phi4.Point(), P6Phi4.ValueAndGradient, P6Phi4.Loop),
        _ => throw new ArgumentException($"unknown problem '{problem}'", nameof(problem)),
    };

    [GlobalSetup]
    public void Setup()
    {
        var (x, handwritten, loop) = Case(Problem);
        _x = x;
        _grad = new double[x.Length];
        _handwritten = handwritten;
        var vg = Diff.ValueAndGradient(loop);
        _il = vg.CompileIL();
        _compiled = vg.Compile();
    }

    [Benchmark(Baseline = true)]
    public double Handwritten() => _handwritten(_x, _grad);

    [Benchmark]
    public double ExprDiffIL() => _il(_x, _grad);

    [Benchmark]
    public double ExprDiffCompile() => _compiled(_x, _grad);

    /// <summary>Max |difference| between the hand-written and the IL values and gradient elements (after <see cref="Setup"/>).</summary>
    public double Verify() => Math.Max(Agreement.MaxAbsDifference(_x, _handwritten, _il), Agreement.MaxAbsDifference(_x, _handwritten, _compiled));

    public double Scale() => Agreement.Scale(_x, _handwritten);
}
