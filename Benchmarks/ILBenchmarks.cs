using System.Linq.Expressions;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using ExprDiff.Benchmarks.Problems;

namespace ExprDiff.Benchmarks;

/// <summary>One value-and-gradient workload: the hand-written code, ExprDiff's derivative expression and the
/// function itself, each bound to the problem's data.</summary>
public sealed record GradientCase(string Name, double[] Point, Func<double[], double[], double> Handwritten,
    LambdaExpression Derivative, Func<Delegate, Func<double[], double[], double>> Bind, LambdaExpression Function,
    Func<Delegate, Func<double[], double>> BindFunction)
{
    /// <summary>The cases by name: "P1-1000 loop", "P1-10000 loop", "P2 loop", "P3 loop", "P3 pow loop", "P4 loop", "P1-1000 terms",
    /// "P3 terms".</summary>
    public static GradientCase Get(string name)
    {
        static Func<Delegate, Func<double[], double[], double>> Plain() => d => (Func<double[], double[], double>)d;
        static Func<Delegate, Func<double[], double>> PlainF() => d => (Func<double[], double>)d;
        switch (name)
        {
            case "P1-1000 loop" or "P1-10000 loop":
            {
                int n = name.StartsWith("P1-1000 ", StringComparison.Ordinal) ? 1000 : 10000;
                return new(name, P1Rosenbrock.Point(n), P1Rosenbrock.ValueAndGradient, Diff.ValueAndGradient(LoopForms.P1), Plain(), LoopForms.P1, PlainF());
            }
            case "P2 loop":
            {
                var (X, y) = (P2Logistic.X, P2Logistic.Y);
                return new(name, P2Logistic.Point(), P2Logistic.ValueAndGradient, Diff.ValueAndGradient(LoopForms.P2),
                    d => { var f = (Func<double[], double[], double[], double[], double>)d; return (w, g) => f(w, X, y, g); },
                    LoopForms.P2, d => { var f = (Func<double[], double[], double[], double>)d; return w => f(w, X, y); });
            }
            case "P3 loop":
                return new(name, P3LennardJones.Point(), P3LennardJones.ValueAndGradient, Diff.ValueAndGradient(LoopForms.P3), Plain(), LoopForms.P3, PlainF());
            case "P3 pow loop":
                return new(name, P3LennardJones.Point(), P3LennardJones.ValueAndGradient, Diff.ValueAndGradient(LoopForms.P3Pow), Plain(), LoopForms.P3Pow, PlainF());
            case "P4 loop":
            {
                var (A, T) = (P4Mlp.A, P4Mlp.T);
                return new(name, P4Mlp.Point(), P4Mlp.ValueAndGradient, Diff.ValueAndGradient(LoopForms.P4),
                    d => { var f = (Func<double[], double[], double[], double[], double>)d; return (w, g) => f(w, A, T, g); },
                    LoopForms.P4, d => { var f = (Func<double[], double[], double[], double>)d; return w => f(w, A, T); });
            }
            case "P1-1000 terms":
            {
                var f = P1Rosenbrock.TermByTerm(1000);
                return new(name, P1Rosenbrock.Point(1000), P1Rosenbrock.ValueAndGradient, Diff.ValueAndGradient(f), Plain(), f, PlainF());
            }
            case "P3 terms":
            {
                var f = P3LennardJones.TermByTerm();
                return new(name, P3LennardJones.Point(), P3LennardJones.ValueAndGradient, Diff.ValueAndGradient(f), Plain(), f, PlainF());
            }
            default: throw new ArgumentException($"unknown case '{name}'", nameof(name));
        }
    }

    public Func<double[], double[], double> CompileIL() => Bind(ILBackend.Compile((dynamic)Derivative).Delegate);

    public Func<double[], double[], double> Compile() => Bind(Derivative.Compile());

    public Func<double[], double> FunctionIL() => BindFunction(ILBackend.Compile((dynamic)Function).Delegate);
}

/// <summary>
/// Runs with tiered compilation off (every method, the hand-written ones included, compiled once with full
/// optimization, as DynamicMethods always are). On the benchmark host, once a process has run tiered code for a
/// while, each <c>Math.Exp</c>/<c>Math.Log</c> call can cost ~150 ns instead of ~6 ns, whichever code calls it; P2
/// and P4 make thousands of such calls, so their timings would measure that, not the code around the calls.
/// </summary>
public sealed class NoTieringConfig : ManualConfig
{
    public NoTieringConfig() =>
        AddJob(Job.Default.WithEnvironmentVariables(new EnvironmentVariable("DOTNET_TieredCompilation", "0")).WithId("NoTiering"));
}

/// <summary>
/// Value and gradient through the IL backend (<c>Diff.ValueAndGradient(f).CompileIL()</c>) and through
/// <c>Expression.Compile()</c> of the same derivative, against the hand-written gradient, on the problems in loop form
/// and two term-by-term forms.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(NoTieringConfig))]
public class ILGradientBenchmarks
{
    private double[] _x = [];
    private double[] _grad = [];
    private Func<double[], double[], double> _handwritten = null!;
    private Func<double[], double[], double> _il = null!;
    private Func<double[], double[], double> _compiled = null!;

    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "P1-1000 loop";

