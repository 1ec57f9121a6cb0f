using System.Text;
using ExprDiff.Rules;

namespace ExprDiff.Graphs;

/// <summary>Prints graphs as C#-like text: a whole graph as one assignment per node, or one node as a nested
/// expression. Iterative: a million-deep graph prints without recursion.</summary>
internal static class GraphPrinter
{
    // Placeholders a primitive's Format is called with, to learn where its operands go.
    private static readonly string[] Holes = ["\u0001", "\u0002", "\u0003"];

    /// <summary>One line per node, <c>v7 = v3 * v5;</c>, then the outputs.</summary>
    public static string Print(Graph graph)
    {
        var sb = new StringBuilder();
        var inputName = InputNamer(graph.ParameterNames);
        for (int i = 0; i < graph.NodeCount; i++)
        {
            ref readonly var n = ref graph[i];
            var names = new string[n.Arity];
            for (int j = 0; j < n.Arity; j++) names[j] = "v" + n.Operand(j);
            var (text, _) = n.Op.Format(n, names, inputName);
            sb.Append(KindName(n.Kind)).Append(" v").Append(i).Append(" = ").Append(text).Append(";\n");
        }
        sb.Append("return ");
        for (int i = 0; i < graph.OutputCount; i++) sb.Append(i > 0 ? ", v" : "v").Append(graph.Outputs[i]);
        return sb.Append(";\n").ToString();
    }

    /// <summary>Node <paramref name="root"/> as a nested expression, cut at <paramref name="maxLength"/> characters.</summary>
    public static string Inline(Graph graph, int root, int maxLength = int.MaxValue) =>
        Inline(i => graph[i], graph.ParameterNames, root, maxLength);

    /// <inheritdoc cref="Inline(Graph, int, int)"/>
    public static string Inline(GraphBuilder builder, int root, int maxLength = int.MaxValue) =>
        Inline(i => builder[i], builder.ParameterNames, root, maxLength);

    private static string Inline(Func<int, Node> node, IReadOnlyList<string> parameterNames, int root, int maxLength)
    {
        var sb = new StringBuilder();
        var inputName = InputNamer(parameterNames);
        var stack = new Stack<(string? Literal, int Node, int Required)>();
        stack.Push((null, root, 0));
        while (stack.Count > 0 && sb.Length < maxLength)
        {
            var (literal, id, required) = stack.Pop();
            if (literal is not null) { sb.Append(literal); continue; }
            var n = node(id);
            if (n.Arity > Holes.Length) { sb.Append(n.Op.Name).Append("(...)"); continue; }
            var (template, precedence) = n.Op.Format(n, Holes.AsSpan(0, n.Arity), inputName);
            bool parens = precedence < required;
            if (parens) stack.Push((")", 0, 0));
            PushTemplate(stack, template, n);
            if (parens) stack.Push(("(", 0, 0));
        }
        if (sb.Length > maxLength || stack.Count > 0)
        {
            sb.Length = Math.Min(sb.Length, Math.Max(0, maxLength - 3));
            sb.Append("...");
        }
        return sb.ToString();
    }

    // Pushes the template's pieces in reverse so they pop in reading order.
    private static void PushTemplate(Stack<(string?, int, int)> stack, string template, in Node n)
    {
        var pieces = new List<(string?, int, int)>();
        int start = 0;
        for (int i = 0; i < template.Length; i++)
        {
            int hole = template[i] - 1;
            if (hole is < 0 or > 2) continue;
            if (i > start) pieces.Add((template[start..i], 0, 0));
            pieces.Add((null, n.Operand(hole), n.Op.OperandPrecedence(hole)));
            start = i + 1;
        }
        if (start < template.Length) pieces.Add((template[start..], 0, 0));
        for (int i = pieces.Count - 1; i >= 0; i--) stack.Push(pieces[i]);
    }

    private static Func<int, int, string> InputNamer(IReadOnlyList<string> names) => (p, index) =>
    {
        string name = p < names.Count ? names[p] : $"p{p}";
        return index >= 0 ? $"{name}[{index}]" : name;
    };

    private static string KindName(ValueKind kind) => kind switch
    {
        ValueKind.Int32 => "int",
        ValueKind.Boolean => "bool",
        ValueKind.IntArray => "int[]",
        ValueKind.IntMatrix => "int[,]",
        ValueKind.IntJagged => "int[][]",
        _ => "double",
    };
}
