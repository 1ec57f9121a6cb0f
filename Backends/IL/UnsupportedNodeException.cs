using System.Linq.Expressions;

namespace ExprDiff.Backends.IL;

/// <summary>A node the IL emitter does not compile; <see cref="ILBackend"/> falls back to <c>Expression.Compile()</c>.</summary>
internal sealed class UnsupportedNodeException(Expression node, string what) : Exception(what)
{
    public Expression Node { get; } = node;

    /// <summary>What was not compiled and where, for <see cref="ILCompilation{TDelegate}.FallbackReason"/>.</summary>
    public string Reason => $"the IL backend does not compile {Message} (a {Node.NodeType} node of type {Node.Type.Name})";
}
