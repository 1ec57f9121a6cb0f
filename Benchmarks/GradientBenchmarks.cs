using System.Linq.Expressions;
using BenchmarkDotNet.Attributes;
using ExprDiff.Benchmarks.Problems;

namespace ExprDiff.Benchmarks;

/// <summary>
/// Value and gradient of each problem: hand-written code (the baseline) against ExprDiff's
/// <c>Diff.ValueAndGradient</c> of the term-by-term expression, compiled with <c>.Compile()</c>.
/// Both are called through a delegate.
/// </summary>
[MemoryDiagnoser]
public class GradientBenchmarks
{
    private double[] _x = [];
    private double[] _grad = [];
    private Func<double[], double[], double> _handwritten = null!;
    private Func<double[], double[], double> _compiled = null!;
    private Func<double[], double[], double> _unoptimized = null!;
    private Func<double[], double[], double> _fastMath = null!;

    [Params("P1-10", "P1-100", "P1-1000", "P1-10000", "P2", "P3", "P4")]
    public string Problem { get; set; } = "P1-10";

    [GlobalSetup]
    public void Setup()
    {
        var p = ProblemCatalog.Get(Problem);
        _x = p.Point();
        _grad = new double[_x.Length];
        _handwritten = p.ValueAndGradient;
        _compiled = Diff.ValueAndGradient(p.TermByTerm()).Compile();
        _unoptimized = Diff.ValueAndGradient(p.TermByTerm(), new DiffOptions { Optimization = OptimizationLevel.None }).Compile();
        _fastMath = Diff.ValueAndGradient(p.TermByTerm(), new DiffOptions { Optimization = OptimizationLevel.FastMath }).Compile();
    }

    [Benchmark(Baseline = true)]
    public double Handwritten() => _handwritten(_x, _grad);

    [Benchmark]
    public double ExprDiffCompiled() => _compiled(_x, _grad);

    /// <summary>The same derivative with <see cref="OptimizationLevel.None"/>: what the optimizer buys.</summary>
    [Benchmark]
    public double ExprDiffUnoptimized() => _unoptimized(_x, _grad);

    /// <summary>The same derivative at <see cref="OptimizationLevel.FastMath"/> (integer powers as plain products).</summary>
    [Benchmark]
    public double ExprDiffFastMath() => _fastMath(_x, _grad);

    /// <summary>Max |difference| between the variants' values and gradient elements (after <see cref="Setup"/>).</summary>
    public double Verify() => Math.Max(Agreement.MaxAbsDifference(_x, _handwritten, _compiled),
        Agreement.MaxAbsDifference(_x, _handwritten, _unoptimized));

    /// <summary>Max |difference| of the fast-math variant, which may differ by rounding.</summary>
    public double VerifyFastMath() => Agreement.MaxAbsDifference(_x, _handwritten, _fastMath);

    /// <summary>Max |value| and |gradient element| of the hand-written result: what <see cref="Verify"/> is relative to.</summary>
    public double Scale() => Agreement.Scale(_x, _handwritten);
}

/// <summary>
/// Central finite differences on the <c>.Compile()</c>d term-by-term f, against the hand-written gradient; only
/// the small problems (2n evaluations of f per gradient). Step h = ∛ε·max(1, |xᵢ|), so agreement is ~1e-7
/// relative at best, not the 1e-9 of exact methods.
/// </summary>
[MemoryDiagnoser]
public class FiniteDifferenceGradientBenchmarks
{
    private static readonly double Step = Math.Cbrt(Math.BitIncrement(1.0) - 1.0); // ∛(machine epsilon) ≈ 6e-6

    private double[] _x = [];
    private double[] _grad = [];
    private Func<double[], double[], double> _handwritten = null!;
    private Func<double[], double> _f = null!;

    [Params("P1-10", "P1-100", "P2", "P3")]
    public string Problem { get; set; } = "P1-10";

    [GlobalSetup]
    public void Setup()
    {
        var p = ProblemCatalog.Get(Problem);
        _x = p.Point();
        _grad = new double[_x.Length];
        _handwritten = p.ValueAndGradient;
        _f = p.TermByTerm().Compile();
    }

    [Benchmark(Baseline = true)]
    public double Handwritten() => _handwritten(_x, _grad);

    [Benchmark]
    public double FiniteDifferences() => CentralDifferences(_f, _x, _grad);

    /// <summary>Returns f(x) and writes the central-difference gradient into <paramref name="grad"/>.
    /// Perturbs x in place and restores it, so it allocates nothing.</summary>
    public static double CentralDifferences(Func<double[], double> f, double[] x, double[] grad)
    {
        for (int i = 0; i < x.Length; i++)
        {
            double xi = x[i];
            double h = Step * Math.Max(1.0, Math.Abs(xi));
            x[i] = xi + h;
            double up = f(x);
            x[i] = xi - h;
            double down = f(x);
            x[i] = xi;
            grad[i] = (up - down) / (2 * h);
        }
        return f(x);
    }

    /// <summary>Max |difference| between the variants' values and gradient elements (after <see cref="Setup"/>).</summary>
    public double Verify() => Agreement.MaxAbsDifference(_x, _handwritten, (x, g) => CentralDifferences(_f, x, g));

    public double Scale() => Agreement.Scale(_x, _handwritten);
}

/// <summary>
/// What one gradient costs to get: <c>Diff.ValueAndGradient(f)</c> + <c>.Compile()</c> + the first call (the
/// JIT compiles a DynamicMethod at its first call), for P1 with n = 1000. Baseline: <c>f.Compile()</c> + its
/// first call. The expression is built once, in setup.
/// </summary>
[MemoryDiagnoser]
public class GradientCompileTimeBenchmarks
{
    private const int N = 1000;
    private Expression<Func<double[], double>> _f = null!;
    private double[] _x = [];
    private double[] _grad = [];

    [GlobalSetup]
    public void Setup()
    {
        _f = P1Rosenbrock.TermByTerm(N);
        _x = P1Rosenbrock.Point(N);
        _grad = new double[N];
    }

    [Benchmark(Baseline = true)]
    public double CompileF() => _f.Compile()(_x);

    [Benchmark]
    public double DiffValueAndGradientCompile() => Diff.ValueAndGradient(_f).Compile()(_x, _grad);

    /// <summary>Max |difference| of the freshly compiled gradient (and of both values) from the hand-written ones.</summary>
    public double Verify()
    {
        double d = Agreement.MaxAbsDifference(_x, P1Rosenbrock.ValueAndGradient, (x, g) => Diff.ValueAndGradient(_f).Compile()(x, g));
        return Math.Max(d, Math.Abs(CompileF() - P1Rosenbrock.Value(_x)));
    }

    public double Scale() => Agreement.Scale(_x, P1Rosenbrock.ValueAndGradient);
}

/// <summary>Comparisons of (value, gradient) producers, for the benchmarks' <c>Verify</c> methods.</summary>
public static class Agreement
{
    public static double MaxAbsDifference(double[] x, Func<double[], double[], double> a, Func<double[], double[], double> b)
    {
        var ga = new double[x.Length];
        var gb = new double[x.Length];
        double d = Math.Abs(a(x, ga) - b(x, gb));
        for (int i = 0; i < x.Length; i++) d = Math.Max(d, Math.Abs(ga[i] - gb[i]));
        return d;
    }

    public static double Scale(double[] x, Func<double[], double[], double> a)
    {
        var g = new double[x.Length];
        double s = Math.Abs(a(x, g));
        foreach (double v in g) s = Math.Max(s, Math.Abs(v));
        return s;
    }
}
