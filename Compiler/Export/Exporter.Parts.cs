using System.Linq.Expressions;

namespace ExprDiff.Export;

// A derivative too large for one method is returned as a run of nested lambdas, each invoked once in order.
internal static partial class Exporter
{
    // Below this many statements (about 250,000 expression nodes: exported statements average about ten) one method is
    // left as it is: the JIT's unoptimized frame for it (about 1.5 bytes a node on a deep chain's gradient) stays well
    // inside a 1 MiB stack, and the printed derivative keeps its flat form.
    private const int MinimumStatementsToCut = 25_000;

    // Parts of about 6,000 nodes, which the JIT optimizes, up to a run whose optimization would take it minutes; beyond,
    // parts of about 40,000, which it compiles in its fast unoptimized mode (as the IL backend's MethodParts does).
    private const int StatementsPerPart = 600;
    private const int StatementsPerLargePart = 4_000;
    private const int LargeRunStatements = 100_000;

    /// <summary>
    /// <paramref name="body"/> as <c>((Action)(() =&gt; { … }))();</c> parts when it is too large for one method, else
    /// null. <see cref="LambdaExpression.Compile()"/> makes each nested lambda a method of its own, so no frame holds the
    /// whole run. Every variable stays the outer block's (the parts' closure), as in the flat form: the parts are cut by
    /// statement count, with no pass over the statements, which would cost a deep derivative's export a second; the
    /// price is that Compile() keeps the variables of such a derivative in closure boxes. The IL backend inlines the
    /// parts and cuts the run again to its own measure, with each value where it is used; the importer reads them as
    /// their bodies.
    /// </summary>
    private static Expression? InParts(IReadOnlyList<ParameterExpression> variables, List<Expression> body)
    {
        int statements = body.Count - 1; // the last is the value, left to the outer block
        if (statements < MinimumStatementsToCut) return null;
        int perPart = statements > LargeRunStatements ? StatementsPerLargePart : StatementsPerPart;
        var outer = new List<Expression>(statements / perPart + 2);
        for (int start = 0, p = 0; start < statements; start += perPart, p++)
        {
            int count = Math.Min(perPart, statements - start);
            // A builder filled to its capacity hands its array to the block: the statements are copied once.
            var statementsOfPart = new System.Runtime.CompilerServices.ReadOnlyCollectionBuilder<Expression>(count);
            for (int k = start; k < start + count; k++) statementsOfPart.Add(body[k]);
            var part = Expression.Lambda<Action>(Expression.Block(typeof(void), statementsOfPart), $"part{p}", []);
            outer.Add(Expression.Invoke(Expression.Convert(part, typeof(Action))));
        }
        outer.Add(body[^1]);
        return Expression.Block(variables, outer);
    }
}
