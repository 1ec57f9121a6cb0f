using System;
using System.Linq;

namespace ExprDiff.Tests.Solvers.Mgh;

// MGH problems 21–31, of variable dimension (32–35 are in MghCatalog.Problems32To35.cs). MGH fix no n for them; the
// n (and m) used here are those of MINPACK-1's test drivers by the same authors (their data files ssq.data for LMDER,
// neq.data for HYBRD, um.data for the unconstrained set), which the doc comment of each problem names. Every expression is written for any n (x.Length).
public static partial class MghCatalog
{
    /// <summary>MGH 21, extended Rosenbrock: n = 10 (MINPACK-1 um.data), m = n.</summary>
    public static MghProblem ExtendedRosenbrock { get; } = new(
        21, "Extended Rosenbrock", 10, 10, Repeat([-1.2, 1.0], 10),
        x => Enumerable.Range(0, x.Length).Select(k => k % 2 == 0 ? 10 * (x[k + 1] - x[k] * x[k]) : 1 - x[k - 1]).ToArray(),
        x => Enumerable.Range(0, x.Length / 2).Sum(i => 100 * Math.Pow(x[2 * i + 1] - x[2 * i] * x[2 * i], 2) + Math.Pow(1 - x[2 * i], 2)),
        [Exact(0, Repeat([1.0], 10))]);

    /// <summary>MGH 22, extended Powell singular: n = 12 (MINPACK-1 um.data; n must be a multiple of 4), m = n.</summary>
    public static MghProblem ExtendedPowellSingular { get; } = new(
        22, "Extended Powell singular", 12, 12, Repeat([3.0, -1.0, 0.0, 1.0], 12),
        x => Enumerable.Range(0, x.Length).Select(k =>
            k % 4 == 0 ? x[k] + 10 * x[k + 1]
            : k % 4 == 1 ? Math.Sqrt(5) * (x[k + 1] - x[k + 2])
            : k % 4 == 2 ? Math.Pow(x[k - 1] - 2 * x[k], 2)
            : Math.Sqrt(10) * Math.Pow(x[k - 3] - x[k], 2)).ToArray(),
        x => Enumerable.Range(0, x.Length / 4).Sum(i => Math.Pow(x[4 * i] + 10 * x[4 * i + 1], 2) + 5 * Math.Pow(x[4 * i + 2] - x[4 * i + 3], 2)
            + Math.Pow(x[4 * i + 1] - 2 * x[4 * i + 2], 4) + 10 * Math.Pow(x[4 * i] - x[4 * i + 3], 4)),
        [Exact(0, new double[12])]);

    /// <summary>MGH 23, penalty I: n = 10 (MINPACK-1 um.data), m = n + 1, a = 1e-5. The minimizer has all xⱼ equal
    /// (refined here on that line).</summary>
    public static MghProblem PenaltyI { get; } = new(
        23, "Penalty I", 10, 11, Enumerable.Range(1, 10).Select(j => (double)j).ToArray(),
        x => Enumerable.Range(0, x.Length + 1).Select(i => i < x.Length
            ? Math.Sqrt(1e-5) * (x[i] - 1)
            : Enumerable.Range(0, x.Length).Sum(j => x[j] * x[j]) - 0.25).ToArray(),
        x => 1e-5 * Enumerable.Range(0, x.Length).Sum(j => Math.Pow(x[j] - 1, 2))
            + Math.Pow(Enumerable.Range(0, x.Length).Sum(j => x[j] * x[j]) - 0.25, 2),
        [Refined(7.0876514670903694e-5, 7.08765e-5, 6, Repeat([0.15812230111311636], 10))]);

    // Declared before PenaltyII, whose initializer reads it.
    private static readonly MghMinimum PenaltyIIMinimum = Refined(2.9366053745674594e-4, 2.93660e-4, 6,
    [
        0.19998360519782361, 0.0103506484712923, 0.0196049344804384, 0.03208906722068565, 0.049932677399641297,
        0.076513995153993609, 0.11862407286950418, 0.19214487233557668, 0.34732058694184362, 0.36916437415935084,
    ]);

