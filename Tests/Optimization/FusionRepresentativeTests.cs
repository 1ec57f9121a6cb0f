using ExprDiff.Graphs;
using ExprDiff.Optimization;
using ExprDiff.Rules;
using Xunit;

namespace ExprDiff.Tests.Optimization;

/// <summary>
/// The fusion pass on a graph that is not canonical (equal nodes not merged, as a graph made by hand or by a pass that
/// copies without hash-consing): two copies of one base are one base, so its powers form one family, fused once. Found
/// by the property Fusion_GrowsByAtMostOnePerFusedGroup: z read twice, powers 4 and 3 of one copy and 12 and 9 of the
/// other, fused into two PowInts of z where one holds all four.
/// </summary>
public sealed class FusionRepresentativeTests
{
    [Fact]
    public void Equal_bases_form_one_power_family()
    {
        static Node Input() => new(Primitives.Input, ValueKind.Double, -1, -1, -1, 2, -1, 0);
        static Node Pow(int a, int k) => new(Primitives.PowInt, ValueKind.Double, a, -1, -1, k, 0, 0);
        static Node Add(int a, int b) => new(Primitives.Add, ValueKind.Double, a, b, -1, 0, 0, 0);
        var nodes = new[] { Input(), Input(), Pow(0, 4), Pow(1, 9), Add(2, 3), Pow(1, 12), Add(4, 5), Pow(0, 3), Add(6, 7) };
        var graph = new Graph(nodes, [8], ["x", "y", "z"]);
        var fused = new FusionPass().Run(graph);
        int powInts = 0;
        foreach (ref readonly var n in fused.Nodes) if (ReferenceEquals(n.Op, Primitives.PowInts)) powInts++;
        Assert.Equal(1, powInts);
        foreach (double z in new[] { 0.7, -1.3, 2.0 })
        {
            object[] args = [0.0, 0.0, z];
            Assert.Equal(ExprDiff.Evaluation.Interpreter.Evaluate(graph, args)[0], ExprDiff.Evaluation.Interpreter.Evaluate(fused, args)[0]);
        }
    }
}
