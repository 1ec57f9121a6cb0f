using System.Linq.Expressions;
using ExprDiff.Evaluation;
using ExprDiff.Graphs;

namespace ExprDiff.Rules;

/// <summary>
/// A loop with carried state (JAX's <c>scan</c>): <c>s = init; for i over [start, start + count) s = body(i, s, captures)</c>,
/// with the final state as a <c>double[]</c> of <c>Aux</c> = m values. Operands: start, count, the m initial values, then
/// the captures; the body's parameters are the index, the m state values, then the captures, and its m outputs are the
/// next state. What a <c>for</c> loop written with the Expression API that updates variables becomes.
/// </summary>
/// <remarks>
/// Two variants serve reverse mode. A <see cref="Reverse"/> scan runs its indices from the last down to the first (the
/// adjoint sweep, and loops that count down). A <see cref="Records"/> scan returns its whole trajectory, (count + 1)·m
/// values: going forward, slot t − start holds the state entering iteration t and slot count the final state; going in
/// reverse, slot t − start holds the state leaving iteration t and slot count the initial state. Reverse mode records
/// the forward trajectory (the tape: per-iteration values, count·m doubles, rather than checkpoints with recomputation;
/// the state of the loops people differentiate is a few variables, so the tape is small next to the work), runs the
/// adjoint state backwards over it as a recording reverse scan, and scatters the captures' adjoints in one more loop.
/// Forward over reverse (a Hessian-vector product) differentiates those scans again: a recorded trajectory's tangent is
/// recorded too, split so that reads of the trajectory read the tangent in the same places (<see cref="SplitRecord"/>).
/// </remarks>
internal sealed class ScanPrimitive : Primitive, IStructuredPrimitive
{
    public override bool MayFail(in Node node) => true;

    public const int Captures = 2;

    /// <summary>A flag in <c>Aux</c> beside the state count m: a recorded trajectory stored in two blocks, the first
    /// m/2 values of every slot first, then the other half (the tangent of a trajectory, whose reads must find the
    /// tangents where the trajectory's own reads find its values).</summary>
    public const int SplitRecord = 1 << 20;

    /// <summary>The number of carried values of a scan node.</summary>
    public static int StateCount(in Node n) => n.Aux & (SplitRecord - 1);

    /// <summary>Where state j of slot s lies in a recorded trajectory of (trips + 1) slots.</summary>
    public static int TapeIndex(in Node n, int trips, int slot, int j)
    {
        int m = StateCount(n);
        if ((n.Aux & SplitRecord) == 0) return slot * m + j;
        int h = m / 2;
        return j < h ? slot * h + j : (trips + 1) * h + slot * h + (j - h);
    }

    public ScanPrimitive(bool reverse, bool records)
        : base((reverse ? "scanreverse" : "scan") + (records ? "record" : ""), 0, ValueKind.Array)
    {
        Reverse = reverse;
        Records = records;
    }

    /// <summary>Runs the indices from start + count − 1 down to start.</summary>
    public bool Reverse { get; }

    /// <summary>Returns the whole trajectory instead of the final state.</summary>
    public bool Records { get; }

    public override int FirstCapture => Captures;

    public override bool IsFoldable => false;

    public override ValueKind OperandKind(int i, in Node node) =>
        i < Captures ? ValueKind.Int32 : node.Region!.CaptureKinds[i - Captures];

    public static ScanPrimitive Of(bool reverse, bool records) =>
        reverse ? (records ? Primitives.ScanReverseRecord : Primitives.ScanReverse) : (records ? Primitives.ScanRecord : Primitives.Scan);

    public override double Evaluate(double a, double b, double c, in Node node) =>
        throw new InvalidOperationException("a scan is evaluated structurally.");

    public void Evaluate(Evaluator e, int node)
    {
        var n = e.Graph[node];
        var region = n.Region!;
        int m = StateCount(n), start = e.Int(n.Operand(0)), count = Math.Max(0, e.Int(n.Operand(1)));
        var args = new object[1 + region.CaptureCount];
        for (int k = 0; k < region.CaptureCount; k++) args[1 + k] = e.Boxed(n.Operand(Captures + k));
        var tape = Records ? new double[(count + 1) * m] : null;
        var outputs = region.Body.Outputs;
        for (int step = 0; step < count; step++)
        {
            int i = Reverse ? start + count - 1 - step : start + step;
            if (tape is not null && !Reverse) Store(tape, n, count, i - start, args);
            args[0] = i;
            var body = Evaluator.Run(region.Body, args);
            for (int j = 0; j < m; j++) args[1 + j] = body.Double(outputs[j]);
            if (tape is not null && Reverse) Store(tape, n, count, i - start, args);
        }
        if (tape is null)
        {
            var final = new double[m];
            for (int j = 0; j < m; j++) final[j] = (double)args[1 + j];
            e.Set(node, final);
            return;
        }
        for (int j = 0; j < m; j++) tape[TapeIndex(n, count, count, j)] = Reverse ? e.Double(n.Operand(Captures + j)) : (double)args[1 + j];
        e.Set(node, tape);
    }

    private static void Store(double[] tape, in Node n, int trips, int slot, object[] args)
    {
        for (int j = 0; j < StateCount(n); j++) tape[TapeIndex(n, trips, slot, j)] = (double)args[1 + j];
    }

    public override int Jvp(DerivativeContext cx, int node, ReadOnlySpan<int> t) => ScanDerivatives.Jvp(cx, node, t);

    public override void Vjp(DerivativeContext cx, int node, int ct, ReadOnlySpan<bool> wanted, Span<int> contributions) =>
        ScanDerivatives.Vjp(cx, node, ct, wanted, contributions);

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        throw new InvalidOperationException("a scan is exported as statements.");

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"{(Reverse ? "ScanReverse" : "Scan")}{(Records ? "Record" : "")}({string.Join(", ", operands.ToArray())})", Precedence.Primary);

    public override int OperandPrecedence(int operand) => 0;
}
