using System.Linq.Expressions;
using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Export;

// An inner loop's gradient added straight into the enclosing loop's gradient, without an array per outer iteration.
internal static partial class LoopEmitter
{
    /// <summary>How one pair of an absorbable scatter writes: at stride·k + offset (+ scale · the value of captured
    /// parameter <c>Capture</c> of its body when that is not −1), or at an index that does not depend on the iteration k.</summary>
    private readonly record struct PairIndex(bool Invariant, int Stride, int Offset, int Capture, int Scale);

    /// <summary>A scatter nested in an absorbable one's body and added whole into it (output <c>Output</c>): at iteration
    /// k it writes the elements stride·k + offset, one per offset (each pair at each of its own iterations).</summary>
    private sealed record NestedBlock(int Output, int Stride, int[] Offsets);

    /// <summary>Where an absorbable scatter writes: its pairs and its nested scatters.</summary>
    private sealed record ScatterLayout(PairIndex[] Pairs, NestedBlock[] Nested);

    /// <summary>Most elements a nested scatter may write per iteration of the enclosing one (its offsets are listed).</summary>
    private const int MaxNestedElements = 4096;

    /// <summary>
    /// The scatter nodes among a loop body's whole-array outputs that can be added into the enclosing scatter's array
    /// where they are computed, instead of built and added whole: additive, read by nothing else, and writing each element
    /// at most once (<see cref="Classify"/>; <see cref="EmitScatterInto"/> checks the rest at run time and otherwise builds
    /// the array as before). Null when there are none.
    /// </summary>
    /// <remarks>Exact. The array's element e would be 0.0 + (its one addition); the enclosing array is built by additions
    /// from +0.0, so it never holds −0.0: adding v gives what adding 0.0 + v gives, and elements the scatter does not write
    /// would only have 0.0 added. When the body also writes pairs or adds several arrays, the absorbed scatters are
    /// emitted after the pairs, in output order (<see cref="Exporter.ExportState"/> defers them): every element then
    /// receives its additions in the original order.</remarks>
    /// <param name="outputs">The body's outputs that are added whole (after the pairs).</param>
    public static IReadOnlyDictionary<int, Expression>? Absorbable(Graph body, IReadOnlyList<int> outputs, int pairs, bool assigns, Expression array)
    {
        if (assigns || outputs.Count == 0) return null;
        Dictionary<int, Expression>? result = null;
        foreach (int node in outputs)
            if (AbsorbableLayout(body, node, nestedAllowed: true) is not null)
                (result ??= new())[node] = array;
        return result;
    }

    /// <summary>The layout (<see cref="Classify"/>) of body node <paramref name="node"/> when it is an additive scatter that
    /// nothing but one whole-array output reads; else null.</summary>
    private static ScatterLayout? AbsorbableLayout(Graph body, int node, bool nestedAllowed)
    {
        var n = body[node];
        if (!ReferenceEquals(n.Op, Primitives.Scatter) || ScatterPrimitive.IsAssignment(n) || Classify(n) is not { } layout) return null;
        if (!nestedAllowed && layout.Nested.Length > 0) return null;
        int uses = 0;
        foreach (int o in body.Outputs) if (o == node) uses++;
        foreach (var other in body.Nodes)
            for (int j = 0; j < other.Arity; j++)
                if (other.Operand(j) == node) uses++;
        return uses == 1 ? layout : null;
    }

