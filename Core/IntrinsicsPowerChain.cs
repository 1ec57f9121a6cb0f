using System.Runtime.CompilerServices;

namespace ExprDiff;

/// <summary>How <c>Math.Pow(x, k)</c> with a constant integer exponent is computed in a derivative
/// (<c>DiffOptions.IntegerPowers</c>).</summary>
public enum IntegerPowerMode
{
    /// <summary>
    /// Plain multiplications, as one writes them by hand (the default): x<sup>k</sup> for a constant integer
    /// 1 ≤ k ≤ 16 is the left-to-right binary chain of <see cref="Intrinsics.PowChain"/>, x<sup>−k</sup> is that
    /// chain on <c>1/x</c>, and x<sup>0</sup> is 1. The chain's multiplications are ordinary graph nodes, so powers
    /// of one base share their common steps (r⁻⁶ = (r⁻³)², r⁻³ and r⁻⁶ computed once), derivatives follow the
    /// product rule through the same multiplications, and every backend, SIMD batches included, computes them
    /// as products, bit for bit what the reference interpreter computes. Not correctly rounded: the error bound
    /// per |k| is documented on <see cref="Intrinsics.PowChain"/>.
    /// </summary>
    Multiplication,

    /// <summary>
    /// <see cref="Intrinsics.PowInt"/>: x<sup>k</sup> for a constant integer |k| ≤ 16 computed in double-double
    /// arithmetic and rounded once (correctly rounded on the normal range), derivatives k·x<sup>k−1</sup> with the
    /// same function, several powers of one base fused into one <see cref="Intrinsics.PowInts"/>. Several times
    /// slower than <see cref="Multiplication"/> where powers dominate (Lennard-Jones: ~9×).
    /// </summary>
    CorrectlyRounded,
}

public static partial class Intrinsics
{
    /// <summary>
    /// <paramref name="x"/> to the integer power <paramref name="n"/> by plain multiplications in a fixed order:
    /// what a derivative computes for <c>Math.Pow(x, n)</c> under <see cref="IntegerPowerMode.Multiplication"/>
    /// (the default), bit for bit.
    /// </summary>
    /// <param name="x">The base; any value.</param>
    /// <param name="n">The exponent; any value (the importer uses this chain for |n| ≤ 16).</param>
    /// <returns>
    /// <c>1.0</c> for <c>n == 0</c> (every x, NaN included). Otherwise, with b = x for n &gt; 0 and b = <c>1.0 / x</c>
    /// for n &lt; 0 and m = |n|: the left-to-right binary chain r = b, then for each bit of m after its leading one,
    /// from the most significant down, r = r·r and, where the bit is set, r = r·b. So x³ = (x·x)·x,
    /// x⁶ = ((x·x)·x)², x¹² = x⁶·x⁶, x⁻⁶ = ((b·b)·b)² with b = 1/x (Lennard-Jones' r⁻¹² and r⁻⁶ share their steps).
    /// </returns>
    /// <remarks>
    /// <para>Special values are those of <c>Math.Pow</c> (zeros, infinities, NaN, signs of negative bases), and an
    /// exactly representable power of an exact base is exact. Not correctly rounded: the |k| − 1 products of a chain of
    /// |k| factors (and, for k &lt; 0, the |k| reciprocals among those factors) each round once, so away from overflow
    /// and underflow the relative error is at most about (|k| − 1)·2⁻⁵³ ((2|k| − 1)·2⁻⁵³ for k &lt; 0).
    /// Measured on 10⁷ bases per exponent, log-uniform in ±[2⁻²⁰, 2²⁰]
    /// (<c>dotnet run -c Release --project Benchmarks -- powers</c>), the largest distances in ulps from the correctly
    /// rounded power (<see cref="PowInt"/>) are:</para>
    /// <para>k = 1…16: 0, 0, 1, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9, 9, 10, 12.</para>
    /// <para>k = −1…−16: 0, 2, 3, 5, 7, 8, 10, 12, 13, 15, 16, 19, 20, 22, 22, 26.</para>
    /// <para>Never throws and never allocates.</para>
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double PowChain(double x, int n)
    {
        if (n == 0) return 1.0;
        double b = n < 0 ? 1.0 / x : x;
        uint m = n < 0 ? (uint)-(long)n : (uint)n;
        double r = b;
        for (int bit = 30 - System.Numerics.BitOperations.LeadingZeroCount(m); bit >= 0; bit--)
        {
            r *= r;
            if (((m >> bit) & 1) != 0) r *= b;
        }
        return r;
    }
}
