using ExprDiff.Graphs;
using ExprDiff.Rules;
using Xunit;

namespace ExprDiff.Tests.Core;

/// <summary>The node table's pages double from 1,024 nodes to 65,536 and then stay at that size: every id must find its
/// own node across those boundaries, and hash-consing must find equal nodes wherever they were stored.</summary>
public sealed class NodeTableTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(1_024)]
    [InlineData(1_025)]
    [InlineData(130_047)]
    [InlineData(130_048)]
    [InlineData(130_049)]
    [InlineData(400_000)]
    public void Every_id_reads_back_its_node_and_equal_nodes_are_found(int count)
    {
        var table = new NodeTable();
        static Node Make(int k) => new(Primitives.Input, ValueKind.Double, -1, -1, -1, 0, k, 0);
        for (int k = 0; k < count; k++) Assert.Equal(k, table.Intern(Make(k)));
        Assert.Equal(count, table.Count);
        // Spot checks at and around each page boundary and at random ids.
        var ids = new List<int> { 0, count - 1 };
        for (int b = 1_024; b < count; b = b < 130_048 ? 2 * b + 1_024 : b + 65_536)
            ids.AddRange([b - 1, b, b + 1]);
        var random = new Random(7);
        for (int k = 0; k < 200; k++) ids.Add(random.Next(count));
        foreach (int id in ids.Where(i => i >= 0 && i < count))
        {
            Assert.Equal(id, table[id].Aux2);
            Assert.Equal(id, table.Intern(Make(id))); // found, not added again
        }
        Assert.Equal(count, table.Count);
    }
}
