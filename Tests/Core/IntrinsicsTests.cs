using System;
using System.Collections.Generic;
using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;
using Xunit.Abstractions;

namespace ExprDiff.Tests.Core;

public sealed class IntrinsicsTests
{
    private const int SamplesPerExponent = 200_000;

    private readonly ITestOutputHelper output;

    public IntrinsicsTests(ITestOutputHelper output) => this.output = output;

    // ----------------------------------------------------------------------------------------------
    // Ulp distance
    // ----------------------------------------------------------------------------------------------

    /// <summary>Maps a double to a long whose order is the numeric order; -0.0 and +0.0 both map to 0.</summary>
    private static long Ordered(double value)
    {
        long bits = BitConverter.DoubleToInt64Bits(value);
        return bits < 0 ? long.MinValue - bits : bits;
    }

    /// <summary>Number of representable doubles between a and b (0 when equal, when both are NaN, or for
    /// +0 against -0); ulong.MaxValue when exactly one is NaN.</summary>
    private static ulong UlpDistance(double a, double b)
    {
        bool aNaN = double.IsNaN(a);
        bool bNaN = double.IsNaN(b);
        if (aNaN || bNaN)
        {
            return aNaN && bNaN ? 0UL : ulong.MaxValue;
        }

        long oa = Ordered(a);
        long ob = Ordered(b);
        return oa >= ob ? unchecked((ulong)(oa - ob)) : unchecked((ulong)(ob - oa));
    }

