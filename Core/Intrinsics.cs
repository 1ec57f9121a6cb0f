using System;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace ExprDiff;

/// <summary>
/// Small helper methods that compiled and exported derivative expressions call. Every method here is
/// static, allocation-free on its non-throwing paths and never throws for any numeric input, so a
/// derivative that uses it cannot fail where the original function would not.
/// </summary>
public static partial class Intrinsics
{
    /// <summary>The largest <c>|n|</c> that <see cref="PowInt(double, int)"/> evaluates itself; beyond it,
    /// it defers to <see cref="Math.Pow(double, double)"/>.</summary>
    private const int MaxOwnExponent = 64;

    /// <summary>Bit pattern of <c>1e-300</c>. Results whose magnitude lies outside <c>[1e-300, 1e300]</c>
    /// (and every non-finite result) are recomputed by <see cref="Math.Pow(double, double)"/>, so that
    /// overflow, underflow, zeros, infinities and NaNs come out exactly as it gives them; inside that range
    /// the double-double intermediates keep far more precision than the final rounding needs.</summary>
    private const ulong SafeMinBits = 0x01A5_6E1F_C2F8_F359UL;

    /// <summary>Bit pattern of <c>1e300</c>; see <see cref="SafeMinBits"/>.</summary>
    private const ulong SafeMaxBits = 0x7E37_E43C_8800_759CUL;

    /// <summary>
    /// Returns <paramref name="x"/> raised to the integer power <paramref name="n"/>: a replacement for
    /// <c>Math.Pow(x, n)</c> that is faster for small <paramref name="n"/> and agrees with it to within
    /// one unit in the last place.
    /// </summary>
    /// <param name="x">The base; any value, including NaN, infinities, signed zeros and subnormals.</param>
    /// <param name="n">The exponent.</param>
    /// <returns>
    /// <para>Exactly:</para>
    /// <list type="bullet">
    /// <item><description><c>n == 0</c>: <c>1.0</c>, for every <paramref name="x"/> including NaN (as <c>Math.Pow</c>).</description></item>
    /// <item><description><c>n == 1</c>: <paramref name="x"/> itself.</description></item>
    /// <item><description><c>n == 2</c>: <c>x * x</c>, the correctly rounded square.</description></item>
    /// <item><description><c>n == -1</c>: <c>1.0 / x</c>, the correctly rounded reciprocal.</description></item>
    /// <item><description><c>|n| &gt; 64</c>: <c>Math.Pow(x, n)</c>.</description></item>
    /// <item><description>otherwise: <c>x<sup>n</sup></c> evaluated in double-double arithmetic (about 100
    /// significant bits) and rounded once, so the result is within 0.5 ulp (plus under
    /// 2<sup>-20</sup> ulp) of the exact power. When that result is not finite or its magnitude is outside
    /// <c>[1e-300, 1e300]</c> (zero, subnormal, overflowing or NaN results, and every non-finite
    /// <paramref name="x"/>), <c>Math.Pow(x, n)</c> is returned instead.</description></item>
    /// </list>
    /// <para>Consequently the result has the same special values as <c>Math.Pow(x, n)</c> (NaN, signed
    /// infinities, signed zeros, overflow to infinity and underflow), the sign of <c>x<sup>n</sup></c> is
    /// exact for negative bases, exactly representable powers (such as <c>(-2)<sup>3</sup> = -8</c>) are
    /// returned exactly, and every result differs from <c>Math.Pow(x, n)</c> by at most one ulp (given a
    /// <c>Math.Pow</c> accurate to better than one ulp, as glibc's is). It is usually bit-identical.</para>
    /// </returns>
    /// <remarks>Never throws and never allocates. When <paramref name="n"/> is a constant at the call site
    /// the dispatch on it folds away after inlining.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double PowInt(double x, int n)
    {
        if (n == 2)
        {
            return x * x;
        }

        if (n == 1)
        {
            return x;
        }

        if (n == 0)
        {
            return 1.0;
        }

        if (n == -1)
        {
            return 1.0 / x;
        }

        if (n == 3)
        {
            return Cube(x);
        }

        return PowIntDoubleDouble(x, n);
    }

