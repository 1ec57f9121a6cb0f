using System.Diagnostics;
using ExprDiff.Rules;

namespace ExprDiff.Graphs;

/// <summary>
/// The only way nodes are made. It validates operands, folds constants, applies exact simplifications and
/// returns the existing index for a node equal to one already made (hash-consing, so structural common
/// subexpressions are shared for free). Append-only: derivative transforms add their nodes to the same
/// builder, which is what makes derivatives of derivatives work.
/// </summary>
internal sealed partial class GraphBuilder
{
    private NodeTable _nodes;
    private bool _released;
    private readonly bool _fold;
    private readonly bool _simplify;
    // Nodes copied in from a graph were not necessarily made by this builder's rules.
    private readonly bool _copied;

    /// <param name="fold">Fold nodes whose operands are all constants.</param>
    /// <param name="simplify">Apply each primitive's exact simplifications (x·1 → x, canonical operand order).</param>
    /// <param name="capacity">Nodes expected (a pass copying a graph knows), so the index need not grow.</param>
    public GraphBuilder(IReadOnlyList<string> parameterNames, bool fold = true, bool simplify = true, int capacity = 0)
    {
        _nodes = new NodeTable(capacity);
        ParameterNames = parameterNames;
        _fold = fold;
        _simplify = simplify;
    }

    /// <summary>A builder holding a copy of <paramref name="graph"/>'s nodes, same indices.</summary>
    public GraphBuilder(Graph graph, bool fold = true, bool simplify = true)
    {
        _nodes = new NodeTable(graph.NodeCount * 2);
        _fold = fold;
        _simplify = simplify;
        _copied = !graph.IsCanonical;
        ParameterNames = graph.ParameterNames;
        foreach (ref readonly var n in graph.Nodes) _nodes.Add(n);
    }

    public IReadOnlyList<string> ParameterNames { get; }

    /// <summary>Whether this builder folds constants.</summary>
    public bool Folds => _fold;

    /// <summary>Whether this builder applies the primitives' simplifications.</summary>
    public bool Simplifies => _simplify;

    public int Count => _nodes.Count;

    public ref readonly Node this[int index] => ref _nodes[index];

    public ValueKind KindOf(int index) => _nodes[index].Kind;

    public bool IsConstant(int index, out double value)
    {
        ref readonly var n = ref _nodes[index];
        value = n.Value;
        return ReferenceEquals(n.Op, Primitives.Constant);
    }

    public bool IsConstant(int index, double value) =>
        IsConstant(index, out var v) && BitConverter.DoubleToInt64Bits(v) == BitConverter.DoubleToInt64Bits(value);

    /// <summary>Makes (or finds) a node. Kind-generic primitives take the kind of their first numeric operand.</summary>
    public int Make(Primitive op, int a = -1, int b = -1, int c = -1, int aux = 0, int aux2 = 0, double value = 0, ValueKind? kind = null)
    {
        var k = kind ?? InferKind(op, a, b);
        var node = new Node(op, k, a, b, c, aux, aux2, value);
        // Validation and the constant test in one pass, each operand read once: every node of a derivative passes here.
        bool allConstant = CheckOperands(node);

        if (allConstant && _fold && op.IsFoldable && TryFold(node, out int folded))
            return folded;

        int simplified = _simplify ? op.Simplify(this, node) : -1;
        if (simplified >= 0)
        {
            Debug.Assert(_nodes[simplified].Kind == k, $"{op.Name} simplified to a node of another kind");
            return simplified;
        }
        return Intern(node);
    }

    private int InternNode(in Node node) => Intern(node);

    private void ValidateStructured(in Node node) => Validate(node);

    private int Intern(in Node node) => _released
        ? throw new InvalidOperationException("this builder's nodes were released after its last graph was built")
        : _nodes.Intern(node);

    /// <summary>Drops this builder's nodes once its last graph is built: callers up the stack still hold the builder
    /// (unoptimized code keeps every local alive to the end of its method), and a deep function's builder holds millions
    /// of nodes that would otherwise stay live while the graph is optimized and exported. The builder cannot be used
    /// afterwards.</summary>
    public void Release()
    {
        _nodes = new NodeTable();
        _released = true;
    }

