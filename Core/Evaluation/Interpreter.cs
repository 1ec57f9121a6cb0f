using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Evaluation;

/// <summary>
/// The reference evaluator: one loop over the nodes, each primitive's own <see cref="Primitive.Evaluate"/>.
/// Slow and obviously right; every pass and backend is tested against it.
/// </summary>
internal static class Interpreter
{
    /// <summary>Values of the graph's outputs. Each argument is a <see cref="double"/> for a scalar parameter,
    /// an <see cref="int"/> for an int parameter, or a <c>double[]</c> for an array parameter, in parameter order.
    /// An array-valued output is returned through <see cref="EvaluateOutputs"/>; here it reads as NaN.</summary>
    public static double[] Evaluate(Graph graph, params object[] arguments)
    {
        var e = Evaluator.Run(graph, arguments);
        var outputs = new double[graph.OutputCount];
        for (int i = 0; i < outputs.Length; i++)
            outputs[i] = graph[graph.Outputs[i]].Kind == ValueKind.Array ? double.NaN : e.Double(graph.Outputs[i]);
        return outputs;
    }

    /// <summary>The outputs as objects: a boxed double, int or bool, or a double[] for an array.</summary>
    public static object[] EvaluateOutputs(Graph graph, params object[] arguments)
    {
        var e = Evaluator.Run(graph, arguments);
        var outputs = new object[graph.OutputCount];
        for (int i = 0; i < outputs.Length; i++) outputs[i] = e.Boxed(graph.Outputs[i]);
        return outputs;
    }

    /// <summary>The value of every scalar node (arrays read as NaN).</summary>
    public static double[] EvaluateAll(Graph graph, params object[] arguments) => Evaluator.Run(graph, arguments).Values;
}

/// <summary>A structured primitive (array or loop) evaluated by the interpreter with access to every value.</summary>
internal interface IStructuredPrimitive
{
    void Evaluate(Evaluator evaluator, int node);
}

/// <summary>One evaluation of a graph: a double per node, plus the arrays of array-valued nodes.</summary>
internal sealed class Evaluator
{
    private readonly Graph _graph;
    private readonly double[] _values;
    private readonly object?[] _arrays;

    private Evaluator(Graph graph)
    {
        _graph = graph;
        _values = new double[graph.NodeCount];
        _arrays = new object?[graph.NodeCount];
    }

    public Graph Graph => _graph;

    public double[] Values => _values;

    public double Double(int node) => _values[node];

    public int Int(int node) => (int)_values[node];

    public double[] Array(int node) => _arrays[node] as double[] ?? throw new InvalidOperationException($"node v{node} holds no array.");

    public double[,] Matrix(int node) => _arrays[node] as double[,] ?? throw new InvalidOperationException($"node v{node} holds no matrix.");

    /// <summary>The object (an array of any kind) node <paramref name="node"/> holds, checked to be a <typeparamref name="T"/>.</summary>
    public T Object<T>(int node) where T : class =>
        _arrays[node] as T ?? throw new InvalidOperationException($"node v{node} holds no {typeof(T).Name}.");

    /// <summary>Stores an object value (integer data, a row of it, a captured array).</summary>
    public void SetObject(int node, object value)
    {
        _arrays[node] = value;
        _values[node] = double.NaN;
    }

    public void Set(int node, double value) => _values[node] = value;

    public void Set(int node, double[,] matrix)
    {
        _arrays[node] = matrix;
        _values[node] = double.NaN;
    }

    public void Set(int node, double[] array)
    {
        _arrays[node] = array;
        _values[node] = double.NaN;
    }

    public object Boxed(int node) => _graph[node].Kind switch
    {
        ValueKind.Array => Array(node),
        ValueKind.Matrix => Matrix(node),
        ValueKind.IntArray or ValueKind.IntMatrix or ValueKind.IntJagged => Object<object>(node),
        ValueKind.Int32 => Int(node),
        ValueKind.Boolean => _values[node] != 0,
        _ => _values[node],
    };

    public static Evaluator Run(Graph graph, object[] arguments)
    {
        var e = new Evaluator(graph);
        var nodes = graph.Nodes;
        for (int i = 0; i < nodes.Length; i++)
        {
            ref readonly var n = ref nodes[i];
            if (ReferenceEquals(n.Op, Primitives.Input)) e.ReadInput(i, n, arguments);
            else if (n.Op is IStructuredPrimitive s) s.Evaluate(e, i);
            else
                e._values[i] = n.Op.Evaluate(n.A >= 0 ? e._values[n.A] : 0, n.B >= 0 ? e._values[n.B] : 0, n.C >= 0 ? e._values[n.C] : 0, n);
        }
        return e;
    }

    /// <summary>Runs a loop body for iteration <paramref name="index"/> with the node's captured values.</summary>
    public Evaluator RunRegion(Region region, int index, in Node node, int firstCapture)
    {
        var args = new object[1 + region.CaptureCount];
        args[0] = index;
        for (int k = 0; k < region.CaptureCount; k++) args[1 + k] = Boxed(node.Operand(firstCapture + k));
        return Run(region.Body, args);
    }

    private void ReadInput(int i, in Node n, object[] arguments)
    {
        if (n.Aux >= arguments.Length)
            throw new ArgumentException($"the graph reads parameter {n.Aux} but only {arguments.Length} arguments were given.", nameof(arguments));
        object arg = arguments[n.Aux];
        string name = n.Aux < _graph.ParameterNames.Count ? _graph.ParameterNames[n.Aux] : $"p{n.Aux}";
        if (n.Aux2 < 0)
        {
            switch (n.Kind, arg)
            {
                case (ValueKind.Array, double[] whole): Set(i, whole); return;
                case (ValueKind.Matrix, double[,] matrix): _arrays[i] = matrix; _values[i] = double.NaN; return;
                case (ValueKind.IntArray, int[] ints): SetObject(i, ints); return;
                case (ValueKind.IntMatrix, int[,] ints2): SetObject(i, ints2); return;
                case (ValueKind.IntJagged, int[][] rows): SetObject(i, rows); return;
                case (ValueKind.Int32, int k): _values[i] = k; return;
                case (ValueKind.Double, double d): _values[i] = d; return;
                case (ValueKind.Double, int k): _values[i] = k; return;
                default: throw new ArgumentException($"argument {n.Aux} ('{name}') must be {n.Kind}, not {arg?.GetType().Name ?? "null"}.", nameof(arguments));
            }
        }
        if (arg is not double[] array)
            throw new ArgumentException($"argument {n.Aux} must be a double[].", nameof(arguments));
        if (n.Aux2 >= array.Length)
            throw new ArgumentException($"the function reads {name}[{n.Aux2}] but '{name}' has {array.Length} elements.", nameof(arguments));
        _values[i] = array[n.Aux2];
    }
}
