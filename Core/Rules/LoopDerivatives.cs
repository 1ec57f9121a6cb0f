using ExprDiff.Graphs;

namespace ExprDiff.Rules;

/// <summary>
/// Derivatives of loop bodies, shared by the loop primitives. A body is differentiated as a graph of its
/// own (by the engine, recursively), and the result becomes the body of a new loop: forward mode gives a
/// loop over the same range carrying the captures' tangents; reverse mode gives scatter loops that add
/// every iteration's contributions into the captures' adjoints. Neither unrolls: the derivative's size
/// does not depend on the trip count.
/// </summary>
internal static class LoopDerivatives
{
    /// <summary>
    /// The body of the tangent loop, given the tangent (in the enclosing graph) of each capture; null when
    /// no capture has one or the tangent is structurally zero. <paramref name="pairCount"/> is −1 for a body
    /// with one scalar output (a sum), or the number of (index, value) pairs of a scatter body.
    /// </summary>
    public static Region? TangentRegion(DerivativeContext cx, Region region, ReadOnlySpan<int> captureTangents,
        out int[] tangentCaptures, int pairCount = -1)
    {
        var body = region.Body;
        var rb = new GraphBuilder(body, cx.Builder.Folds, cx.Builder.Simplifies);
        var names = body.ParameterNames.ToList();
        var kinds = region.CaptureKinds.ToList();
        var seeds = new Dictionary<int, int>();
        var outer = new List<int>();
        for (int k = 0; k < region.CaptureCount; k++)
        {
            if (captureTangents[k] == DerivativeContext.Zero) continue;
            var kind = region.CaptureKinds[k];
            int parameter = names.Count;
            names.Add(names[1 + k] + "_dot");
            kinds.Add(kind);
            seeds[rb.Input(1 + k, -1, kind)] = rb.Input(parameter, -1, kind);
            outer.Add(captureTangents[k]);
        }
        tangentCaptures = outer.ToArray();
        if (seeds.Count == 0) return null;

        var engine = cx.Engine ?? throw new InvalidOperationException("no derivative engine");
        var rcx = cx.For(rb);
        var outputs = body.Outputs.ToArray();
        int[] newOutputs;
        if (pairCount < 0)
        {
            int t = engine.Jvp(rcx, outputs, seeds)[0];
            if (t == DerivativeContext.Zero) return null;
            newOutputs = [t];
        }
        else
        {
            // Indices stay; values and whole arrays get their tangents.
            var valueOutputs = new List<int>();
            for (int p = 0; p < pairCount; p++) valueOutputs.Add(outputs[2 * p + 1]);
            for (int d = 2 * pairCount; d < outputs.Length; d++) valueOutputs.Add(outputs[d]);
            var tangents = engine.Jvp(rcx, valueOutputs.ToArray(), seeds);
            if (tangents.All(t => t == DerivativeContext.Zero)) return null;
            var list = new List<int>();
            for (int p = 0; p < pairCount; p++)
            {
                list.Add(outputs[2 * p]);
                list.Add(tangents[p] == DerivativeContext.Zero ? rb.Constant(0) : tangents[p]);
            }
            for (int d = pairCount; d < tangents.Length; d++)
                list.Add(tangents[d] == DerivativeContext.Zero ? rb.Assemble(rb.Make(Primitives.Length, valueOutputs[d]), [], []) : tangents[d]);
            newOutputs = list.ToArray();
        }
        return new Region(rb.Build(newOutputs, names), kinds);
    }

