using System.Linq.Expressions;
using BenchmarkDotNet.Attributes;
using ExprDiff.Benchmarks.Problems;

namespace ExprDiff.Benchmarks;

/// <summary>
/// P1 written as a loop, <c>Enumerable.Range(0, x.Length − 1).Sum(i => …)</c>: ExprDiff's value and gradient
/// (one derivative for every n, compiled with <c>.Compile()</c>) against the hand-written gradient, at a small n
/// and at n = 10⁶.
/// </summary>
[MemoryDiagnoser]
public class LoopGradientBenchmarks
{
    public static readonly Expression<Func<double[], double>> RangeSum =
        x => Enumerable.Range(0, x.Length - 1).Sum(i => 100 * Math.Pow(x[i + 1] - x[i] * x[i], 2) + Math.Pow(1 - x[i], 2));

    private double[] _x = [];
    private double[] _grad = [];
    private Func<double[], double[], double> _compiled = null!;

    [Params(1_000, 1_000_000)]
    public int N { get; set; } = 1_000;

    [GlobalSetup]
    public void Setup()
    {
        _x = P1Rosenbrock.Point(N);
        _grad = new double[N];
        _compiled = Diff.ValueAndGradient(RangeSum).Compile();
    }

    [Benchmark(Baseline = true)]
    public double Handwritten() => P1Rosenbrock.ValueAndGradient(_x, _grad);

    [Benchmark]
    public double ExprDiffLoop() => _compiled(_x, _grad);

    /// <summary>Max |difference| between the variants' values and gradient elements (after <see cref="Setup"/>).</summary>
    public double Verify() => Agreement.MaxAbsDifference(_x, P1Rosenbrock.ValueAndGradient, _compiled);

    public double Scale() => Agreement.Scale(_x, P1Rosenbrock.ValueAndGradient);
}

/// <summary>What the loop gradient costs to get: <c>Diff.ValueAndGradient</c> of the Range-Sum Rosenbrock,
/// <c>.Compile()</c> and the first call (n = 10; the derivative is the same for every n).</summary>
[MemoryDiagnoser]
public class LoopCompileTimeBenchmarks
{
    private readonly double[] _x = P1Rosenbrock.Point(10);
    private readonly double[] _grad = new double[10];

    [Benchmark]
    public double DifferentiateCompileAndCall() => Diff.ValueAndGradient(LoopGradientBenchmarks.RangeSum).Compile()(_x, _grad);
}
