using System.Linq.Expressions;
using ExprDiff.Backends.Batch;
using ExprDiff.Backends.IL;

namespace ExprDiff;

/// <summary>How <see cref="BatchGradient.Evaluate"/> spreads its work.</summary>
public sealed record BatchOptions
{
    /// <summary>Threads to use at most; 1 runs on the calling thread. Default: every core.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Points per unit of work handed to a thread (rounded up to a multiple of 4). Default 4,096.</summary>
    public int BlockSize { get; init; } = 4096;

    /// <summary>Whether to use the vectorized kernel where there is one (four points per <c>Vector256</c>). Default true.</summary>
    public bool Simd { get; init; } = true;

    /// <summary>The defaults.</summary>
    public static BatchOptions Default { get; } = new();
}

/// <summary>
/// A function's value and gradient over many points at once: four points per <see cref="System.Runtime.Intrinsics.Vector256{T}"/>
/// lane, blocks of points on several threads. Results equal the scalar IL delegate's bit for bit.
/// </summary>
/// <remarks>
/// <para>Points are stored coordinate-major: coordinate <c>j</c> of point <c>p</c> is <c>points[j * count + p]</c>, and
/// gradients the same way; <c>count</c> is the number of values. This lets four neighbouring points load as one vector.</para>
/// <para>Vectorized: functions without loops or array reads at computed indices (any number of scalar terms, conditionals,
/// <c>Math</c> functions). Others run point by point through the IL delegate, still in parallel;
/// <see cref="NotVectorizedReason"/> says why. Instances are immutable and thread-safe.</para>
/// </remarks>
public sealed class BatchGradient
{
    private readonly SimdKernel? _kernel;
    private readonly GradientFunction _scalar;

    private BatchGradient(int dimension, SimdKernel? kernel, string? reason, GradientFunction scalar)
    {
        Dimension = dimension;
        _kernel = kernel;
        NotVectorizedReason = reason;
        _scalar = scalar;
    }

    /// <summary>Value and gradient of <paramref name="f"/>, a function of a point with <paramref name="dimension"/> coordinates.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is negative.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate.</exception>
    public static BatchGradient Create(Expression<Func<double[], double>> f, int dimension, DiffOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dimension);
        var vg = Diff.ValueAndGradient(f, options);
        var (kernel, reason) = SimdEmitter.TryEmit(vg, dimension);
        var scalar = Compiled.GradientRoute(vg).Delegate;
        return new BatchGradient(dimension, kernel, reason, scalar);
    }

    /// <summary>Value and gradient of a function of two variables, <c>(x, y) => …</c>: coordinate 0 is x, 1 is y.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate.</exception>
    public static BatchGradient Create(Expression<Func<double, double, double>> f, DiffOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        // (x, y) => … becomes p => … with x = p[0], y = p[1]: the same terms over a point of two coordinates.
        var point = Expression.Parameter(typeof(double[]), "p");
        var body = new Substitution(f.Parameters, point).Visit(f.Body);
        return Create(Expression.Lambda<Func<double[], double>>(body, point), 2, options);
    }

    private sealed class Substitution(IReadOnlyList<ParameterExpression> parameters, ParameterExpression point) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node)
        {
            for (int i = 0; i < parameters.Count; i++)
                if (parameters[i] == node) return Expression.ArrayIndex(point, Expression.Constant(i));
            return node;
        }
    }

    /// <summary>The number of coordinates of a point.</summary>
    public int Dimension { get; }

    /// <summary>Whether points are evaluated four at a time by a vectorized kernel.</summary>
    public bool IsVectorized => _kernel is not null;

    /// <summary>Why there is no vectorized kernel (the node without a vector form), or null when there is one.</summary>
    public string? NotVectorizedReason { get; }

    /// <summary>Writes f(point p) into <c>values[p]</c> and ∂f/∂x_j at point p into <c>gradients[j * count + p]</c> for
    /// every p &lt; count = <c>values.Length</c>; <paramref name="points"/> holds coordinate j of point p at <c>j * count + p</c>.</summary>
    /// <exception cref="ArgumentException"><paramref name="points"/> or <paramref name="gradients"/> is shorter than
    /// <see cref="Dimension"/> × values.Length, or <paramref name="values"/> or <paramref name="gradients"/> overlaps
    /// another argument.</exception>
    public void Evaluate(ReadOnlySpan<double> points, Span<double> values, Span<double> gradients, BatchOptions? options = null)
    {
        options ??= BatchOptions.Default;
        int count = values.Length;
        long needed = (long)Dimension * count;
        if (points.Length < needed) throw new ArgumentException($"'points' needs {needed} elements ({Dimension} coordinates × {count} points) but has {points.Length}.", nameof(points));
        if (gradients.Length < needed) throw new ArgumentException($"'gradients' needs {needed} elements ({Dimension} coordinates × {count} points) but has {gradients.Length}.", nameof(gradients));
        SpanCalls.RequireDistinct(values, points, nameof(values), nameof(points));
        SpanCalls.RequireDistinct(gradients, points, nameof(gradients), nameof(points));
        SpanCalls.RequireDistinct(gradients, values, nameof(gradients), nameof(values));
        int block = Math.Max(4, (options.BlockSize + 3) & ~3);
        int blocks = (int)((count + (long)block - 1) / block);
        if (options.MaxDegreeOfParallelism <= 1 || blocks <= 1)
        {
            for (int b = 0; b < blocks; b++) Block(points, values, gradients, count, b * block, Math.Min(count, (b + 1) * block), options.Simd);
            return;
        }
        Parallel(points, values, gradients, count, (int)needed, block, blocks, options);
    }

    // Apart from Evaluate, so that the one-thread path does not allocate the lambda's closure.
    private unsafe void Parallel(ReadOnlySpan<double> points, Span<double> values, Span<double> gradients, int count, int length, int block, int blocks,
        BatchOptions options)
    {
        // Spans cannot enter the lambda; the caller's memory is pinned for the duration of the call.
        fixed (double* pp = points, pv = values, pg = gradients)
        {
            nint ip = (nint)pp, iv = (nint)pv, ig = (nint)pg;
            bool simd = options.Simd;
            System.Threading.Tasks.Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism }, b =>
                Block(new ReadOnlySpan<double>((double*)ip, length), new Span<double>((double*)iv, count), new Span<double>((double*)ig, length),
                    count, b * block, Math.Min(count, (b + 1) * block), simd));
        }
    }

    private void Block(ReadOnlySpan<double> points, Span<double> values, Span<double> gradients, int count, int start, int end, bool simd)
    {
        int p = start;
        if (simd && _kernel is not null && end - start >= 4)
        {
            int vectorEnd = start + ((end - start) & ~3);
            _kernel(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(points), ref values[0], ref gradients[0], count, start, vectorEnd);
            p = vectorEnd;
        }
        if (p == end) return;
        Span<double> x = Dimension <= 64 ? stackalloc double[Dimension] : new double[Dimension];
        Span<double> g = Dimension <= 64 ? stackalloc double[Dimension] : new double[Dimension];
        for (; p < end; p++)
        {
            for (int j = 0; j < Dimension; j++) x[j] = points[j * count + p];
            values[p] = _scalar(x, g);
            for (int j = 0; j < Dimension; j++) gradients[j * count + p] = g[j];
        }
    }
}
