using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Optimization;

/// <summary>One optimization pass: a pure function from a graph to an equivalent graph. A pass returns its
/// input instance when it changes nothing.</summary>
internal abstract class GraphPass
{
    public abstract string Name { get; }

    public abstract Graph Run(Graph graph);
}

/// <summary>
/// A pass that copies the graph node by node, in order, into a fresh builder, giving each node the chance to
/// be rewritten in terms of its already-copied operands. The builder hash-conses, so a rewrite that makes
/// a node equal to another merges them, and only what the outputs need is kept.
/// </summary>
internal abstract class RewritePass : GraphPass
{
    /// <summary>Whether the fresh builder folds constants.</summary>
    protected virtual bool Fold => false;

    /// <summary>Whether the fresh builder applies the primitives' exact simplifications.</summary>
    protected virtual bool Simplify => false;

    /// <summary>True when the pass certainly changes nothing in <paramref name="graph"/>, so the copy is skipped.</summary>
    protected virtual bool NothingToDo(Graph graph) => false;

    /// <summary>Called before the copy, e.g. to count uses.</summary>
    protected virtual void Prepare(Graph graph) { }

    /// <summary>State set by <see cref="Prepare"/>, saved across the copy of a loop body (the pass recurses into it).</summary>
    protected virtual object? SaveState() => null;

    protected virtual void RestoreState(object? state) { }

    /// <summary>The rewritten graph made without a builder, where the pass can (after <see cref="Prepare"/>); null to copy
    /// through a builder. A builder hashes every node to merge equal ones: on a graph of millions of nodes where the
    /// rewrite cannot make two nodes equal, that is a second copy of the graph and a hash table for nothing.</summary>
    protected virtual Graph? RunWithoutBuilder(Graph graph) => null;

    /// <summary>The node replacing <paramref name="node"/>, built from its copied operands; the default copies it.</summary>
    protected virtual int Rewrite(GraphBuilder b, in Node node, ReadOnlySpan<int> operands) => Copy(b, node, operands);

    // Loop bodies are graphs of their own with their own history: a pass always looks inside them.
    protected static bool HasRegions(Graph graph)
    {
        foreach (ref readonly var n in graph.Nodes) if (n.Region is not null) return true;
        return false;
    }

    protected int Copy(GraphBuilder b, in Node n, ReadOnlySpan<int> operands) => n.Payload is not null
        ? b.PayloadLeaf(n)
        : n.Args is not null
        ? b.MakeStructured(n.Op, n.Kind, operands.ToArray(), OptimizeBody(n.Region), n.Aux)
        : b.Make(n.Op, n.Arity > 0 ? operands[0] : -1, n.Arity > 1 ? operands[1] : -1, n.Arity > 2 ? operands[2] : -1,
            n.Aux, n.Aux2, n.Value, n.Kind);

    // A loop body is a graph of its own: the same pass runs on it, so loops are optimized like straight-line code.
    // Once per body: loops that share a body (a scan and the recording of its trajectory) keep sharing it.
    private Region? OptimizeBody(Region? region)
    {
        if (region is null) return null;
        if (_bodies.TryGetValue(region, out var done)) return done;
        var body = Run(region.Body);
        return _bodies[region] = ReferenceEquals(body, region.Body) ? region : new Region(body, region.CaptureKinds);
    }

    private readonly Dictionary<Region, Region> _bodies = new(ReferenceEqualityComparer.Instance);

    public sealed override Graph Run(Graph graph)
    {
        var saved = SaveState();
        try { return RunOn(graph); }
        finally { RestoreState(saved); }
    }

    private Graph RunOn(Graph graph)
    {
        if (NothingToDo(graph)) return graph;
        Prepare(graph);
        if (RunWithoutBuilder(graph) is { } direct) return direct;
        var b = new GraphBuilder(graph.ParameterNames, Fold, Simplify, graph.NodeCount);
        var map = new int[graph.NodeCount];
        Span<int> small = stackalloc int[3];
        for (int i = 0; i < graph.NodeCount; i++)
        {
            ref readonly var n = ref graph[i];
            Span<int> operands = n.Arity <= 3 ? small[..n.Arity] : new int[n.Arity];
            for (int j = 0; j < n.Arity; j++) operands[j] = map[n.Operand(j)];
            map[i] = Rewrite(b, n, operands);
        }
        var outputs = new int[graph.OutputCount];
        for (int k = 0; k < outputs.Length; k++) outputs[k] = map[graph.Outputs[k]];
        var result = b.Build(outputs);
        return SameAs(result, graph) ? graph : result;
    }

    private static bool SameAs(Graph a, Graph b)
    {
        if (a.NodeCount != b.NodeCount || !a.Outputs.SequenceEqual(b.Outputs)) return false;
        for (int i = 0; i < a.NodeCount; i++)
            if (NodeKey.Of(a[i]) != NodeKey.Of(b[i])) return false;
        return true;
    }
}
