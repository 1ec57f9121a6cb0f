using System.Linq.Expressions;

namespace ExprDiff.Export;

internal static partial class Exporter
{
    internal sealed partial class ExportState
    {
        /// <summary>Writes a loop's scalar result (a sum, a carried loop's state) to its destinations right after the loop,
        /// as <see cref="EmitScalar"/> does for other nodes: the result layout skips elements that are sunk, so a loop
        /// output of a <see cref="WriteLayout"/> (a Jvp into a buffer whose outputs are sums) would otherwise never be
        /// written.</summary>
        private void SinkLoopResult(int node, List<Expression> statements)
        {
            if (!_sinks.TryGetValue(node, out var targets) || _expr[node] is not { } value) return;
            foreach (var target in targets) statements.Add(Expression.Assign(target, value));
        }
    }
}
