using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Optimization;

/// <summary>
/// Cheaper forms of the same value. Exact: <c>PowInt(x, 2) → x*x</c> and <c>PowInt(x, −1) → 1/x</c> (the
/// intrinsic computes exactly these), and division by a power of two as multiplication by its reciprocal
/// (both are exact scalings). Fast-math also turns every integer power into the multiplication chain of
/// <c>Intrinsics.PowChain</c> (the one <c>Math.Pow(x, k)</c> imports to by default), any division by a constant into
/// a multiplication, and <c>Math.Pow(x, ±0.5)</c> into <c>Math.Sqrt</c>.
/// </summary>
internal sealed class StrengthReductionPass : RewritePass
{
    private readonly bool _fastMath;

    public StrengthReductionPass(bool fastMath) => _fastMath = fastMath;

    public override string Name => _fastMath ? "strength reduction (fast)" : "strength reduction";

    protected override bool Fold => true;

    // Simplifying as it rebuilds (exact) leaves a canonical graph, so the simplification pass after it has nothing to do.
    protected override bool Simplify => true;

    protected override bool NothingToDo(Graph graph)
    {
        // Only a canonical graph may be returned as it is: any other is rebuilt, which also merges duplicates.
        if (_fastMath || !graph.IsCanonical) return false;
        foreach (ref readonly var n in graph.Nodes)
        {
            if (n.Region is not null) return false;
            if (ReferenceEquals(n.Op, Primitives.PowInt) && n.Aux is 2 or -1) return false;
            if (ReferenceEquals(n.Op, Primitives.Div) && ReferenceEquals(graph[n.B].Op, Primitives.Constant)) return false;
        }
        return true;
    }

    protected override int Rewrite(GraphBuilder b, in Node n, ReadOnlySpan<int> operands)
    {
        if (n.Kind != ValueKind.Double) return Copy(b, n, operands);
        if (ReferenceEquals(n.Op, Primitives.PowInt))
        {
            int x = operands[0], k = n.Aux;
            if (k == 2) return b.Mul(x, x);
            if (k == -1) return b.Div(b.Constant(1), x);
            // The chain Math.Pow(x, k) imports to by default (Intrinsics.PowChain): one reciprocal shared by every
            // negative power of x (LJ's r⁻⁶, r⁻³, r⁻⁴, r⁻⁷), and the same products whichever way the power arrived.
            if (_fastMath && k != 0) return b.PowChain(x, k);
        }
        else if (ReferenceEquals(n.Op, Primitives.Div) && b.IsConstant(operands[1], out double c) && c != 0 && double.IsFinite(c))
        {
            double inverse = 1 / c;
            if (_fastMath || (IsPowerOfTwo(c) && double.IsNormal(inverse)))
                return b.Mul(operands[0], b.Constant(inverse));
        }
        else if (_fastMath && ReferenceEquals(n.Op, Primitives.Pow) && b.IsConstant(operands[1], out double e) && Math.Abs(e) == 0.5)
        {
            int root = b.Unary(Primitives.Sqrt, operands[0]);
            return e > 0 ? root : b.Div(b.Constant(1), root);
        }
        return Copy(b, n, operands);
    }

    private static bool IsPowerOfTwo(double c)
    {
        long bits = BitConverter.DoubleToInt64Bits(Math.Abs(c));
        return double.IsNormal(c) && (bits & 0x000F_FFFF_FFFF_FFFFL) == 0;
    }
}
