using System.Linq.Expressions;
using ExprDiff.Graphs;
using ExprDiff.Optimization;
using ExprDiff.Rules;
using Xunit;

namespace ExprDiff.Tests.Optimization;

/// <summary>
/// The power fusion of <see cref="FusionPass"/>: several integer powers of one base become one
/// <see cref="Intrinsics.PowInts"/>, which must return each <see cref="Intrinsics.PowInt"/> bit for bit. Powers are
/// <see cref="Intrinsics.PowInt"/>s where the user calls it or asks for <see cref="IntegerPowerMode.CorrectlyRounded"/>.
/// </summary>
public class PowerFusionTests
{
    private static readonly double[] Specials =
    [
        0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, -double.Epsilon,
        double.MaxValue, double.MinValue, 2.2250738585072014E-308, -2.2250738585072014E-308, 1.0, -1.0, 0.5, -2.0,
        1e-5, 1e5, 1.0000000000000002, 0.9999999999999999, 1e-300, 1e300, 3.0, -7.0, 1.1, 1.21,
    ];

    /// <summary>
    /// For 100,000 bases (log-uniform magnitudes over [1e-320, 1e320] with random signs, so overflow, underflow and
    /// subnormal results occur, and uniform in [−4, 4]) and every top exponent in [−70, 70], with three more members
    /// drawn from the top's chain and from anywhere in [−70, 70]: each slot equals <c>PowInt</c>. Plus the special bases.
    /// </summary>
    [Fact]
    public void PowInts_equals_PowInt_bit_for_bit()
    {
        const int Bases = 100_000, Chunks = 32;
        var mismatches = new System.Collections.Concurrent.ConcurrentQueue<string>();
        Parallel.For(0, Chunks, chunk =>
        {
            var random = new Random(777 + chunk);
            for (int i = 0; i < Bases / Chunks; i++)
            {
                double x = i % 4 == 0
                    ? random.NextDouble() * 8 - 4
                    : (random.Next(2) == 0 ? -1 : 1) * Math.Pow(10, random.NextDouble() * 640 - 320);
                CheckAllTops(x, random, mismatches);
            }
        });
        var r = new Random(1);
        foreach (double x in Specials) CheckAllTops(x, r, mismatches);
        Assert.True(mismatches.IsEmpty, $"{mismatches.Count} mismatches, e.g. {string.Join("; ", mismatches.Take(5))}");
    }

    private static void CheckAllTops(double x, Random random, System.Collections.Concurrent.ConcurrentQueue<string> mismatches)
    {
        for (int top = -70; top <= 70; top++)
        {
            int m = Math.Abs(top);
            // A prefix of |top|'s bits, or such a prefix doubled: a state the chain passes through.
            int shift = m == 0 ? 0 : random.Next(0, 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)m));
            int onChain = (m >> shift) << random.Next(0, 2);
            int[] n = [top, random.Next(2) == 0 ? onChain : -onChain, random.Next(-70, 71), top - 1];
            var p = Intrinsics.PowInts(x, n[0], n[1], n[2], n[3]);
            double[] got = [p.P0, p.P1, p.P2, p.P3];
            for (int k = 0; k < 4; k++)
            {
                double want = Intrinsics.PowInt(x, n[k]);
                if (!PassChecks.SameBits(got[k], want))
                    mismatches.Enqueue($"PowInts({x:R}, {string.Join(", ", n)}).P{k} = {got[k]:R}, PowInt = {want:R}");
            }
        }
    }

    private static readonly DiffOptions CorrectlyRounded = new() { IntegerPowers = IntegerPowerMode.CorrectlyRounded };

    [Fact]
    public void Lennard_Jones_pair_gradient_computes_its_powers_in_one_call()
    {
        Expression<Func<double, double, double>> f = (x, y) => Math.Pow(x * x + y * y, -6.0) - Math.Pow(x * x + y * y, -3.0);
        Assert.Equal(
            """
            (x, y) =>
            {
                IntPowers v0;
                double v1;
                v0 = Intrinsics.PowInts(x * x + y * y, -7, -4, -4, -4);
                v1 = 2.0 * (-6.0 * v0.P0 - -3.0 * v0.P1);
                return new double[] { x * v1, y * v1 };
            }
            """.ReplaceLineEndings("\n"),
            Diff.Gradient(f, CorrectlyRounded).ToCSharp());
    }

    /// <summary>The fused export differentiates again (the importer splits PowInts back into PowInts' members), and
    /// equals the unfused derivative bit for bit.</summary>
    [Fact]
    public void Fused_powers_import_back_and_differentiate_again()
    {
        Expression<Func<double, double, double>> f = (x, y) => Math.Pow(x * y + 1.5, 7) / Math.Pow(x * y + 1.5, 4) + Math.Pow(x - y, -5);
        var gradient = Diff.Gradient(f, CorrectlyRounded);
        Assert.Contains("Intrinsics.PowInts(", gradient.ToCSharp());
        var none = new DiffOptions { Optimization = OptimizationLevel.None, IntegerPowers = IntegerPowerMode.CorrectlyRounded };
        var hessianOfExport = Diff.Jacobian(gradient, none).Compile();
        var hessian = Diff.Hessian(f, none).Compile();
        foreach (var (x, y) in new[] { (0.3, 0.7), (-1.2, 0.4), (2.5, -0.1) })
        {
            var a = hessianOfExport(x, y);
            var b = hessian(x, y);
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < 2; j++)
                    Assert.Equal(b[i, j], a[i, j], 12);
        }
        var g = gradient.Compile()(0.3, 0.7);
        var gNone = Diff.Gradient(f, none).Compile()(0.3, 0.7);
        Assert.Equal(gNone.Select(BitConverter.DoubleToInt64Bits), g.Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Groups_hold_at_most_four_powers_largest_first()
    {
        var b = new GraphBuilder(["x"]);
        int x = b.Input(0, -1);
        int sum = b.PowInt(x, 3);
        foreach (int k in new[] { -9, 5, 12, 6, -3, 40 }) sum = b.Add(sum, b.PowInt(x, k));
        var families = FusionPass.PowerFamilies(b.Build([sum]));
        Assert.Equal(7, families.Count);
        var groups = families.GroupBy(kv => kv.Value.Packed).Select(g => g.OrderBy(kv => kv.Value.Slot).Select(kv => kv.Key.Exponent).ToArray()).ToList();
        Assert.Equal(2, groups.Count);
        Assert.Contains(groups, g => g.SequenceEqual([40, 12, -9, 6]));
        Assert.Contains(groups, g => g.SequenceEqual([5, -3, 3]));
    }
}
