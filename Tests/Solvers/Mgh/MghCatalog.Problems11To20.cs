using System;
using System.Linq;

namespace ExprDiff.Tests.Solvers.Mgh;

// MGH problems 11–20 (sources as in MghCatalog.Problems01To10.cs).
public static partial class MghCatalog
{
    /// <summary>MGH 11, Gulf research and development: n = 3, m = 99 (MGH allow n ≤ m ≤ 100; 99 is MINPACK-1's objfcn).
    /// tᵢ = i/100, yᵢ = 25 + (−50 ln tᵢ)^{2/3}, rᵢ = exp(−|yᵢ − x₂|^{x₃}/x₁) − tᵢ. MGH's text reads "|yᵢ m i x₂|", taken
    /// here, as in MINPACK-1's objfcn, as |yᵢ − x₂|: the form for which MGH's minimizer (50, 25, 1.5) is a zero (a test checks it).</summary>
    public static MghProblem GulfResearch { get; } = new(
        11, "Gulf research and development", 3, 99, [5.0, 2.5, 0.15],
        x => Enumerable.Range(1, 99).Select(i =>
            Math.Exp(-Math.Pow(Math.Abs(25 + Math.Pow(-50 * Math.Log(i / 100.0), 2.0 / 3) - x[1]), x[2]) / x[0]) - i / 100.0).ToArray(),
        x => Enumerable.Range(1, 99).Sum(i =>
            Math.Pow(Math.Exp(-Math.Pow(Math.Abs(25 + Math.Pow(-50 * Math.Log(i / 100.0), 2.0 / 3) - x[1]), x[2]) / x[0]) - i / 100.0, 2)),
        [Exact(0, [50.0, 25.0, 1.5], 1e-24)]);

    /// <summary>MGH 12, Box three-dimensional: n = 3, m = 10 (MINPACK-1's choice; MGH: m ≥ n), tᵢ = 0.1 i. Zeros at
    /// (1, 10, 1), (10, 1, −1) and wherever x₁ = x₂, x₃ = 0.</summary>
    public static MghProblem Box3D { get; } = new(
        12, "Box three-dimensional", 3, 10, [0.0, 10.0, 20.0],
        x => Enumerable.Range(1, 10).Select(i =>
            Math.Exp(-0.1 * i * x[0]) - Math.Exp(-0.1 * i * x[1]) - x[2] * (Math.Exp(-0.1 * i) - Math.Exp(-i))).ToArray(),
        x => Enumerable.Range(1, 10).Sum(i =>
            Math.Pow(Math.Exp(-0.1 * i * x[0]) - Math.Exp(-0.1 * i * x[1]) - x[2] * (Math.Exp(-0.1 * i) - Math.Exp(-i)), 2)),
        [Exact(0, [1.0, 10.0, 1.0], 1e-28), Exact(0, [10.0, 1.0, -1.0], 1e-28), Exact(0, [2.0, 2.0, 0.0], 0)],
        Norm2(3.2111584e+01), MghProblem.MinpackNormTolerance, "MINPACK-1 lmddrv, problem 12 (n = 3, m = 10)");

    /// <summary>MGH 13, Powell singular: n = 4, m = 4.</summary>
    public static MghProblem PowellSingular { get; } = new(
        13, "Powell singular", 4, 4, [3.0, -1.0, 0.0, 1.0],
        x => new[]
        {
            x[0] + 10 * x[1], Math.Sqrt(5) * (x[2] - x[3]), Math.Pow(x[1] - 2 * x[2], 2), Math.Sqrt(10) * Math.Pow(x[0] - x[3], 2),
        },
        x => Math.Pow(x[0] + 10 * x[1], 2) + 5 * Math.Pow(x[2] - x[3], 2) + Math.Pow(x[1] - 2 * x[2], 4) + 10 * Math.Pow(x[0] - x[3], 4),
        [Exact(0, [0.0, 0.0, 0.0, 0.0])],
        Norm2(1.4662878e+01), MghProblem.MinpackNormTolerance, "MINPACK-1 lmddrv, problem 6 (n = 4, m = 4)");

