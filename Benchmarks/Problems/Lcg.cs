namespace ExprDiff.Benchmarks.Problems;

/// <summary>
/// The benchmark problems' pseudo-random generator (PROBLEMS.md): a 64-bit linear congruential generator
/// whose top 53 bits give a uniform double in [0, 1). Identical in C# and Python, so every system runs on
/// the same data.
/// </summary>
public sealed class Lcg
{
    private const ulong Multiplier = 6364136223846793005UL;
    private const ulong Increment = 1442695040888963407UL;
    private const double TwoToMinus53 = 1.0 / 9007199254740992.0; // 2^-53, exact

    private ulong _state;

    public Lcg(ulong seed) => _state = seed;

    /// <summary>Uniform double in [0, 1).</summary>
    public double Next()
    {
        _state = unchecked(_state * Multiplier + Increment); // mod 2^64 by wrap-around
        return (_state >> 11) * TwoToMinus53;
    }

    /// <summary>Uniform double in [-1, 1).</summary>
    public double Sym() => 2.0 * Next() - 1.0;
}
