namespace ExprDiff.Graphs;

/// <summary>
/// The body of a structured node: a graph of its own, run once per iteration. Its parameter 0 is the
/// iteration index (an int); parameter 1 + k is the node's k-th captured value, an operand of the node in
/// the enclosing graph. Structured control flow (MLIR's scf.for, JAX's fori_loop) rather than gotos: a
/// derivative is another region, so code size does not grow with the trip count.
/// </summary>
internal sealed class Region
{
    public Region(Graph body, IReadOnlyList<ValueKind> captureKinds)
    {
        Body = body;
        CaptureKinds = captureKinds;
    }

    public Graph Body { get; }

    /// <summary>Kind of each captured value, in capture order.</summary>
    public IReadOnlyList<ValueKind> CaptureKinds { get; }

    public int CaptureCount => CaptureKinds.Count;
}
