using System.Linq.Expressions;
using ExprDiff.Backends.IL;

namespace ExprDiff;

/// <summary>A value and gradient written into the caller's buffer: returns f(x) and sets <c>gradient[i] = ∂f/∂x[i]</c>
/// for every i &lt; x.Length (the gradient needs at least x.Length elements; later ones are cleared).</summary>
public delegate double GradientFunction(ReadOnlySpan<double> x, Span<double> gradient);

/// <summary>A function of a point.</summary>
public delegate double ValueFunction(ReadOnlySpan<double> x);

/// <summary>A product with a direction written into the caller's buffer: <c>result = M(x)·v</c> for a Hessian- or
/// Jacobian-vector product, <c>result = vᵀ·J(x)</c> for a vector-Jacobian product.</summary>
public delegate void ProductFunction(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> result);

/// <summary>A vector function's result written into the caller's buffer (residuals, say): its elements, then zeros to the
/// end of the buffer.</summary>
public delegate void VectorFunction(ReadOnlySpan<double> x, Span<double> result);

/// <summary>A Jacobian written into the caller's buffer, row-major: <c>jacobian[r * x.Length + c] = ∂f_r/∂x_c</c>.</summary>
public delegate void JacobianFunction(ReadOnlySpan<double> x, Span<double> jacobian);

