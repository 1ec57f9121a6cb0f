using System.Linq.Expressions;
using System.Reflection;
using ExprDiff.Benchmarks.Problems;

namespace ExprDiff.Tests.Corpus;

/// <summary>A derivative (or f itself) whose values the corpus stores.</summary>
internal enum Kind
{
    Value, Gradient, ValueAndGradient, Hessian, Hvp, Jvp, Vjp, Jacobian,

    /// <summary><see cref="Compiled.Jacobian"/>: its own kind, since it is documented to agree with
    /// <see cref="Diff.Jacobian(Expression{Func{double[], double[]}}, DiffOptions?)"/> only to rounding (other mode).</summary>
    JacobianInto,

    Derivative1, Derivative2, Derivative3,
}

/// <summary>What one lowering computed at one point: the values flattened (row-major for matrices; for
/// ValueAndGradient the value, then the gradient), or the type of the exception it threw.</summary>
internal readonly record struct Outcome(double[]? Values, string? Error)
{
    public static Outcome Of(Func<double[]> run)
    {
        try { return new Outcome(run(), null); }
        catch (Exception e) { return Failed(e); }
    }

    public static Outcome Failed(Exception e) =>
        e is TargetInvocationException { InnerException: { } inner } ? Failed(inner) : new Outcome(null, e.GetType().Name);
}

/// <summary>One point with its directions: v over the differentiated variables (n), u over the outputs (m).</summary>
internal sealed record PointContext(object[] Args, int N, int M, double[] V, double[] U)
{
    public double[] X => (double[])Args[0];

    public object[] With(object extra) => [.. Args, extra];
}

/// <summary>
/// Every lowering that accepts a corpus function's signature, per derivative kind: <c>Diff.X(f).Compile()</c> (listed
/// first: the data file stores its values), <c>Diff.X(f).CompileIL()</c>, <c>Diff.X(f, Optimization = None).Compile()</c>, the
/// <see cref="Compiled"/> span entry points and <see cref="BatchGradient"/> batches. Not covered: the <c>Diff.X(f, wrt)</c>
/// overloads, <see cref="DiffOptions.IntegerPowers"/> = CorrectlyRounded, and f's value through the reference interpreter
/// (a graph evaluator, not a lowering).
/// </summary>
internal static class CorpusLowerings
{
    public static PointContext Context(CorpusCase c, CorpusPoint p)
    {
        int n = c.Shape is Shape.Scalars or Shape.ScalarsVector ? p.Args.Length : ((double[])p.Args[0]).Length;
        int m = 1;
        if (c.Shape is Shape.ArrayVector or Shape.ScalarsVector)
        {
            try { m = ((double[])c.F.Compile().DynamicInvoke(p.Args)!).Length; }
            catch (TargetInvocationException) { m = 0; }
        }
        var r = new Lcg(p.DirectionSeed);
        var v = Enumerable.Range(0, n).Select(_ => r.Sym()).ToArray();
        var u = Enumerable.Range(0, m).Select(_ => r.Sym()).ToArray();
        return new PointContext(p.Args, n, m, v, u);
    }

    /// <summary>The kinds that apply to <paramref name="c"/> (Hessians and Jacobians only at points of few variables: see <see cref="CorpusRun"/>).</summary>
    public static IEnumerable<Kind> Kinds(CorpusCase c)
    {
        yield return Kind.Value;
        switch (c.Shape)
        {
            case Shape.ArrayScalar or Shape.Scalars or Shape.Data:
                yield return Kind.Gradient;
                yield return Kind.ValueAndGradient;
                if (c.Shape != Shape.Data) yield return Kind.Hessian;
                yield return Kind.Hvp;
                if (c.F.Type == typeof(Func<double, double>))
                {
                    yield return Kind.Derivative1;
                    yield return Kind.Derivative2;
                    yield return Kind.Derivative3;
                }
                break;
            default:
                yield return Kind.Jvp;
                yield return Kind.Vjp;
                yield return Kind.Jacobian;
                if (c.Shape == Shape.ArrayVector) yield return Kind.JacobianInto;
                break;
        }
    }