    /// <summary>MGH 24, penalty II: n = 10 (MINPACK-1 um.data), m = 2n, a = 1e-5, yᵢ = e^{i/10} + e^{(i−1)/10}.</summary>
    public static MghProblem PenaltyII { get; } = new(
        24, "Penalty II", 10, 20, Repeat([0.5], 10),
        x => Enumerable.Range(1, 2 * x.Length).Select(i =>
            i == 1 ? x[0] - 0.2
            : i <= x.Length ? Math.Sqrt(1e-5) * (Math.Exp(x[i - 1] / 10) + Math.Exp(x[i - 2] / 10) - (Math.Exp(i / 10.0) + Math.Exp((i - 1) / 10.0)))
            : i < 2 * x.Length ? Math.Sqrt(1e-5) * (Math.Exp(x[i - x.Length] / 10) - Math.Exp(-0.1))
            : Enumerable.Range(1, x.Length).Sum(j => (x.Length - j + 1) * x[j - 1] * x[j - 1]) - 1).ToArray(),
        x => Math.Pow(x[0] - 0.2, 2)
            + 1e-5 * Enumerable.Range(2, x.Length - 1).Sum(i => Math.Pow(Math.Exp(x[i - 1] / 10) + Math.Exp(x[i - 2] / 10) - (Math.Exp(i / 10.0) + Math.Exp((i - 1) / 10.0)), 2))
            + 1e-5 * Enumerable.Range(x.Length + 1, x.Length - 1).Sum(i => Math.Pow(Math.Exp(x[i - x.Length] / 10) - Math.Exp(-0.1), 2))
            + Math.Pow(Enumerable.Range(1, x.Length).Sum(j => (x.Length - j + 1) * x[j - 1] * x[j - 1]) - 1, 2),
        [PenaltyIIMinimum]);

    /// <summary>MGH 25, variably dimensioned: n = 10 (MINPACK-1 um.data), m = n + 2, x0ⱼ = 1 − j/n.</summary>
    public static MghProblem VariablyDimensioned { get; } = new(
        25, "Variably dimensioned", 10, 12, Enumerable.Range(1, 10).Select(j => 1 - j / 10.0).ToArray(),
        x => Enumerable.Range(0, x.Length + 2).Select(i =>
            i < x.Length ? x[i] - 1
            : i == x.Length ? Enumerable.Range(1, x.Length).Sum(j => j * (x[j - 1] - 1))
            : Math.Pow(Enumerable.Range(1, x.Length).Sum(j => j * (x[j - 1] - 1)), 2)).ToArray(),
        x => Enumerable.Range(0, x.Length).Sum(j => Math.Pow(x[j] - 1, 2))
            + Math.Pow(Enumerable.Range(1, x.Length).Sum(j => j * (x[j - 1] - 1)), 2)
            + Math.Pow(Enumerable.Range(1, x.Length).Sum(j => j * (x[j - 1] - 1)), 4),
        [Exact(0, Repeat([1.0], 10))]);

    /// <summary>MGH 26, trigonometric: n = 10 (MINPACK-1 um.data and neq.data), m = n. MGH publish f* = 0 without a
    /// minimizer (the problem also has local minima MGH do not list).</summary>
    public static MghProblem Trigonometric { get; } = new(
        26, "Trigonometric", 10, 10, Repeat([0.1], 10),
        x => Enumerable.Range(1, x.Length).Select(i =>
            x.Length - Enumerable.Range(0, x.Length).Sum(j => Math.Cos(x[j])) + i * (1 - Math.Cos(x[i - 1])) - Math.Sin(x[i - 1])).ToArray(),
        x => Enumerable.Range(1, x.Length).Sum(i =>
            Math.Pow(x.Length - Enumerable.Range(0, x.Length).Sum(j => Math.Cos(x[j])) + i * (1 - Math.Cos(x[i - 1])) - Math.Sin(x[i - 1]), 2)),
        [new MghMinimum(0, 0, 0, null, 0, 0, false, "MGH")],
        Norm2(8.4117534e-02), MghProblem.MinpackNormTolerance, "MINPACK-1 hybdrv, problem 11 (n = 10)");