/// <summary>
/// Solver entry points: derivatives compiled by the IL backend to delegates over spans that write into caller-provided
/// buffers, so an optimizer's inner loop allocates nothing. Each delegate is thread-safe.
/// </summary>
/// <remarks>
/// <para>The results equal those of the matching <see cref="Diff"/> expression compiled with
/// <see cref="ILBackend.CompileIL{TDelegate}"/>, bit for bit. <see cref="Value"/> and <see cref="Function"/> compute f as
/// ExprDiff imports it, so an integer power <c>Math.Pow(x, k)</c> is the multiplication chain that f's derivatives use
/// (a solver's f alone and f with its gradient agree), which may differ in the last bits from <c>f.Compile()</c>'s
/// C-library pow (<see cref="IntegerPowerMode"/>). Argument checks are the same (a short buffer, or a result
/// buffer that overlaps another argument, is an <see cref="ArgumentException"/> naming it). Arguments that are only
/// read (x and a direction v) may be the same memory.</para>
/// <para>Every derivative that <c>CompileIL()</c> compiles compiles here: its arrays are read and written through the
/// spans directly, and an expression that uses an array in a way a span cannot be used (a user's function the IL
/// backend hands to <c>Expression.Compile()</c>, say) runs on copies of the spans in arrays pooled by the delegate,
/// with the same results.</para>
/// <para>Thread safety: a delegate keeps no state between calls but buffers that a call takes for itself (scratch
/// arrays, those copies), so any number of threads may call one at once.</para>
/// </remarks>
public static class Compiled
{
    /// <summary>f itself over a span.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    public static ValueFunction Value(Expression<Func<double[], double>> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        return ValueRoute(f).Delegate;
    }

    // LINQ reductions compile as the loops ExprDiff imports them to; what cannot be read through a span goes through arrays.
    internal static (ValueFunction Delegate, string? ArrayRouteReason) ValueRoute(Expression<Func<double[], double>> f) =>
        Route(Diff.Rebuild(f) ?? f, [typeof(ReadOnlySpan<double>)], () => ArrayRoute.Value(f));

    /// <summary>f(x) and ∇f(x) into <c>gradient</c>: <see cref="Diff.ValueAndGradient(Expression{Func{double[], double}}, DiffOptions?)"/> over spans.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate.</exception>
    public static GradientFunction ValueAndGradient(Expression<Func<double[], double>> f, DiffOptions? options = null) =>
        GradientRoute(Diff.ValueAndGradient(f, options)).Delegate;

    /// <summary>H(x)·v into <c>result</c> (forward over reverse, without forming H).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate.</exception>
    public static ProductFunction Hvp(Expression<Func<double[], double>> f, DiffOptions? options = null) =>
        ProductRoute(Diff.HvpInto(f, options)).Delegate;

    /// <summary>J(x)·v into <c>result</c> (forward mode), one element per output of f; where f's result has a length
    /// computed when it runs, <c>result</c> needs at least that many elements, and later ones are set to zero.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate.</exception>
    public static ProductFunction Jvp(Expression<Func<double[], double[]>> f, DiffOptions? options = null) =>
        ProductRoute(Diff.JvpInto(f, options)).Delegate;

    /// <summary>vᵀ·J(x) into <c>result</c> (reverse mode): <c>v</c> has one element per output of f.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate.</exception>
    public static ProductFunction Vjp(Expression<Func<double[], double[]>> f, DiffOptions? options = null) =>
        ProductRoute(Diff.VjpInto(f, options)).Delegate;

    /// <summary>The Jacobian of f into a row-major buffer of (number of outputs) × x.Length elements: row by row in reverse
    /// mode when f has no more outputs than inputs, else column by column in forward mode (Levenberg–Marquardt's many
    /// residuals). Allocation-free after the first calls (direction vectors come from a shared pool). Each row (column)
    /// is, bit for bit, <see cref="Vjp"/> (<see cref="Jvp"/>) along a unit vector. <see cref="Diff.Jacobian(Expression{Func{double[], double[]}}, DiffOptions?)"/>
    /// may take the other mode (it works by columns for loop programs), so the two agree to rounding, and a zero may differ in sign.
    /// Where a partial derivative is infinite (<c>Math.Cbrt</c> at 0), the products multiply it by the zero weight of the
    /// other rows (columns), which then hold NaN (0·∞) where <c>Diff.Jacobian</c>, computing each entry on its own, may not.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate.</exception>
    /// <remarks>Where reverse mode cannot differentiate f (a loop inside a conditional branch), the Jacobian goes by columns
    /// whatever its shape. For a result whose length is computed when f runs, the columns are Jacobian-vector products and the
    /// buffer's length gives the number of rows: it must be a multiple of x.Length, at least the result's length × x.Length;
    /// rows past the result's length are zero.</remarks>
    public static JacobianFunction Jacobian(Expression<Func<double[], double[]>> f, DiffOptions? options = null)
    {
        int? outputs = Diff.OutputCount(f, options, out bool computed);
        var jvp = Jvp(f, options);
        // Reverse mode needs a result of known length (and forward mode suits the many residuals of a computed one); where
        // it cannot differentiate f (a loop inside a conditional branch), the columns of forward mode still can.
        var vjp = computed ? null : ReverseOrNull(f, options);
        return (x, jacobian) =>
        {
            int n = x.Length, m;
            if (computed)
            {
                if (n == 0 || jacobian.Length % n != 0)
                    throw new ArgumentException($"'jacobian' must have (outputs × {n} inputs) elements, a multiple of {n}, but has {jacobian.Length}: this function's number of outputs is computed when it runs, so the buffer's length gives the number of rows.", nameof(jacobian));
                m = jacobian.Length / n;
            }
            else
            {
                m = outputs ?? n;
                if (jacobian.Length < (long)m * n)
                    throw new ArgumentException($"'jacobian' needs {(long)m * n} elements ({m} outputs × {n} inputs) but has {jacobian.Length}.", nameof(jacobian));
            }
            // The rows written first would be read as x by the later ones.
            SpanCalls.RequireDistinct(jacobian, x, nameof(jacobian), nameof(x));
            int size = Math.Max(m, n);
            var rented = System.Buffers.ArrayPool<double>.Shared.Rent(2 * size);
            try
            {
                var direction = rented.AsSpan(0, size);
                direction.Clear();
                if (vjp is not null && m <= n)
                {
                    // Row r is e_rᵀ·J.
                    for (int r = 0; r < m; r++)
                    {
                        direction[r] = 1;
                        vjp(x, direction[..m], jacobian.Slice(r * n, n));
                        direction[r] = 0;
                    }
                }
                else
                {
                    // Column c is J·e_c, written down the column.
                    var column = rented.AsSpan(size, m);
                    for (int c = 0; c < n; c++)
                    {
                        direction[c] = 1;
                        jvp(x, direction[..n], column);
                        direction[c] = 0;
                        for (int r = 0; r < m; r++) jacobian[r * n + c] = column[r];
                    }
                }
            }
            finally
            {
                System.Buffers.ArrayPool<double>.Shared.Return(rented);
            }
        };
    }

    private static ProductFunction? ReverseOrNull(Expression<Func<double[], double[]>> f, DiffOptions? options)
    {
        try
        {
            return Vjp(f, options);
        }
        catch (ExprDiffException)
        {
            return null;
        }
    }

    /// <summary>f itself, writing its result into <c>result</c> (residuals for a least-squares solver, say). A result of
    /// fixed length needs a buffer at least that long; one whose length is computed when f runs (<c>.Select(…).ToArray()</c>
    /// over data) needs at least the length of this call's result; elements past the result are set to zero.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot import.</exception>
    public static VectorFunction Function(Expression<Func<double[], double[]>> f, DiffOptions? options = null)
    {
        var d = GradientRoute(Diff.FunctionInto(f, options)).Delegate;
        return (x, result) => d(x, result);
    }

    /// <summary>A value and gradient (<c>(x, gradient) => …</c>) over spans: emitted with span parameters, or through
    /// arrays (<see cref="ArrayRoute"/>) when some use of them cannot be (the reason says which).</summary>
    internal static (GradientFunction Delegate, string? ArrayRouteReason) GradientRoute(LambdaExpression vg) =>
        Route(vg, [typeof(ReadOnlySpan<double>), typeof(Span<double>)], () => ArrayRoute.Gradient(vg));

    /// <summary>A product into a buffer (<c>(x, v, result) => …</c>), as <see cref="GradientRoute"/>.</summary>
    internal static (ProductFunction Delegate, string? ArrayRouteReason) ProductRoute(LambdaExpression into) =>
        Route(into, [typeof(ReadOnlySpan<double>), typeof(ReadOnlySpan<double>), typeof(Span<double>)], () => ArrayRoute.Product(into));

    private static (T Delegate, string? ArrayRouteReason) Route<T>(LambdaExpression lambda, Type[] parameterTypes, Func<T> throughArrays) where T : Delegate
    {
        if (DynamicCode.Unavailable is { } noEmit) return (throughArrays(), noEmit);
        string reason;
        try
        {
            return ((T)ILEmitter.Emit(lambda, typeof(T), parameterTypes).Delegate, null);
        }
        catch (UnsupportedNodeException e)
        {
            reason = e.Reason;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // An emitter bug must not cost the caller a working delegate (as in ILBackend.Compile).
            reason = $"the IL backend failed on this expression over spans ({e.GetType().Name}: {e.Message})";
        }
        return (throughArrays(), reason);
    }
}
