using System.Linq.Expressions;

namespace ExprDiff.Export;

/// <summary>
/// Cuts a long run of top-level statements into parts small enough for the JIT to optimize, and finds the variables
/// whose values live from one part into another. A method past the JIT's size limits (about 60,000 IL bytes, 2,000
/// locals or 8,000 local references) is compiled without optimization, every temporary with its own stack slot: the
/// frame of a 100,000-deep chain's gradient then outgrows a 1 MiB stack, and its code runs slowly. In parts, each
/// method is optimized, frames stay bounded, and JIT time grows linearly with size.
/// </summary>
/// <remarks>
/// Used by the IL backend, whose parts become <see cref="System.Reflection.Emit.DynamicMethod"/>s (MethodParts). The
/// export cuts the <see cref="Expression"/> it returns by statement count instead (Exporter.InParts): a pass over millions
/// of exported statements would cost a deep derivative's <c>Diff</c> a second. Statements are never cut inside; a run
/// whose statements jump to labels in other statements, or hold nodes this analysis does not read, is not cut.
/// Iterative: a statement of any depth is measured without recursion.
/// </remarks>
internal static class StatementParts
{
    /// <summary>How much one part may hold: expression nodes and references to the run's variables.</summary>
    internal readonly record struct Budget(int Nodes, int References);

    /// <summary>Where the run is cut and which values live from one part into another.</summary>
    /// <param name="Parts">Each part's first statement and count; the last part is the run's last statement.</param>
    /// <param name="Crossing">The variables some part after the first may read before it assigns them: their values may
    /// come from an earlier part. Every other variable is, in each part that uses it, assigned before it is read there
    /// (or read at its default), so it can be a local of each such part.</param>
    /// <param name="Used">The variables each part reads or writes, each once.</param>
    internal sealed record Plan(IReadOnlyList<(int Start, int Count)> Parts, IReadOnlySet<ParameterExpression> Crossing,
        IReadOnlyList<ParameterExpression[]> Used);

    /// <summary>The plan for <paramref name="statements"/> (whose variables are <paramref name="variables"/>), or null
    /// when <paramref name="budgetFor"/> gives no budget for the run's size (in expression nodes), the run fits one
    /// part, or it cannot be cut. The last statement (the run's value) is a part of its own, left to the caller's
    /// method.</summary>
    /// <remarks>Linear in the run's size, with flat arrays indexed by variable: a deep derivative's run has millions of
    /// statements and tens of thousands of variables.</remarks>
    public static Plan? Cut(IReadOnlyList<Expression> statements, IReadOnlyList<ParameterExpression> variables, Func<long, Budget?> budgetFor)
    {
        if (statements.Count < 3) return null;
        var index = new Dictionary<ParameterExpression, int>(variables.Count);
        for (int v = 0; v < variables.Count; v++) index.TryAdd(variables[v], v);
        var sizes = new (int Nodes, int References)[statements.Count];
        // The variables each statement uses, flat: statement s's are used[usedStart[s] .. usedStart[s + 1]).
        var used = new List<int>();
        var usedStart = new int[statements.Count + 1];
        var assigned = new int[statements.Count];
        long total = 0;
        var walk = new Walk(index);
        for (int s = 0; s < statements.Count; s++)
        {
            if (!walk.Measure(statements[s], used)) return null;
            usedStart[s + 1] = used.Count;
            sizes[s] = (walk.Nodes, walk.References);
            assigned[s] = walk.Assigned;
            total += walk.Nodes;
        }
        if (budgetFor(total) is not { } budget || total <= budget.Nodes) return null;

        var parts = new List<(int Start, int Count)>();
        int start = 0, nodes = 0, references = 0;
        for (int s = 0; s < statements.Count - 1; s++)
        {
            if (s > start && (nodes + sizes[s].Nodes > budget.Nodes || references + sizes[s].References > budget.References))
            {
                parts.Add((start, s - start));
                start = s;
                nodes = references = 0;
            }
            nodes += sizes[s].Nodes;
            references += sizes[s].References;
        }
        parts.Add((start, statements.Count - 1 - start));
        if (parts.Count < 2) return null;
        parts.Add((statements.Count - 1, 1));

        // Within a part, a statement `v = e` (e not reading v) assigns v for sure: a read after it reads that value.
        var usedIn = new int[variables.Count];
        var assignedIn = new int[variables.Count];
        Array.Fill(usedIn, -1);
        Array.Fill(assignedIn, -1);
        var crossing = new HashSet<ParameterExpression>();
        var partUsed = new List<ParameterExpression[]>(parts.Count);
        var list = new List<ParameterExpression>();
        for (int p = 0; p < parts.Count; p++)
        {
            var (first, count) = parts[p];
            list.Clear();
            for (int s = first; s < first + count; s++)
            {
                for (int k = usedStart[s]; k < usedStart[s + 1]; k++)
                {
                    int v = used[k];
                    if (usedIn[v] != p) { usedIn[v] = p; list.Add(variables[v]); }
                    if (p > 0 && v != assigned[s] && assignedIn[v] != p) crossing.Add(variables[v]);
                }
                if (assigned[s] >= 0) assignedIn[assigned[s]] = p;
            }
            partUsed.Add(list.ToArray());
        }
        return new Plan(parts, crossing, partUsed);
    }