    /// <summary>
    /// Where the scatter writes, when every element is written at most once for sure or after run-time checks: strided
    /// pairs and nested scatters grouped by stride, each group's offsets distinct modulo its stride (checked here; groups
    /// of different strides must not overlap, checked at run time), and invariant pairs (summed in registers). Null when
    /// an index is of neither kind, or a nested scatter is not one level of affine blocks.
    /// </summary>
    private static ScatterLayout? Classify(in Node scatter)
    {
        var body = scatter.Region!.Body;
        int pairs = ScatterPrimitive.PairCount(scatter);
        if (pairs == 0 && body.OutputCount == 0) return null;
        var dependsOnK = DependsOnIteration(body);
        var result = new PairIndex[pairs];
        for (int p = 0; p < pairs; p++)
        {
            int index = body.Outputs[2 * p];
            if (!dependsOnK[index]) { result[p] = new PairIndex(true, 0, 0, -1, 0); continue; }
            if (Affine(body, index) is not { } form || form.A < 1) return null;
            result[p] = new PairIndex(false, form.A, form.C, form.Capture, form.M);
        }
        var nested = new List<NestedBlock>();
        for (int d = 2 * pairs; d < body.OutputCount; d++)
        {
            if (Block(body, body.Outputs[d], d) is not { } block) return null;
            nested.Add(block);
        }
        // Within a stride, every element of every source distinct modulo the stride; one capture shift for all of them.
        var groups = result.Where(k => !k.Invariant).Select(k => (k.Stride, Shift: (k.Capture, k.Scale), Offsets: new[] { k.Offset }))
            .Concat(nested.Select(b => (b.Stride, Shift: (-1, 0), b.Offsets)))
            .GroupBy(g => g.Stride);
        foreach (var group in groups)
        {
            if (group.Select(g => g.Shift).Distinct().Count() > 1) return null;
            var residues = new HashSet<int>();
            foreach (var source in group)
                foreach (int c in source.Offsets)
                    if (!residues.Add(((c % group.Key) + group.Key) % group.Key)) return null;
        }
        return new ScatterLayout(result, nested.ToArray());
    }

    private static bool[] DependsOnIteration(Graph body)
    {
        var dependsOnK = new bool[body.NodeCount];
        for (int i = 0; i < body.NodeCount; i++)
        {
            var n = body[i];
            dependsOnK[i] = ReferenceEquals(n.Op, Primitives.Input) && n.Aux == 0;
            for (int j = 0; j < n.Arity && !dependsOnK[i]; j++) dependsOnK[i] = dependsOnK[n.Operand(j)];
        }
        return dependsOnK;
    }

    /// <summary>
    /// A scatter in <paramref name="body"/> (output <paramref name="output"/>) that writes, at the enclosing iteration k,
    /// the elements m·(A·k + c) + a·j + c′ for its own iterations j over a constant range: each of its pairs at
    /// a·j + m·x + c′, x a captured value that the enclosing body computes as A·k + c. Null otherwise, or when it is not
    /// absorbable itself.
    /// </summary>
    private static NestedBlock? Block(Graph body, int node, int output)
    {
        var n = body[node];
        if (AbsorbableLayout(body, node, nestedAllowed: false) is not { } layout) return null;
        bool Constant(int m, out int v)
        {
            v = (int)body[m].Value;
            return ReferenceEquals(body[m].Op, Primitives.Constant) && body[m].Kind == ValueKind.Int32;
        }
        if (!Constant(n.Operand(1), out int first) || !Constant(n.Operand(2), out int count) || count < 0) return null;
        if ((long)count * layout.Pairs.Length > MaxNestedElements) return null;
        int stride = 0;
        var offsets = new List<int>();
        foreach (var pair in layout.Pairs)
        {
            // Each pair's element moves with k through the captured value (an invariant pair would meet itself).
            if (pair.Invariant || pair.Capture < 1) return null;
            if (Affine(body, n.Operand(ScatterPrimitive.Captures + pair.Capture - 1)) is not { Capture: -1 } x) return null;
            int a = pair.Scale * x.A;
            if (a < 1 || (stride != 0 && a != stride)) return null;
            stride = a;
            for (int j = first; j < first + count; j++) offsets.Add(pair.Scale * x.C + pair.Offset + pair.Stride * j);
        }
        return stride == 0 ? null : new NestedBlock(output, stride, offsets.ToArray());
    }

    /// <summary>An index a·k + m·x + c: k the iteration, x captured parameter <c>Capture</c> of the body (none: −1, m = 0).</summary>
    private readonly record struct Linear(int A, int C, int Capture, int M);