    /// <summary>MGH 14, Wood: n = 4, m = 6. (MINPACK-1's hybdrv "Wood" is a different square system, so its initial
    /// norm is not this f(x0).)</summary>
    public static MghProblem Wood { get; } = new(
        14, "Wood", 4, 6, [-3.0, -1.0, -3.0, -1.0],
        x => new[]
        {
            10 * (x[1] - x[0] * x[0]), 1 - x[0], Math.Sqrt(90) * (x[3] - x[2] * x[2]), 1 - x[2],
            Math.Sqrt(10) * (x[1] + x[3] - 2), (x[1] - x[3]) / Math.Sqrt(10),
        },
        x => 100 * Math.Pow(x[1] - x[0] * x[0], 2) + Math.Pow(1 - x[0], 2) + 90 * Math.Pow(x[3] - x[2] * x[2], 2)
            + Math.Pow(1 - x[2], 2) + 10 * Math.Pow(x[1] + x[3] - 2, 2) + Math.Pow(x[1] - x[3], 2) / 10,
        [Exact(0, [1.0, 1.0, 1.0, 1.0])]);

    private static readonly double[] KowalikOsborneY =
        [0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246];

    private static readonly double[] KowalikOsborneU =
        [4, 2, 1, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625];

    /// <summary>MGH 15, Kowalik and Osborne: n = 4, m = 11. The local minimum 1.02734…e-3 lies at infinity.</summary>
    public static MghProblem KowalikOsborne { get; } = new(
        15, "Kowalik and Osborne", 4, 11, [0.25, 0.39, 0.415, 0.39],
        x => Enumerable.Range(0, 11).Select(i => KowalikOsborneY[i] - x[0] * (KowalikOsborneU[i] * KowalikOsborneU[i] + KowalikOsborneU[i] * x[1])
            / (KowalikOsborneU[i] * KowalikOsborneU[i] + KowalikOsborneU[i] * x[2] + x[3])).ToArray(),
        x => Enumerable.Range(0, 11).Sum(i => Math.Pow(KowalikOsborneY[i] - x[0] * (KowalikOsborneU[i] * KowalikOsborneU[i] + KowalikOsborneU[i] * x[1])
            / (KowalikOsborneU[i] * KowalikOsborneU[i] + KowalikOsborneU[i] * x[2] + x[3]), 2)),
        [Refined(3.0750560384923743e-4, 3.07505e-4, 6, [0.19280693457903785, 0.19128232873436696, 0.12305650692632065, 0.13606233068379484]),
         new MghMinimum(1.02734e-3, 1.02734e-3, 6, null, 0, 0, true, "MGH (at x = (+∞, −14.07…, −∞, −∞))")],
        Norm2(7.2891510e-02), MghProblem.MinpackNormTolerance, "MINPACK-1 lmddrv, problem 9 (n = 4, m = 11)");

    /// <summary>MGH 16, Brown and Dennis: n = 4, m = 20 (the m for which MGH give f*), tᵢ = i/5.</summary>
    public static MghProblem BrownDennis { get; } = new(
        16, "Brown and Dennis", 4, 20, [25.0, 5.0, -5.0, -1.0],
        x => Enumerable.Range(1, 20).Select(i => Math.Pow(x[0] + i / 5.0 * x[1] - Math.Exp(i / 5.0), 2)
            + Math.Pow(x[2] + x[3] * Math.Sin(i / 5.0) - Math.Cos(i / 5.0), 2)).ToArray(),
        x => Enumerable.Range(1, 20).Sum(i => Math.Pow(Math.Pow(x[0] + i / 5.0 * x[1] - Math.Exp(i / 5.0), 2)
            + Math.Pow(x[2] + x[3] * Math.Sin(i / 5.0) - Math.Cos(i / 5.0), 2), 2)),
        [Refined(85822.201626356345, 85822.2, 6, [-11.594439904762165, 13.203630051207204, -0.40343948817685952, 0.2367787744557363])],
        Norm2(2.8154384e+03), MghProblem.MinpackNormTolerance, "MINPACK-1 lmddrv, problem 14 (n = 4, m = 20)");