    private ValueKind InferKind(Primitive op, int a, int b)
    {
        if (!op.IsKindGeneric) return op.ResultKind;
        // Select's first operand is its condition; its kind comes from the branches.
        int first = ReferenceEquals(op, Primitives.Select) ? b : a;
        return first >= 0 ? _nodes[first].Kind : ValueKind.Double;
    }

    /// <summary>As <see cref="Validate"/> for a node of fixed arity (no variadic operands); whether every operand is a
    /// constant (false for a leaf).</summary>
    private bool CheckOperands(in Node node)
    {
        int arity = node.Op.Arity;
        if (arity < 3 && (node.C != -1 || arity < 2 && node.B != -1 || arity < 1 && node.A != -1))
            throw new InvalidOperationException($"{node.Op.Name} takes {arity} operands.");
        bool allConstant = arity > 0;
        for (int i = 0; i < arity; i++)
        {
            int operand = i == 0 ? node.A : i == 1 ? node.B : node.C;
            if ((uint)operand >= (uint)_nodes.Count)
                throw new InvalidOperationException($"{node.Op.Name}: operand {i} ({operand}) does not name an earlier node.");
            ref readonly var o = ref _nodes[operand];
            var expected = node.Op.OperandKind(i, node);
            if (o.Kind != expected)
                throw new InvalidOperationException($"{node.Op.Name}: operand {i} is {o.Kind}, expected {expected}.");
            allConstant &= ReferenceEquals(o.Op, Primitives.Constant);
        }
        return allConstant;
    }

    private void Validate(in Node node)
    {
        for (int i = 0; i < Math.Max(3, node.Arity); i++)
        {
            int operand = node.Operand(i);
            if (i < node.Arity)
            {
                if (operand < 0 || operand >= _nodes.Count)
                    throw new InvalidOperationException($"{node.Op.Name}: operand {i} ({operand}) does not name an earlier node.");
                var expected = node.Op.OperandKind(i, node);
                if (_nodes[operand].Kind != expected)
                    throw new InvalidOperationException($"{node.Op.Name}: operand {i} is {_nodes[operand].Kind}, expected {expected}.");
            }
            else if (operand != -1)
            {
                throw new InvalidOperationException($"{node.Op.Name} takes {node.Arity} operands.");
            }
        }
    }

    private bool TryFold(in Node node, out int folded)
    {
        double a = node.A >= 0 ? _nodes[node.A].Value : 0;
        double b = node.B >= 0 ? _nodes[node.B].Value : 0;
        double c = node.C >= 0 ? _nodes[node.C].Value : 0;
        double v;
        try
        {
            v = node.Op.Evaluate(a, b, c, node);
        }
        catch (ArithmeticException)
        {
            // e.g. integer division by zero: keep the node so the program fails where C# would, at run time.
            folded = -1;
            return false;
        }
        catch (ArgumentException)
        {
            folded = -1;
            return false;
        }
        folded = Constant(v, node.Kind);
        return true;
    }

    /// <summary>Freezes the nodes reachable from <paramref name="outputs"/> into a graph, renumbered densely.</summary>
    public Graph Build(ReadOnlySpan<int> outputs) => Build(outputs, ParameterNames);

    /// <summary>As <see cref="Build(ReadOnlySpan{int})"/>, for a function whose parameters are
    /// <paramref name="parameterNames"/> (a derivative adds parameters such as v or u).</summary>
    public Graph Build(ReadOnlySpan<int> outputs, IReadOnlyList<string> parameterNames)
    {
        var live = new bool[_nodes.Count];
        foreach (int o in outputs) live[o] = true;
        int count = 0;
        for (int i = _nodes.Count - 1; i >= 0; i--)
        {
            if (!live[i]) continue;
            count++;
            ref readonly var n = ref _nodes[i];
            for (int j = 0; j < n.Arity; j++) live[n.Operand(j)] = true;
        }

        var map = new int[_nodes.Count];
        var kept = new Node[count];
        for (int i = 0, k = 0; i < _nodes.Count; i++)
        {
            if (!live[i]) { map[i] = -1; continue; }
            map[i] = k;
            kept[k++] = _nodes[i].Remap(map);
        }
        var outs = new int[outputs.Length];
        for (int i = 0; i < outs.Length; i++) outs[i] = map[outputs[i]];
        var graph = new Graph(kept, outs, parameterNames) { IsCanonical = _fold && _simplify && !_copied };
        GraphVerifier.DebugVerify(graph);
        return graph;
    }
}
