using System.Linq.Expressions;
using ExprDiff.Graphs;

namespace ExprDiff.Export;

// Arrays that live for one loop iteration or one call, written as Intrinsics.Scratch so backends can reuse their buffers.
internal static partial class Exporter
{
    internal sealed partial class ExportState
    {
        /// <summary>
        /// The statement that builds array node <paramref name="node"/>, its arrays made <see cref="Intrinsics.Scratch"/>
        /// when the node is not an output: then the node's array, and every array built inside its loops (their
        /// iterations' arrays, whole arrays added into it), is dead before the statement runs again.
        /// </summary>
        private Expression ScratchArrays(int node, Expression statement)
        {
            if (_g[node].Kind != ValueKind.Array || InPlace is { } ip && ip.Node == node) return statement;
            _outputSet ??= new HashSet<int>(_g.Outputs.ToArray());
            return _outputSet.Contains(node) ? statement : ScratchRewriter.Instance.Visit(statement);
        }

        private HashSet<int>? _outputSet;

        /// <summary>Rewrites <c>new double[n]</c> as <c>Intrinsics.Scratch(n)</c>.</summary>
        private sealed class ScratchRewriter : ExpressionVisitor
        {
            public static readonly ScratchRewriter Instance = new();
            private static readonly System.Reflection.MethodInfo Scratch = typeof(Intrinsics).GetMethod(nameof(Intrinsics.Scratch))!;

            protected override Expression VisitNewArray(NewArrayExpression node) =>
                node.NodeType == ExpressionType.NewArrayBounds && node.Type == typeof(double[])
                    ? Expression.Call(Scratch, Visit(node.Expressions[0]))
                    : base.VisitNewArray(node);
        }
    }
}