    /// <summary>MGH 27, Brown almost-linear: n = 10 (MINPACK-1 ssq.data), m = n. Zero at (α, …, α, α^{1−n}) for each
    /// root α of nαⁿ − (n + 1)αⁿ⁻¹ + 1 = 0 (α = 1 among them); MGH also list f = 1 at (0, …, 0, n + 1).</summary>
    public static MghProblem BrownAlmostLinear { get; } = new(
        27, "Brown almost-linear", 10, 10, Repeat([0.5], 10),
        x => Enumerable.Range(0, x.Length).Select(i => i < x.Length - 1
            ? x[i] + x.Sum() - (x.Length + 1)
            : Enumerable.Range(0, x.Length).Aggregate(1.0, (p, j) => p * x[j]) - 1).ToArray(),
        x => Enumerable.Range(0, x.Length - 1).Sum(i => Math.Pow(x[i] + x.Sum() - (x.Length + 1), 2))
            + Math.Pow(Enumerable.Range(0, x.Length).Aggregate(1.0, (p, j) => p * x[j]) - 1, 2),
        [Exact(0, Repeat([1.0], 10)),
         new MghMinimum(1, 1, 0, [0, 0, 0, 0, 0, 0, 0, 0, 0, 11.0], 0, 0, true, "MGH")],
        Norm2(1.6530216e+01), MghProblem.MinpackNormTolerance, "MINPACK-1 lmddrv, problem 16 (n = 10, m = 10)");

    /// <summary>MGH 28, discrete boundary value: n = 10 (MINPACK-1 neq.data), m = n, h = 1/(n + 1), tᵢ = ih,
    /// x₀ = xₙ₊₁ = 0. MGH publish f* = 0 without a minimizer.</summary>
    public static MghProblem DiscreteBoundaryValue { get; } = new(
        28, "Discrete boundary value", 10, 10, Enumerable.Range(1, 10).Select(j => j / 11.0 * (j / 11.0 - 1)).ToArray(),
        x => Enumerable.Range(0, x.Length).Select(i => 2 * x[i] - (i > 0 ? x[i - 1] : 0) - (i < x.Length - 1 ? x[i + 1] : 0)
            + Math.Pow(x[i] + (i + 1.0) / (x.Length + 1) + 1, 3) / (2.0 * (x.Length + 1) * (x.Length + 1))).ToArray(),
        x => Enumerable.Range(0, x.Length).Sum(i => Math.Pow(2 * x[i] - (i > 0 ? x[i - 1] : 0) - (i < x.Length - 1 ? x[i + 1] : 0)
            + Math.Pow(x[i] + (i + 1.0) / (x.Length + 1) + 1, 3) / (2.0 * (x.Length + 1) * (x.Length + 1)), 2)),
        [new MghMinimum(0, 0, 0, null, 0, 0, false, "MGH")],
        Norm2(2.8080582e-02), MghProblem.MinpackNormTolerance, "MINPACK-1 hybdrv, problem 9 (n = 10)");

