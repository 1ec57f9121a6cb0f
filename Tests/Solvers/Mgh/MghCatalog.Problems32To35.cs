using System;
using System.Linq;

namespace ExprDiff.Tests.Solvers.Mgh;

// MGH problems 32–35 (n and m from MINPACK-1's ssq.data, as in MghCatalog.Problems21To31.cs).
public static partial class MghCatalog
{
    /// <summary>MGH 32, linear function – full rank: n = 5, m = 10 (MINPACK-1 ssq.data's first choice). f* = m − n at
    /// (−1, …, −1).</summary>
    public static MghProblem LinearFullRank { get; } = new(
        32, "Linear function - full rank", 5, 10, Repeat([1.0], 5),
        x => Enumerable.Range(0, 10).Select(i => (i < x.Length ? x[i] : 0) - 2.0 / 10 * x.Sum() - 1).ToArray(),
        x => Enumerable.Range(0, x.Length).Sum(i => Math.Pow(x[i] - 2.0 / 10 * x.Sum() - 1, 2))
            + (10 - x.Length) * Math.Pow(-2.0 / 10 * x.Sum() - 1, 2),
        [Exact(5, Repeat([-1.0], 5), 1e-14)],
        Norm2(5.0000000e+00), MghProblem.MinpackNormTolerance, "MINPACK-1 lmddrv, problem 1 (n = 5, m = 10)");

    /// <summary>MGH 33, linear function – rank 1: n = 5, m = 10 (MINPACK-1 ssq.data). f* = m(m − 1)/(2(2m + 1)) = 15/7
    /// wherever Σ j xⱼ = 3/(2m + 1), e.g. at (1/7, 0, 0, 0, 0).</summary>
    public static MghProblem LinearRank1 { get; } = new(
        33, "Linear function - rank 1", 5, 10, Repeat([1.0], 5),
        x => Enumerable.Range(1, 10).Select(i => i * Enumerable.Range(1, x.Length).Sum(j => j * x[j - 1]) - 1).ToArray(),
        x => Enumerable.Range(1, 10).Sum(i => Math.Pow(i * Enumerable.Range(1, x.Length).Sum(j => j * x[j - 1]) - 1, 2)),
        [Exact(15.0 / 7, [1.0 / 7, 0, 0, 0, 0], 1e-14)],
        Norm2(2.9152187e+02), MghProblem.MinpackNormTolerance, "MINPACK-1 lmddrv, problem 2 (n = 5, m = 10)");

    /// <summary>MGH 34, linear function – rank 1 with zero columns and rows: n = 5, m = 10 (MINPACK-1 ssq.data).
    /// f* = (m² + 3m − 6)/(2(2m − 3)) = 62/17 wherever Σ_{j=2}^{n−1} j xⱼ = 3/(2m − 3), e.g. at (0, 3/34, 0, 0, 0).</summary>
    public static MghProblem LinearRank1ZeroColumnsAndRows { get; } = new(
        34, "Linear function - rank 1 with zero columns and rows", 5, 10, Repeat([1.0], 5),
        x => Enumerable.Range(1, 10).Select(i => i == 1 || i == 10
            ? -1.0
            : (i - 1) * Enumerable.Range(2, x.Length - 2).Sum(j => j * x[j - 1]) - 1).ToArray(),
        x => 2 + Enumerable.Range(2, 8).Sum(i => Math.Pow((i - 1) * Enumerable.Range(2, x.Length - 2).Sum(j => j * x[j - 1]) - 1, 2)),
        [Exact(62.0 / 17, [0, 3.0 / 34, 0, 0, 0], 1e-14)],
        Norm2(1.2603968e+02), MghProblem.MinpackNormTolerance, "MINPACK-1 lmddrv, problem 3 (n = 5, m = 10)");

    /// <summary>MGH 35, Chebyquad: n = m = 10 (MINPACK-1 ssq.data and um.data; MGH give f* = 6.50395…e-3 for it).
    /// rᵢ = (1/n) Σⱼ Tᵢ(2xⱼ − 1) − ∫₀¹ Tᵢ(2t − 1) dt, the integral 0 for odd i and −1/(i² − 1) for even i. Tᵢ(z) is
    /// cos(i·acos z) on [−1, 1] and ±cosh(i·acosh |z|) outside, so f is defined (and polynomial) everywhere.</summary>
    public static MghProblem Chebyquad { get; } = new(
        35, "Chebyquad", 10, 10, Enumerable.Range(1, 10).Select(j => j / 11.0).ToArray(),
        x => Enumerable.Range(1, x.Length).Select(i =>
            Enumerable.Range(0, x.Length).Sum(j => Math.Abs(2 * x[j] - 1) <= 1
                ? Math.Cos(i * Math.Acos(2 * x[j] - 1))
                : (2 * x[j] - 1 > 0 || i % 2 == 0 ? 1 : -1) * Math.Cosh(i * Math.Acosh(Math.Abs(2 * x[j] - 1)))) / x.Length
            - (i % 2 == 0 ? -1.0 / (i * i - 1) : 0)).ToArray(),
        x => Enumerable.Range(1, x.Length).Sum(i => Math.Pow(
            Enumerable.Range(0, x.Length).Sum(j => Math.Abs(2 * x[j] - 1) <= 1
                ? Math.Cos(i * Math.Acos(2 * x[j] - 1))
                : (2 * x[j] - 1 > 0 || i % 2 == 0 ? 1 : -1) * Math.Cosh(i * Math.Acosh(Math.Abs(2 * x[j] - 1)))) / x.Length
            - (i % 2 == 0 ? -1.0 / (i * i - 1) : 0), 2)),
        [Refined(0.0065039548008823061, 6.50395e-3, 6,
            [0.059619900535812704, 0.16670828183586141, 0.23917065894260849, 0.39888429230604449, 0.39888429230604449,
             0.60111570769395551, 0.60111570769395551, 0.76082934105739151, 0.83329171816413859, 0.9403800994641873])],
        Norm2(1.8374783e-01), MghProblem.MinpackNormTolerance, "MINPACK-1 lmddrv, problem 15 (n = 10, m = 10)");
}
