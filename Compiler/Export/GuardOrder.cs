using ExprDiff.Graphs;

namespace ExprDiff.Export;

/// <summary>
/// Renumbers a graph (and its loop bodies) so that every condition a node is guarded by comes before the node: the
/// exporter writes a guarded node as <c>if (guard) v = …;</c> where the node is, and the guard must be computed by then.
/// Graphs are built operand-first, so a condition usually is earlier already; a derivative can add a branch's value
/// before the condition that selects it (hash-consing finds it earlier), and then the graph is reordered. The order is
/// otherwise kept (smallest index first), so the common case returns the same graph object.
/// </summary>
internal static class GuardOrder
{
    public static Graph Apply(Graph graph) => Apply(graph, new Dictionary<Region, Region>(ReferenceEqualityComparer.Instance));

    private static Graph Apply(Graph graph, Dictionary<Region, Region> done)
    {
        Node[]? nodes = null;
        for (int i = 0; i < graph.NodeCount; i++)
        {
            var n = graph[i];
            if (n.Region is null) continue;
            if (!done.TryGetValue(n.Region, out var region))
            {
                var body = Apply(n.Region.Body, done);
                region = ReferenceEquals(body, n.Region.Body) ? n.Region : new Region(body, n.Region.CaptureKinds);
                done[n.Region] = region;
            }
            if (ReferenceEquals(region, n.Region)) continue;
            nodes ??= graph.Nodes.ToArray();
            nodes[i] = new Node(n.Op, n.Kind, n.A, n.B, n.C, n.Aux, n.Aux2, n.Value, n.Args, region, n.Payload);
        }
        if (nodes is not null) graph = new Graph(nodes, graph.Outputs.ToArray(), graph.ParameterNames) { IsCanonical = graph.IsCanonical };

        if (!ExecutionGuards.HasConditions(graph)) return graph;
        var guards = ExecutionGuards.Compute(graph);
        bool ordered = true;
        for (int i = 0; i < guards.Length && ordered; i++)
            if (guards[i] is { } g)
                foreach (int c in g.Literals)
                    if (c > i) { ordered = false; break; }
        return ordered ? graph : Reorder(graph, guards);
    }

    // Kahn's algorithm over operands and guard literals, smallest original index first.
    private static Graph Reorder(Graph graph, Guard?[] guards)
    {
        int count = graph.NodeCount;
        var waiting = new int[count];
        var users = new List<int>[count];
        void Edge(int from, int to)
        {
            (users[from] ??= new List<int>()).Add(to);
            waiting[to]++;
        }
        for (int i = 0; i < count; i++)
        {
            var n = graph[i];
            for (int j = 0; j < n.Arity; j++) Edge(n.Operand(j), i);
            if (guards[i] is { } g)
                foreach (int c in g.Literals) Edge(c, i);
        }
        var ready = new PriorityQueue<int, int>();
        for (int i = 0; i < count; i++) if (waiting[i] == 0) ready.Enqueue(i, i);
        var map = new int[count];
        var placed = new bool[count];
        var order = new List<int>(count);
        int next = 0; // every node before this one is placed
        while (order.Count < count)
        {
            if (!ready.TryDequeue(out int i, out _))
            {
                // A cycle through a guard: a value needed both to decide a condition and in a branch the condition
                // selects. The earliest node still waiting goes first (its operands are placed: they come before it);
                // its guard is then cut before the later condition (ExecutionGuards, computedInOrder).
                while (placed[next]) next++;
                i = next;
                waiting[i] = 0;
            }
            else if (placed[i]) continue;
            placed[i] = true;
            map[i] = order.Count;
            order.Add(i);
            if (users[i] is null) continue;
            foreach (int u in users[i])
                if (!placed[u] && --waiting[u] == 0) ready.Enqueue(u, u);
        }
        var nodes = new Node[count];
        for (int k = 0; k < count; k++) nodes[k] = graph[order[k]].Remap(map);
        var outputs = graph.Outputs.ToArray().Select(o => map[o]).ToArray();
        return new Graph(nodes, outputs, graph.ParameterNames) { IsCanonical = graph.IsCanonical };
    }
}
