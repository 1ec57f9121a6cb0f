using System.Linq.Expressions;
using ExprDiff.Evaluation;
using ExprDiff.Graphs;

namespace ExprDiff.Rules;

/// <summary>
/// Σ_{i = start}^{start+count−1} body(i), summed in order from 0.0 as <c>Enumerable.Range(start, count).Sum(i => …)</c>
/// does (from −0.0 when <c>Aux</c> is 1: <c>Average</c>'s sum, which LINQ starts from the first term). Operands: start, count, then the body's captured values. The body is a pure function of i and the
/// captures, so reverse mode needs no tape: the adjoint is one more loop that scatters each iteration's
/// contributions into the captures' adjoints (<see cref="ScatterPrimitive"/>).
/// </summary>
internal sealed class SumRangePrimitive : Primitive, IStructuredPrimitive
{
    public override bool MayFail(in Node node) => true;

    public const int Captures = 2;

    public SumRangePrimitive() : base("sum", 0, ValueKind.Double) { }

    public override int FirstCapture => Captures;

    public override bool IsFoldable => false;

    public override ValueKind OperandKind(int i, in Node node) =>
        i < Captures ? ValueKind.Int32 : node.Region!.CaptureKinds[i - Captures];

    public override double Evaluate(double a, double b, double c, in Node node) =>
        throw new InvalidOperationException("sum is evaluated structurally.");

    public void Evaluate(Evaluator e, int node)
    {
        var n = e.Graph[node];
        int start = e.Int(n.Operand(0)), count = e.Int(n.Operand(1));
        double sum = InitialValue(n);
        for (int i = start; i < start + count; i++)
        {
            var body = e.RunRegion(n.Region!, i, n, Captures);
            sum += body.Double(n.Region!.Body.Outputs[0]);
        }
        e.Set(node, sum);
    }

    /// <summary>The accumulator's start: 0.0, or −0.0 (the additive identity) for a sum that starts from its first term.</summary>
    public static double InitialValue(in Node n) => n.Aux == 1 ? -0.0 : 0.0;

    public override int Jvp(DerivativeContext cx, int node, ReadOnlySpan<int> t)
    {
        var n = cx.Builder[node];
        var tangentRegion = LoopDerivatives.TangentRegion(cx, n.Region!, t[Captures..], out var tangentCaptures);
        if (tangentRegion is null) return DerivativeContext.Zero;
        var args = n.Args!.Concat(tangentCaptures).ToArray();
        return cx.Builder.MakeStructured(this, ValueKind.Double, args, tangentRegion, n.Aux);
    }

    public override void Vjp(DerivativeContext cx, int node, int ct, ReadOnlySpan<bool> wanted, Span<int> contributions)
    {
        var n = cx.Builder[node];
        contributions.Fill(DerivativeContext.Zero);
        LoopDerivatives.ScatterAdjoints(cx, n, Captures, n.Operand(0), n.Operand(1), [ct], wanted[Captures..], contributions[Captures..],
            (body, seeds) => [(body.Region.Body.Outputs[0], seeds[0])]);
    }

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        throw new InvalidOperationException("sum is exported as statements.");

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"Sum({string.Join(", ", operands.ToArray())})", Precedence.Primary);

    public override int OperandPrecedence(int operand) => 0;
}

/// <summary>
/// A new array of a given length into which every iteration i of a loop adds its body's outputs:
/// <c>Aux</c> (index, value) pairs, then whole arrays. The adjoint of a loop with respect to an array it
/// reads. Operands: length, start, count, then the body's captured values.
/// </summary>
internal sealed class ScatterPrimitive : Primitive, IStructuredPrimitive
{
    public override bool MayFail(in Node node) => true;

    public const int Captures = 3;

    /// <summary>A flag in <c>Aux</c> beside the pair count: the pairs assign (<c>a[i] = v</c>, one write per element)
    /// instead of adding, so a −0.0 stays −0.0 (a loop the user wrote; adjoints always add).</summary>
    public const int Assigns = 1 << 20;