    /// <summary><paramref name="node"/> as a <see cref="Linear"/> form with integer constants, or null (another capture,
    /// a product of variables, or deeper than index arithmetic goes).</summary>
    private static Linear? Affine(Graph body, int node, int depth = 0)
    {
        // Index arithmetic is a few operations deep (offsets fold on import); anything deeper is not recognized.
        if (depth > 8) return null;
        var n = body[node];
        if (n.Kind != ValueKind.Int32) return null;
        if (ReferenceEquals(n.Op, Primitives.Constant)) return new Linear(0, (int)n.Value, -1, 0);
        if (ReferenceEquals(n.Op, Primitives.Input) && n.Aux2 < 0) return n.Aux == 0 ? new Linear(1, 0, -1, 0) : new Linear(0, 0, n.Aux, 1);
        bool add = ReferenceEquals(n.Op, Primitives.Add), sub = ReferenceEquals(n.Op, Primitives.Sub), mul = ReferenceEquals(n.Op, Primitives.Mul);
        if (!add && !sub && !mul) return null;
        if (Affine(body, n.A, depth + 1) is not { } x || Affine(body, n.B, depth + 1) is not { } y) return null;
        if (mul)
        {
            // One side constant.
            var (f, v) = x is { A: 0, Capture: -1 } ? (x.C, y) : y is { A: 0, Capture: -1 } ? (y.C, x) : (0, (Linear?)null);
            return v is { } w ? new Linear(f * w.A, f * w.C, f == 0 ? -1 : w.Capture, f * w.M) : null;
        }
        if (x.Capture >= 0 && y.Capture >= 0 && x.Capture != y.Capture) return null;
        int s = sub ? -1 : 1;
        int m = x.M + s * y.M;
        return new Linear(x.A + s * y.A, x.C + s * y.C, m == 0 ? -1 : Math.Max(x.Capture, y.Capture), m);
    }