    /// <summary>
    /// Reverse mode of a loop over [start, start + count): the adjoint of each wanted capture, as scatter
    /// loops in the enclosing graph. <paramref name="seedOutputs"/> pairs each body output with the outer
    /// node of its cotangent (a sum's cotangent is the same for every iteration).
    /// </summary>
    public static void ScatterAdjoints(DerivativeContext cx, in Node loop, int firstCapture, int start, int count,
        int[] cotangents, ReadOnlySpan<bool> wanted, Span<int> contributions, Func<(Region Region, int Unused), int[], (int Output, int Seed)[]> seedOutputs,
        (int Node, Func<GraphBuilder, int> Value)? known = null)
    {
        var b = cx.Builder;
        var region = loop.Region!;
        var body = region.Body;
        var rb = new GraphBuilder(body, cx.Builder.Folds, cx.Builder.Simplifies);
        var names = body.ParameterNames.ToList();
        var kinds = region.CaptureKinds.ToList();
        var seedInputs = new int[cotangents.Length];
        for (int s = 0; s < cotangents.Length; s++)
        {
            seedInputs[s] = rb.Input(names.Count, -1, ValueKind.Double);
            names.Add("adjoint" + s);
            kinds.Add(ValueKind.Double);
        }
        var pairs = seedOutputs((region, 0), seedInputs);
        var wrtCaptures = new List<int>();
        for (int k = 0; k < region.CaptureCount; k++)
            if (wanted[k] && region.CaptureKinds[k] is ValueKind.Double or ValueKind.Array) wrtCaptures.Add(k);
        if (wrtCaptures.Count == 0) return;

        var engine = cx.Engine ?? throw new InvalidOperationException("no derivative engine");
        var wrt = wrtCaptures.Select(k => rb.Input(1 + k, -1, region.CaptureKinds[k])).ToArray();
        var adjoints = engine.Vjp(cx.For(rb), pairs.Select(p => p.Output).ToArray(), pairs.Select(p => p.Seed).ToArray(), wrt);
        if (known is { } k0) (rb, adjoints) = Substitute(rb, names, adjoints, k0.Node, k0.Value);

        var outerArgs = new List<int>();
        for (int k = 0; k < region.CaptureCount; k++) outerArgs.Add(loop.Operand(firstCapture + k));
        outerArgs.AddRange(cotangents);

        // Every scalar capture's adjoint in one scatter loop over a small array, one slot per capture.
        var scalarSlots = new List<(int Capture, int Adjoint)>();
        for (int w = 0; w < wrtCaptures.Count; w++)
        {
            int k = wrtCaptures[w];
            if (adjoints[w] == DerivativeContext.Zero) continue;
            if (region.CaptureKinds[k] == ValueKind.Double) { scalarSlots.Add((k, adjoints[w])); continue; }
            // An array capture: the body's adjoint is an assemble of (index, value) pairs, and maybe whole arrays.
            var adjointNode = rb[adjoints[w]];
            var outputs = new List<int>();
            int pairCount = 0;
            if (ReferenceEquals(adjointNode.Op, Primitives.Assemble))
            {
                foreach (var (index, value) in AssemblePrimitive.Pairs(adjointNode)) { outputs.Add(index); outputs.Add(value); pairCount++; }
                outputs.AddRange(AssemblePrimitive.Dense(adjointNode));
            }
            else outputs.Add(adjoints[w]);
            var scatterRegion = new Region(rb.Build(outputs.ToArray(), names), kinds);
            int length = b.Make(Primitives.Length, loop.Operand(firstCapture + k));
            contributions[k] = b.MakeStructured(Primitives.Scatter, ValueKind.Array,
                new[] { length, start, count }.Concat(outerArgs).ToArray(), scatterRegion, pairCount);
        }
        if (scalarSlots.Count > 0)
        {
            var outputs = new List<int>();
            for (int j = 0; j < scalarSlots.Count; j++) { outputs.Add(rb.Constant(j, ValueKind.Int32)); outputs.Add(scalarSlots[j].Adjoint); }
            var scatterRegion = new Region(rb.Build(outputs.ToArray(), names), kinds);
            int slots = b.MakeStructured(Primitives.Scatter, ValueKind.Array,
                new[] { b.Constant(scalarSlots.Count, ValueKind.Int32), start, count }.Concat(outerArgs).ToArray(), scatterRegion, scalarSlots.Count);
            for (int j = 0; j < scalarSlots.Count; j++)
                contributions[scalarSlots[j].Capture] = b.Make(Primitives.Read, slots, b.Constant(j, ValueKind.Int32));
        }
    }

