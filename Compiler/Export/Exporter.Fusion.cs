using System.Linq.Expressions;
using System.Reflection;
using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Export;

// Which sums run in one loop with which scatters, and where; and the JIT workaround for Math.Min.
internal static partial class Exporter
{
    internal sealed partial class ExportState
    {
        /// <summary>For <c>Math.Min(a, -0.0)</c> (either order), the position of a; else null.</summary>
        private int? MinOfNegativeZero(in Node n)
        {
            if (!ReferenceEquals(n.Op, Primitives.Min)) return null;
            static bool NegativeZero(in Node c) => ReferenceEquals(c.Op, Primitives.Constant) && BitConverter.DoubleToInt64Bits(c.Value) == long.MinValue;
            return NegativeZero(_g[n.B]) ? 0 : NegativeZero(_g[n.A]) ? 1 : null;
        }

        private static readonly MethodInfo MaxMethod = typeof(Math).GetMethod(nameof(Math.Max), [typeof(double), typeof(double)])!;

        // Math.Min(a, -0.0) as -Math.Max(-a, 0.0), the same value bit for bit (NaN aside, any NaN): the .NET 10 JIT
        // returns +0.0 for Math.Min(+0.0, -0.0) when -0.0 is a constant (found by a property test), not -0.0.
        private static Expression MinAsMax(Expression a) =>
            Expression.Negate(Expression.Call(MaxMethod, Expression.Negate(a), Expression.Constant(0.0)));

        private readonly HashSet<int> _hoisted = new();
        private readonly Dictionary<int, int[]> _hoist = new();

        /// <summary>Whether node <paramref name="o"/>, after <paramref name="sum"/>, can be computed at the sum instead:
        /// a scalar computation (not a loop) of values computed before the sum.</summary>
        private bool Hoistable(int o, int sum)
        {
            var n = _g[o];
            if (LoopEmitter.IsStatement(n.Op) || _sinks.ContainsKey(o) || (_expr[o] is not null && !_materialized[o]) || GuardOf(o) is not null || _lazy[o]) return false;
            for (int j = 0; j < n.Arity; j++)
                if (n.Operand(j) >= sum && !IsLeaf(_g[n.Operand(j)]) || ComputedAfter(n.Operand(j), sum, 0)) return false;
            return true;
        }

        /// <summary>Whether node <paramref name="o"/>, though numbered before <paramref name="sum"/>, is computed after it: a sum
        /// deferred to a later scatter it is fused with, or an inline expression reading one. (Hoisting a value that reads
        /// such a sum to <paramref name="sum"/> would read it before it exists.)</summary>
        private bool ComputedAfter(int o, int sum, int depth)
        {
            if (_fusion.TryGetValue(o, out var fused) && fused.AtScatter && fused.Partner > sum) return true;
            if (_materialized[o] || IsLeaf(_g[o]) || depth > MaxInlineDepth) return false;
            var n = _g[o];
            for (int j = 0; j < n.Arity; j++)
                if (ComputedAfter(n.Operand(j), sum, depth + 1)) return true;
            return false;
        }

        private readonly HashSet<int> _fusedInto = new();
        private readonly Dictionary<int, (int Partner, int[]? Offsets, bool AtScatter)> _fusion = new();
        private readonly HashSet<int> _fusedScatters = new();
        private readonly Dictionary<int, int> _deferredSum = new();

        /// <summary>A scatter to fuse with sum node <paramref name="sum"/>: over the same range, not reading the sum, with
        /// every operand computed before the sum (so both can be computed where the sum is); and its offsets when
        /// every pair writes at the iteration plus a constant.</summary>
        private (int? Partner, int[]? Offsets, bool AtScatter) FusablePartner(int sum)
        {
            var nodes = _g.Nodes;
            // The scatters, found once: a graph with many sums must not scan every later node for each.
            if (_scatters is null)
            {
                var found = new List<int>();
                for (int t = 0; t < nodes.Length; t++) if (ReferenceEquals(nodes[t].Op, Primitives.Scatter)) found.Add(t);
                _scatters = found.ToArray();
            }
            var s = nodes[sum];
            foreach (int t in _scatters)
            {
                if (t <= sum || GuardOf(t) is not null) continue; // a guarded loop runs in its own if
                var n = nodes[t];
                if (n.Operand(1) != s.Operand(0) || n.Operand(2) != s.Operand(1)) continue;
                bool ready = true;
                var early = new List<int>();
                for (int j = 0; j < n.Arity && ready; j++)
                {
                    int o = n.Operand(j);
                    // Numbered before the sum is not enough: a sum deferred to a later scatter is computed after it.
                    if (o < sum && !ComputedAfter(o, sum, 0) || IsLeaf(_g[o]) || early.Contains(o)) continue;
                    if (Hoistable(o, sum)) early.Add(o);
                    else ready = false;
                }
                if (ready)
                {
                    if (early.Count > 0) _hoist[sum] = early.OrderBy(o => o).ToArray();
                    return (t, LoopEmitter.GatherOffsets(n), false);
                }
                if (!_sinks.ContainsKey(sum) && !ReadBetween(sum, t + 1)) return (t, LoopEmitter.GatherOffsets(n), true);
            }
            return (null, null, false);
        }

        private int[]? _scatters;

        /// <summary>Whether a node after <paramref name="node"/> and before <paramref name="end"/> reads it.</summary>
        private bool ReadBetween(int node, int end)
        {
            for (int k = node + 1; k < end; k++)
            {
                var n = _g[k];
                for (int j = 0; j < n.Arity; j++) if (n.Operand(j) == node) return true;
            }
            return false;
        }
    }
}
