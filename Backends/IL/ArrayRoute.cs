using System.Linq.Expressions;

namespace ExprDiff.Backends.IL;

/// <summary>
/// Span delegates that copy their spans into arrays and call the array delegate (<see cref="ILBackend.CompileIL{TDelegate}"/>,
/// which itself falls back to <c>Expression.Compile()</c>): the route of <see cref="Compiled"/> for an expression whose
/// array parameters cannot be read as spans. Same values as the array delegate, bit for bit, at the cost of copies.
/// </summary>
/// <remarks>The arrays come from a <see cref="ScratchPool"/> of the delegate (one slot per parameter, taken atomically
/// by a call and put back when it returns), so steady-state calls allocate nothing and concurrent calls never share one.
/// A call copies all of every span in and all of every writable span out, so the array delegate sees exactly the
/// caller's buffers. Overlapping buffers are refused before anything is copied (copies would hide the overlap).</remarks>
internal static class ArrayRoute
{
    public static ValueFunction Value(Expression<Func<double[], double>> f)
    {
        var d = f.CompileIL();
        var pool = Pool(1);
        return x =>
        {
            double[]? hx = null;
            var xa = In(x, pool, 0, ref hx);
            double value = d(xa);
            ScratchPool.Give(pool, 0, hx);
            return value;
        };
    }

    public static GradientFunction Gradient(LambdaExpression vg)
    {
        var d = ((Expression<Func<double[], double[], double>>)vg).CompileIL();
        string x = vg.Parameters[0].Name!, g = vg.Parameters[1].Name!;
        var pool = Pool(2);
        return (xs, gradient) =>
        {
            SpanCalls.RequireDistinct(gradient, xs, g, x);
            double[]? hx = null, hg = null;
            var xa = In(xs, pool, 0, ref hx);
            var ga = In(gradient, pool, 1, ref hg);
            double value = d(xa, ga);
            ga.CopyTo(gradient);
            ScratchPool.Give(pool, 0, hx);
            ScratchPool.Give(pool, 1, hg);
            return value;
        };
    }

    public static ProductFunction Product(LambdaExpression into)
    {
        var d = ((Expression<Func<double[], double[], double[], double>>)into).CompileIL();
        string x = into.Parameters[0].Name!, v = into.Parameters[1].Name!, r = into.Parameters[2].Name!;
        var pool = Pool(3);
        return (xs, vs, result) =>
        {
            SpanCalls.RequireDistinct(result, xs, r, x);
            SpanCalls.RequireDistinct(result, vs, r, v);
            double[]? hx = null, hv = null, hr = null;
            var xa = In(xs, pool, 0, ref hx);
            var va = In(vs, pool, 1, ref hv);
            var ra = In(result, pool, 2, ref hr);
            d(xa, va, ra);
            ra.CopyTo(result);
            ScratchPool.Give(pool, 0, hx);
            ScratchPool.Give(pool, 1, hv);
            ScratchPool.Give(pool, 2, hr);
        };
    }

    private static ScratchPool Pool(int slots)
    {
        var pool = new ScratchPool();
        pool.Resize(slots);
        return pool;
    }

    // An array of exactly the span's length (the derivative reads lengths), holding its elements.
    private static double[] In(ReadOnlySpan<double> span, ScratchPool pool, int slot, ref double[]? held)
    {
        var array = ScratchPool.Take(span.Length, pool, slot, ref held);
        span.CopyTo(array);
        return array;
    }
}