    /// <summary>Every case, or those named in the environment variable <c>EXPRDIFF_CASES</c> (separated by <c>;</c>),
    /// e.g. <c>EXPRDIFF_CASES="P3 loop;P3 pow loop"</c>: BenchmarkDotNet has no command-line switch for parameters.</summary>
    public static IEnumerable<string> Cases =>
        Environment.GetEnvironmentVariable("EXPRDIFF_CASES") is { Length: > 0 } only
            ? only.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : ["P1-1000 loop", "P1-10000 loop", "P2 loop", "P3 loop", "P3 pow loop", "P4 loop", "P1-1000 terms", "P3 terms"];

    [GlobalSetup]
    public void Setup()
    {
        var c = GradientCase.Get(Case);
        _x = c.Point;
        _grad = new double[_x.Length];
        _handwritten = c.Handwritten;
        _il = c.CompileIL();
        _compiled = c.Compile();
    }

    [Benchmark(Baseline = true)]
    public double Handwritten() => _handwritten(_x, _grad);

    [Benchmark]
    public double IL() => _il(_x, _grad);

    [Benchmark]
    public double Compile() => _compiled(_x, _grad);

    /// <summary>Max |difference| between the variants' values and gradient elements (after <see cref="Setup"/>).</summary>
    public double Verify() => Math.Max(Agreement.MaxAbsDifference(_x, _handwritten, _il), Agreement.MaxAbsDifference(_x, _handwritten, _compiled));

    public double Scale() => Agreement.Scale(_x, _handwritten);
}

/// <summary>Central finite differences over the IL-compiled function (2n + 1 evaluations per gradient), against the
/// hand-written gradient; the loop forms whose n keeps one gradient under a second.</summary>
[MemoryDiagnoser]
[Config(typeof(NoTieringConfig))]
public class ILFiniteDifferenceBenchmarks
{
    private double[] _x = [];
    private double[] _grad = [];
    private Func<double[], double[], double> _handwritten = null!;
    private Func<double[], double> _f = null!;

    [Params("P1-1000 loop", "P2 loop", "P3 loop", "P4 loop")]
    public string Case { get; set; } = "P1-1000 loop";

    [GlobalSetup]
    public void Setup()
    {
        var c = GradientCase.Get(Case);
        _x = c.Point;
        _grad = new double[_x.Length];
        _handwritten = c.Handwritten;
        _f = c.FunctionIL();
    }

    [Benchmark(Baseline = true)]
    public double Handwritten() => _handwritten(_x, _grad);

    [Benchmark]
    public double FiniteDifferences() => FiniteDifferenceGradientBenchmarks.CentralDifferences(_f, _x, _grad);

    public double Verify() => Agreement.MaxAbsDifference(_x, _handwritten, (x, g) => FiniteDifferenceGradientBenchmarks.CentralDifferences(_f, x, g));

    public double Scale() => Agreement.Scale(_x, _handwritten);
}

/// <summary>
/// From the <c>Diff</c> call until the first call returns, JIT included, on P1 term by term (n = 10,000): through
/// <c>.Compile()</c> (the baseline) and through <c>.CompileIL()</c>. The expression of f is built once, in setup.
/// </summary>
[MemoryDiagnoser]
public class ILCompileTimeBenchmarks
{
    private Expression<Func<double[], double>> _f = null!;
    private double[] _x = [];
    private double[] _grad = [];

    [Params(1_000, 10_000)]
    public int N { get; set; } = 10_000;

    [GlobalSetup]
    public void Setup()
    {
        _f = P1Rosenbrock.TermByTerm(N);
        _x = P1Rosenbrock.Point(N);
        _grad = new double[N];
    }

    [Benchmark(Baseline = true)]
    public double DiffCompileFirstCall() => Diff.ValueAndGradient(_f).Compile()(_x, _grad);

    [Benchmark]
    public double DiffCompileILFirstCall() => Diff.ValueAndGradient(_f).CompileIL()(_x, _grad);

    public double Verify()
    {
        var a = new double[N];
        var b = new double[N];
        double d = Math.Abs(DiffCompileFirstCall() - P1Rosenbrock.ValueAndGradient(_x, a));
        _grad.CopyTo(b, 0);
        d = Math.Max(d, Math.Abs(DiffCompileILFirstCall() - P1Rosenbrock.ValueAndGradient(_x, a)));
        for (int i = 0; i < N; i++) d = Math.Max(d, Math.Max(Math.Abs(a[i] - b[i]), Math.Abs(a[i] - _grad[i])));
        return d;
    }

    public double Scale() => Agreement.Scale(_x, P1Rosenbrock.ValueAndGradient);
}
