using System.Linq.Expressions;
using ExprDiff.Evaluation;
using ExprDiff.Graphs;
using ExprDiff.Optimization;
using ExprDiff.Rules;
using ExprDiff.Transforms;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace ExprDiff.Tests.Optimization;

/// <summary>
/// The fusion pass writes a canonical graph's fused node array directly instead of copying it through a builder (a
/// derivative of a deep expression has millions of nodes). Both ways must give the very same graph: same nodes, same
/// order, same outputs, so exported code does not change.
/// </summary>
public sealed class FusionWithoutBuilderTests
{
    private static Graph Direct(Graph g) => new FusionPass().Run(g);

    private static Graph ThroughBuilder(Graph g) => new FusionPass { Direct = false }.Run(g);

    private static bool Same(Graph a, Graph b)
    {
        if (a.NodeCount != b.NodeCount || !a.Outputs.SequenceEqual(b.Outputs)) return false;
        for (int i = 0; i < a.NodeCount; i++)
            if (NodeKey.Of(a[i]) != NodeKey.Of(b[i]) || a[i].Kind != b[i].Kind) return false;
        return true;
    }

    private static int Count(Graph g, Primitive op)
    {
        int count = 0;
        foreach (ref readonly var n in g.Nodes) if (ReferenceEquals(n.Op, op)) count++;
        return count;
    }

    // Simplification makes the graph canonical (the direct way's precondition); with duplicates and dead nodes in the
    // recipe, some canonical graphs still hold dead nodes, where the pass falls back to the builder.
    [Property(MaxTest = 300)]
    public Property Direct_fusion_equals_the_copy_through_a_builder() =>
        Prop.ForAll(RandomGraphs.CasesWithDuplicates, c =>
        {
            var canonical = new AlgebraicSimplificationPass().Run(c.Graph);
            return Same(Direct(canonical), ThroughBuilder(canonical));
        });

    public static TheoryData<string> Functions => new() { "chain", "powers", "both" };

    [Theory]
    [MemberData(nameof(Functions))]
    public void Gradients_fuse_the_same_either_way_and_keep_their_values(string name)
    {
        Expression<Func<double[], double>> f = name switch
        {
            "chain" => x => Math.Sin(Math.Sin(Math.Sin(x[0]) * 0.5 + x[1]) * 0.5 + x[0]) * Math.Cos(x[1]),
            "powers" => x => 4 * (Math.Pow(x[0] * x[0] + x[1] * x[1], -6) - Math.Pow(x[0] * x[0] + x[1] * x[1], -3)),
            _ => x => Math.Pow(Math.Sin(x[0]) + 2, -5) * Math.Cos(x[0]) + Math.Pow(Math.Sin(x[0]) + 2, 3),
        };
        // Powers stay PowInt nodes (which the pass fuses into PowInts) only when correctly rounded; by default they
        // import as multiplication chains.
        var p = DiffProblem.Create(f, new DiffOptions { IntegerPowers = IntegerPowerMode.CorrectlyRounded }, "test");
        var grads = ReverseMode.Vjp(p.Context, [p.Function.Outputs[0]], [p.Builder.Constant(1)], p.Wrt).Select(p.Materialize).ToArray();
        var graph = p.Builder.Build(grads);
        Assert.True(graph.IsCanonical);

        var direct = Direct(graph);
        Assert.NotSame(graph, direct);
        Assert.True(Same(direct, ThroughBuilder(graph)));
        Assert.True(Count(direct, Primitives.SinCos) + Count(direct, Primitives.PowInts) > 0);
        GraphVerifier.Verify(direct);
        foreach (var x in new[] { new[] { 0.3, -1.2 }, new[] { 1.7, 0.4 } })
        {
            var expected = Interpreter.Evaluate(graph, (object)x);
            var actual = Interpreter.Evaluate(direct, (object)x);
            for (int k = 0; k < expected.Length; k++)
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected[k]), BitConverter.DoubleToInt64Bits(actual[k]));
        }
    }
}