    private static readonly double[] Osborne1Y =
    [
        0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784, 0.751, 0.718, 0.685, 0.658, 0.628, 0.603, 0.580,
        0.558, 0.538, 0.522, 0.506, 0.490, 0.478, 0.467, 0.457, 0.448, 0.438, 0.431, 0.424, 0.420, 0.414, 0.411, 0.406,
    ];

    /// <summary>MGH 17, Osborne 1: n = 5, m = 33, tᵢ = 10(i − 1).</summary>
    public static MghProblem Osborne1 { get; } = new(
        17, "Osborne 1", 5, 33, [0.5, 1.5, -1.0, 0.01, 0.02],
        x => Enumerable.Range(1, 33).Select(i =>
            Osborne1Y[i - 1] - (x[0] + x[1] * Math.Exp(-10 * (i - 1) * x[3]) + x[2] * Math.Exp(-10 * (i - 1) * x[4]))).ToArray(),
        x => Enumerable.Range(1, 33).Sum(i =>
            Math.Pow(Osborne1Y[i - 1] - (x[0] + x[1] * Math.Exp(-10 * (i - 1) * x[3]) + x[2] * Math.Exp(-10 * (i - 1) * x[4])), 2)),
        [Refined(5.4648946974829064e-5, 5.46489e-5, 6,
            [0.37541005210695204, 1.9358469127123674, -1.4646871366134231, 0.012867534640057289, 0.022122699661672611])],
        Norm2(9.3756402e-01), MghProblem.MinpackNormTolerance, "MINPACK-1 lmddrv, problem 17 (n = 5, m = 33)");

    /// <summary>MGH 18, Biggs EXP6: n = 6, m = 13 (the m for which MGH give the local minimum), tᵢ = 0.1 i,
    /// yᵢ = e^{−tᵢ} − 5e^{−10tᵢ} + 3e^{−4tᵢ}. The zero at (1, 10, 1, 5, 4, 3) is global; MGH's 5.65565e-3 is a local
    /// minimum (refined here with x₅ = x₁, x₆ = x₃, where it lies).</summary>
    public static MghProblem BiggsExp6 { get; } = new(
        18, "Biggs EXP6", 6, 13, [1.0, 2.0, 1.0, 1.0, 1.0, 1.0],
        x => Enumerable.Range(1, 13).Select(i => x[2] * Math.Exp(-0.1 * i * x[0]) - x[3] * Math.Exp(-0.1 * i * x[1]) + x[5] * Math.Exp(-0.1 * i * x[4])
            - (Math.Exp(-0.1 * i) - 5 * Math.Exp(-i) + 3 * Math.Exp(-0.4 * i))).ToArray(),
        x => Enumerable.Range(1, 13).Sum(i => Math.Pow(x[2] * Math.Exp(-0.1 * i * x[0]) - x[3] * Math.Exp(-0.1 * i * x[1]) + x[5] * Math.Exp(-0.1 * i * x[4])
            - (Math.Exp(-0.1 * i) - 5 * Math.Exp(-i) + 3 * Math.Exp(-0.4 * i)), 2)),
        [Exact(0, [1.0, 10.0, 1.0, 5.0, 4.0, 3.0], 1e-28),
         Refined(0.0056556499254999310, 5.65565e-3, 6,
            [1.7114159947195876, 17.683198180949067, 1.1631436609188925, 5.1865615519934518, 1.7114159947195876, 1.1631436609188925], local: true)]);

    private static readonly double[] Osborne2Y =
    [
        1.366, 1.191, 1.112, 1.013, 0.991, 0.885, 0.831, 0.847, 0.786, 0.725, 0.746, 0.679, 0.608, 0.655, 0.616, 0.606, 0.602,
        0.626, 0.651, 0.724, 0.649, 0.649, 0.694, 0.644, 0.624, 0.661, 0.612, 0.558, 0.533, 0.495, 0.500, 0.423, 0.395, 0.375,
        0.372, 0.391, 0.396, 0.405, 0.428, 0.429, 0.523, 0.562, 0.607, 0.653, 0.672, 0.708, 0.633, 0.668, 0.645, 0.632, 0.591,
        0.559, 0.597, 0.625, 0.739, 0.710, 0.729, 0.720, 0.636, 0.581, 0.428, 0.292, 0.162, 0.098, 0.054,
    ];

