namespace ExprDiff.Graphs;

internal sealed partial class GraphBuilder
{
    /// <summary>
    /// x<sup>k</sup> as the multiplications of <see cref="Intrinsics.PowChain"/>, in its order (left-to-right binary
    /// chain; x<sup>−k</sup> as the chain on 1/x), as ordinary nodes: hash-consing then shares the steps of several
    /// powers of one base (x³ is a step of x⁶), the derivative is the product rule through them, and every backend
    /// computes exactly the products the interpreter does.
    /// </summary>
    public int PowChain(int x, int k)
    {
        if (k == 0) return Constant(1);
        int b = k < 0 ? Div(Constant(1), x) : x;
        uint m = k < 0 ? (uint)-(long)k : (uint)k;
        int r = b;
        for (int bit = 30 - System.Numerics.BitOperations.LeadingZeroCount(m); bit >= 0; bit--)
        {
            r = Mul(r, r);
            if (((m >> bit) & 1) != 0) r = Mul(r, b);
        }
        return r;
    }
}
