using System.Linq.Expressions;
using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Export;

// An inner loop's gradient added straight into the enclosing loop's gradient, without an array per outer iteration.
internal static partial class LoopEmitter
{
    /// <summary>How one pair of an absorbable scatter writes: at stride·k + offset (distinct elements for distinct
    /// iterations), or at an index that does not depend on the iteration k.</summary>
    private readonly record struct PairIndex(bool Invariant, int Stride, int Offset);

    /// <summary>
    /// The scatter node that a loop body adds whole into an additive scatter's array (the body's only such output,
    /// with no pairs of its own), when it can be added element by element where it is computed: it adds, and each pair
    /// writes either at stride·k + c (one stride for all, distinct c modulo the stride: each element once) or at an
    /// index that does not depend on k (those are summed in registers, one per index, and added after the loop).
    /// Nothing else may read it. <see cref="EmitScatterInto"/> checks at run time that the two kinds of elements do
    /// not meet (else it builds the array as before).
    /// </summary>
    /// <remarks>Exact. The array's element e would be 0.0 + (its additions in order); an element written once gets
    /// 0.0 + v, an invariant one exactly the register's sum. The enclosing array is built by additions from +0.0, so it
    /// never holds −0.0: adding v gives what adding 0.0 + v gives, and elements the scatter does not write would only
    /// have 0.0 added.</remarks>
    /// <param name="outputs">The body's outputs that are added whole (after the pairs).</param>
    public static IReadOnlyDictionary<int, Expression>? Absorbable(Graph body, IReadOnlyList<int> outputs, int pairs, bool assigns, Expression array)
    {
        if (assigns || pairs != 0 || outputs.Count != 1) return null;
        int node = outputs[0];
        var n = body[node];
        if (!ReferenceEquals(n.Op, Primitives.Scatter) || ScatterPrimitive.IsAssignment(n) || Classify(n) is null) return null;
        int uses = 0;
        foreach (int o in body.Outputs) if (o == node) uses++;
        foreach (var other in body.Nodes)
            for (int j = 0; j < other.Arity; j++)
                if (other.Operand(j) == node) uses++;
        return uses == 1 ? new Dictionary<int, Expression> { [node] = array } : null;
    }

    /// <summary>Each pair's index kind, or null when the scatter adds whole arrays or an index is neither kind.</summary>
    private static PairIndex[]? Classify(in Node scatter)
    {
        var body = scatter.Region!.Body;
        int pairs = ScatterPrimitive.PairCount(scatter);
        if (pairs == 0 || body.OutputCount != 2 * pairs) return null;
        var dependsOnK = new bool[body.NodeCount];
        for (int i = 0; i < body.NodeCount; i++)
        {
            var n = body[i];
            dependsOnK[i] = ReferenceEquals(n.Op, Primitives.Input) && n.Aux == 0;
            for (int j = 0; j < n.Arity && !dependsOnK[i]; j++) dependsOnK[i] = dependsOnK[n.Operand(j)];
        }
        var result = new PairIndex[pairs];
        int stride = 0;
        var offsets = new HashSet<int>();
        for (int p = 0; p < pairs; p++)
        {
            int index = body.Outputs[2 * p];
            if (!dependsOnK[index]) { result[p] = new PairIndex(true, 0, 0); continue; }
            if (Affine(body, index) is not (int a, int c) || a < 1 || (stride != 0 && a != stride)) return null;
            stride = a;
            if (!offsets.Add(((c % a) + a) % a)) return null;
            result[p] = new PairIndex(false, a, c);
        }
        return result;
    }

    /// <summary>(a, c) when <paramref name="node"/> is a·k + c with integer constants, else null.</summary>
    private static (int, int)? Affine(Graph body, int node, int depth = 0)
    {
        // Index arithmetic is a few operations deep (offsets fold on import); anything deeper is not recognized.
        if (depth > 8) return null;
        var n = body[node];
        bool Constant(int m, out int v)
        {
            v = (int)body[m].Value;
            return ReferenceEquals(body[m].Op, Primitives.Constant) && body[m].Kind == ValueKind.Int32;
        }
        if (ReferenceEquals(n.Op, Primitives.Input) && n.Aux == 0) return (1, 0);
        if (ReferenceEquals(n.Op, Primitives.Add))
        {
            if (Constant(n.B, out int c) && Affine(body, n.A, depth + 1) is var (a1, c1)) return (a1, c1 + c);
            if (Constant(n.A, out c) && Affine(body, n.B, depth + 1) is var (a2, c2)) return (a2, c2 + c);
        }
        if (ReferenceEquals(n.Op, Primitives.Sub) && Constant(n.B, out int s) && Affine(body, n.A, depth + 1) is var (a3, c3)) return (a3, c3 - s);
        if (ReferenceEquals(n.Op, Primitives.Mul))
        {
            if (Constant(n.A, out int m) && Affine(body, n.B, depth + 1) is var (a4, c4)) return (m * a4, m * c4);
            if (Constant(n.B, out m) && Affine(body, n.A, depth + 1) is var (a5, c5)) return (m * a5, m * c5);
        }
        return null;
    }

    /// <summary>
    /// An absorbable scatter (see <see cref="Absorbable"/>) added into <paramref name="outer"/> as it goes. When its
    /// range is empty, or an invariant element could meet another, or anything is out of range, it builds the array
    /// and adds it whole, as it would have: the same results and the same exceptions.
    /// </summary>
    /// <param name="sum">A sum over the same iterations to compute in the same loop (its node, operands, target and
    /// capture nodes), as <see cref="EmitSumAndScatter"/> does.</param>
    public static Expression EmitScatterInto(in Node n, Expression[] operands, Expression outer, int depth,
        (Node Node, Expression[] Operands, Expression Target, int[] Captures)? sum = null)
    {
        var kinds = Classify(n)!;
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
        var strided = kinds.Where(k => !k.Invariant).ToArray();
        Expression ok = Expression.AndAlso(Expression.LessThan(start, stop), Expression.LessThanOrEqual(length, Expression.ArrayLength(outer)));
        if (strided.Length > 0)
        {
            int a = strided[0].Stride, cMin = strided.Min(k => k.Offset), cMax = strided.Max(k => k.Offset);
            Expression At(Expression k, int c) => Expression.Add(Expression.Multiply(Expression.Constant(a), k), Expression.Constant(c));
            ok = Expression.AndAlso(ok, Expression.AndAlso(
                Expression.GreaterThanOrEqual(At(start, cMin), Expression.Constant(0)),
                Expression.LessThan(At(Expression.Subtract(stop, Expression.Constant(1)), cMax), length)));
            foreach (var e in elements)
                foreach (var k in strided)
                {
                    // e is written by this pair when e − c = a·j for some j in [start, stop).
                    var shifted = Expression.Subtract(e, Expression.Constant(k.Offset));
                    var meets = Expression.AndAlso(
                        Expression.Equal(Expression.Modulo(shifted, Expression.Constant(a)), Expression.Constant(0)),
                        Expression.AndAlso(Expression.GreaterThanOrEqual(shifted, Expression.Multiply(Expression.Constant(a), start)),
                            Expression.LessThan(shifted, Expression.Multiply(Expression.Constant(a), stop))));
                    ok = Expression.AndAlso(ok, Expression.Not(meets));
                }
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
        fast.Add(For(start, Expression.Subtract(stop, start), depth, (i, loop) =>
        {
            var (inner, code, outputs) = Exporter.ExportState.ExportBody(hoistedBody, new Expression[] { i }.Concat(bodyParameters.Skip(1)).ToArray(), Prefix(i), depth + 1);
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
}