    /// <summary>Measures one statement: its nodes, its references to the run's variables, whether it can stand alone.</summary>
    private sealed class Walk(Dictionary<ParameterExpression, int> runVariables)
    {
        private readonly Stack<Expression> _pending = new();
        private readonly HashSet<LabelTarget> _defined = new();
        private readonly List<LabelTarget> _jumps = new();
        private List<int> _used = [];
        // stamp[v]: the last statement that used variable v, so each is listed once per statement.
        private readonly int[] _stamp = Enumerable.Repeat(-1, runVariables.Count).ToArray();
        private int _statement = -1;
        private bool _targetRead;

        public int Nodes { get; private set; }
        public int References { get; private set; }

        /// <summary>The run variable the statement assigns for sure before anything reads it (<c>v = e</c>, e not
        /// reading v), or -1.</summary>
        public int Assigned { get; private set; }

        // Through IArgumentProvider: reading a call's Arguments would allocate a collection per node and keep it.
        private void PushArguments(IArgumentProvider node)
        {
            for (int i = 0; i < node.ArgumentCount; i++) Push(node.GetArgument(i));
        }

        // Leaves (about half the nodes) are counted here rather than pushed and popped.
        private void Push(Expression e)
        {
            if (e is ConstantExpression)
            {
                Nodes++;
                return;
            }
            if (e is ParameterExpression p)
            {
                Nodes++;
                if (runVariables.TryGetValue(p, out int v))
                {
                    References++;
                    Use(v);
                    if (v == Assigned) _targetRead = true;
                }
                return;
            }
            _pending.Push(e);
        }

        private void Use(int v)
        {
            if (_stamp[v] == _statement) return;
            _stamp[v] = _statement;
            _used.Add(v);
        }

        /// <summary>False when the statement jumps out of itself, declares one of the run's variables again, or holds
        /// a node whose children this walk does not know.</summary>
        public bool Measure(Expression statement, List<int> used)
        {
            _used = used;
            _statement++;
            Nodes = References = 0;
            _defined.Clear();
            _jumps.Clear();
            _pending.Clear();
            Assigned = -1;
            if (statement is BinaryExpression { NodeType: ExpressionType.Assign, Left: ParameterExpression target } assign
                && runVariables.TryGetValue(target, out int t))
            {
                // The target is counted as used; it is assigned unless the value reads it.
                References++;
                Use(t);
                Nodes++;
                _pending.Push(assign.Right);
                Assigned = t;
            }
            else _pending.Push(statement);
            _targetRead = false;
            while (_pending.Count > 0)
            {
                var e = _pending.Pop();
                Nodes++;
                switch (e)
                {
                    case ParameterExpression p:
                        if (runVariables.TryGetValue(p, out int v))
                        {
                            References++;
                            Use(v);
                            if (v == Assigned) _targetRead = true;
                        }
                        break;
                    case ConstantExpression or DefaultExpression or DebugInfoExpression:
                        break;
                    case BinaryExpression b:
                        Push(b.Right);
                        Push(b.Left);
                        if (b.Conversion is not null) return false;
                        break;
                    case UnaryExpression u:
                        if (u.Operand is not null) Push(u.Operand);
                        break;
                    case MethodCallExpression m:
                        PushArguments(m);
                        if (m.Object is not null) Push(m.Object);
                        break;
                    case ConditionalExpression c:
                        Push(c.IfFalse);
                        Push(c.IfTrue);
                        Push(c.Test);
                        break;
                    case BlockExpression b:
                        foreach (var declared in b.Variables)
                            if (runVariables.ContainsKey(declared)) return false; // shadows a run variable
                        foreach (var x in b.Expressions) Push(x);
                        break;
                    case LoopExpression l:
                        if (l.BreakLabel is not null) _defined.Add(l.BreakLabel);
                        if (l.ContinueLabel is not null) _defined.Add(l.ContinueLabel);
                        Push(l.Body);
                        break;
                    case GotoExpression g:
                        _jumps.Add(g.Target);
                        if (g.Value is not null) Push(g.Value);
                        break;
                    case LabelExpression l:
                        _defined.Add(l.Target);
                        if (l.DefaultValue is not null) Push(l.DefaultValue);
                        break;
                    case IndexExpression ix:
                        PushArguments(ix);
                        if (ix.Object is not null) Push(ix.Object);
                        break;
                    case MemberExpression me:
                        if (me.Expression is not null) Push(me.Expression);
                        break;
                    case NewExpression n:
                        PushArguments(n);
                        break;
                    case NewArrayExpression na:
                        foreach (var a in na.Expressions) Push(a);
                        break;
                    case TypeBinaryExpression tb:
                        Push(tb.Expression);
                        break;
                    case InvocationExpression inv:
                        PushArguments(inv);
                        Push(inv.Expression);
                        break;
                    case LambdaExpression lambda:
                        // A nested lambda is its own method: its variables are its own, what it reads of the run is
                        // counted, and its labels cannot be jumped to from outside it.
                        foreach (var declared in lambda.Parameters)
                            if (runVariables.ContainsKey(declared)) return false;
                        Push(lambda.Body);
                        break;
                    default:
                        return false; // switch, try, member init, dynamic, extension: not cut through
                }
            }
            foreach (var jump in _jumps)
                if (!_defined.Contains(jump)) return false;
            // `v = f(v)` reads v first: then v is not assigned before it is read.
            if (_targetRead) Assigned = -1;
            return true;
        }
    }
}
