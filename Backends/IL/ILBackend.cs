using System.Diagnostics;
using System.Linq.Expressions;
using ExprDiff.Backends.IL;

namespace ExprDiff;

/// <summary>
/// The IL backend: compiles an expression (a derivative from <see cref="Diff"/> or any lambda of the supported
/// kinds) to a <see cref="System.Reflection.Emit.DynamicMethod"/>, without closures and without allocating per call.
/// </summary>
/// <remarks>
/// <para>What compiles: constants, parameters, arithmetic, comparisons and conversions of numeric types, static and
/// instance calls, fields and properties, arrays (one- and multi-dimensional), blocks with variables, conditionals,
/// loops with break/continue labels, jumps in statement position, throws, compound assignments. Anything else (nested
/// lambdas that are not LINQ reductions ExprDiff imports, try blocks, switch, nullable operators) is compiled by <see cref="LambdaExpression.Compile()"/> instead,
/// and <see cref="ILCompilation{TDelegate}.FallbackReason"/> names the node; in a process without dynamic code
/// (NativeAOT), everything is, and the reason says so. Every derivative <see cref="Diff"/>
/// returns compiles to IL. A function with LINQ reductions (<c>Enumerable.Range(0, n).Sum(i => …)</c>) is compiled
/// as the loops ExprDiff imports it to: same values, but argument lengths are checked before the work (an
/// <see cref="ArgumentException"/> naming the parameter) where <c>Compile()</c> would fail midway, and an integer power
/// <c>Math.Pow(x, k)</c> (|k| ≤ 16) is computed as ExprDiff computes it everywhere, by the multiplication chain of
/// <see cref="IntegerPowerMode.Multiplication"/>, which may differ from the C library's pow in the last bits (as the
/// function's derivatives do, so that a value and its gradient come from the same products).</para>
/// <para>A lambda too large for the JIT to optimize as one method (about 24,000 expression nodes or more: a function
/// written out term by term, a deep derivative) is emitted as several methods of bounded size, called in order; values
/// one leaves to a later one pass through a per-call state the delegate pools. The JIT then optimizes each part, the
/// deepest frame is one part's, so the derivative of a chain of any depth runs on a default stack, and JIT time grows
/// linearly. <see cref="ILCompilation{TDelegate}.Methods"/> says how many methods a lambda became.</para>
/// <para>Thread safety: compiling is thread-safe, and a compiled delegate keeps no state between calls (its
/// variables are locals of the call), so any number of threads may call one delegate at once. The one thing it keeps is
/// a pool of buffers for <see cref="Intrinsics.Scratch"/> (arrays local to a loop iteration), and a cut lambda the state
/// its parts share: a call takes a buffer out of its slot atomically and puts it back when it returns, so two calls
/// never share one; a call that finds a slot empty (another thread holds its buffer) allocates its own.</para>
/// </remarks>
public static class ILBackend
{
    /// <summary>Compiles <paramref name="expression"/> to IL: a drop-in for <see cref="Expression{TDelegate}.Compile()"/>
    /// (same delegate type, same results), falling back to it for nodes the IL backend does not compile.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="expression"/> is null.</exception>
    public static TDelegate CompileIL<TDelegate>(this Expression<TDelegate> expression) where TDelegate : Delegate =>
        Compile(expression).Delegate;

    /// <summary>Compiles <paramref name="expression"/> to IL and says how: whether it fell back to
    /// <see cref="Expression{TDelegate}.Compile()"/> and why, how long emitting took and how many IL bytes it wrote.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="expression"/> is null.</exception>
    public static ILCompilation<TDelegate> Compile<TDelegate>(Expression<TDelegate> expression) where TDelegate : Delegate
    {
        ArgumentNullException.ThrowIfNull(expression);
        var clock = Stopwatch.StartNew();
        if (DynamicCode.Unavailable is { } noEmit) return new ILCompilation<TDelegate>(expression.Compile(), noEmit, clock.Elapsed, 0);
        try
        {
            var (compiled, bytes, methods) = ILEmitter.Emit(expression, typeof(TDelegate));
            return new ILCompilation<TDelegate>((TDelegate)compiled, null, clock.Elapsed, bytes, methods);
        }
        catch (Exception e) when (e is not UnsupportedNodeException && Unexpected(e) is { } reason)
        {
            // An emitter bug must not cost the caller a working delegate: Compile() it, and say why.
            return new ILCompilation<TDelegate>(expression.Compile(), reason, clock.Elapsed, 0);
        }
        catch (UnsupportedNodeException e)
        {
            // A user's function with LINQ reductions (nested lambdas) compiles as the loops ExprDiff imports it to.
            if (Diff.Rebuild(expression) is { } rebuilt)
            {
                try
                {
                    var (compiled, bytes, methods) = ILEmitter.Emit(rebuilt, typeof(TDelegate));
                    return new ILCompilation<TDelegate>((TDelegate)compiled, null, clock.Elapsed, bytes, methods);
                }
                catch (Exception rebuiltError) when (rebuiltError is not OutOfMemoryException)
                {
                    // The rebuilt form did not emit either: the original goes to Compile(), with the original reason.
                }
            }
            return new ILCompilation<TDelegate>(expression.Compile(), e.Reason, clock.Elapsed, 0);
        }
    }

    private static string? Unexpected(Exception e) =>
        e is OutOfMemoryException ? null : $"the IL backend failed on this expression ({e.GetType().Name}: {e.Message})";
}

/// <summary>The result of <see cref="ILBackend.Compile{TDelegate}"/>.</summary>
/// <typeparam name="TDelegate">The lambda's delegate type.</typeparam>
public sealed class ILCompilation<TDelegate> where TDelegate : Delegate
{
    internal ILCompilation(TDelegate compiled, string? fallbackReason, TimeSpan emitTime, int ilBytes, int methods = 0)
    {
        Methods = methods;
        Delegate = compiled;
        FallbackReason = fallbackReason;
        EmitTime = emitTime;
        ILBytes = ilBytes;
    }

    /// <summary>The compiled delegate; thread-safe.</summary>
    public TDelegate Delegate { get; }

    /// <summary>Whether the IL backend handed the lambda to <see cref="Expression{TDelegate}.Compile()"/>.</summary>
    public bool UsedFallback => FallbackReason is not null;

    /// <summary>Why the lambda was not compiled to IL (the node and what it does), or null when it was.</summary>
    public string? FallbackReason { get; }

    /// <summary>The time spent emitting (and, on fallback, compiling); the JIT compiles the method on its first call.</summary>
    public TimeSpan EmitTime { get; }

    /// <summary>The size of the emitted method bodies in IL bytes (0 on fallback).</summary>
    public int ILBytes { get; }

    /// <summary>How many methods the lambda was emitted as: 1, or more when it is too large for the JIT to compile
    /// well as one (see <see cref="ILBackend"/>); 0 on fallback.</summary>
    public int Methods { get; }
}
