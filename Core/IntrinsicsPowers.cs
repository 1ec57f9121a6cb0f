using System.Numerics;
using System.Runtime.CompilerServices;

namespace ExprDiff;

/// <summary>Four integer powers of one base, as <see cref="Intrinsics.PowInts"/> returns them.</summary>
public readonly struct IntPowers
{
    /// <summary>Creates the four powers.</summary>
    public IntPowers(double p0, double p1, double p2, double p3)
    {
        P0 = p0;
        P1 = p1;
        P2 = p2;
        P3 = p3;
    }

    /// <summary>x to the first exponent.</summary>
    public readonly double P0;

    /// <summary>x to the second exponent.</summary>
    public readonly double P1;

    /// <summary>x to the third exponent.</summary>
    public readonly double P2;

    /// <summary>x to the fourth exponent.</summary>
    public readonly double P3;
}

public static partial class Intrinsics
{
    /// <summary>
    /// Returns <c>PowInt(x, n0)</c>, <c>PowInt(x, n1)</c>, <c>PowInt(x, n2)</c> and <c>PowInt(x, n3)</c>, bit for bit
    /// (see <see cref="PowInt(double, int)"/>), in one call that shares their work. The optimizer emits it where a
    /// derivative needs several powers of one base: a term <c>x<sup>n</sup></c> and its derivative
    /// <c>n·x<sup>n−1</sup></c>, or Lennard-Jones' <c>r<sup>−6</sup></c> and <c>r<sup>−3</sup></c>.
    /// </summary>
    /// <param name="x">The base; any value.</param>
    /// <param name="n0">The first exponent; the largest in magnitude gives the most sharing.</param>
    /// <param name="n1">The second exponent.</param>
    /// <param name="n2">The third exponent.</param>
    /// <param name="n3">The fourth exponent.</param>
    /// <returns>The four powers, each exactly what <see cref="PowInt(double, int)"/> returns for it.</returns>
    /// <remarks>
    /// <see cref="PowInt(double, int)"/> evaluates x<sup>|n|</sup> by left-to-right binary exponentiation in
    /// double-double arithmetic, so the intermediate value after each step depends only on the bits of |n|
    /// consumed so far. The chain for the largest |n| therefore passes through x<sup>k</sup> for every prefix k of
    /// its bits and every such prefix doubled (13 = 1101₂ passes 1, 2, 3, 6, 12, 13); an exponent among those is
    /// read off the chain, and is then rounded exactly as <see cref="PowInt(double, int)"/> rounds it. Any other
    /// exponent is computed on its own. Never throws and never allocates.
    /// </remarks>
    public static IntPowers PowInts(double x, int n0, int n1, int n2, int n3)
    {
        int m0 = ChainExponent(n0), m1 = ChainExponent(n1), m2 = ChainExponent(n2), m3 = ChainExponent(n3);
        int top = Math.Max(Math.Max(m0, m1), Math.Max(m2, m3));
        if (top == 0)
        {
            return new IntPowers(PowInt(x, n0), PowInt(x, n1), PowInt(x, n2), PowInt(x, n3));
        }

        // State k = 1 is (x, 0); a member is captured when the chain's k equals its |n|.
        double h0 = 0, l0 = 0, h1 = 0, l1 = 0, h2 = 0, l2 = 0, h3 = 0, l3 = 0;
        int found = 0;
        double hi = x;
        double lo = 0.0;
        int k = 1;
        for (int bit = 30 - BitOperations.LeadingZeroCount((uint)top); bit >= 0; bit--)
        {
            Square(ref hi, ref lo);
            k <<= 1;
            Capture(k, hi, lo, m0, m1, m2, m3, ref found, ref h0, ref l0, ref h1, ref l1, ref h2, ref l2, ref h3, ref l3);
            if (((top >> bit) & 1) != 0)
            {
                MultiplyByBase(ref hi, ref lo, x);
                k |= 1;
                Capture(k, hi, lo, m0, m1, m2, m3, ref found, ref h0, ref l0, ref h1, ref l1, ref h2, ref l2, ref h3, ref l3);
            }
        }

        return new IntPowers(
            Member(x, n0, m0, (found & 1) != 0, h0, l0),
            Member(x, n1, m1, (found & 2) != 0, h1, l1),
            Member(x, n2, m2, (found & 4) != 0, h2, l2),
            Member(x, n3, m3, (found & 8) != 0, h3, l3));
    }

    /// <summary>|n| where <see cref="PowInt(double, int)"/> takes the double-double path (n = 3 included: its
    /// unrolled cube is the same arithmetic), 0 where it does not.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ChainExponent(int n) =>
        n is -1 or 0 or 1 or 2 || unchecked((uint)(n + MaxOwnExponent)) > 2 * MaxOwnExponent ? 0 : Math.Abs(n);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Capture(int k, double hi, double lo, int m0, int m1, int m2, int m3, ref int found,
        ref double h0, ref double l0, ref double h1, ref double l1, ref double h2, ref double l2, ref double h3, ref double l3)
    {
        if (k == m0) { h0 = hi; l0 = lo; found |= 1; }
        if (k == m1) { h1 = hi; l1 = lo; found |= 2; }
        if (k == m2) { h2 = hi; l2 = lo; found |= 4; }
        if (k == m3) { h3 = hi; l3 = lo; found |= 8; }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Member(double x, int n, int m, bool onChain, double hi, double lo) =>
        m == 0 ? PowInt(x, n) : onChain ? Round(x, n, hi, lo) : PowIntDoubleDouble(x, n);
}
