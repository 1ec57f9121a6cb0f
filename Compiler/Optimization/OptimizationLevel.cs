namespace ExprDiff;

/// <summary>How far the optimizer may go with a derivative.</summary>
public enum OptimizationLevel
{
    /// <summary>No optimization at all: the derivative exactly as the rules write it (multiplications by one,
    /// unfolded constants and all; equal nodes are still shared). For comparison and for debugging a rule.</summary>
    None,

    /// <summary>
    /// Only rewrites that never change a value, bit for bit, NaN and signed zeros included (the default).
    /// What it may remove is work no value depends on, and with it an exception that work would have thrown
    /// (a <c>Math.Clamp</c> with crossed bounds under <c>PowInt(…, 0)</c>), as any compiler removes dead code.
    /// </summary>
    Exact,

    /// <summary>
    /// Also rewrites that may change rounding or special values, as C compilers' -ffast-math does:
    /// <c>x*0 → 0</c> (wrong for ∞ and NaN, and +0 instead of −0 for negative x, which can flip an Atan2 by 2π),
    /// <c>x−x → 0</c>, reassociation of constant factors and terms, <c>a/c → a*(1/c)</c>,
    /// <c>Math.Pow(x, 0.5) → Math.Sqrt(x)</c> (differs at −0 and −∞), integer powers written as <see cref="Intrinsics.PowInt"/> (or imported as such under
    /// <see cref="IntegerPowerMode.CorrectlyRounded"/>) as the plain multiplication chain of
    /// <see cref="Intrinsics.PowChain"/> (what <c>Math.Pow(x, k)</c> with |k| ≤ 16 is by default anyway: measured at most
    /// 12 ulps from the correctly rounded power for 0 &lt; k ≤ 16 and 26 ulps for −16 ≤ k &lt; 0, per k on
    /// <see cref="Intrinsics.PowChain"/>), <c>Log(Exp(x)) → x</c>. At well-conditioned
    /// points (finite, moderate intermediates, no comparison or rounding near its switch) results agree with
    /// <see cref="Exact"/> to a relative 5e-13 in the property tests (asserted at 1e-9); where an output is
    /// rounding noise (a difference of nearly equal values) no relative bound holds.
    /// </summary>
    FastMath,
}

/// <summary>What one optimization pass did to a graph's size.</summary>
/// <param name="Pass">The pass's name.</param>
/// <param name="NodesBefore">Graph nodes before the pass.</param>
/// <param name="NodesAfter">Graph nodes after the pass.</param>
public sealed record PassStatistics(string Pass, int NodesBefore, int NodesAfter);

/// <summary>Node counts before and after each optimization pass, for a user who asks why a derivative looks
/// the way it does. Obtain one through <see cref="DiffOptions.OnOptimized"/>.</summary>
public sealed class OptimizationReport
{
    internal OptimizationReport(OptimizationLevel level, IReadOnlyList<PassStatistics> passes)
    {
        Level = level;
        Passes = passes;
    }

    /// <summary>The level the optimizer ran at.</summary>
    public OptimizationLevel Level { get; }

    /// <summary>One entry per pass run, in order.</summary>
    public IReadOnlyList<PassStatistics> Passes { get; }

    /// <summary>Nodes before the first pass.</summary>
    public int NodesBefore => Passes.Count == 0 ? 0 : Passes[0].NodesBefore;

    /// <summary>Nodes after the last pass.</summary>
    public int NodesAfter => Passes.Count == 0 ? 0 : Passes[^1].NodesAfter;

    /// <summary>A table, one line per pass.</summary>
    public override string ToString() =>
        $"optimization ({Level}): {NodesBefore} → {NodesAfter} nodes\n" +
        string.Concat(Passes.Select(p => $"  {p.Pass,-26} {p.NodesBefore,8} → {p.NodesAfter,8}\n"));
}