    /// <summary>The lowerings of <paramref name="kind"/> for <paramref name="c"/>, by name, reference first. Building one
    /// (differentiating, compiling) may throw; the caller records that as the outcome at every point.</summary>
    public static IEnumerable<(string Name, Func<Func<PointContext, double[]>> Build)> Of(CorpusCase c, Kind kind)
    {
        var f = c.F;
        switch (kind)
        {
            case Kind.Value:
                yield return ("Compile", () => Run(f.Compile(), p => p.Args));
                yield return ("CompileIL", () => Run(CompileIL(f, derivative: false), p => p.Args));
                if (c.Shape == Shape.ArrayScalar)
                    yield return ("Compiled.Value", () =>
                    {
                        var d = Compiled.Value((Expression<Func<double[], double>>)f);
                        return p => [d(p.X)];
                    });
                if (c.Shape == Shape.ArrayVector)
                    yield return ("Compiled.Function", () =>
                    {
                        var d = Compiled.Function((Expression<Func<double[], double[]>>)f);
                        return p => Into(p.M, b => d(p.X, b));
                    });
                break;
            case Kind.Gradient or Kind.Hessian or Kind.Jacobian:
                foreach (var l in Both(o => Derive(kind.ToString(), f, o), p => p.Args)) yield return l;
                break;
            case Kind.ValueAndGradient:
                foreach (var l in Both(o => Derive("ValueAndGradient", f, o), null)) yield return l;
                if (c.Shape == Shape.ArrayScalar)
                {
                    yield return ("Compiled.ValueAndGradient", () =>
                    {
                        var d = Compiled.ValueAndGradient((Expression<Func<double[], double>>)f);
                        return p =>
                        {
                            var g = Enumerable.Repeat(double.NaN, p.N).ToArray();
                            return [d(p.X, g), .. g];
                        };
                    });
                    yield return ("BatchGradient", () => Batch(n => BatchGradient.Create((Expression<Func<double[], double>>)f, n), p => p.X));
                }
                if (f is Expression<Func<double, double, double>> two)
                    yield return ("BatchGradient", () => Batch(_ => BatchGradient.Create(two), p => [(double)p.Args[0], (double)p.Args[1]]));
                break;
            case Kind.Hvp or Kind.Jvp:
                foreach (var l in Both(o => Derive(kind.ToString(), f, o), p => p.With(p.V))) yield return l;
                if (c.Shape is Shape.ArrayScalar or Shape.ArrayVector)
                    yield return ("Compiled." + kind, () =>
                    {
                        var d = kind == Kind.Hvp ? Compiled.Hvp((Expression<Func<double[], double>>)f) : Compiled.Jvp((Expression<Func<double[], double[]>>)f);
                        return p => Into(kind == Kind.Hvp ? p.N : p.M, b => d(p.X, p.V, b));
                    });
                break;
            case Kind.Vjp:
                foreach (var l in Both(o => Derive("Vjp", f, o), p => p.With(p.U))) yield return l;
                if (c.Shape == Shape.ArrayVector)
                    yield return ("Compiled.Vjp", () =>
                    {
                        var d = Compiled.Vjp((Expression<Func<double[], double[]>>)f);
                        return p => Into(p.N, b => d(p.X, p.U, b));
                    });
                break;
            case Kind.JacobianInto:
                yield return ("Compiled.Jacobian", () =>
                {
                    var d = Compiled.Jacobian((Expression<Func<double[], double[]>>)f);
                    return p => Into(p.M * p.N, b => d(p.X, b));
                });
                break;
            default:
                int order = kind - Kind.Derivative1 + 1;
                foreach (var l in Both(o => Diff.Derivative((Expression<Func<double, double>>)f, order, o), p => p.Args)) yield return l;
                break;
        }
    }

    // Diff.X(f).Compile() and Diff.X(f).CompileIL(), over the same derivative expression, and Diff.X(f) without the
    // optimizer compiled: "None of these [passes] changes a value, bit for bit" (README), so it must agree too.
    private static IEnumerable<(string, Func<Func<PointContext, double[]>>)> Both(Func<DiffOptions?, LambdaExpression> derive, Func<PointContext, object[]>? args)
    {
        LambdaExpression? d = null;
        LambdaExpression D() => d ??= derive(null);
        // A value and gradient writes the gradient into a NaN-filled buffer, so an element it forgets shows.
        Func<Delegate, Func<PointContext, double[]>> run = args is null
            ? compiled => p =>
            {
                var g = Enumerable.Repeat(double.NaN, p.N).ToArray();
                double value = (double)Invoke(compiled, p.With(g));
                return [value, .. g];
            }
            : compiled => Run(compiled, args);
        yield return ("Compile", () => run(D().Compile()));
        yield return ("CompileIL", () => run(CompileIL(D(), derivative: true)));
        yield return ("Compile(Optimization.None)", () => run(derive(Unoptimized).Compile()));
    }

