using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace ExprDiff.Benchmarks;

/// <summary>
/// `powers [count]`: the error of the multiplication chain that <c>Math.Pow(x, k)</c> imports to by default
/// (<see cref="Intrinsics.PowChain"/>) against the correctly rounded power (<see cref="Intrinsics.PowInt"/>, double-double,
/// rounded once), for k = ±1 … ±16, on <c>count</c> bases per k (10⁷ by default), log-uniform in magnitude over
/// [2⁻²⁰, 2²⁰] with random signs (seeded: every run draws the same bases). Prints a markdown table: the largest distance
/// in ulps (units in the last place of the correctly rounded result), the mean distance, and the share of bases where
/// the chain is not the correctly rounded value. Every power of such a base is a normal number, so PowInt is correctly
/// rounded there (its double-double error is below 2⁻²⁰ ulp before the final rounding).
/// </summary>
internal static class PowerErrors
{
    public static void Print(long count)
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"Intrinsics.PowChain(x, k) against the correctly rounded power, {count:N0} bases per k, |x| log-uniform in [2^-20, 2^20], random signs");
        Console.WriteLine($"{RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}, .NET {Environment.Version}, {Environment.ProcessorCount} logical cores");
        Console.WriteLine();
        Console.WriteLine("| k | max ulps | mean ulps | not correctly rounded | max ulps for −k | mean ulps for −k | not correctly rounded for −k |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
        var sw = Stopwatch.StartNew();
        for (int k = 1; k <= 16; k++)
        {
            var (max, mean, wrong) = Measure(k, count);
            var (maxN, meanN, wrongN) = Measure(-k, count);
            Console.WriteLine(string.Format(inv, "| {0} | {1} | {2:F4} | {3:P3} | {4} | {5:F4} | {6:P3} |", k, max, mean, wrong, maxN, meanN, wrongN));
        }
        Console.WriteLine();
        Console.WriteLine(string.Format(inv, "({0:F1} s)", sw.Elapsed.TotalSeconds));
    }

    /// <summary>Largest and mean distance in ulps, and the share of bases not correctly rounded, for exponent k.</summary>
    public static (long Max, double Mean, double NotCorrectlyRounded) Measure(int k, long count, int seed = 0)
    {
        var random = new Random(1000 + 37 * k + seed);
        long max = 0, wrong = 0;
        double total = 0;
        for (long i = 0; i < count; i++)
        {
            double x = Base(random);
            long d = UlpDistance(Intrinsics.PowChain(x, k), Intrinsics.PowInt(x, k));
            if (d > max) max = d;
            if (d != 0) wrong++;
            total += d;
        }
        return (max, total / count, (double)wrong / count);
    }

    /// <summary>±2^u with u uniform in [−20, 20].</summary>
    public static double Base(Random random)
    {
        double magnitude = double.Exp2(random.NextDouble() * 40 - 20);
        return random.Next(2) == 0 ? magnitude : -magnitude;
    }

    /// <summary>How many doubles apart a and b are (both finite and of one sign, as every power measured here is).</summary>
    public static long UlpDistance(double a, double b) =>
        Math.Abs(BitConverter.DoubleToInt64Bits(a) - BitConverter.DoubleToInt64Bits(b));
}
