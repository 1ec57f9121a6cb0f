using System;
using System.Collections.Generic;
using System.Linq.Expressions;

namespace ExprDiff.Tests.Solvers.Mgh;

/// <summary>
/// One of the 35 problems of Moré, Garbow and Hillstrom, "Testing unconstrained optimization software",
/// ACM TOMS 7(1):17–41, 1981 (MGH below): minimize f(x) = Σᵢ rᵢ(x)² over x ∈ ℝⁿ, i = 1…m.
/// </summary>
/// <param name="Number">MGH's number, 1–35.</param>
/// <param name="Name">MGH's name.</param>
/// <param name="N">Number of variables used here (MGH's value, or the one chosen for a variable-dimension problem).</param>
/// <param name="M">Number of residuals used here.</param>
/// <param name="X0">MGH's standard starting point.</param>
/// <param name="Residuals">r(x), written as a user would write it.</param>
/// <param name="Objective">f(x) = Σ rᵢ(x)², written directly (not composed from <paramref name="Residuals"/>).</param>
/// <param name="Minima">Every minimum value MGH publish for this n and m (global first, then local ones), each with a
/// minimizer where one is known.</param>
/// <param name="PublishedFAtX0">f(x0) as published by a reference (see <paramref name="FAtX0Source"/>), or null where none
/// was found.</param>
/// <param name="FAtX0RelativeTolerance">How closely the published f(x0) pins the value (from its printed digits).</param>
/// <param name="FAtX0Source">Where <paramref name="PublishedFAtX0"/> comes from.</param>
public sealed record MghProblem(
    int Number,
    string Name,
    int N,
    int M,
    double[] X0,
    Expression<Func<double[], double[]>> Residuals,
    Expression<Func<double[], double>> Objective,
    IReadOnlyList<MghMinimum> Minima,
    double? PublishedFAtX0 = null,
    double FAtX0RelativeTolerance = 0,
    string? FAtX0Source = null)
{
    /// <summary>The digits of f(x0) as MINPACK-1's test drivers print them: the initial ℓ2 norm of the residuals
    /// (8 significant digits), squared. Rounding the norm to 8 digits leaves f uncertain by 2 × 5e-8 relative; the
    /// tolerance allows a little more.</summary>
    internal const double MinpackNormTolerance = 1.2e-7;

    /// <inheritdoc/>
    public override string ToString() => $"MGH {Number:D2} {Name} (n = {N}, m = {M})";
}

/// <summary>
/// A minimum value of an MGH problem.
/// </summary>
/// <param name="F">The value to use as f*: the published one where MGH give it exactly (0, m − n, a formula), else a
/// value computed here to about 17 digits that rounds to the published digits (see <paramref name="Published"/>), so that a
/// solver can be held to |f − f*| ≤ 1e-8·max(1, |f*|).</param>
/// <param name="Published">The value as MGH print it (their digits, before their "...").</param>
/// <param name="PublishedDigits">Significant digits MGH print of <paramref name="Published"/> (0 where exact).</param>
/// <param name="Minimizer">A point where f = <paramref name="F"/>, or null where none is known (a minimum at infinity,
/// MGH's local minima of Bard and Kowalik–Osborne).</param>
/// <param name="MinimizerDigits">Significant digits to which <paramref name="Minimizer"/> is known: 0 where it is
/// exact or refined to 17 digits (then it is a stationary point to rounding), else the digits MGH print.</param>
/// <param name="MinimizerTolerance">Absolute tolerance of f(<paramref name="Minimizer"/>) − <paramref name="F"/>: how
/// closely the minimizer's printed digits determine f there.</param>
/// <param name="Local">True for MGH's local (non-global) minima.</param>
/// <param name="Source">Where the value and the minimizer come from.</param>
public sealed record MghMinimum(
    double F,
    double Published,
    int PublishedDigits,
    double[]? Minimizer,
    int MinimizerDigits,
    double MinimizerTolerance,
    bool Local,
    string Source);

