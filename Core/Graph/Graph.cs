using ExprDiff.Printing;

namespace ExprDiff.Graphs;

/// <summary>
/// An immutable, hash-consed, topologically ordered list of nodes with designated outputs. Inputs are
/// <see cref="Rules.Primitives.Input"/> nodes naming a lambda parameter and, for arrays, an element.
/// </summary>
internal sealed class Graph
{
    private readonly Node[] _nodes;
    private readonly int[] _outputs;

    internal Graph(Node[] nodes, int[] outputs, IReadOnlyList<string> parameterNames)
    {
        _nodes = nodes;
        _outputs = outputs;
        ParameterNames = parameterNames;
    }

    public ReadOnlySpan<Node> Nodes => _nodes;

    public ReadOnlySpan<int> Outputs => _outputs;

    public int NodeCount => _nodes.Length;

    public int OutputCount => _outputs.Length;

    /// <summary>True when every node was made by a builder that folds and simplifies: then folding,
    /// simplification and common-subexpression passes have nothing left to do (each node was already
    /// rewritten as far as its operands allow, and operands never change).</summary>
    public bool IsCanonical { get; init; }

    /// <summary>Names of the lambda parameters the inputs refer to, for printing and messages.</summary>
    public IReadOnlyList<string> ParameterNames { get; }

    public ref readonly Node this[int index] => ref _nodes[index];

    public override string ToString() => GraphPrinter.Print(this);
}
