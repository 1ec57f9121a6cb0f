using System;
using System.Linq;

namespace ExprDiff.Tests.Solvers.Mgh;

// MGH problems 1–10: fixed n and m. Sources of the numbers, besides MGH §3:
//  - "MINPACK-1 lmddrv": the reference output of MINPACK-1's LMDER test driver (Moré, Garbow, Hillstrom, Argonne,
//    1980; netlib minpack/ex, kept as examples/ref/lmddrv.fortran.ref in cminpack), which prints the initial and final
//    ℓ2 norms of the residuals and the final point for the least-squares problems among the 35;
//  - "MINPACK-1 hybdrv": the same for its HYBRD test driver (square systems);
//  - "refined here": MGH print f* to 6 digits; the 17-digit values were computed by Levenberg–Marquardt in 40-digit
//    arithmetic (mpmath) from MINPACK's final point, and each rounds to MGH's digits; the tests check that f is that value
//    at the stored minimizer.
public static partial class MghCatalog
{
    /// <summary>MGH 1, Rosenbrock: n = 2, m = 2.</summary>
    public static MghProblem Rosenbrock { get; } = new(
        1, "Rosenbrock", 2, 2, [-1.2, 1.0],
        x => new[] { 10 * (x[1] - x[0] * x[0]), 1 - x[0] },
        x => 100 * Math.Pow(x[1] - x[0] * x[0], 2) + Math.Pow(1 - x[0], 2),
        [Exact(0, [1.0, 1.0])],
        Norm2(4.9193496e+00), MghProblem.MinpackNormTolerance, "MINPACK-1 lmddrv, problem 4 (n = 2, m = 2)");

    /// <summary>MGH 2, Freudenstein and Roth: n = 2, m = 2. The local minimum is MGH's 48.9842…, at MINPACK's final
    /// point (11.412484, −0.89682791) refined.</summary>
    public static MghProblem FreudensteinRoth { get; } = new(
        2, "Freudenstein and Roth", 2, 2, [0.5, -2.0],
        x => new[] { -13 + x[0] + ((5 - x[1]) * x[1] - 2) * x[1], -29 + x[0] + ((x[1] + 1) * x[1] - 14) * x[1] },
        x => Math.Pow(-13 + x[0] + ((5 - x[1]) * x[1] - 2) * x[1], 2) + Math.Pow(-29 + x[0] + ((x[1] + 1) * x[1] - 14) * x[1], 2),
        [Exact(0, [5.0, 4.0]),
         Refined(48.98425367924002, 48.9842, 6, [11.412778986902094, -0.89680525327447652], local: true)],
        Norm2(2.0012496e+01), MghProblem.MinpackNormTolerance, "MINPACK-1 lmddrv, problem 7 (n = 2, m = 2)");

    /// <summary>MGH 3, Powell badly scaled: n = 2, m = 2. MGH give the minimizer only as (1.098…e-5, 9.106…).</summary>
    public static MghProblem PowellBadlyScaled { get; } = new(
        3, "Powell badly scaled", 2, 2, [0.0, 1.0],
        x => new[] { 10000 * x[0] * x[1] - 1, Math.Exp(-x[0]) + Math.Exp(-x[1]) - 1.0001 },
        x => Math.Pow(10000 * x[0] * x[1] - 1, 2) + Math.Pow(Math.Exp(-x[0]) + Math.Exp(-x[1]) - 1.0001, 2),
        [new MghMinimum(0, 0, 0, [1.098e-5, 9.106], 4, 2e-7, false, "MGH (minimizer to 4 digits)")],
        Norm2(1.0654866e+00), MghProblem.MinpackNormTolerance, "MINPACK-1 hybdrv, problem 3 (n = 2, same residuals)");

    /// <summary>MGH 4, Brown badly scaled: n = 2, m = 3.</summary>
    public static MghProblem BrownBadlyScaled { get; } = new(
        4, "Brown badly scaled", 2, 3, [1.0, 1.0],
        x => new[] { x[0] - 1e6, x[1] - 2e-6, x[0] * x[1] - 2 },
        x => Math.Pow(x[0] - 1e6, 2) + Math.Pow(x[1] - 2e-6, 2) + Math.Pow(x[0] * x[1] - 2, 2),
        [Exact(0, [1e6, 2e-6])]);

    /// <summary>MGH 5, Beale: n = 2, m = 3, yᵢ = 1.5, 2.25, 2.625.</summary>
    public static MghProblem Beale { get; } = new(
        5, "Beale", 2, 3, [1.0, 1.0],
        x => new[] { 1.5 - x[0] * (1 - x[1]), 2.25 - x[0] * (1 - x[1] * x[1]), 2.625 - x[0] * (1 - x[1] * x[1] * x[1]) },
        x => Math.Pow(1.5 - x[0] * (1 - x[1]), 2) + Math.Pow(2.25 - x[0] * (1 - x[1] * x[1]), 2)
            + Math.Pow(2.625 - x[0] * (1 - x[1] * x[1] * x[1]), 2),
        [Exact(0, [3.0, 0.5])]);

    /// <summary>MGH 6, Jennrich and Sampson: n = 2, m = 10 (the m for which MGH give f*, and MINPACK-1's).</summary>
    public static MghProblem JennrichSampson { get; } = new(
        6, "Jennrich and Sampson", 2, 10, [0.3, 0.4],
        x => Enumerable.Range(1, 10).Select(i => 2 + 2 * i - (Math.Exp(i * x[0]) + Math.Exp(i * x[1]))).ToArray(),
        x => Enumerable.Range(1, 10).Sum(i => Math.Pow(2 + 2 * i - (Math.Exp(i * x[0]) + Math.Exp(i * x[1])), 2)),
        [Refined(124.36218235561485, 124.362, 6, [0.25782521367036408, 0.25782521367036408])],
        Norm2(6.4585650e+01), MghProblem.MinpackNormTolerance, "MINPACK-1 lmddrv, problem 13 (n = 2, m = 10)");