    public static int PairCount(in Node n) => n.Aux & (Assigns - 1);

    public static bool IsAssignment(in Node n) => (n.Aux & Assigns) != 0;

    public ScatterPrimitive() : base("scatter", 0, ValueKind.Array) { }

    public override int FirstCapture => Captures;

    public override bool IsFoldable => false;

    public override ValueKind OperandKind(int i, in Node node) =>
        i < Captures ? ValueKind.Int32 : node.Region!.CaptureKinds[i - Captures];

    public override double Evaluate(double a, double b, double c, in Node node) =>
        throw new InvalidOperationException("scatter is evaluated structurally.");

    public void Evaluate(Evaluator e, int node)
    {
        var n = e.Graph[node];
        var result = new double[e.Int(n.Operand(0))];
        int start = e.Int(n.Operand(1)), count = e.Int(n.Operand(2));
        var outputs = n.Region!.Body.Outputs;
        for (int i = start; i < start + count; i++)
        {
            var body = e.RunRegion(n.Region!, i, n, Captures);
            for (int p = 0; p < PairCount(n); p++)
            {
                if (!IsAssignment(n) && GuardedPairs.TryMatch(body.Graph, outputs[2 * p], outputs[2 * p + 1], out int condition, out bool when)
                    && body.Bool(condition) != when) continue;
                int at = body.Int(outputs[2 * p]);
                result[at] = IsAssignment(n) ? body.Double(outputs[2 * p + 1]) : result[at] + body.Double(outputs[2 * p + 1]);
            }
            for (int d = 2 * PairCount(n); d < outputs.Length; d++)
            {
                var dense = body.Array(outputs[d]);
                for (int j = 0; j < result.Length; j++) result[j] += dense[j];
            }
        }
        e.Set(node, result);
    }

    // Linear in the values it adds: the tangent scatters their tangents at the same indices.
    public override int Jvp(DerivativeContext cx, int node, ReadOnlySpan<int> t)
    {
        var b = cx.Builder;
        var n = b[node];
        var region = LoopDerivatives.TangentRegion(cx, n.Region!, t[Captures..], out var tangentCaptures, PairCount(n));
        if (region is null) return DerivativeContext.Zero;
        var args = n.Args!.Concat(tangentCaptures).ToArray();
        return b.MakeStructured(this, ValueKind.Array, args, region, n.Aux);
    }

    // Linear in the values it adds: each iteration's values get the cotangent's elements at their indices, and its
    // whole-array addends the whole cotangent; a scatter loop of those seeds gives the captures' adjoints.
    public override void Vjp(DerivativeContext cx, int node, int ct, ReadOnlySpan<bool> wanted, Span<int> contributions)
    {
        var n = cx.Builder[node];
        int pairs = PairCount(n);
        contributions.Fill(DerivativeContext.Zero);
        LoopDerivatives.SeededScatterAdjoints(cx, n, Captures, n.Operand(1), n.Operand(2), [("cotangent", ValueKind.Array, ct)],
            (rb, map, extra) =>
            {
                var outs = n.Region!.Body.Outputs.ToArray();
                var seeds = new List<(int, int)>();
                for (int p = 0; p < pairs; p++) seeds.Add((map[outs[2 * p + 1]], rb.Make(Primitives.Read, extra[0], map[outs[2 * p]])));
                for (int d = 2 * pairs; d < outs.Length; d++) seeds.Add((map[outs[d]], extra[0]));
                return seeds;
            }, wanted[Captures..], contributions[Captures..]);
    }

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        throw new InvalidOperationException("scatter is exported as statements.");

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"Scatter({string.Join(", ", operands.ToArray())})", Precedence.Primary);

    public override int OperandPrecedence(int operand) => 0;
}

