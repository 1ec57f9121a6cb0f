using System.Linq.Expressions;
using ExprDiff.Graphs;

namespace ExprDiff.Rules;

/// <summary>
/// Forward and reverse mode of <see cref="ScanPrimitive"/>. Both build new scans whose bodies are the original
/// body differentiated as a graph of its own, so the derivative's size does not depend on the trip count.
/// </summary>
internal static class ScanDerivatives
{
    /// <summary>
    /// The tangent of a scan is a scan over (ṡ, s): tangents first, so that element j of the augmented result is the
    /// tangent of element j of the original. The body's tangent outputs are its JVP along the carried tangents and the
    /// captures' tangents.
    /// </summary>
    public static int Jvp(DerivativeContext cx, int node, ReadOnlySpan<int> t)
    {
        var b = cx.Builder;
        var n = b[node];
        var op = (ScanPrimitive)n.Op;
        if ((n.Aux & ScanPrimitive.SplitRecord) != 0)
            throw new ExprDiffException($"cannot differentiate the tape of a loop with carried state twice in forward mode{Where(cx)}: " +
                "third derivatives of such loops are not supported");
        var region = n.Region!;
        var body = region.Body;
        int m = ScanPrimitive.StateCount(n), captures = region.CaptureCount - m;
        bool any = false;
        for (int k = ScanPrimitive.Captures; k < n.Arity; k++) any |= t[k] != DerivativeContext.Zero;
        if (!any) return DerivativeContext.Zero;

        // Parameters: i, ṡ (m), s (m), captures, then the tangents of the captures that have one.
        var names = new List<string> { body.ParameterNames[0] };
        var kinds = new List<ValueKind>();
        for (int j = 0; j < m; j++) { names.Add(body.ParameterNames[1 + j] + "_dot"); kinds.Add(ValueKind.Double); }
        for (int j = 0; j < m; j++) { names.Add(body.ParameterNames[1 + j]); kinds.Add(ValueKind.Double); }
        for (int k = 0; k < captures; k++) { names.Add(body.ParameterNames[1 + m + k]); kinds.Add(region.CaptureKinds[m + k]); }
        var tangentCaptures = new List<int>();
        var tangentOf = new Dictionary<int, int>(); // capture k → its tangent's parameter
        for (int k = 0; k < captures; k++)
        {
            int tk = t[ScanPrimitive.Captures + m + k];
            if (tk == DerivativeContext.Zero) continue;
            tangentOf[k] = names.Count;
            names.Add(body.ParameterNames[1 + m + k] + "_dot");
            kinds.Add(region.CaptureKinds[m + k]);
            tangentCaptures.Add(tk);
        }

        var rb = new GraphBuilder(names, b.Folds, b.Simplifies);
        var map = GraphCopier.Copy(body, rb, (p, kind) => rb.Input(p == 0 ? 0 : m + p, -1, kind));
        var seeds = new Dictionary<int, int>();
        for (int j = 0; j < m; j++) seeds[rb.Input(m + 1 + j, -1)] = rb.Input(1 + j, -1);
        foreach (var (k, parameter) in tangentOf)
        {
            var kind = region.CaptureKinds[m + k];
            seeds[rb.Input(2 * m + 1 + k, -1, kind)] = rb.Input(parameter, -1, kind);
        }
        var outputs = body.Outputs.ToArray().Select(o => map[o]).ToArray();
        var engine = cx.Engine ?? throw new InvalidOperationException("no derivative engine");
        var tangents = engine.Jvp(cx.For(rb), outputs, seeds);
        var newOutputs = tangents.Select(x => x == DerivativeContext.Zero ? rb.Constant(0) : x).Concat(outputs).ToArray();
        var tangentRegion = new Region(rb.Build(newOutputs, names), kinds);

        var args = new List<int> { n.Operand(0), n.Operand(1) };
        for (int j = 0; j < m; j++)
        {
            int tj = t[ScanPrimitive.Captures + j];
            args.Add(tj == DerivativeContext.Zero ? b.Constant(0) : tj);
        }
        for (int k = ScanPrimitive.Captures; k < n.Arity; k++) args.Add(n.Operand(k));
        args.AddRange(tangentCaptures);
        // A recorded trajectory's tangent keeps the tangents in the first block, where reads of the trajectory look.
        return b.MakeStructured(op, ValueKind.Array, args.ToArray(), tangentRegion, 2 * m | (op.Records ? ScanPrimitive.SplitRecord : 0));
    }