    /// <summary><c>x<sup>3</sup></c> for <see cref="PowInt(double, int)"/>: the most common case, unrolled
    /// so that it inlines; same method and guarantees as <see cref="PowIntDoubleDouble"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Cube(double x)
    {
        double square = x * x;
        double squareError = Math.FusedMultiplyAdd(x, x, -square); // x^2 == square + squareError exactly
        double hi = square * x;
        double lo = Math.FusedMultiplyAdd(squareError, x, Math.FusedMultiplyAdd(square, x, -hi));
        double result = hi + lo;
        return IsSafe(result) ? result : Math.Pow(x, 3);
    }

    /// <summary>The general case of <see cref="PowInt(double, int)"/>, for <c>n</c> not in {-1, 0, 1, 2, 3}
    /// (it is also correct for 3).</summary>
    private static double PowIntDoubleDouble(double x, int n)
    {
        // (uint)(n + 64) > 128 exactly when |n| > 64, int.MinValue and int.MaxValue included.
        if (unchecked((uint)(n + MaxOwnExponent)) > 2 * MaxOwnExponent)
        {
            return Math.Pow(x, n);
        }

        int m = n < 0 ? -n : n;

        // (hi, lo) holds x^k as an unevaluated sum with |lo| <= ulp(hi)/2. Left-to-right binary
        // exponentiation: k runs through the prefixes of m's bits, so every intermediate x^k has
        // 1 <= k <= m and its magnitude lies between |x| and |x^m|; nothing overflows or underflows
        // on the way to a result that is in range.
        double hi = x;
        double lo = 0.0;
        for (int bit = 30 - BitOperations.LeadingZeroCount((uint)m); bit >= 0; bit--)
        {
            Square(ref hi, ref lo);
            if (((m >> bit) & 1) != 0)
            {
                MultiplyByBase(ref hi, ref lo, x);
            }
        }

        return Round(x, n, hi, lo);
    }

    /// <summary>One squaring step of <see cref="PowIntDoubleDouble"/>: (hi + lo)² as a normalized
    /// double-double. <see cref="PowInts"/> runs the very same steps, which is what makes it bit-identical.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Square(ref double hi, ref double lo)
    {
        // (hi + lo)^2 = hi^2 + 2 hi lo + lo^2; lo^2 is below 2^-106 relative and dropped.
        double p = hi * hi;
        double e = Math.FusedMultiplyAdd(hi, hi, -p); // exact rounding error of hi * hi
        e = Math.FusedMultiplyAdd(hi + hi, lo, e);
        hi = p + e; // fast two-sum: |p| >= |e|
        lo = e - (hi - p);
    }

    /// <summary>One multiplication step of <see cref="PowIntDoubleDouble"/>: (hi + lo)·x for the exact double x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyByBase(ref double hi, ref double lo, double x)
    {
        double p = hi * x;
        double e = Math.FusedMultiplyAdd(hi, x, -p); // exact rounding error of hi * x
        e = Math.FusedMultiplyAdd(lo, x, e);
        hi = p + e;
        lo = e - (hi - p);
    }

    /// <summary>The final rounding of <see cref="PowIntDoubleDouble"/>: x^|n| held as hi + lo becomes x^n,
    /// or <c>Math.Pow(x, n)</c> where the result is not safely inside the normal range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Round(double x, int n, double hi, double lo)
    {
        double result;
        if (n > 0)
        {
            result = hi; // hi == fl(hi + lo): the double-double rounded once to nearest
        }
        else
        {
            // Reciprocal of (hi + lo): one Newton step from q = 1/hi. The residual 1 - hi*q of a
            // correctly rounded quotient is exactly representable, so the FMA computes it exactly.
            double q = 1.0 / hi;
            double r = Math.FusedMultiplyAdd(-hi, q, 1.0) - lo * q;
            result = Math.FusedMultiplyAdd(q, r, q);
        }

        return IsSafe(result) ? result : Math.Pow(x, n);
    }