    /// <summary>
    /// An absorbable scatter (see <see cref="Absorbable"/>) added into <paramref name="outer"/> as it goes, its nested
    /// scatters too. When its range is empty, or elements could meet (an invariant one and another, or two strides'
    /// ranges), or anything is out of range, it builds the array and adds it whole, as it would have: the same results
    /// and the same exceptions.
    /// </summary>
    /// <param name="sum">A sum over the same iterations to compute in the same loop (its node, operands, target and
    /// capture nodes), as <see cref="EmitSumAndScatter"/> does.</param>
    public static Expression EmitScatterInto(in Node n, Expression[] operands, Expression outer, int depth,
        (Node Node, Expression[] Operands, Expression Target, int[] Captures)? sum = null)
    {
        var layout = Classify(n)!;
        var kinds = layout.Pairs;
        var region = n.Region!;
        var body = region.Body;
        var start = Expression.Variable(typeof(int), "from");
        var stop = Expression.Variable(typeof(int), "to");
        var length = Expression.Variable(typeof(int), "length");
        var variables = new List<ParameterExpression> { start, stop, length };
        var statements = new List<Expression>
        {
            Expression.Assign(start, operands[1]),
            Expression.Assign(stop, Expression.Add(start, operands[2])),
            Expression.Assign(length, operands[0]),
        };

        // Invariant indices, one register each, computed once before the loop from the captures.
        var invariantNodes = new List<int>();
        var register = new int[kinds.Length];
        for (int p = 0; p < kinds.Length; p++)
        {
            if (!kinds[p].Invariant) continue;
            int index = body.Outputs[2 * p];
            int q = invariantNodes.IndexOf(index);
            if (q < 0) { q = invariantNodes.Count; invariantNodes.Add(index); }
            register[p] = q;
        }
        var elements = invariantNodes.Select((_, q) => Expression.Variable(typeof(int), "at" + q)).ToArray();
        var sums = invariantNodes.Select((_, q) => Expression.Variable(typeof(double), "acc" + q)).ToArray();
        variables.AddRange(elements);
        variables.AddRange(sums);
        if (invariantNodes.Count > 0)
        {
            var indexGraph = new GraphBuilder(body).Build(invariantNodes.ToArray(), body.ParameterNames);
            var (indexVariables, indexStatements, indexOutputs) = Exporter.ExportState.ExportBody(indexGraph, Parameters(start, operands, ScatterPrimitive.Captures), Prefix(start), depth + 1);
            variables.AddRange(indexVariables);
            statements.AddRange(indexStatements);
            for (int q = 0; q < elements.Length; q++) statements.Add(Expression.Assign(elements[q], indexOutputs[q]));
        }

        // The conditions under which adding as it goes is exact and fails nowhere the array would not.
        Expression ok = Expression.AndAlso(Expression.LessThan(start, stop), Expression.LessThanOrEqual(length, Expression.ArrayLength(outer)));
        var groups = StrideGroups(layout, operands);
        foreach (var g in groups)
        {
            ok = Expression.AndAlso(ok, Expression.AndAlso(
                Expression.GreaterThanOrEqual(g.At(start, g.Low), Expression.Constant(0)),
                Expression.LessThan(g.At(Expression.Subtract(stop, Expression.Constant(1)), g.High), length)));
        }
        // Strides differ: their elements' ranges must not overlap.
        for (int a = 0; a < groups.Count; a++)
            for (int b = 0; b < a; b++)
                ok = Expression.AndAlso(ok, Expression.OrElse(
                    Expression.LessThan(groups[a].At(Expression.Subtract(stop, Expression.Constant(1)), groups[a].High), groups[b].At(start, groups[b].Low)),
                    Expression.LessThan(groups[b].At(Expression.Subtract(stop, Expression.Constant(1)), groups[b].High), groups[a].At(start, groups[a].Low))));
        foreach (var e in elements)
            foreach (var g in groups)
            {
                if (g.Offsets.Length <= 8)
                    foreach (int c in g.Offsets)
                    {
                        // e is written at offset c when e − c − shift = stride·j for some j in [start, stop).
                        Expression shifted = Expression.Subtract(e, Expression.Constant(c));
                        if (g.Shift is not null) shifted = Expression.Subtract(shifted, g.Shift);
                        var meets = Expression.AndAlso(
                            Expression.Equal(Expression.Modulo(shifted, Expression.Constant(g.Stride)), Expression.Constant(0)),
                            Expression.AndAlso(Expression.GreaterThanOrEqual(shifted, Expression.Multiply(Expression.Constant(g.Stride), start)),
                                Expression.LessThan(shifted, Expression.Multiply(Expression.Constant(g.Stride), stop))));
                        ok = Expression.AndAlso(ok, Expression.Not(meets));
                    }
                else
                    ok = Expression.AndAlso(ok, Expression.OrElse(Expression.LessThan(e, g.At(start, g.Low)),
                        Expression.GreaterThan(e, g.At(Expression.Subtract(stop, Expression.Constant(1)), g.High))));
            }
        for (int q = 0; q < elements.Length; q++)
        {
            ok = Expression.AndAlso(ok, Expression.AndAlso(Expression.GreaterThanOrEqual(elements[q], Expression.Constant(0)), Expression.LessThan(elements[q], length)));
            for (int r = 0; r < q; r++) ok = Expression.AndAlso(ok, Expression.NotEqual(elements[q], elements[r]));
        }

        var fast = new List<Expression>();
        foreach (var acc in sums) fast.Add(Expression.Assign(acc, Expression.Constant(0.0)));
        var total = Expression.Variable(typeof(double), "sum");
        variables.Add(total);
        var initial = sum is { } sv ? Expression.Assign(total, Expression.Constant(SumRangePrimitive.InitialValue(sv.Node))) : null;
        if (initial is not null) fast.Add(initial);
        // With a sum, one body computes the term and the pairs' values at each iteration (what they share once).
        var (loopBody, captures) = sum is { } s1
            ? Merge(s1.Node, s1.Operands, s1.Captures, operands, n.Args![ScatterPrimitive.Captures..], [body])
            : (body, operands[ScatterPrimitive.Captures..]);
        int first = sum is null ? 0 : 1;
        // The fast path runs only when the range is not empty: what does not depend on k is computed once, here.
        var hoistVariables = new List<ParameterExpression>();
        var (hoistedBody, bodyParameters) = HoistInvariants(loopBody, new Expression[] { start }.Concat(captures).ToArray(), "from_", depth + 1, hoistVariables, fast);
        variables.AddRange(hoistVariables);
        // Every element is written once (checked above), so the nested scatters add into the same array in any order.
        var nested = layout.Nested.Length == 0 ? null
            : layout.Nested.ToDictionary(b => hoistedBody.Outputs[first + b.Output], _ => outer);
        fast.Add(For(start, Expression.Subtract(stop, start), depth, (i, loop) =>
        {
            var (inner, code, outputs) = Exporter.ExportState.ExportBody(hoistedBody, new Expression[] { i }.Concat(bodyParameters.Skip(1)).ToArray(), Prefix(i), depth + 1, nested);
            var all = new List<Expression>(code);
            if (sum is not null) all.Add(Expression.Assign(total, Expression.Add(total, outputs[0])));
            for (int p = 0; p < kinds.Length; p++)
                all.Add(kinds[p].Invariant
                    ? AddTo(sums[register[p]], outputs[first + 2 * p + 1])
                    : AddTo(Expression.ArrayAccess(outer, outputs[first + 2 * p]), outputs[first + 2 * p + 1]));
            loop.Add(Expression.Block(inner, all));
        }));
        for (int q = 0; q < sums.Length; q++) fast.Add(Expression.AddAssign(Expression.ArrayAccess(outer, elements[q]), sums[q]));

        var built = Expression.Variable(typeof(double[]), "built");
        var slow = Expression.Block([built], sum is { } s2
                ? EmitSumAndScatter(s2.Node, s2.Operands, total, s2.Captures, n, operands, built, n.Args![ScatterPrimitive.Captures..], depth, null)
                : EmitScatter(n, operands, built, depth, null),
            AddWhole(outer, built, depth));
        // An empty range adds 0.0 to every element (no change: the enclosing array never holds −0.0), unless the
        // array it would build is of a length that fails.
        var nothing = Expression.AndAlso(Expression.GreaterThanOrEqual(start, stop),
            Expression.AndAlso(Expression.GreaterThanOrEqual(length, Expression.Constant(0)), Expression.LessThanOrEqual(length, Expression.ArrayLength(outer))));
        statements.Add(Expression.IfThenElse(ok, Expression.Block(fast), Expression.IfThenElse(Expression.Not(nothing), slow,
            initial ?? (Expression)Expression.Empty())));
        if (sum is { } s3) statements.Add(Expression.Assign(s3.Target, total));
        return Expression.Block(variables, statements);
    }

