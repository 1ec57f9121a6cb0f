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

    /// <summary>The index is split by each node's newest operand: nodes of one operand (a constant read by thousands), of
    /// many old operands, of variadic operands and of none must all be found again, and Add must append a duplicate
    /// without hiding the first. A reference dictionary checks every lookup.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Nodes_are_found_in_every_region_whatever_their_operands(int seed)
    {
        var table = new NodeTable();
        var reference = new Dictionary<(int, int, int, int), int>();
        var random = new Random(seed);
        for (int k = 0; k < 64; k++) Intern(new Node(Primitives.Input, ValueKind.Double, -1, -1, -1, 0, k, 0));
        for (int step = 0; step < 300_000; step++)
        {
            int count = table.Count;
            int a = random.Next(4) switch
            {
                0 => 0,                                    // one operand read by thousands of nodes
                1 => count - 1 - random.Next(Math.Min(count, 8)), // a recent one
                _ => random.Next(count),                  // any
            };
            int b = random.Next(3) == 0 ? -1 : random.Next(count);
            int aux = random.Next(3);
            Primitive op = b < 0 ? Primitives.Sin : Primitives.Add;
            Intern(new Node(op, ValueKind.Double, a, b, -1, aux, 0, 0));
            if (step % 1_000 == 0)
            {
                // Add appends an equal node as a new id; lookups keep finding the first.
                var copy = new Node(op, ValueKind.Double, a, b, -1, aux, 0, 0);
                int first = table.Intern(copy);
                int appended = table.Add(copy);
                Assert.Equal(table.Count - 1, appended);
                Assert.Equal(first, table.Intern(copy));
            }
        }
        // Everything again, in a random order: each is found, nothing is added.
        int before = table.Count;
        foreach (var ((a, b, aux, opCode), id) in reference.OrderBy(_ => random.Next()))
        {
            Primitive op = opCode == 0 ? Primitives.Input : opCode == 1 ? Primitives.Sin : Primitives.Add;
            var node = opCode == 0 ? new Node(op, ValueKind.Double, -1, -1, -1, 0, aux, 0) : new Node(op, ValueKind.Double, a, b, -1, aux, 0, 0);
            Assert.Equal(id, table.Intern(node));
        }
        Assert.Equal(before, table.Count);

        void Intern(in Node n)
        {
            int opCode = ReferenceEquals(n.Op, Primitives.Input) ? 0 : ReferenceEquals(n.Op, Primitives.Sin) ? 1 : 2;
            var key = (n.A, n.B, opCode == 0 ? n.Aux2 : n.Aux, opCode);
            int id = table.Intern(n);
            if (reference.TryGetValue(key, out int known)) Assert.Equal(known, id);
            else
            {
                Assert.Equal(table.Count - 1, id);
                reference[key] = id;
            }
        }
    }
}
