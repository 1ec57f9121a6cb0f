using System.Linq.Expressions;
using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Export;

// Loop-invariant code motion for loop bodies.
internal static partial class LoopEmitter
{
    /// <summary>
    /// Splits a loop body (parameter 0 the iteration) into the scalar values that do not depend on the iteration, to
    /// compute once before the loop, and a body that receives them as extra parameters. Reads of a captured array at an
    /// index fixed for the loop (P3's x[3i], read for every j) are the typical case: the JIT cannot hoist them itself,
    /// since the loop's stores into the gradient might alias the array. Loops nested in the body and arrays stay in it.
    /// </summary>
    /// <remarks>Only for loops known to run at least once (the values are computed where iteration 0 would compute
    /// them), so nothing is computed, or thrown, that the loop would not.</remarks>
    private static (Graph Body, Expression[] Parameters) HoistInvariants(Graph body, Expression[] parameters, string prefix, int depth,
        List<ParameterExpression> variables, List<Expression> statements)
    {
        int count = body.NodeCount;
        var variant = new bool[count];
        var read = new bool[count];
        for (int i = 0; i < count; i++)
        {
            var n = body[i];
            variant[i] = (ReferenceEquals(n.Op, Primitives.Input) && n.Aux == 0) || IsStatement(n.Op);
            for (int j = 0; j < n.Arity; j++) variant[i] |= variant[n.Operand(j)];
        }
        for (int i = 0; i < count; i++)
        {
            var n = body[i];
            if (!variant[i]) continue;
            for (int j = 0; j < n.Arity; j++) read[n.Operand(j)] = true;
        }
        foreach (int o in body.Outputs) read[o] = true;
        // A value needed only under a condition is computed under it, in the loop (hoisted, it would run unguarded).
        var guards = ExecutionGuards.Compute(body, computedInOrder: true, out var weakened);
        var hoisted = new List<int>();
        for (int i = 0; i < count; i++)
        {
            var n = body[i];
            if (variant[i] || !read[i] || guards[i] is not null || weakened[i] || ReferenceEquals(n.Op, Primitives.Input) || ReferenceEquals(n.Op, Primitives.Constant)
                || ReferenceEquals(n.Op, Primitives.ConstantArray) || n.Kind is ValueKind.Array or ValueKind.Matrix) continue;
            hoisted.Add(i);
        }
        if (hoisted.Count == 0) return (body, parameters);

        var invariant = new GraphBuilder(body).Build(hoisted.ToArray(), body.ParameterNames);
        var (innerVariables, innerStatements, values) = Exporter.ExportState.ExportBody(invariant, parameters, prefix + "h", depth);
        variables.AddRange(innerVariables);
        statements.AddRange(innerStatements);
        var held = new Expression[hoisted.Count];
        for (int q = 0; q < held.Length; q++)
        {
            var v = Expression.Variable(values[q].Type, $"{prefix}held{q}");
            variables.Add(v);
            statements.Add(Expression.Assign(v, values[q]));
            held[q] = v;
        }

        var names = body.ParameterNames.Concat(hoisted.Select((_, q) => $"held{q}")).ToList();
        var builder = new GraphBuilder(names);
        var slot = hoisted.Select((node, q) => (node, q)).ToDictionary(t => t.node, t => t.q);
        var map = GraphCopier.Copy(body, builder, (p, index, kind) => builder.Input(p, index, kind),
            i => slot.TryGetValue(i, out int q) ? builder.Input(body.ParameterNames.Count + q, -1, body[i].Kind) : -1);
        var outputs = body.Outputs.ToArray().Select(o => map[o]).ToArray();
        return (builder.Build(outputs, names), parameters.Concat(held).ToArray());
    }
}