    private static readonly DiffOptions Unoptimized = new() { Optimization = OptimizationLevel.None };

    private static Func<PointContext, double[]> Run(Delegate compiled, Func<PointContext, object[]> args) => p => Flatten(Invoke(compiled, args(p)));

    private static double[] Into(int length, Action<double[]> write)
    {
        var buffer = Enumerable.Repeat(double.NaN, length).ToArray();
        write(buffer);
        return buffer;
    }

    // Four lanes of one point through the vectorized kernel and a fifth through its scalar tail, on one thread; every
    // lane must hold the point's value and gradient.
    private static Func<PointContext, double[]> Batch(Func<int, BatchGradient> create, Func<PointContext, double[]> coordinates)
    {
        var batches = new Dictionary<int, BatchGradient>();
        return p =>
        {
            var x = coordinates(p);
            int n = x.Length, count = 5;
            if (!batches.TryGetValue(n, out var batch)) batches[n] = batch = create(n);
            var points = new double[n * count];
            for (int j = 0; j < n; j++)
                for (int q = 0; q < count; q++) points[j * count + q] = x[j];
            var values = new double[count];
            var gradients = new double[n * count];
            batch.Evaluate(points, values, gradients, new BatchOptions { MaxDegreeOfParallelism = 1 });
            var lane0 = new double[n + 1];
            for (int q = 0; q < count; q++)
            {
                double[] lane = [values[q], .. Enumerable.Range(0, n).Select(j => gradients[j * count + q])];
                if (q == 0) lane0 = lane;
                else if (!lane.Select(BitConverter.DoubleToInt64Bits).SequenceEqual(lane0.Select(BitConverter.DoubleToInt64Bits)))
                    throw new InvalidOperationException($"batch lane {q} differs from lane 0");
            }
            return lane0;
        };
    }

    private static Delegate CompileIL(LambdaExpression e, bool derivative)
    {
        var compile = typeof(ILBackend).GetMethod(nameof(ILBackend.Compile))!.MakeGenericMethod(e.Type);
        dynamic compilation = compile.Invoke(null, [e])!;
        // "Every derivative Diff returns compiles to IL": a fallback would make this lowering Compile() again.
        if (derivative && (bool)compilation.UsedFallback)
            throw new InvalidOperationException("CompileIL fell back to Compile(): " + (string)compilation.FallbackReason);
        return (Delegate)compilation.Delegate;
    }

    /// <summary><c>Diff.<paramref name="name"/>(f)</c> for f's delegate type, found among the overloads.</summary>
    public static LambdaExpression Derive(string name, LambdaExpression f, DiffOptions? options = null)
    {
        var wanted = typeof(Expression<>).MakeGenericType(f.Type);
        foreach (var m in typeof(Diff).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.Name == name))
        {
            if (m.GetParameters() is not [_, { ParameterType: var o }] || o != typeof(DiffOptions)) continue;
            var method = m;
            if (m.IsGenericMethodDefinition)
            {
                var fa = f.Type.GetGenericArguments();
                if (fa.Length - 2 != m.GetGenericArguments().Length) continue;
                try { method = m.MakeGenericMethod(fa[1..^1]); }
                catch (ArgumentException) { continue; }
            }
            if (method.GetParameters()[0].ParameterType != wanted) continue;
            return (LambdaExpression)Invoke(method, [f, options]);
        }
        throw new InvalidOperationException($"no Diff.{name} for {f.Type}");
    }

    private static object Invoke(MethodInfo m, object?[] args)
    {
        try { return m.Invoke(null, args)!; }
        catch (TargetInvocationException e) when (e.InnerException is not null) { throw e.InnerException; }
    }

    private static object Invoke(Delegate d, object[] args)
    {
        try { return d.DynamicInvoke(args)!; }
        catch (TargetInvocationException e) when (e.InnerException is not null) { throw e.InnerException; }
    }

    private static double[] Flatten(object result) => result switch
    {
        double v => [v],
        double[] a => (double[])a.Clone(),
        double[,] m => m.Cast<double>().ToArray(),
        _ => throw new InvalidOperationException($"unexpected result {result.GetType()}"),
    };
}
