using System.Linq.Expressions;
using System.Reflection;

namespace ExprDiff.Backends.IL;

/// <summary>
/// Which variables hold spans when array parameters are given span types: the parameters themselves and every
/// <c>double[]</c> variable that is ever assigned a span (a loop writes a gradient through a local that names the
/// caller's buffer).
/// </summary>
/// <remarks>
/// The exporter reuses a variable once its value is dead, so one variable may hold a scratch array at one point and
/// the caller's buffer at another (a recorded trajectory, then the gradient). Such a variable is a span throughout,
/// and an array assigned to it is converted (<c>Span&lt;double&gt;.op_Implicit(double[])</c>): a span over an array
/// reads and writes the array's elements, so the program means the same. Where a variable meets a read-only span it
/// is read-only; a write through it is then refused by the emitter, and <see cref="Compiled"/> falls back to copies.
/// </remarks>
internal static class SpanVariables
{
    public static IReadOnlyDictionary<ParameterExpression, Type> Find(LambdaExpression lambda, Type[] parameterTypes)
    {
        var spans = new Dictionary<ParameterExpression, Type>();
        for (int i = 0; i < lambda.Parameters.Count; i++)
            if (parameterTypes[i] != lambda.Parameters[i].Type)
            {
                if (lambda.Parameters[i].Type != typeof(double[]) || !IsSpanType(parameterTypes[i]))
                    throw new ArgumentException($"parameter '{lambda.Parameters[i].Name}' of type {lambda.Parameters[i].Type.Name} cannot be passed as {parameterTypes[i].Name}");
                spans[lambda.Parameters[i]] = parameterTypes[i];
            }
        if (spans.Count == 0) return spans;
        var assignments = new AssignmentFinder();
        assignments.Visit(lambda.Body);
        // A fixed point over the assignments: a variable's type only ever widens (array, then Span, then ReadOnlySpan),
        // so this ends; chains of aliases are a few links long.
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var (target, source) in assignments.Assignments)
            {
                if (SpanTypeOf(source, spans) is not { } type) continue;
                var joined = spans.TryGetValue(target, out var had) ? Join(had, type) : type;
                if (joined != had) { spans[target] = joined; grew = true; }
            }
        }
        return spans;
    }

    public static bool IsSpanType(Type t) => t == typeof(Span<double>) || t == typeof(ReadOnlySpan<double>);

    /// <summary>The span type an expression evaluates to under <paramref name="spans"/>, or null for an array: a span
    /// variable, or a library call on spans whose span version returns a span (<see cref="SpanCalls"/>).</summary>
    public static Type? SpanTypeOf(Expression e, IReadOnlyDictionary<ParameterExpression, Type> spans) => e switch
    {
        ParameterExpression p => spans.TryGetValue(p, out var t) ? t : null,
        MethodCallExpression { Object: null } call when call.Arguments.Any(a => a is ParameterExpression p && spans.ContainsKey(p))
            => SpanCalls.Replacement(call.Method, ArgumentTypes(call.Arguments, spans))?.ReturnType is { } r && IsSpanType(r) ? r : null,
        _ => null,
    };

    public static Type[] ArgumentTypes(IReadOnlyList<Expression> arguments, IReadOnlyDictionary<ParameterExpression, Type> spans) =>
        arguments.Select(a => a is ParameterExpression p && spans.TryGetValue(p, out var t) ? t : a.Type).ToArray();

    // Read-only wins: a span that may name x must not be written through.
    private static Type Join(Type a, Type b) => a == typeof(ReadOnlySpan<double>) || b == typeof(ReadOnlySpan<double>) ? typeof(ReadOnlySpan<double>) : typeof(Span<double>);

    /// <summary>Converts an array or a span on the evaluation stack to <paramref name="target"/> (null when it cannot:
    /// a read-only span to a writable one).</summary>
    public static MethodInfo? Conversion(Type from, Type target)
    {
        if (from == target) return null;
        return target.GetMethods(BindingFlags.Public | BindingFlags.Static).Concat(from.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .FirstOrDefault(m => m.Name == "op_Implicit" && m.ReturnType == target && m.GetParameters() is [var only] && only.ParameterType == from);
    }

    private sealed class AssignmentFinder : ExpressionVisitor
    {
        public List<(ParameterExpression Target, Expression Source)> Assignments { get; } = new();

        // The visitor recurses; a tree too deep for this thread's stack is refused (Compiled then goes through arrays,
        // whose compiler is iterative) rather than overflowing it.
        public override Expression? Visit(Expression? node)
        {
            if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
                throw new UnsupportedNodeException(node!, "an expression nested too deep to look for span variables in");
            return base.Visit(node);
        }

        protected override Expression VisitBinary(BinaryExpression node)
        {
            if (node.NodeType == ExpressionType.Assign && node.Left is ParameterExpression t && t.Type == typeof(double[]))
                Assignments.Add((t, node.Right));
            return base.VisitBinary(node);
        }
    }
}
