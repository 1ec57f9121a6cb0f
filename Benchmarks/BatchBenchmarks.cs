using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;

namespace ExprDiff.Benchmarks;

/// <summary>
/// Value and gradient of the 2-variable Rosenbrock function f(x, y) = 100(y − x²)² + (1 − x)² over many points
/// (coordinate-major: all x, then all y): hand-written scalar and <c>Vector256</c> loops against
/// <see cref="BatchGradient"/> point by point (its scalar IL path), vectorized on one core, and vectorized on every core.
/// Throughput = Points / time.
/// </summary>
[MemoryDiagnoser]
public class BatchBenchmarks
{
    public static readonly Expression<Func<double, double, double>> Rosenbrock = (x, y) => 100 * Math.Pow(y - x * x, 2) + Math.Pow(1 - x, 2);

    private double[] _points = [];
    private double[] _values = [];
    private double[] _gradients = [];
    private BatchGradient _batch = null!;
    private static readonly BatchOptions Scalar = new() { MaxDegreeOfParallelism = 1, Simd = false };
    private static readonly BatchOptions OneCore = new() { MaxDegreeOfParallelism = 1 };
    private static readonly BatchOptions AllCores = new();

    // 1,024 points (40 KB) fit the L1 cache; 4,096 (160 KB) do not, here; 10⁶ stream from memory.
    [Params(1024, 4096, 1_000_000)]
    public int Points { get; set; } = 4096;

    [GlobalSetup]
    public void Setup()
    {
        var r = new Problems.Lcg(7);
        _points = new double[2 * Points];
        for (int i = 0; i < _points.Length; i++) _points[i] = 2 * r.Sym();
        _values = new double[Points];
        _gradients = new double[2 * Points];
        _batch = BatchGradient.Create(Rosenbrock);
    }

    [Benchmark(Baseline = true)]
    public void HandwrittenScalar() => HandScalar(_points, _values, _gradients, Points);

    [Benchmark]
    public void HandwrittenVector256() => HandVector(_points, _values, _gradients, Points);

    [Benchmark]
    public void BatchScalar() => _batch.Evaluate(_points, _values, _gradients, Scalar);

    [Benchmark]
    public void BatchSimd() => _batch.Evaluate(_points, _values, _gradients, OneCore);

    [Benchmark]
    public void BatchSimdThreads() => _batch.Evaluate(_points, _values, _gradients, AllCores);

    public static void HandScalar(double[] points, double[] values, double[] gradients, int count)
    {
        for (int p = 0; p < count; p++)
        {
            double x = points[p], y = points[count + p];
            double t = y - x * x, u = 1 - x;
            values[p] = 100 * (t * t) + u * u;
            gradients[p] = -400 * t * x - 2 * u;
            gradients[count + p] = 200 * t;
        }
    }

    public static void HandVector(double[] points, double[] values, double[] gradients, int count)
    {
        ref double px = ref points[0];
        ref double pg = ref gradients[0];
        ref double pv = ref values[0];
        var c100 = Vector256.Create(100.0);
        var one = Vector256.Create(1.0);
        var m400 = Vector256.Create(-400.0);
        var two = Vector256.Create(2.0);
        var c200 = Vector256.Create(200.0);
        int p = 0;
        for (; p + 4 <= count; p += 4)
        {
            var x = Vector256.LoadUnsafe(ref px, (nuint)p);
            var y = Vector256.LoadUnsafe(ref px, (nuint)(count + p));
            var t = y - x * x;
            var u = one - x;
            (c100 * (t * t) + u * u).StoreUnsafe(ref pv, (nuint)p);
            (m400 * t * x - two * u).StoreUnsafe(ref pg, (nuint)p);
            (c200 * t).StoreUnsafe(ref pg, (nuint)(count + p));
        }
        for (; p < count; p++)
        {
            double x = Unsafe.Add(ref px, p), y = Unsafe.Add(ref px, count + p);
            double t = y - x * x, u = 1 - x;
            Unsafe.Add(ref pv, p) = 100 * (t * t) + u * u;
            Unsafe.Add(ref pg, p) = -400 * t * x - 2 * u;
            Unsafe.Add(ref pg, count + p) = 200 * t;
        }
    }

    /// <summary>Max |difference| over values and gradients between every variant and the hand-written scalar loop.</summary>
    public double Verify()
    {
        var values = new double[Points];
        var gradients = new double[2 * Points];
        HandScalar(_points, values, gradients, Points);
        double d = 0;
        foreach (var run in new Action[] { HandwrittenVector256, BatchScalar, BatchSimd, BatchSimdThreads })
        {
            Array.Fill(_values, double.NaN);
            Array.Fill(_gradients, double.NaN);
            run();
            for (int i = 0; i < Points; i++) d = Math.Max(d, Math.Abs(values[i] - _values[i]));
            for (int i = 0; i < 2 * Points; i++) d = Math.Max(d, Math.Abs(gradients[i] - _gradients[i]));
        }
        return double.IsNaN(d) ? double.PositiveInfinity : d;
    }

    public double Scale()
    {
        var values = new double[Points];
        var gradients = new double[2 * Points];
        HandScalar(_points, values, gradients, Points);
        return values.Concat(gradients).Max(Math.Abs);
    }
}