    /// <summary>
    /// The adjoints rebuilt with body node <paramref name="node"/> replaced by an equal value that is cheaper to get (a
    /// tabulated array's element instead of the iteration that computed it): what only that node needed becomes dead.
    /// Exact: the replacement holds the value the same operations computed from the same inputs.
    /// </summary>
    private static (GraphBuilder, int[]) Substitute(GraphBuilder rb, IReadOnlyList<string> names, int[] roots, int node, Func<GraphBuilder, int> value)
    {
        var live = roots.Where(r => r != DerivativeContext.Zero).Append(node).ToArray();
        var graph = rb.Build(live, names);
        var target = new GraphBuilder(names, rb.Folds, rb.Simplifies);
        int replacement = value(target);
        int replaced = graph.Outputs[^1];
        var map = GraphCopier.Copy(graph, target, (p, index, kind) => target.Input(p, index, kind), i => i == replaced ? replacement : -1);
        var result = new int[roots.Length];
        for (int r = 0, o = 0; r < roots.Length; r++)
            result[r] = roots[r] == DerivativeContext.Zero ? DerivativeContext.Zero : map[graph.Outputs[o++]];
        return (target, result);
    }

    /// <summary>
    /// Reverse mode of a loop whose every iteration seeds its outputs with values it computes itself from extra captured
    /// operands (a cotangent array read at the iteration's index): the body is copied with those captures appended,
    /// <paramref name="seeds"/> pairs outputs with their seeds in it, and a scatter loop adds the captures' adjoints.
    /// </summary>
    public static void SeededScatterAdjoints(DerivativeContext cx, in Node loop, int firstCapture, int start, int count,
        (string Name, ValueKind Kind, int Operand)[] extra, Func<GraphBuilder, int[], int[], IEnumerable<(int Output, int Seed)>> seeds,
        ReadOnlySpan<bool> wanted, Span<int> contributions, Func<GraphBuilder, int[], int>? outputValue = null)
    {
        var b = cx.Builder;
        var region = loop.Region!;
        var body = region.Body;
        int captures = region.CaptureCount;
        var names = body.ParameterNames.Concat(extra.Select(e => e.Name)).ToList();
        var kinds = region.CaptureKinds.Concat(extra.Select(e => e.Kind)).ToList();
        var rb = new GraphBuilder(names, b.Folds, b.Simplifies);
        var map = GraphCopier.Copy(body, rb, (p, kind) => rb.Input(p, -1, kind));
        var extraInputs = extra.Select((e, k) => rb.Input(1 + captures + k, -1, e.Kind)).ToArray();
        var pairs = seeds(rb, map, extraInputs).SelectMany(x => new[] { x.Output, x.Seed }).ToArray();
        // The body's output, when the loop keeps it (a tabulated element), is read back instead of recomputed.
        var seeded = new Region(rb.Build(outputValue is null ? pairs : pairs.Append(map[body.Outputs[0]]).ToArray(), names), kinds);
        (int, Func<GraphBuilder, int>)? known = outputValue is null ? null
            : (seeded.Body.Outputs[^1], target => outputValue(target, extra.Select((e, k) => target.Input(1 + captures + k, -1, e.Kind)).ToArray()));
        var args = loop.Args!.Concat(extra.Select(e => e.Operand)).ToArray();
        var synthetic = new Node(loop.Op, loop.Kind, -1, -1, -1, 0, 0, 0, args, seeded);
        var loopWanted = new bool[captures + extra.Length];
        wanted.CopyTo(loopWanted);
        var loopContributions = new int[captures + extra.Length];
        Array.Fill(loopContributions, DerivativeContext.Zero);
        ScatterAdjoints(cx, synthetic, firstCapture, start, count, [], loopWanted, loopContributions,
            (r, _) => Enumerable.Range(0, pairs.Length / 2).Select(j => (r.Region.Body.Outputs[2 * j], r.Region.Body.Outputs[2 * j + 1])).ToArray(), known);
        loopContributions.AsSpan(0, captures).CopyTo(contributions);
    }
}