    private static bool BitEqual(double a, double b) =>
        (double.IsNaN(a) && double.IsNaN(b)) || BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b);

    private static string Show(double value) =>
        value.ToString("R", CultureInfo.InvariantCulture) + " (0x" + BitConverter.DoubleToInt64Bits(value).ToString("X16", CultureInfo.InvariantCulture) + ")";

    [Fact]
    public void UlpDistance_BehavesAsSpecified()
    {
        Assert.Equal(0UL, UlpDistance(1.0, 1.0));
        Assert.Equal(0UL, UlpDistance(0.0, -0.0));
        Assert.Equal(0UL, UlpDistance(double.NaN, -double.NaN));
        Assert.Equal(ulong.MaxValue, UlpDistance(double.NaN, 1.0));
        Assert.Equal(1UL, UlpDistance(1.0, Math.BitIncrement(1.0)));
        Assert.Equal(1UL, UlpDistance(1.0, Math.BitDecrement(1.0)));
        Assert.Equal(2UL, UlpDistance(double.Epsilon, -double.Epsilon));
        Assert.Equal(1UL, UlpDistance(double.MaxValue, double.PositiveInfinity));
        Assert.Equal(2UL * 0x7FF0_0000_0000_0000UL, UlpDistance(double.NegativeInfinity, double.PositiveInfinity));
    }

    // ----------------------------------------------------------------------------------------------
    // PowInt: random bases
    // ----------------------------------------------------------------------------------------------

    public static IEnumerable<object[]> SmallExponents()
    {
        for (int n = -8; n <= 8; n++)
        {
            yield return new object[] { n };
        }
    }

    /// <summary>Random bases: mostly log-uniform magnitudes in [1e-30, 1e30] with a random sign, plus
    /// values near 1 (within 1e-3, and within a few ulps) where long products are most sensitive.</summary>
    private static double RandomBase(Random random, int i)
    {
        double sign = random.Next(2) == 0 ? 1.0 : -1.0;
        switch (i % 10)
        {
            case 8:
                return sign * (1.0 + ((random.NextDouble() * 2.0) - 1.0) * Math.Pow(10.0, -3.0 - (random.NextDouble() * 12.0)));
            case 9:
                {
                    double x = 1.0;
                    int steps = random.Next(-64, 65);
                    for (int s = 0; s < Math.Abs(steps); s++)
                    {
                        x = steps > 0 ? Math.BitIncrement(x) : Math.BitDecrement(x);
                    }

                    return sign * x;
                }

            default:
                return sign * Math.Pow(10.0, (random.NextDouble() * 60.0) - 30.0);
        }
    }

    [Theory]
    [MemberData(nameof(SmallExponents))]
    public void PowInt_RandomBases_WithinOneUlpOfMathPow(int n)
    {
        var random = new Random(12345 + n);
        ulong worst = 0;
        double worstX = 0;
        int exact = 0;
        for (int i = 0; i < SamplesPerExponent; i++)
        {
            double x = RandomBase(random, i);
            double expected = Math.Pow(x, n);
            double actual = Intrinsics.PowInt(x, n);
            ulong distance = UlpDistance(actual, expected);
            if (distance == 0)
            {
                exact++;
            }

            if (distance > worst)
            {
                worst = distance;
                worstX = x;
            }

            if (distance > 1)
            {
                Assert.Fail($"PowInt({Show(x)}, {n}) = {Show(actual)} but Math.Pow gives {Show(expected)}: {distance} ulps apart.");
            }
        }

        double exactFraction = (double)exact / SamplesPerExponent;
        output.WriteLine($"n = {n}: worst {worst} ulp (x = {Show(worstX)}), bit-identical to Math.Pow in {exactFraction:P3}");
        if (n is 2 or -1)
        {
            Assert.True(exactFraction >= 0.99, $"only {exactFraction:P3} of results match Math.Pow exactly for n = {n}");
        }
    }

    public static IEnumerable<object[]> LargeExponents()
    {
        for (int n = 9; n <= 64; n++)
        {
            yield return new object[] { n };
            yield return new object[] { -n };
        }
    }

    [Theory]
    [MemberData(nameof(LargeExponents))]
    public void PowInt_LargerExponents_WithinOneUlpOfMathPow(int n)
    {
        var random = new Random(777 + n);
        ulong worst = 0;
        for (int i = 0; i < 20_000; i++)
        {
            // Magnitudes whose n-th power spans the whole range, overflow and underflow included.
            double sign = random.Next(2) == 0 ? 1.0 : -1.0;
            double x = sign * Math.Pow(2.0, ((random.NextDouble() * 2.0) - 1.0) * 1100.0 / Math.Abs(n));
            double expected = Math.Pow(x, n);
            double actual = Intrinsics.PowInt(x, n);
            ulong distance = UlpDistance(actual, expected);
            worst = Math.Max(worst, distance);
            Assert.True(distance <= 1, $"PowInt({Show(x)}, {n}) = {Show(actual)} but Math.Pow gives {Show(expected)}: {distance} ulps apart.");
        }

        output.WriteLine($"n = {n}: worst {worst} ulp");
    }

    /// <summary>Bases whose power lands around the 1e-300 / 1e300 limits where PowInt switches between
    /// its own double-double result and the Math.Pow fallback, and around the overflow and subnormal
    /// thresholds.</summary>
    [Fact]
    public void PowInt_AroundRangeLimits_WithinOneUlp()
    {
        var random = new Random(4242);
        foreach (int n in new[] { -64, -17, -8, -5, -3, -2, 3, 4, 5, 7, 8, 17, 64 })
        {
            foreach (double target in new[] { 1e-300, 1e300, double.MaxValue, 2.2250738585072014E-308, 1e-320 })
            {
                double root = Math.Pow(target, 1.0 / n);
                for (int i = 0; i < 2_000; i++)
                {
                    double x = root * (1.0 + (((random.NextDouble() * 2.0) - 1.0) * 1e-13));
                    if (random.Next(2) == 0)
                    {
                        x = -x;
                    }

                    double expected = Math.Pow(x, n);
                    double actual = Intrinsics.PowInt(x, n);
                    Assert.True(UlpDistance(actual, expected) <= 1, $"PowInt({Show(x)}, {n}) = {Show(actual)} but Math.Pow gives {Show(expected)}");
                }
            }
        }
    }

    [Theory]
    [InlineData(65)]
    [InlineData(-65)]
    [InlineData(100)]
    [InlineData(-1000)]
    [InlineData(int.MaxValue)]
    [InlineData(int.MinValue)]
    [InlineData(int.MinValue + 1)]
    public void PowInt_BeyondSixtyFour_IsMathPow(int n)
    {
        foreach (double x in SpecialBases)
        {
            Assert.True(BitEqual(Math.Pow(x, n), Intrinsics.PowInt(x, n)), $"PowInt({Show(x)}, {n})");
        }

        foreach (double x in new[] { 1.0000001, -0.9999999, 1.5, -2.0, 0.75, -1.0, 1.0 })
        {
            Assert.True(BitEqual(Math.Pow(x, n), Intrinsics.PowInt(x, n)), $"PowInt({Show(x)}, {n})");
        }
    }

    // ----------------------------------------------------------------------------------------------
    // PowInt: special values
    // ----------------------------------------------------------------------------------------------

    private static readonly double[] SpecialBases =
    {
        double.NaN, -double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0,
        double.Epsilon, -double.Epsilon, 1e-310, -1e-310, 2.2250738585072014E-308, -2.2250738585072014E-308,
        double.MaxValue, -double.MaxValue, 1e200, -1e200, 1e-200, -1e-200, 1e155, -1e-155,
        1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 3.0, -3.0,
    };

    /// <summary>Every special base against every exponent in -70..70: results that are non-finite, zero,
    /// or outside [1e-300, 1e300] come from the Math.Pow fallback (or are x*x, 1/x, x, 1) and must be
    /// bit-identical; every result must be within one ulp. Powers of ±1, ±2, ±0.5 and positive powers of
    /// ±3 are exactly representable and must be exact.</summary>
    [Fact]
    public void PowInt_SpecialBases_MatchMathPow()
    {
        foreach (double x in SpecialBases)
        {
            for (int n = -70; n <= 70; n++)
            {
                double expected = Math.Pow(x, n);
                double actual = Intrinsics.PowInt(x, n);
                string what = $"PowInt({Show(x)}, {n}) = {Show(actual)}, Math.Pow = {Show(expected)}";
                double magnitude = Math.Abs(expected);
                bool mustBeExact = !(magnitude >= 1e-300 && magnitude <= 1e300)
                    || n is 0 or 1
                    || Math.Abs(x) is 1.0 or 2.0 or 0.5
                    || (Math.Abs(x) == 3.0 && n > 0 && n <= 33);
                if (mustBeExact)
                {
                    Assert.True(BitEqual(expected, actual), what);
                }
                else
                {
                    Assert.True(UlpDistance(expected, actual) <= 1, what);
                }
            }
        }
    }

    [Theory]
    [InlineData(double.NaN, 0, 1.0)]
    [InlineData(double.PositiveInfinity, 0, 1.0)]
    [InlineData(-0.0, 0, 1.0)]
    [InlineData(-0.0, -1, double.NegativeInfinity)]
    [InlineData(0.0, -1, double.PositiveInfinity)]
    [InlineData(-0.0, -2, double.PositiveInfinity)]
    [InlineData(-0.0, -3, double.NegativeInfinity)]
    [InlineData(-0.0, 1, -0.0)]
    [InlineData(-0.0, 2, 0.0)]
    [InlineData(-0.0, 3, -0.0)]
    [InlineData(-0.0, 4, 0.0)]
    [InlineData(-2.0, 3, -8.0)]
    [InlineData(-2.0, 4, 16.0)]
    [InlineData(-2.0, -3, -0.125)]
    [InlineData(-2.0, -4, 0.0625)]
    [InlineData(-3.0, 7, -2187.0)]
    [InlineData(-0.5, 5, -0.03125)]
    [InlineData(-1.0, 63, -1.0)]
    [InlineData(-1.0, -64, 1.0)]
    [InlineData(double.NegativeInfinity, 3, double.NegativeInfinity)]
    [InlineData(double.NegativeInfinity, 2, double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity, -3, -0.0)]
    [InlineData(double.NegativeInfinity, -2, 0.0)]
    [InlineData(double.NegativeInfinity, -1, -0.0)]
    [InlineData(double.PositiveInfinity, -5, 0.0)]
    [InlineData(1e200, 2, double.PositiveInfinity)]
    [InlineData(-1e200, 3, double.NegativeInfinity)]
    [InlineData(-1e200, 4, double.PositiveInfinity)]
    [InlineData(-1e200, -3, -0.0)]
    [InlineData(1e-200, 2, 0.0)]
    [InlineData(-1e-200, 3, -0.0)]
    [InlineData(-1e-200, -3, double.NegativeInfinity)]
    [InlineData(1e-200, -2, double.PositiveInfinity)]
    [InlineData(double.MaxValue, 3, double.PositiveInfinity)]
    [InlineData(-double.MaxValue, -3, -0.0)]
    [InlineData(double.Epsilon, 2, 0.0)]
    [InlineData(-double.Epsilon, 3, -0.0)]
    [InlineData(-double.Epsilon, -1, double.NegativeInfinity)]
    [InlineData(double.Epsilon, -2, double.PositiveInfinity)]
    public void PowInt_KnownValues(double x, int n, double expected)
    {
        Assert.True(BitEqual(expected, Math.Pow(x, n)), $"Math.Pow({Show(x)}, {n}) = {Show(Math.Pow(x, n))}");
        double actual = Intrinsics.PowInt(x, n);
        Assert.True(BitEqual(expected, actual), $"PowInt({Show(x)}, {n}) = {Show(actual)}, expected {Show(expected)}");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-3)]
    [InlineData(7)]
    [InlineData(-8)]
    [InlineData(2)]
    [InlineData(-1)]
    public void PowInt_NaNBase_IsNaN(int n) => Assert.True(double.IsNaN(Intrinsics.PowInt(double.NaN, n)));

    // ----------------------------------------------------------------------------------------------
    // PowInt: properties
    // ----------------------------------------------------------------------------------------------

    [Property(MaxTest = 2000)]
    public Property PowInt_ArbitraryDouble_WithinOneUlp(double x) =>
        Prop.ForAll(
            Gen.Choose(-8, 8).ToArbitrary(),
            n => UlpDistance(Intrinsics.PowInt(x, n), Math.Pow(x, n)) <= 1)
        .Label($"x = {Show(x)}");

    /// <summary>Arbitrary bit patterns cover the whole range: subnormals, huge values, NaN payloads.</summary>
    [Property(MaxTest = 2000)]
    public bool PowInt_ArbitraryBitPattern_WithinOneUlp(long bits, int seed)
    {
        double x = BitConverter.Int64BitsToDouble(bits);
        int n = (int)((uint)seed % 17) - 8;
        return UlpDistance(Intrinsics.PowInt(x, n), Math.Pow(x, n)) <= 1;
    }

    // ----------------------------------------------------------------------------------------------
    // Sign
    // ----------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(3.5, 1.0)]
    [InlineData(-2.0, -1.0)]
    [InlineData(double.Epsilon, 1.0)]
    [InlineData(-double.Epsilon, -1.0)]
    [InlineData(double.MaxValue, 1.0)]
    [InlineData(double.PositiveInfinity, 1.0)]
    [InlineData(double.NegativeInfinity, -1.0)]
    public void Sign_KnownValues(double x, double expected)
    {
        double actual = Intrinsics.Sign(x);
        Assert.True(BitEqual(expected, actual), $"Sign({Show(x)}) = {Show(actual)}, expected {Show(expected)}");
        Assert.True(BitEqual((double)Math.Sign(x), actual));
    }

    [Fact]
    public void Sign_SignedZeros_ArePositiveZero()
    {
        Assert.True(BitEqual(0.0, Intrinsics.Sign(0.0)));
        Assert.True(BitEqual(0.0, Intrinsics.Sign(-0.0)));
    }

    [Fact]
    public void Sign_NaN_IsNaNInsteadOfThrowing()
    {
        Assert.Throws<ArithmeticException>(() => Math.Sign(double.NaN));
        Assert.True(double.IsNaN(Intrinsics.Sign(double.NaN)));
        Assert.True(double.IsNaN(Intrinsics.Sign(-double.NaN)));
    }

    [Property]
    public bool Sign_AgreesWithMathSignExceptNaN(double x) =>
        double.IsNaN(x) ? double.IsNaN(Intrinsics.Sign(x)) : BitEqual((double)Math.Sign(x), Intrinsics.Sign(x));

    // ----------------------------------------------------------------------------------------------
    // RequireLength
    // ----------------------------------------------------------------------------------------------

    [Fact]
    public void RequireLength_Null_ThrowsArgumentNull()
    {
        var exception = Assert.Throws<ArgumentNullException>(() => Intrinsics.RequireLength(null!, 2, "x"));
        Assert.Equal("x", exception.ParamName);
        Assert.Equal("Value cannot be null. (Parameter 'x')", exception.Message);
    }

    [Fact]
    public void RequireLength_TooShort_ThrowsWithFullMessage()
    {
        var exception = Assert.Throws<ArgumentException>(() => Intrinsics.RequireLength(new double[3], 5, "x"));
        Assert.Equal("x", exception.ParamName);
        Assert.Equal("the function reads x[4], so 'x' needs at least 5 elements but has 3. (Parameter 'x')", exception.Message);
    }

    [Fact]
    public void RequireLength_SingleElementNeeded_UsesSingular()
    {
        var exception = Assert.Throws<ArgumentException>(() => Intrinsics.RequireLength(Array.Empty<double>(), 1, "weights"));
        Assert.Equal("weights", exception.ParamName);
        Assert.Equal("the function reads weights[0], so 'weights' needs at least 1 element but has 0. (Parameter 'weights')", exception.Message);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, -1)]
    [InlineData(3, 0)]
    [InlineData(5, 5)]
    [InlineData(6, 5)]
    public void RequireLength_LongEnough_DoesNotThrow(int length, int minimumLength) =>
        Intrinsics.RequireLength(new double[length], minimumLength, "x");
}