    /// <summary>Whether <c>1e-300 &lt;= |value| &lt;= 1e300</c>; false for zeros, subnormals, values near
    /// overflow, infinities and NaN. A single unsigned comparison on the bit pattern (the magnitude bits of
    /// doubles order like their values, with NaNs above infinity), which keeps the common path to one
    /// well-predicted branch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsSafe(double value)
    {
        ulong magnitudeBits = BitConverter.DoubleToUInt64Bits(value) & 0x7FFF_FFFF_FFFF_FFFFUL;
        return magnitudeBits - SafeMinBits <= SafeMaxBits - SafeMinBits;
    }

    /// <summary>
    /// Returns the sign of <paramref name="x"/> as a <see cref="double"/>: <c>-1.0</c> when
    /// <paramref name="x"/> is negative (including negative infinity), <c>+1.0</c> when it is positive
    /// (including positive infinity), <c>+0.0</c> when it is <c>+0.0</c> or <c>-0.0</c>, and
    /// <paramref name="x"/> itself (a NaN) when it is NaN.
    /// </summary>
    /// <param name="x">Any value.</param>
    /// <returns>The sign, as described above.</returns>
    /// <remarks>Deviation from <see cref="Math.Sign(double)"/>: that method throws
    /// <see cref="ArithmeticException"/> for NaN, whereas a derivative must never throw, so NaN is
    /// propagated instead. For every other input the value equals <c>(double)Math.Sign(x)</c>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sign(double x)
    {
        if (x > 0.0)
        {
            return 1.0;
        }

        if (x < 0.0)
        {
            return -1.0;
        }

        return x == 0.0 ? 0.0 : x;
    }

    /// <summary>
    /// Checks the array argument of a compiled function that reads elements up to index
    /// <c><paramref name="minimumLength"/> - 1</c>.
    /// </summary>
    /// <param name="array">The array argument.</param>
    /// <param name="minimumLength">The number of elements the function needs (its largest index read plus
    /// one). Values of zero or less only require a non-null array.</param>
    /// <param name="parameterName">The name of the array parameter, used in exceptions.</param>
    /// <exception cref="ArgumentNullException"><paramref name="array"/> is <see langword="null"/>; its
    /// <see cref="ArgumentException.ParamName"/> is <paramref name="parameterName"/>.</exception>
    /// <exception cref="ArgumentException"><c>array.Length &lt; minimumLength</c>; its
    /// <see cref="ArgumentException.ParamName"/> is <paramref name="parameterName"/> and its message is, for
    /// example with <c>parameterName = "x"</c>, <c>minimumLength = 5</c> and a 3-element array,
    /// <c>the function reads x[4], so 'x' needs at least 5 elements but has 3.</c> (followed by the
    /// standard <c> (Parameter 'x')</c> suffix that <see cref="ArgumentException.Message"/> appends);
    /// "element" is singular for a count of one.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RequireLength(double[] array, int minimumLength, string parameterName)
    {
        if (array is null)
        {
            ThrowNull(parameterName);
        }

        if (array.Length < minimumLength)
        {
            ThrowTooShort(array.Length, minimumLength, parameterName);
        }
    }

    /// <summary>Throws the <see cref="ArgumentNullException"/> of <see cref="RequireLength"/>.</summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNull(string parameterName) => throw new ArgumentNullException(parameterName);

    /// <summary>Throws the <see cref="ArgumentException"/> of <see cref="RequireLength"/>.</summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowTooShort(int length, int minimumLength, string parameterName) =>
        throw new ArgumentException(
            $"the function reads {parameterName}[{minimumLength - 1}], so '{parameterName}' needs at least "
            + $"{minimumLength} {(minimumLength == 1 ? "element" : "elements")} but has {length}.",
            parameterName);

    /// <summary>
    /// Returns <paramref name="x"/>. Exported derivatives call this where the user wrote
    /// <c>Diff.StopGradient</c>, so that differentiating them again still treats the value as a constant.
    /// </summary>
    [ExprDiff.Rules.StopGradientMethod]
    public static double StopGradient(double x) => x;