    /// <summary>
    /// Reverse mode: record the trajectory, run the adjoint state λ the other way over it (λ entering iteration i is
    /// the cotangent of the state leaving it), and scatter every iteration's contribution to the captures.
    /// </summary>
    public static void Vjp(DerivativeContext cx, int node, int ct, ReadOnlySpan<bool> wanted, Span<int> contributions)
    {
        var b = cx.Builder;
        var n = b[node];
        var op = (ScanPrimitive)n.Op;
        contributions.Fill(DerivativeContext.Zero);
        // A trajectory the function itself reads (a loop that writes arrays from its state) has a cotangent per slot;
        // a reverse or split one only arises inside derivatives, whose reverse mode (reverse over reverse) is not supported.
        if (op.Records && (op.Reverse || (n.Aux & ScanPrimitive.SplitRecord) != 0))
            throw new ExprDiffException($"cannot differentiate the tape of a loop with carried state in reverse mode{Where(cx)}: " +
                "reverse over reverse is not supported for loops; Diff.Gradient, Diff.Vjp and Diff.Jvp are");
        bool trajectory = op.Records;
        var region = n.Region!;
        var body = region.Body;
        int m = ScanPrimitive.StateCount(n), captures = region.CaptureCount - m;
        int start = n.Operand(0), count = n.Operand(1);
        var engine = cx.Engine ?? throw new InvalidOperationException("no derivative engine");
        int zero = b.Constant(0, ValueKind.Int32);
        int trips = b.Select(b.Compare(ExpressionType.GreaterThan, count, zero), count, zero);

        int tape = trajectory ? node : b.MakeStructured(ScanPrimitive.Of(op.Reverse, records: true), ValueKind.Array, n.Args!, region, m);

        // The adjoint sweep. Parameters: i, λ (m), then the tape, start and the original captures.
        var names = new List<string> { body.ParameterNames[0] };
        var kinds = new List<ValueKind>();
        for (int j = 0; j < m; j++) { names.Add(body.ParameterNames[1 + j] + "_bar"); kinds.Add(ValueKind.Double); }
        names.Add("tape"); kinds.Add(ValueKind.Array);
        names.Add("start"); kinds.Add(ValueKind.Int32);
        for (int k = 0; k < captures; k++) { names.Add(body.ParameterNames[1 + m + k]); kinds.Add(region.CaptureKinds[m + k]); }
        if (trajectory) { names.Add("tape_bar"); kinds.Add(ValueKind.Array); }
        var rb = new GraphBuilder(names, b.Folds, b.Simplifies);
        // A forward scan's state entering iteration i is tape slot i − start; a reverse scan's, slot i − start + 1.
        var state = TapeReads(rb, rb.Input(m + 1, -1, ValueKind.Array), rb.Input(m + 2, -1, ValueKind.Int32), m, op.Reverse ? 1 : 0);
        var map = GraphCopier.Copy(body, rb, (p, kind) => p == 0 ? rb.Input(0, -1, ValueKind.Int32) : p <= m ? state[p - 1] : rb.Input(p + 2, -1, kind));
        var outputs = body.Outputs.ToArray().Select(o => map[o]).ToArray();
        var lambda = Enumerable.Range(0, m).Select(j => rb.Input(1 + j, -1)).ToArray();
        var adjoint = engine.Vjp(cx.For(rb), outputs, lambda, state);
        var adjointOutputs = adjoint.Select(x => x == DerivativeContext.Zero ? rb.Constant(0) : x).ToArray();
        if (trajectory)
        {
            // The state entering iteration i is also read from slot i − start: its cotangent joins λ there.
            var slotCotangents = TapeReads(rb, rb.Input(m + 3 + captures, -1, ValueKind.Array), rb.Input(m + 2, -1, ValueKind.Int32), m, 0);
            for (int j = 0; j < m; j++) adjointOutputs[j] = rb.Add(adjointOutputs[j], slotCotangents[j]);
        }
        var adjointRegion = new Region(rb.Build(adjointOutputs, names), kinds);
        var args = new List<int> { start, count };
        for (int j = 0; j < m; j++)
            args.Add(trajectory ? b.Make(Primitives.Read, ct, b.Add(b.Mul(trips, b.Constant(m, ValueKind.Int32)), b.Constant(j, ValueKind.Int32))) : ElementOf(b, ct, j));
        args.Add(tape);
        args.Add(start);
        for (int k = 0; k < captures; k++) args.Add(n.Operand(ScanPrimitive.Captures + m + k));
        if (trajectory) args.Add(ct);
        int lambdas = b.MakeStructured(ScanPrimitive.Of(!op.Reverse, records: true), ValueKind.Array, args.ToArray(), adjointRegion, m);

        // The initial state's adjoint: λ leaving the adjoint sweep's last iteration (slot 0 when it ran in reverse,
        // slot count when it ran forward; either way the incoming cotangent itself when count ≤ 0).
        for (int j = 0; j < m; j++)
        {
            if (!wanted[ScanPrimitive.Captures + j]) continue;
            int slot = op.Reverse ? b.Add(b.Mul(trips, b.Constant(m, ValueKind.Int32)), b.Constant(j, ValueKind.Int32)) : b.Constant(j, ValueKind.Int32);
            contributions[ScanPrimitive.Captures + j] = b.Make(Primitives.Read, lambdas, slot);
        }

        // The captures' adjoints: a loop over the same range whose body is the original body at the recorded state,
        // seeded with the recorded λ entering that iteration of the adjoint sweep.
        bool anyCapture = false;
        for (int k = 0; k < captures; k++) anyCapture |= wanted[ScanPrimitive.Captures + m + k];
        if (!anyCapture) return;
        var snames = new List<string> { body.ParameterNames[0], "tape", "lambdas", "start" };
        var skinds = new List<ValueKind> { ValueKind.Array, ValueKind.Array, ValueKind.Int32 };
        for (int k = 0; k < captures; k++) { snames.Add(body.ParameterNames[1 + m + k]); skinds.Add(region.CaptureKinds[m + k]); }
        var sb = new GraphBuilder(snames, b.Folds, b.Simplifies);
        int sStart = sb.Input(3, -1, ValueKind.Int32);
        var sState = TapeReads(sb, sb.Input(1, -1, ValueKind.Array), sStart, m, op.Reverse ? 1 : 0);
        var seeds = TapeReads(sb, sb.Input(2, -1, ValueKind.Array), sStart, m, op.Reverse ? 0 : 1);
        var smap = GraphCopier.Copy(body, sb, (p, kind) => p == 0 ? sb.Input(0, -1, ValueKind.Int32) : p <= m ? sState[p - 1] : sb.Input(p - m + 3, -1, kind));
        var sOutputs = body.Outputs.ToArray().Select(o => smap[o]).Concat(seeds).ToArray();
        var scatterRegion = new Region(sb.Build(sOutputs, snames), skinds);
        var loopArgs = new List<int> { start, count, tape, lambdas, start };
        for (int k = 0; k < captures; k++) loopArgs.Add(n.Operand(ScanPrimitive.Captures + m + k));
        var loop = new Node(Primitives.Scan, ValueKind.Array, -1, -1, -1, 0, 0, 0, loopArgs.ToArray(), scatterRegion);
        var loopWanted = new bool[3 + captures];
        for (int k = 0; k < captures; k++) loopWanted[3 + k] = wanted[ScanPrimitive.Captures + m + k];
        var loopContributions = new int[3 + captures];
        Array.Fill(loopContributions, DerivativeContext.Zero);
        LoopDerivatives.ScatterAdjoints(cx, loop, ScanPrimitive.Captures, start, count, [], loopWanted, loopContributions,
            (r, _) => Enumerable.Range(0, m).Select(j => (r.Region.Body.Outputs[j], r.Region.Body.Outputs[m + j])).ToArray());
        for (int k = 0; k < captures; k++) contributions[ScanPrimitive.Captures + m + k] = loopContributions[3 + k];
    }