    /// <summary>MGH 19, Osborne 2: n = 11, m = 65, tᵢ = (i − 1)/10.</summary>
    public static MghProblem Osborne2 { get; } = new(
        19, "Osborne 2", 11, 65, [1.3, 0.65, 0.65, 0.7, 0.6, 3.0, 5.0, 7.0, 2.0, 4.5, 5.5],
        x => Enumerable.Range(1, 65).Select(i => Osborne2Y[i - 1] - (x[0] * Math.Exp(-(i - 1) / 10.0 * x[4])
            + x[1] * Math.Exp(-Math.Pow((i - 1) / 10.0 - x[8], 2) * x[5]) + x[2] * Math.Exp(-Math.Pow((i - 1) / 10.0 - x[9], 2) * x[6])
            + x[3] * Math.Exp(-Math.Pow((i - 1) / 10.0 - x[10], 2) * x[7]))).ToArray(),
        x => Enumerable.Range(1, 65).Sum(i => Math.Pow(Osborne2Y[i - 1] - (x[0] * Math.Exp(-(i - 1) / 10.0 * x[4])
            + x[1] * Math.Exp(-Math.Pow((i - 1) / 10.0 - x[8], 2) * x[5]) + x[2] * Math.Exp(-Math.Pow((i - 1) / 10.0 - x[9], 2) * x[6])
            + x[3] * Math.Exp(-Math.Pow((i - 1) / 10.0 - x[10], 2) * x[7])), 2)),
        [Refined(0.040137736293547738, 4.01377e-2, 6,
            [1.3099771546273005, 0.43155379460298892, 0.633661698960724, 0.5994305347859163, 0.75418322632801128, 0.90428857985963366,
             1.3658118352370285, 4.8236988172271556, 2.3986848661317546, 4.5688745976676716, 5.6753414705806412])],
        Norm2(1.4468654e+00), MghProblem.MinpackNormTolerance, "MINPACK-1 lmddrv, problem 18 (n = 11, m = 65)");

    /// <summary>MGH 20, Watson: n = 6, m = 31 (MGH give f* for n = 6, 9, 12; 6 is the first, and MINPACK-1's first).
    /// tᵢ = i/29; rᵢ = Σ_{j≥2} (j − 1) xⱼ tᵢ^{j−2} − (Σ_j xⱼ tᵢ^{j−1})² − 1 for i ≤ 29, r₃₀ = x₁, r₃₁ = x₂ − x₁² − 1.
    /// Written for any n (x.Length).</summary>
    public static MghProblem Watson { get; } = new(
        20, "Watson", 6, 31, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        x => Enumerable.Range(1, 31).Select(i => i <= 29
            ? Enumerable.Range(2, x.Length - 1).Sum(j => (j - 1) * x[j - 1] * Math.Pow(i / 29.0, j - 2))
                - Math.Pow(Enumerable.Range(1, x.Length).Sum(j => x[j - 1] * Math.Pow(i / 29.0, j - 1)), 2) - 1
            : i == 30 ? x[0] : x[1] - x[0] * x[0] - 1).ToArray(),
        x => Enumerable.Range(1, 29).Sum(i => Math.Pow(Enumerable.Range(2, x.Length - 1).Sum(j => (j - 1) * x[j - 1] * Math.Pow(i / 29.0, j - 2))
                - Math.Pow(Enumerable.Range(1, x.Length).Sum(j => x[j - 1] * Math.Pow(i / 29.0, j - 1)), 2) - 1, 2))
            + x[0] * x[0] + Math.Pow(x[1] - x[0] * x[0] - 1, 2),
        [Refined(0.0022876700535524362, 2.28767e-3, 6,
            [-0.015725086401458457, 1.0124348693691099, -0.23299162595673768, 1.2604300877996083, -1.5137289227222797, 0.99299643243113452])],
        Norm2(5.4772256e+00), MghProblem.MinpackNormTolerance, "MINPACK-1 lmddrv, problem 11 (n = 6, m = 31)");
}
