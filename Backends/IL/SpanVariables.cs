using System.Linq.Expressions;

namespace ExprDiff.Backends.IL;

/// <summary>
/// Which variables hold spans when array parameters are given span types: the parameters themselves and every
/// variable assigned from one (a loop writes a gradient through a local that names the caller's buffer).
/// </summary>
internal static class SpanVariables
{
    public static IReadOnlyDictionary<ParameterExpression, Type> Find(LambdaExpression lambda, Type[] parameterTypes)
    {
        var spans = new Dictionary<ParameterExpression, Type>();
        for (int i = 0; i < lambda.Parameters.Count; i++)
            if (parameterTypes[i] != lambda.Parameters[i].Type)
            {
                if (lambda.Parameters[i].Type != typeof(double[]) || (parameterTypes[i] != typeof(Span<double>) && parameterTypes[i] != typeof(ReadOnlySpan<double>)))
                    throw new ArgumentException($"parameter '{lambda.Parameters[i].Name}' of type {lambda.Parameters[i].Type.Name} cannot be passed as {parameterTypes[i].Name}");
                spans[lambda.Parameters[i]] = parameterTypes[i];
            }
        if (spans.Count == 0) return spans;
        var assignments = new AssignmentFinder();
        assignments.Visit(lambda.Body);
        // Aliases of aliases: repeat until nothing new (the chains are a few links long).
        for (bool grew = true; grew;)
        {
            grew = false;
            foreach (var (target, source) in assignments.Aliases)
                if (spans.TryGetValue(source, out var type) && !spans.ContainsKey(target)) { spans[target] = type; grew = true; }
        }
        return spans;
    }

    private sealed class AssignmentFinder : ExpressionVisitor
    {
        public List<(ParameterExpression Target, ParameterExpression Source)> Aliases { get; } = new();

        protected override Expression VisitBinary(BinaryExpression node)
        {
            if (node.NodeType == ExpressionType.Assign && node.Left is ParameterExpression t && node.Right is ParameterExpression s)
                Aliases.Add((t, s));
            return base.VisitBinary(node);
        }
    }
}