    /// <summary>
    /// Checks that <paramref name="array"/> (an output buffer or a direction vector) has at least
    /// <paramref name="length"/> elements, one per <paramref name="unit"/> (e.g. "element of 'x'", "parameter").
    /// Throws <see cref="ArgumentNullException"/> when it is null and <see cref="ArgumentException"/> when it is short.
    /// </summary>
    public static void RequireLengthOf(double[] array, int length, string parameterName, string unit)
    {
        if (array is null) ThrowNull(parameterName);
        if (array.Length < length) ThrowNotAsLong(array.Length, length, parameterName, unit);
    }

    /// <summary>A new array of <paramref name="length"/> zeros with a one at <paramref name="k"/> (none when k is outside):
    /// the direction of one row of a Hessian of a loop program.</summary>
    public static double[] UnitVector(int length, int k)
    {
        var e = new double[Math.Max(length, 0)];
        if ((uint)k < (uint)e.Length) e[k] = 1.0;
        return e;
    }

    /// <summary>
    /// A new array of <paramref name="length"/> zeros, as <c>new double[length]</c>, for an array that the code using it
    /// no longer reads once this call runs again: the scratch arrays of one loop iteration (a layer's activations and
    /// their adjoints) or of one call. <c>Expression.Compile()</c> allocates each; the IL backend (<c>CompileIL</c>) keeps
    /// one buffer per call site for the delegate, cleared at each call, so such loops allocate nothing in steady state.
    /// </summary>
    /// <exception cref="OverflowException"><paramref name="length"/> is negative.</exception>
    public static double[] Scratch(int length) => new double[length];

    /// <summary>
    /// Returns <paramref name="array"/> after <see cref="RequireLengthOf"/>'s checks: a cotangent parameter whose required
    /// length (one per element of a result of computed length) is known only once the result's length is.
    /// </summary>
    public static double[] CheckedLength(double[] array, int length, string parameterName, string unit)
    {
        RequireLengthOf(array, length, parameterName, unit);
        return array;
    }

    /// <summary>
    /// Writes a result whose length is computed when the function runs into the caller's buffer <paramref name="target"/>:
    /// its elements, then zeros to the end of the buffer. Throws <see cref="ArgumentException"/> when the buffer is shorter
    /// than the result.
    /// </summary>
    public static void CopyResult(double[] source, double[] target, string parameterName)
    {
        RequireLengthOf(target, source.Length, parameterName, "element of the result");
        Array.Copy(source, target, source.Length);
        Array.Clear(target, source.Length, target.Length - source.Length);
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowNotAsLong(int length, int required, string parameterName, string unit) =>
        throw new ArgumentException(
            $"'{parameterName}' needs {required} {(required == 1 ? "element" : "elements")} (one per {unit}) but has {length}.", parameterName);

    /// <summary>
    /// Checks that the result buffer <paramref name="output"/> and the array argument <paramref name="other"/> (an input or
    /// another result) do not share memory: a derivative writes its result while it still reads its inputs, so a
    /// gradient written over x would be silently wrong.
    /// </summary>
    /// <exception cref="ArgumentException">They are the same non-empty array; its <see cref="ArgumentException.ParamName"/>
    /// is <paramref name="outputName"/> and its message, for example with "gradient" and "x",
    /// <c>'gradient' overlaps 'x': results are written into 'gradient', so it must not share memory with 'x'; pass a separate buffer.</c>
    /// (followed by the standard <c> (Parameter 'gradient')</c> suffix).</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RequireDistinct(double[] output, double[] other, string outputName, string otherName)
    {
        if (ReferenceEquals(output, other) && output is { Length: > 0 }) ThrowOverlap(outputName, otherName);
    }

    /// <summary>Throws the <see cref="ArgumentException"/> of <see cref="RequireDistinct"/>.</summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static void ThrowOverlap(string outputName, string otherName) =>
        throw new ArgumentException(
            $"'{outputName}' overlaps '{otherName}': results are written into '{outputName}', so it must not share memory with '{otherName}'; pass a separate buffer.",
            outputName);

    /// <summary>Throws <see cref="ArgumentNullException"/> naming <paramref name="parameterName"/> when
    /// <paramref name="value"/> is null (a <c>double[,]</c> argument of a derivative).</summary>
    public static void RequireNotNull(object value, string parameterName)
    {
        if (value is null) ThrowNull(parameterName);
    }
}
