using System.Linq.Expressions;

namespace ExprDiff.Export;

// A derivative too large for one method is returned as a run of nested lambdas, each invoked once in order.
internal static partial class Exporter
{
    // Below this many nodes one method is left as it is: the JIT's unoptimized frame for it (about 1.5 bytes a node on
    // a deep chain's gradient) stays well inside a 1 MiB stack, and the printed derivative keeps its flat form. Parts
    // cost the Compile() route a closure per call (the outer block's variables become shared boxes), so they are kept
    // for derivatives whose frame would otherwise threaten the stack.
    private const int MinimumNodesToCut = 250_000;

    // Parts the JIT optimizes, up to a size whose optimization would take it minutes; beyond, parts it compiles in its
    // fast unoptimized mode (see the IL backend's MethodParts). Frames stay bounded either way.
    private static readonly StatementParts.Budget PartBudget = new(Nodes: 6_000, References: 3_000);
    private static readonly StatementParts.Budget LargePartBudget = new(Nodes: 40_000, References: 20_000);

    /// <summary>
    /// <paramref name="body"/> as <c>((Action)(() =&gt; { … }))();</c> parts when it is too large for one method, else
    /// null. <see cref="LambdaExpression.Compile()"/> makes each nested lambda a method of its own; a value read by a
    /// later part stays a variable of the outer block (a closure's), every other one is a local of its part. The IL
    /// backend inlines such parts and cuts the run again to its own measure; the importer reads them as their bodies.
    /// </summary>
    private static Expression? InParts(IReadOnlyList<ParameterExpression> variables, List<Expression> body)
    {
        if (StatementParts.Cut(body, variables, nodes => nodes < MinimumNodesToCut ? null : nodes <= 1_000_000 ? PartBudget : LargePartBudget) is not { } plan) return null;
        // A variable of several parts is the outer block's, so each variable is declared once (the IL backend inlines
        // the parts into one scope); one part's alone is its local.
        var parts = new Dictionary<ParameterExpression, int>();
        foreach (var used in plan.Used)
            foreach (var v in used) parts[v] = parts.GetValueOrDefault(v) + 1;
        var outer = variables.Where(v => parts.GetValueOrDefault(v) > 1).ToList();
        var statements = new List<Expression>(plan.Parts.Count);
        for (int p = 0; p < plan.Parts.Count - 1; p++)
        {
            var (start, count) = plan.Parts[p];
            var locals = plan.Used[p].Where(v => parts[v] == 1).ToList();
            var part = Expression.Lambda<Action>(Expression.Block(typeof(void), locals, body.GetRange(start, count)), $"part{p}", []);
            statements.Add(Expression.Invoke(Expression.Convert(part, typeof(Action))));
        }
        statements.Add(body[^1]);
        return Expression.Block(outer, statements);
    }
}
