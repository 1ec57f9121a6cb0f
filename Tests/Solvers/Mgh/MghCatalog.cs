using System;
using System.Collections.Generic;
using System.Linq;

namespace ExprDiff.Tests.Solvers.Mgh;

/// <summary>
/// The 35 test problems of Moré, Garbow and Hillstrom (ACM TOMS 7(1), 1981) with their standard starting points, as
/// data for the solvers' tests. Problems 1–19 have MGH's fixed n and m (or the m for which MGH give f*); for the
/// variable-dimension ones each problem's doc comment names the n and m chosen and their source.
/// </summary>
public static partial class MghCatalog
{
    // Built on first use: the problems' static initializers live in several files of this partial class, whose
    // order C# leaves unspecified, so a list initialized beside them could read some still null.
    private static IReadOnlyList<MghProblem>? s_all;

    /// <summary>All 35 problems, in MGH's order (element k − 1 is problem k).</summary>
    public static IReadOnlyList<MghProblem> All => s_all ??=
    [
        Rosenbrock, FreudensteinRoth, PowellBadlyScaled, BrownBadlyScaled, Beale, JennrichSampson, HelicalValley, Bard,
        Gaussian, Meyer, GulfResearch, Box3D, PowellSingular, Wood, KowalikOsborne, BrownDennis, Osborne1, BiggsExp6,
        Osborne2, Watson, ExtendedRosenbrock, ExtendedPowellSingular, PenaltyI, PenaltyII, VariablyDimensioned,
        Trigonometric, BrownAlmostLinear, DiscreteBoundaryValue, DiscreteIntegralEquation, BroydenTridiagonal,
        BroydenBanded, LinearFullRank, LinearRank1, LinearRank1ZeroColumnsAndRows, Chebyquad,
    ];

    /// <summary>The problem with MGH's number <paramref name="number"/>.</summary>
    public static MghProblem Get(int number) => All[number - 1];

    /// <summary>A minimum MGH state exactly, at a minimizer they state exactly. <paramref name="tolerance"/> covers
    /// the rounding of the residuals at the minimizer in double arithmetic (its components are not all representable,
    /// or constants such as 1.0001 are not).</summary>
    private static MghMinimum Exact(double f, double[] minimizer, double tolerance = 1e-28) =>
        new(f, f, 0, minimizer, 0, tolerance, false, "MGH");

    /// <summary>A minimum MGH print to <paramref name="digits"/> digits, with the value and minimizer refined here
    /// (40-digit Levenberg–Marquardt from MINPACK-1's final point). The gradient vanishes there, so the minimizer's
    /// 17 digits pin f far better than double arithmetic evaluates it: the tolerance, 1e-10 relative, is that rounding
    /// (Meyer's residuals are differences of numbers near 3·10⁴ and lose 2e-12 of f), 100 times tighter than the
    /// solvers' 1e-8, and relative even where f* is tiny (Gaussian's 1.1e-8).</summary>
    private static MghMinimum Refined(double f, double published, int digits, double[] minimizer, bool local = false) =>
        new(f, published, digits, minimizer, 0, 1e-10 * Math.Abs(f), local,
            "MGH (value to " + digits + " digits); refined here to 17 digits");

    /// <summary>f(x0) from an ℓ2 norm of the residuals as MINPACK-1's drivers print it.</summary>
    private static double Norm2(double norm) => norm * norm;

    /// <summary><paramref name="pattern"/> repeated to length <paramref name="n"/>.</summary>
    private static double[] Repeat(double[] pattern, int n) => Enumerable.Range(0, n).Select(i => pattern[i % pattern.Length]).ToArray();
}
