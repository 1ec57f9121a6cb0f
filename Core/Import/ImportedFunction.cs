using System.Linq.Expressions;
using ExprDiff.Graphs;

namespace ExprDiff.Import;

/// <summary>How a lambda parameter enters the graph.</summary>
internal enum ParameterShape
{
    /// <summary>A <c>double</c>: one input.</summary>
    Scalar,
    /// <summary>An <c>int</c>: one input of kind Int32, never differentiated.</summary>
    Integer,
    /// <summary>A <c>double[]</c>: one input per element read.</summary>
    Array,
    /// <summary>A <c>double[,]</c>: data, read as a whole with computed indices.</summary>
    Matrix,
    /// <summary>An <c>int[]</c>: data, read with computed indices.</summary>
    IntArray,
    /// <summary>An <c>int[,]</c>: data, read with computed indices.</summary>
    IntMatrix,
    /// <summary>An <c>int[][]</c>: data, read with computed indices.</summary>
    IntJagged,
}

/// <summary>The length of a vector result: a fixed count, or the run-time length of an array parameter.</summary>
internal readonly record struct Extent(int Fixed, int OfParameter)
{
    public static Extent Of(int count) => new(count, -1);

    public static Extent LengthOf(int parameter) => new(0, parameter);

    public bool IsFixed => OfParameter < 0;
}

/// <summary>The shape of a function's result.</summary>
internal enum ResultShape
{
    Scalar,
    Vector,
    /// <summary>A double[] whose length is known only at run time (a tabulated loop): one array-valued output.</summary>
    ArrayOfComputedLength,
    Matrix,
}

/// <summary>A lambda imported into a graph builder: its parameters, its result's shape and the output nodes.</summary>
internal sealed class ImportedFunction
{
    public ImportedFunction(LambdaExpression source, GraphBuilder builder, IReadOnlyList<ParameterShape> parameters,
        ResultShape shape, int[] outputs, Extent rows, Extent columns)
    {
        Source = source;
        Builder = builder;
        Parameters = parameters;
        Shape = shape;
        Outputs = outputs;
        Rows = rows;
        Columns = columns;
    }

    public LambdaExpression Source { get; }

    public GraphBuilder Builder { get; }

    public IReadOnlyList<ParameterShape> Parameters { get; }

    public ResultShape Shape { get; }

    /// <summary>Output nodes: the scalar; a vector's first elements (any later ones are zero); a matrix row-major
    /// over its fixed extents.</summary>
    public int[] Outputs { get; }

    /// <summary>Length of a vector, rows of a matrix.</summary>
    public Extent Rows { get; }

    /// <summary>Columns of a matrix.</summary>
    public Extent Columns { get; }

    /// <summary>Array parameters whose elements the function reads at constant indices where its graph no longer shows
    /// them (terms rerolled into a loop): parameter → elements required.</summary>
    public IReadOnlyDictionary<int, int> ElementsRead { get; init; } = new Dictionary<int, int>();

    public Graph ToGraph() => Builder.Build(Outputs);
}