/// <summary>
/// <c>Max</c> or <c>Min</c> of body(i) over a range, with LINQ's semantics (the first NaN is the result), or the
/// index where it is attained (the first such index). Operands as <see cref="SumRangePrimitive"/>. The derivative
/// is the body's at that index: a loop over the one-element range [index, index + 1), so forward and reverse mode
/// reuse the sum's machinery; an empty range (NaN here, where LINQ throws) has derivative zero.
/// </summary>
internal sealed class ExtremumRangePrimitive : Primitive, IStructuredPrimitive
{
    public override bool MayFail(in Node node) => true;

    public const int Captures = 2;

    public ExtremumRangePrimitive(bool isMax, bool returnsIndex)
        : base((isMax ? "max" : "min") + (returnsIndex ? "index" : ""), 0, returnsIndex ? ValueKind.Int32 : ValueKind.Double)
    {
        IsMax = isMax;
        ReturnsIndex = returnsIndex;
    }

    public bool IsMax { get; }

    public bool ReturnsIndex { get; }

    public override int FirstCapture => Captures;

    public override bool IsFoldable => false;

    public override bool HasZeroDerivative => ReturnsIndex;

    public override ValueKind OperandKind(int i, in Node node) =>
        i < Captures ? ValueKind.Int32 : node.Region!.CaptureKinds[i - Captures];

    public override double Evaluate(double a, double b, double c, in Node node) =>
        throw new InvalidOperationException("an extremum is evaluated structurally.");

    public void Evaluate(Evaluator e, int node)
    {
        var n = e.Graph[node];
        int start = e.Int(n.Operand(0)), count = e.Int(n.Operand(1));
        double best = double.NaN;
        int at = start;
        for (int i = start; i < start + count; i++)
        {
            double v = e.RunRegion(n.Region!, i, n, Captures).Double(n.Region!.Body.Outputs[0]);
            if (i == start || (IsMax ? v > best : v < best)) { best = v; at = i; }
            if (double.IsNaN(v)) { best = v; at = i; break; }
        }
        if (ReturnsIndex) e.Set(node, at); else e.Set(node, best);
    }

    /// <summary>The index node and a count of 1 (0 for an empty range) of the one-element range the derivative lives on.</summary>
    private (int Index, int One) Attained(DerivativeContext cx, in Node n)
    {
        var b = cx.Builder;
        int index = b.MakeStructured(IsMax ? Primitives.ArgMaxRange : Primitives.ArgMinRange, ValueKind.Int32, n.Args!, n.Region);
        int zero = b.Constant(0, ValueKind.Int32);
        int one = b.Select(b.Compare(System.Linq.Expressions.ExpressionType.GreaterThan, n.Operand(1), zero), b.Constant(1, ValueKind.Int32), zero);
        return (index, one);
    }

    public override int Jvp(DerivativeContext cx, int node, ReadOnlySpan<int> t)
    {
        var n = cx.Builder[node];
        var region = LoopDerivatives.TangentRegion(cx, n.Region!, t[Captures..], out var tangentCaptures);
        if (region is null) return DerivativeContext.Zero;
        var (index, one) = Attained(cx, n);
        var args = new[] { index, one }.Concat(n.Args![Captures..]).Concat(tangentCaptures).ToArray();
        return cx.Builder.MakeStructured(Primitives.SumRange, ValueKind.Double, args, region);
    }

    public override void Vjp(DerivativeContext cx, int node, int ct, ReadOnlySpan<bool> wanted, Span<int> contributions)
    {
        var n = cx.Builder[node];
        contributions.Fill(DerivativeContext.Zero);
        var (index, one) = Attained(cx, n);
        LoopDerivatives.ScatterAdjoints(cx, n, Captures, index, one, [ct], wanted[Captures..], contributions[Captures..],
            (body, seeds) => [(body.Region.Body.Outputs[0], seeds[0])]);
    }

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        throw new InvalidOperationException("an extremum is exported as statements.");

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"{Name}({string.Join(", ", operands.ToArray())})", Precedence.Primary);

    public override int OperandPrecedence(int operand) => 0;
}
