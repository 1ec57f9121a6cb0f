using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Evaluation;

/// <summary>
/// The reference evaluator: one loop over the nodes, each primitive's own <see cref="Primitive.Evaluate"/>.
/// Slow and obviously right; every pass and backend is tested against it.
/// </summary>
internal static class Interpreter
{
    /// <summary>Values of the graph's outputs. Each argument is a <see cref="double"/> for a scalar parameter
    /// or a <c>double[]</c> for an array parameter, in parameter order.</summary>
    public static double[] Evaluate(Graph graph, params object[] arguments)
    {
        var values = EvaluateAll(graph, arguments);
        var outputs = new double[graph.OutputCount];
        for (int i = 0; i < outputs.Length; i++) outputs[i] = values[graph.Outputs[i]];
        return outputs;
    }

    /// <summary>The value of every node.</summary>
    public static double[] EvaluateAll(Graph graph, params object[] arguments)
    {
        var nodes = graph.Nodes;
        var v = new double[nodes.Length];
        for (int i = 0; i < nodes.Length; i++)
        {
            ref readonly var n = ref nodes[i];
            v[i] = ReferenceEquals(n.Op, Primitives.Input)
                ? ReadInput(graph, n, arguments)
                : n.Op.Evaluate(n.A >= 0 ? v[n.A] : 0, n.B >= 0 ? v[n.B] : 0, n.C >= 0 ? v[n.C] : 0, n);
        }
        return v;
    }

    private static double ReadInput(Graph graph, in Node n, object[] arguments)
    {
        if (n.Aux >= arguments.Length)
            throw new ArgumentException($"the graph reads parameter {n.Aux} but only {arguments.Length} arguments were given.", nameof(arguments));
        object arg = arguments[n.Aux];
        if (n.Aux2 < 0)
            return arg switch
            {
                double d => d,
                int k => k,
                _ => throw new ArgumentException($"argument {n.Aux} must be a double.", nameof(arguments)),
            };
        if (arg is not double[] array)
            throw new ArgumentException($"argument {n.Aux} must be a double[].", nameof(arguments));
        if (n.Aux2 >= array.Length)
        {
            string name = n.Aux < graph.ParameterNames.Count ? graph.ParameterNames[n.Aux] : $"p{n.Aux}";
            throw new ArgumentException($"the function reads {name}[{n.Aux2}] but '{name}' has {array.Length} elements.", nameof(arguments));
        }
        return array[n.Aux2];
    }
}