    /// <summary>MGH 29, discrete integral equation: n = 10 (MINPACK-1 neq.data), m = n, h and tᵢ as in MGH 28.
    /// MGH publish f* = 0 without a minimizer.</summary>
    public static MghProblem DiscreteIntegralEquation { get; } = new(
        29, "Discrete integral equation", 10, 10, Enumerable.Range(1, 10).Select(j => j / 11.0 * (j / 11.0 - 1)).ToArray(),
        x => Enumerable.Range(1, x.Length).Select(i => x[i - 1] + ((1 - i / (x.Length + 1.0))
                * Enumerable.Range(1, i).Sum(j => j / (x.Length + 1.0) * Math.Pow(x[j - 1] + j / (x.Length + 1.0) + 1, 3))
            + i / (x.Length + 1.0)
                * Enumerable.Range(i + 1, x.Length - i).Sum(j => (1 - j / (x.Length + 1.0)) * Math.Pow(x[j - 1] + j / (x.Length + 1.0) + 1, 3)))
            / (2 * (x.Length + 1.0))).ToArray(),
        x => Enumerable.Range(1, x.Length).Sum(i => Math.Pow(x[i - 1] + ((1 - i / (x.Length + 1.0))
                * Enumerable.Range(1, i).Sum(j => j / (x.Length + 1.0) * Math.Pow(x[j - 1] + j / (x.Length + 1.0) + 1, 3))
            + i / (x.Length + 1.0)
                * Enumerable.Range(i + 1, x.Length - i).Sum(j => (1 - j / (x.Length + 1.0)) * Math.Pow(x[j - 1] + j / (x.Length + 1.0) + 1, 3)))
            / (2 * (x.Length + 1.0)), 2)),
        [new MghMinimum(0, 0, 0, null, 0, 0, false, "MGH")],
        Norm2(2.5182701e-01), MghProblem.MinpackNormTolerance, "MINPACK-1 hybdrv, problem 10 (n = 10)");

    /// <summary>MGH 30, Broyden tridiagonal: n = 10 (MINPACK-1 neq.data), m = n, x₀ = xₙ₊₁ = 0.</summary>
    public static MghProblem BroydenTridiagonal { get; } = new(
        30, "Broyden tridiagonal", 10, 10, Repeat([-1.0], 10),
        x => Enumerable.Range(0, x.Length).Select(i =>
            (3 - 2 * x[i]) * x[i] - (i > 0 ? x[i - 1] : 0) - 2 * (i < x.Length - 1 ? x[i + 1] : 0) + 1).ToArray(),
        x => Enumerable.Range(0, x.Length).Sum(i =>
            Math.Pow((3 - 2 * x[i]) * x[i] - (i > 0 ? x[i - 1] : 0) - 2 * (i < x.Length - 1 ? x[i + 1] : 0) + 1, 2)),
        [new MghMinimum(0, 0, 0, null, 0, 0, false, "MGH")],
        Norm2(4.5825757e+00), MghProblem.MinpackNormTolerance, "MINPACK-1 hybdrv, problem 13 (n = 10)");

    /// <summary>MGH 31, Broyden banded: n = 10 (MINPACK-1 neq.data), m = n, mₗ = 5, mᵤ = 1.</summary>
    public static MghProblem BroydenBanded { get; } = new(
        31, "Broyden banded", 10, 10, Repeat([-1.0], 10),
        x => Enumerable.Range(0, x.Length).Select(i => x[i] * (2 + 5 * x[i] * x[i]) + 1
            - Enumerable.Range(Math.Max(0, i - 5), Math.Min(x.Length - 1, i + 1) - Math.Max(0, i - 5) + 1).Sum(j => j != i ? x[j] * (1 + x[j]) : 0)).ToArray(),
        x => Enumerable.Range(0, x.Length).Sum(i => Math.Pow(x[i] * (2 + 5 * x[i] * x[i]) + 1
            - Enumerable.Range(Math.Max(0, i - 5), Math.Min(x.Length - 1, i + 1) - Math.Max(0, i - 5) + 1).Sum(j => j != i ? x[j] * (1 + x[j]) : 0), 2)),
        [new MghMinimum(0, 0, 0, null, 0, 0, false, "MGH")],
        Norm2(1.8973666e+01), MghProblem.MinpackNormTolerance, "MINPACK-1 hybdrv, problem 14 (n = 10)");
}