    /// <summary>The strided elements of a layout by stride: stride·k + offset (+ the captured shift) for each offset.</summary>
    private sealed record StrideGroup(int Stride, int[] Offsets, Expression? Shift)
    {
        public int Low => Offsets.Min();
        public int High => Offsets.Max();

        /// <summary>stride·k + c + shift.</summary>
        public Expression At(Expression k, int c)
        {
            Expression e = Expression.Add(Expression.Multiply(Expression.Constant(Stride), k), Expression.Constant(c));
            return Shift is null ? e : Expression.Add(e, Shift);
        }
    }

    private static List<StrideGroup> StrideGroups(ScatterLayout layout, Expression[] operands) =>
        layout.Pairs.Where(k => !k.Invariant).Select(k => (k.Stride, Offsets: new[] { k.Offset }, k.Capture, k.Scale))
            .Concat(layout.Nested.Select(b => (b.Stride, b.Offsets, Capture: -1, Scale: 0)))
            .GroupBy(g => g.Stride)
            .Select(g =>
            {
                var (capture, scale) = (g.First().Capture, g.First().Scale);
                Expression? shift = capture < 1 ? null : operands[ScatterPrimitive.Captures + capture - 1];
                if (shift is not null && scale != 1) shift = Expression.Multiply(Expression.Constant(scale), shift);
                return new StrideGroup(g.Key, g.SelectMany(x => x.Offsets).ToArray(), shift);
            })
            .ToList();
}