    /// <summary>MGH 7, helical valley: n = 3, m = 3. θ is MGH's (atan(x₂/x₁)/2π, plus ½ where x₁ &lt; 0); at x₁ = 0,
    /// where MGH leave it undefined, it is MINPACK's ±¼ by the sign of x₂.</summary>
    public static MghProblem HelicalValley { get; } = new(
        7, "Helical valley", 3, 3, [-1.0, 0.0, 0.0],
        x => new[]
        {
            10 * (x[2] - 10 * (x[0] > 0 ? Math.Atan(x[1] / x[0]) / (2 * Math.PI)
                : x[0] < 0 ? Math.Atan(x[1] / x[0]) / (2 * Math.PI) + 0.5 : x[1] >= 0 ? 0.25 : -0.25)),
            10 * (Math.Sqrt(x[0] * x[0] + x[1] * x[1]) - 1),
            x[2],
        },
        x => 100 * Math.Pow(x[2] - 10 * (x[0] > 0 ? Math.Atan(x[1] / x[0]) / (2 * Math.PI)
                : x[0] < 0 ? Math.Atan(x[1] / x[0]) / (2 * Math.PI) + 0.5 : x[1] >= 0 ? 0.25 : -0.25), 2)
            + 100 * Math.Pow(Math.Sqrt(x[0] * x[0] + x[1] * x[1]) - 1, 2) + x[2] * x[2],
        [Exact(0, [1.0, 0.0, 0.0])],
        Norm2(5.0000000e+01), MghProblem.MinpackNormTolerance, "MINPACK-1 lmddrv, problem 5 (n = 3, m = 3)");

    private static readonly double[] BardY =
        [0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39];

    /// <summary>MGH 8, Bard: n = 3, m = 15; uᵢ = i, vᵢ = 16 − i, wᵢ = min(uᵢ, vᵢ). The local minimum 17.4286… lies at
    /// infinity (x₂, x₃ → −∞) and has no minimizer here.</summary>
    public static MghProblem Bard { get; } = new(
        8, "Bard", 3, 15, [1.0, 1.0, 1.0],
        x => Enumerable.Range(1, 15).Select(i => BardY[i - 1] - (x[0] + i / ((16 - i) * x[1] + Math.Min(i, 16 - i) * x[2]))).ToArray(),
        x => Enumerable.Range(1, 15).Sum(i => Math.Pow(BardY[i - 1] - (x[0] + i / ((16 - i) * x[1] + Math.Min(i, 16 - i) * x[2])), 2)),
        [Refined(0.008214877306578975, 8.21487e-3, 6, [0.082410559749788932, 1.1330360920297216, 2.3436951786425371]),
         new MghMinimum(17.4286, 17.4286, 6, null, 0, 0, true, "MGH (at x = (0.8406…, −∞, −∞))")],
        Norm2(6.4561363e+00), MghProblem.MinpackNormTolerance, "MINPACK-1 lmddrv, problem 8 (n = 3, m = 15)");

    private static readonly double[] GaussianY =
        [0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989, 0.3521, 0.2420, 0.1295, 0.0540, 0.0175, 0.0044, 0.0009];

    /// <summary>MGH 9, Gaussian: n = 3, m = 15, tᵢ = (8 − i)/2.</summary>
    public static MghProblem Gaussian { get; } = new(
        9, "Gaussian", 3, 15, [0.4, 1.0, 0.0],
        x => Enumerable.Range(1, 15).Select(i => x[0] * Math.Exp(-x[1] * Math.Pow((8 - i) / 2.0 - x[2], 2) / 2) - GaussianY[i - 1]).ToArray(),
        x => Enumerable.Range(1, 15).Sum(i => Math.Pow(x[0] * Math.Exp(-x[1] * Math.Pow((8 - i) / 2.0 - x[2], 2) / 2) - GaussianY[i - 1], 2)),
        [Refined(1.1279327696186480e-8, 1.12793e-8, 6, [0.39895613783875668, 1.0000190844878057, 0.0])]);

    private static readonly double[] MeyerY =
        [34780, 28610, 23650, 19630, 16370, 13720, 11540, 9744, 8261, 7030, 6005, 5147, 4427, 3820, 3307, 2872];

    /// <summary>MGH 10, Meyer: n = 3, m = 16, tᵢ = 45 + 5i.</summary>
    public static MghProblem Meyer { get; } = new(
        10, "Meyer", 3, 16, [0.02, 4000.0, 250.0],
        x => Enumerable.Range(1, 16).Select(i => x[0] * Math.Exp(x[1] / (45 + 5 * i + x[2])) - MeyerY[i - 1]).ToArray(),
        x => Enumerable.Range(1, 16).Sum(i => Math.Pow(x[0] * Math.Exp(x[1] / (45 + 5 * i + x[2])) - MeyerY[i - 1], 2)),
        [Refined(87.945855170851121, 87.9458, 6, [0.0056096364710280525, 6181.3463462863723, 345.2236346241365])],
        Norm2(4.1153467e+04), MghProblem.MinpackNormTolerance, "MINPACK-1 lmddrv, problem 10 (n = 3, m = 16)");
}
