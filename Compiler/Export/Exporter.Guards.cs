using System.Linq.Expressions;
using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Export;

// Values needed only under a condition: computed in an if statement (the guard's test), or by need.
internal static partial class Exporter
{
    internal sealed partial class ExportState
    {
        private static bool[] Lazy(Graph graph, bool[] weakened)
        {
            var lazy = new bool[graph.NodeCount];
            var risky = new bool[graph.NodeCount];
            for (int i = 0; i < graph.NodeCount; i++)
            {
                ref readonly var n = ref graph[i];
                risky[i] = n.Op.MayFail(n);
                for (int j = 0; j < n.Arity && !risky[i]; j++) risky[i] = risky[n.Operand(j)];
                lazy[i] = weakened[i] && risky[i] && n.Arity > 0 && !LoopEmitter.IsStatement(n.Op)
                    && n.Kind is ValueKind.Double or ValueKind.Int32 or ValueKind.Boolean;
            }
            return lazy;
        }

        /// <summary>The test of a guard: its terms joined by ||, each term's literals by &amp;&amp; from the outermost.</summary>
        private Expression GuardTest(Guard guard)
        {
            if (guard.Terms.Count == 0) return Expression.Constant(false);
            Expression? any = null;
            foreach (var term in guard.Terms)
            {
                Expression? all = null;
                foreach (var l in term)
                {
                    var c = _expr[l.Node] ?? throw new InvalidOperationException($"guard literal v{l.Node} has no value yet.");
                    var literal = l.Value ? c : Expression.Not(c);
                    all = all is null ? literal : Expression.AndAlso(all, literal);
                }
                all ??= Expression.Constant(true);
                any = any is null ? all : Expression.OrElse(any, all);
            }
            return any!;
        }

        /// <summary>
        /// A node that may fail and is needed under a condition that cannot be tested where it is (the condition reads the
        /// node itself, or is too large to keep): call by need. Its flag is cleared here, and every read is
        /// <c>done ? v : (v = …, done = true, v)</c>, so it is computed exactly when first needed, and once.
        /// </summary>
        private void EmitLazy(int i, List<Expression> statements)
        {
            var n = _g[i];
            var operands = new Expression[n.Arity];
            for (int j = 0; j < n.Arity; j++) operands[j] = Operand(n.Operand(j), n.Op.OperandKind(j, n));
            var e = MinOfNegativeZero(n) is int other ? MinAsMax(operands[other]) : n.Op.ToExpression(n, operands);
            var value = Expression.Variable(e.Type, NextName());
            Variables.Add(value);
            var done = Expression.Variable(typeof(bool), NextName());
            Variables.Add(done);
            statements.Add(Expression.Assign(done, Expression.Constant(false)));
            _expr[i] = Expression.Condition(done, value,
                Expression.Block(Expression.Assign(value, e), Expression.Assign(done, Expression.Constant(true)), value));
        }

        // An array or pair assigned in an if keeps a variable of its own: a shared one would hold another value where the if
        // is skipped, and the exported code read back (Diff of a Diff) could not tell which value a later read means.
        private bool _allocatingGuarded;
        private readonly HashSet<Expression> _unshared = new();

        private static bool IsScalar(Type type) => type == typeof(double) || type == typeof(int) || type == typeof(bool);
    }
}