    /// <summary>The m values of tape slot (i − start + offset), as reads in a loop body whose parameter 0 is i.</summary>
    private static int[] TapeReads(GraphBuilder rb, int tape, int start, int m, int offset)
    {
        int slot = rb.Sub(rb.Input(0, -1, ValueKind.Int32), start);
        if (offset != 0) slot = rb.Add(slot, rb.Constant(offset, ValueKind.Int32));
        int first = rb.Mul(slot, rb.Constant(m, ValueKind.Int32));
        return Enumerable.Range(0, m).Select(j => rb.Make(Primitives.Read, tape, j == 0 ? first : rb.Add(first, rb.Constant(j, ValueKind.Int32)))).ToArray();
    }

    /// <summary>Element <paramref name="j"/> of an array-valued cotangent: read off an assemble of constant-index pairs
    /// (what reads of a scan's result give), otherwise read at run time.</summary>
    private static int ElementOf(GraphBuilder b, int array, int j)
    {
        var n = b[array];
        if (ReferenceEquals(n.Op, Primitives.Assemble) && !AssemblePrimitive.Dense(n).Any())
        {
            int sum = DerivativeContext.Zero;
            bool known = true;
            foreach (var (index, value) in AssemblePrimitive.Pairs(n))
            {
                if (!b.IsConstant(index, out double at)) { known = false; break; }
                if ((int)at == j) sum = sum == DerivativeContext.Zero ? value : b.Add(sum, value);
            }
            if (known) return sum == DerivativeContext.Zero ? b.Constant(0) : sum;
        }
        return b.Make(Primitives.Read, array, b.Constant(j, ValueKind.Int32));
    }

    private static string Where(DerivativeContext cx) => cx.FunctionText is null ? "" : $" in '{cx.FunctionText}'";
}
