using System.Linq.Expressions;
using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Optimization;

/// <summary>
/// Rewrites that are true of real numbers but not always of doubles, run only at
/// <see cref="OptimizationLevel.FastMath"/>: <c>x*0 → 0</c>, <c>x−x → 0</c>, <c>x+0 → x</c>, constant
/// factors and terms gathered (<c>c1*(c2*x) → (c1·c2)*x</c>, <c>c1+(c2+x) → (c1+c2)+x</c>),
/// <c>−(a−b) → b−a</c>, <c>Log(Exp(x)) → x</c>.
/// </summary>
internal sealed class FastMathPass : RewritePass
{
    public override string Name => "fast-math algebra";

    protected override bool Simplify => true;

    protected override bool Fold => true;

    // The builder's own simplification may turn a node into another (y + (−y) into y − y); the rules then
    // apply to what it became, until nothing changes.
    protected override int Rewrite(GraphBuilder b, in Node n, ReadOnlySpan<int> o)
    {
        int result = Copy(b, n, o);
        for (int round = 0; round < 8; round++)
        {
            var made = b[result];
            // The builder may simplify a node into one of its operands, a loop among them: nothing here rewrites loops.
            if (made.Args is not null) break;
            Span<int> operands = [made.A, made.B, made.C];
            int next = RewriteOnce(b, made, operands[..made.Arity], result);
            if (next == result) break;
            result = next;
        }
        return result;
    }

    private static int RewriteOnce(GraphBuilder b, in Node n, ReadOnlySpan<int> o, int self)
    {
        if (n.Kind != ValueKind.Double || n.Arity == 0) return self;
        var op = n.Op;
        if (ReferenceEquals(op, Primitives.Mul))
        {
            if (b.IsConstant(o[0], out double c0) && c0 == 0 || b.IsConstant(o[1], out double c1) && c1 == 0) return b.Constant(0);
            if (TryGather(b, Primitives.Mul, o[0], o[1], (x, y) => x * y, out int m)) return m;
        }
        else if (ReferenceEquals(op, Primitives.Add))
        {
            if (b.IsConstant(o[1], out double a1) && a1 == 0) return o[0];
            if (b.IsConstant(o[0], out double a0) && a0 == 0) return o[1];
            if (TryGather(b, Primitives.Add, o[0], o[1], (x, y) => x + y, out int s)) return s;
        }
        else if (ReferenceEquals(op, Primitives.Sub))
        {
            if (o[0] == o[1]) return b.Constant(0);
            if (b.IsConstant(o[1], out double s1) && s1 == 0) return o[0];
        }
        else if (ReferenceEquals(op, Primitives.Neg) && ReferenceEquals(b[o[0]].Op, Primitives.Sub))
        {
            var inner = b[o[0]];
            return b.Sub(inner.B, inner.A);
        }
        else if (ReferenceEquals(op, Primitives.Log) && ReferenceEquals(b[o[0]].Op, Primitives.Exp))
        {
            return b[o[0]].A;
        }
        return self;
    }

    /// <summary>c1 ∘ (c2 ∘ x) → (c1 ∘ c2) ∘ x for an associative, commutative ∘.</summary>
    private static bool TryGather(GraphBuilder b, Primitive op, int left, int right, Func<double, double, double> combine, out int result)
    {
        result = -1;
        int constant, other;
        if (b.IsConstant(left, out double c)) { constant = left; other = right; }
        else if (b.IsConstant(right, out c)) { constant = right; other = left; }
        else return false;
        var inner = b[other];
        if (!ReferenceEquals(inner.Op, op)) return false;
        int innerConstant = b.IsConstant(inner.A, out double d) ? inner.A : b.IsConstant(inner.B, out d) ? inner.B : -1;
        if (innerConstant < 0 || constant < 0) return false;
        int x = innerConstant == inner.A ? inner.B : inner.A;
        result = b.Make(op, b.Constant(combine(c, d)), x);
        return true;
    }
}
