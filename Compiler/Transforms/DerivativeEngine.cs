using ExprDiff.Rules;

namespace ExprDiff.Transforms;

/// <summary>Forward and reverse mode as the rules of loop primitives reach them, to differentiate a body.</summary>
internal sealed class DerivativeEngine : IDerivativeEngine
{
    public static readonly DerivativeEngine Instance = new();

    public int[] Jvp(DerivativeContext context, ReadOnlySpan<int> outputs, IReadOnlyDictionary<int, int> seeds) =>
        ForwardMode.Jvp(context, outputs, seeds);

    public int[] Vjp(DerivativeContext context, ReadOnlySpan<int> outputs, ReadOnlySpan<int> cotangents, ReadOnlySpan<int> wrt) =>
        ReverseMode.Vjp(context, outputs, cotangents, wrt);
}
