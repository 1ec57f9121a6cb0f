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

/// <summary>
/// One evaluation of a graph: a double per node, plus the arrays of array-valued nodes. Demand-driven: a node is
/// computed when something asks for it, a select computes its condition and then only the branch taken, and
/// <c>&amp;&amp;</c>/<c>||</c> stop at the left operand when it decides, as C# does: the branch not taken reads no array,
/// divides no integer and calls no function. An explicit stack, not recursion, so a million-deep graph evaluates.
/// </summary>
internal sealed class Evaluator
{
    private readonly Graph _graph;
    private readonly object[] _arguments;
    private readonly double[] _values;
    private readonly object?[] _arrays;
    private readonly bool[] _done;
    private Stack<int>? _stack;

    private Evaluator(Graph graph, object[] arguments)
    {
        _graph = graph;
        _arguments = arguments;
        _values = new double[graph.NodeCount];
        _arrays = new object?[graph.NodeCount];
        _done = new bool[graph.NodeCount];
    }

    public Graph Graph => _graph;

    /// <summary>Every node's value, computing each one (untaken branches too: for graphs that may compute them all).</summary>
    public double[] Values
    {
        get
        {
            for (int i = 0; i < _values.Length; i++) Ensure(i);
            return _values;
        }
    }

    public double Double(int node) { Ensure(node); return _values[node]; }

    public int Int(int node) { Ensure(node); return (int)_values[node]; }

    public bool Bool(int node) { Ensure(node); return _values[node] != 0; }

    public double[] Array(int node)
    {
        Ensure(node);
        return _arrays[node] as double[] ?? throw new InvalidOperationException($"node v{node} holds no array.");
    }

    public double[,] Matrix(int node)
    {
        Ensure(node);
        return _arrays[node] as double[,] ?? throw new InvalidOperationException($"node v{node} holds no matrix.");
    }

    /// <summary>The object (an array of any kind) node <paramref name="node"/> holds, checked to be a <typeparamref name="T"/>.</summary>
    public T Object<T>(int node) where T : class
    {
        Ensure(node);
        return _arrays[node] as T ?? throw new InvalidOperationException($"node v{node} holds no {typeof(T).Name}.");
    }

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
        ValueKind.Boolean => Bool(node),
        _ => Double(node),
    };

    /// <summary>An evaluation of <paramref name="graph"/> with these arguments; nodes are computed as they are asked for.</summary>
    public static Evaluator Run(Graph graph, object[] arguments) => new(graph, arguments);

    /// <summary>Runs a loop body for iteration <paramref name="index"/> with the node's captured values.</summary>
    public Evaluator RunRegion(Region region, int index, in Node node, int firstCapture)
    {
        var args = new object[1 + region.CaptureCount];
        args[0] = index;
        for (int k = 0; k < region.CaptureCount; k++) args[1 + k] = Boxed(node.Operand(firstCapture + k));
        return Run(region.Body, args);
    }

    private void Ensure(int root)
    {
        if (_done[root]) return;
        var stack = _stack ??= new Stack<int>();
        int bottom = stack.Count;
        stack.Push(root);
        while (stack.Count > bottom)
        {
            int i = stack.Peek();
            if (_done[i]) { stack.Pop(); continue; }
            ref readonly var n = ref _graph[i];
            int pending = Pending(n);
            if (pending >= 0) { stack.Push(pending); continue; }
            Compute(i, n);
            _done[i] = true;
            stack.Pop();
        }
    }

    // The next operand node i needs before it can be computed, or −1 when it is ready.
    private int Pending(in Node n)
    {
        if (ReferenceEquals(n.Op, Primitives.Select))
        {
            if (!_done[n.A]) return n.A;
            int taken = _values[n.A] != 0 ? n.B : n.C;
            return _done[taken] ? -1 : taken;
        }
        if (n.Op is LogicalPrimitive)
        {
            if (!_done[n.A]) return n.A;
            bool decided = ReferenceEquals(n.Op, Primitives.And) ? _values[n.A] == 0 : _values[n.A] != 0;
            return decided || _done[n.B] ? -1 : n.B;
        }
        for (int j = 0; j < n.Arity; j++)
            if (!_done[n.Operand(j)]) return n.Operand(j);
        return -1;
    }

    private void Compute(int i, in Node n)
    {
        if (ReferenceEquals(n.Op, Primitives.Input)) ReadInput(i, n, _arguments);
        else if (ReferenceEquals(n.Op, Primitives.Select))
        {
            int taken = _values[n.A] != 0 ? n.B : n.C;
            _values[i] = _values[taken];
            _arrays[i] = _arrays[taken];
        }
        else if (n.Op is LogicalPrimitive)
        {
            bool decided = ReferenceEquals(n.Op, Primitives.And) ? _values[n.A] == 0 : _values[n.A] != 0;
            _values[i] = decided ? _values[n.A] : _values[n.B];
        }
        else if (n.Op is IStructuredPrimitive s) s.Evaluate(this, i);
        else
            _values[i] = n.Op.Evaluate(n.A >= 0 ? _values[n.A] : 0, n.B >= 0 ? _values[n.B] : 0, n.C >= 0 ? _values[n.C] : 0, n);
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
