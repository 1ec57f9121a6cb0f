using System.Linq.Expressions;
using ExprDiff.Evaluation;
using ExprDiff.Graphs;

namespace ExprDiff.Rules;

/// <summary>
/// A new array of <c>max(count, 0)</c> elements, element j = body(start + j): what
/// <c>Enumerable.Range(start, count).Select(i => …).ToArray()</c> and <c>x.Select((v, i) => …).ToArray()</c> become.
/// Operands: start, count, then the body's captured values. Forward mode tabulates the body's tangent; reverse mode
/// scatters each element's cotangent through its iteration into the captures' adjoints.
/// </summary>
internal sealed class TabulatePrimitive : Primitive, IStructuredPrimitive
{
    public override bool MayFail(in Node node) => true;

    public const int Captures = 2;

    public TabulatePrimitive() : base("tabulate", 0, ValueKind.Array) { }

    public override int FirstCapture => Captures;

    public override bool IsFoldable => false;

    public override ValueKind OperandKind(int i, in Node node) =>
        i < Captures ? ValueKind.Int32 : node.Region!.CaptureKinds[i - Captures];

    public override double Evaluate(double a, double b, double c, in Node node) =>
        throw new InvalidOperationException("tabulate is evaluated structurally.");

    public void Evaluate(Evaluator e, int node)
    {
        var n = e.Graph[node];
        int start = e.Int(n.Operand(0)), count = Math.Max(0, e.Int(n.Operand(1)));
        var result = new double[count];
        for (int j = 0; j < count; j++)
            result[j] = e.RunRegion(n.Region!, start + j, n, Captures).Double(n.Region!.Body.Outputs[0]);
        e.Set(node, result);
    }

    public override int Jvp(DerivativeContext cx, int node, ReadOnlySpan<int> t)
    {
        var n = cx.Builder[node];
        var region = LoopDerivatives.TangentRegion(cx, n.Region!, t[Captures..], out var tangentCaptures);
        if (region is null) return DerivativeContext.Zero;
        return cx.Builder.MakeStructured(this, ValueKind.Array, n.Args!.Concat(tangentCaptures).ToArray(), region);
    }

    // Element j's cotangent seeds iteration start + j; a scatter loop of those seeds gives the captures' adjoints.
    public override void Vjp(DerivativeContext cx, int node, int ct, ReadOnlySpan<bool> wanted, Span<int> contributions)
    {
        var n = cx.Builder[node];
        contributions.Fill(DerivativeContext.Zero);
        LoopDerivatives.SeededScatterAdjoints(cx, n, Captures, n.Operand(0), n.Operand(1),
            [("cotangent", ValueKind.Array, ct), ("start", ValueKind.Int32, n.Operand(0)), ("tabulated", ValueKind.Array, node)],
            (rb, map, extra) => [(map[n.Region!.Body.Outputs[0]], Element(rb, extra[0], extra[1]))],
            wanted[Captures..], contributions[Captures..],
            // The primal's elements are kept: partials that use the body's value (tanh's 1 − y²) read them back.
            (rb, extra) => Element(rb, extra[2], extra[1]));

        static int Element(GraphBuilder rb, int array, int start) =>
            rb.Make(Primitives.Read, array, rb.Sub(rb.Input(0, -1, ValueKind.Int32), start));
    }

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        throw new InvalidOperationException("tabulate is exported as statements.");

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"Tabulate({string.Join(", ", operands.ToArray())})", Precedence.Primary);

    public override int OperandPrecedence(int operand) => 0;
}
