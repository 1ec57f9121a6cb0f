using System.Linq.Expressions;
using ExprDiff.Graphs;

namespace ExprDiff.Import;

/// <summary>An imported value: a node, or a reference to something that is not a number (an array, a
/// length, nothing).</summary>
internal readonly record struct Val(int Node, object? Reference)
{
    public static Val Of(int node) => new(node, null);

    public static Val Ref(object reference) => new(-1, reference);

    public static readonly Val Void = Ref(VoidValue.Instance);
}

internal sealed class VoidValue
{
    public static readonly VoidValue Instance = new();
}

/// <summary>The <c>double[]</c> parameter at position <paramref name="Parameter"/>.</summary>
internal sealed record ParameterArray(int Parameter);

/// <summary>An array-valued node of the current builder: an array parameter read with computed indices, or
/// a captured array inside a loop body. <paramref name="Parameter"/> is the root parameter it stands for, or −1.</summary>
internal sealed record ArrayNode(int Node, int Parameter);

/// <summary>A <c>double[,]</c> as a node of the current builder (a parameter, or one captured by a loop body).</summary>
internal sealed record MatrixNode(int Node);

/// <summary>Integer data (<c>int[]</c>, <c>int[,]</c>, <c>int[][]</c>) as a node of the current builder: a parameter, a
/// captured variable, a row of a jagged array, or one captured by a loop body.</summary>
internal sealed record DataNode(int Node, ValueKind Kind);

/// <summary><c>Enumerable.Range(start, count)</c>, waiting for the reduction that consumes it.</summary>
internal sealed record RangeValue(int Start, int Count);

/// <summary><c>source.Select(selector)</c>: a range or an array mapped by a lambda, waiting for its reduction.</summary>
internal sealed record MappedValue(object Source, LambdaExpression Selector);

/// <summary>An array made inside the function (a result being filled in): its extents and the nodes
/// written to its elements; elements never written are zero.</summary>
internal sealed class LocalArray
{
    private readonly Dictionary<(int, int), int> _elements = new();

    public LocalArray(Extent[] dimensions) => Dimensions = dimensions;

    public Extent[] Dimensions { get; }

    public int Rank => Dimensions.Length;

    public void Write(int i, int j, int node) => _elements[(i, j)] = node;

    /// <summary>The elements written so far, for an if statement that imports each branch from the same start.</summary>
    public Dictionary<(int, int), int> Snapshot() => new(_elements);

    public void Restore(Dictionary<(int, int), int> snapshot)
    {
        _elements.Clear();
        foreach (var (k, v) in snapshot) _elements[k] = v;
    }

    /// <summary>The (row, column) of every element written so far.</summary>
    public IEnumerable<(int, int)> Written => _elements.Keys;

    public int Read(GraphBuilder b, int i, int j) => _elements.TryGetValue((i, j), out int n) ? n : b.Constant(0);

    public int MaxIndex(int dimension) =>
        _elements.Keys.Select(k => dimension == 0 ? k.Item1 : k.Item2).DefaultIfEmpty(-1).Max();

    public bool InBounds(int dimension, int index) =>
        index >= 0 && (!Dimensions[dimension].IsFixed || index < Dimensions[dimension].Fixed);
}

/// <summary><c>new double[n]</c> with n known only at run time: zeros until a loop writes its elements.</summary>
internal sealed record FreshArray(int Length);

/// <summary>An array a loop body writes at computed indices (<c>a[i] = …</c>, <c>a[k] += …</c>): the body records its
/// (index, value) pairs, which become a scatter loop; it cannot read the array while writing it.</summary>
internal sealed class WriteOnlyArray(string? name)
{
    public string? Name { get; } = name;

    /// <summary>Each write: its index and value, and whether it assigns (=) rather than accumulates (+=).</summary>
    public List<(int Index, int Value, bool Assigns)> Writes { get; } = new();
}
