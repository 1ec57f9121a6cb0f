using System.Linq.Expressions;
using System.Reflection;

namespace ExprDiff.Export;

// Argument checks that a result buffer shares no memory with another array argument.
internal static partial class Exporter
{
    private static readonly MethodInfo RequireDistinct = typeof(Intrinsics).GetMethod(nameof(Intrinsics.RequireDistinct))!;

    internal sealed partial class ExportState
    {
        /// <summary>The result buffer against every other <c>double[]</c> parameter (inputs, directions, data): the derivative
        /// writes it while it still reads them, so <c>vg(x, x)</c> would be silently wrong. Inputs may alias each other.</summary>
        private IEnumerable<Expression> DistinctBuffers(ResultLayout layout)
        {
            int? target = layout switch { WriteArrayLayout wa => wa.Target, WriteLayout w => w.Target, _ => null };
            if (target is not { } t) yield break;
            for (int p = 0; p < _parameters.Count; p++)
                if (p != t && _parameters[p].Type == typeof(double[]))
                    yield return Expression.Call(RequireDistinct, _parameters[t], _parameters[p], Expression.Constant(Name(t)), Expression.Constant(Name(p)));
        }
    }
}
