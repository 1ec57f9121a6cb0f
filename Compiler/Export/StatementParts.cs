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
/// Used by the lowerings that write one method per part: the <see cref="Expression"/> a derivative is returned as
/// (parts become nested lambdas, which <see cref="LambdaExpression.Compile()"/> makes separate methods) and the IL
/// backend (parts become <see cref="System.Reflection.Emit.DynamicMethod"/>s). Statements are never cut inside; a run
/// whose statements jump to labels in other statements, or hold nodes this analysis does not read, is not cut.
/// Iterative: a statement of any depth is measured without recursion.
/// </remarks>
internal static class StatementParts
{
    /// <summary>How much one part may hold: expression nodes and references to the run's variables.</summary>
    internal readonly record struct Budget(int Nodes, int References);

    /// <summary>Where the run is cut (each part's first statement and count; the last part is the run's last
    /// statement) and how values flow between parts.</summary>
    /// <param name="Parts">Each part's first statement and count.</param>
    /// <param name="Crossing">The variables some part reads before it assigns them, after an earlier part may have:
    /// they live between parts.</param>
    /// <param name="Used">The variables each part reads or writes.</param>
    /// <param name="LiveIn">The variables each part may read before it assigns them.</param>
    /// <param name="LiveOut">The variables a later part may read before assigning them, as each part ends.</param>
    internal sealed record Plan(IReadOnlyList<(int Start, int Count)> Parts, IReadOnlySet<ParameterExpression> Crossing,
        IReadOnlyList<HashSet<ParameterExpression>> Used, IReadOnlyList<HashSet<ParameterExpression>> LiveIn,
        IReadOnlyList<HashSet<ParameterExpression>> LiveOut);

    /// <summary>The plan for <paramref name="statements"/> (whose variables are <paramref name="variables"/>), or null
    /// when <paramref name="budgetFor"/> gives no budget for the run's size (in expression nodes), the run fits one
    /// part, or it cannot be cut. The last statement (the run's value) is a part of its own, left to the caller's
    /// method.</summary>
    public static Plan? Cut(IReadOnlyList<Expression> statements, IReadOnlyCollection<ParameterExpression> variables, Func<long, Budget?> budgetFor)
    {
        if (statements.Count < 3) return null;
        var declared = new HashSet<ParameterExpression>(variables);
        var sizes = new (int Nodes, int References)[statements.Count];
        var used = new List<ParameterExpression[]>(statements.Count);
        var assigned = new ParameterExpression?[statements.Count];
        long total = 0;
        var walk = new Walk(declared);
        for (int s = 0; s < statements.Count; s++)
        {
            if (!walk.Measure(statements[s])) return null;
            sizes[s] = (walk.Nodes, walk.References);
            used.Add(walk.TakeUsed());
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

        // Within a part, a statement `v = e` (e not reading v) assigns v for sure: a read after it is not live-in.
        var partUsed = new List<HashSet<ParameterExpression>>();
        var liveIn = new List<HashSet<ParameterExpression>>();
        var killed = new List<HashSet<ParameterExpression>>();
        foreach (var (first, count) in parts)
        {
            var u = new HashSet<ParameterExpression>();
            var input = new HashSet<ParameterExpression>();
            var defined = new HashSet<ParameterExpression>();
            for (int s = first; s < first + count; s++)
            {
                foreach (var v in used[s])
                    if (v != assigned[s] && !defined.Contains(v)) input.Add(v);
                u.UnionWith(used[s]);
                if (assigned[s] is { } a) defined.Add(a);
            }
            partUsed.Add(u);
            liveIn.Add(input);
            killed.Add(defined);
        }
        var liveOut = new HashSet<ParameterExpression>[parts.Count];
        liveOut[^1] = new HashSet<ParameterExpression>();
        for (int p = parts.Count - 2; p >= 0; p--)
        {
            var after = new HashSet<ParameterExpression>(liveOut[p + 1]);
            after.ExceptWith(killed[p + 1]);
            after.UnionWith(liveIn[p + 1]);
            liveOut[p] = after;
        }
        var crossing = new HashSet<ParameterExpression>();
        for (int p = 1; p < parts.Count; p++) crossing.UnionWith(liveIn[p]);
        return new Plan(parts, crossing, partUsed, liveIn, liveOut);
    }

    /// <summary>Measures one statement: its nodes, its references to the run's variables, whether it can stand alone.</summary>
    private sealed class Walk(HashSet<ParameterExpression> runVariables)
    {
        private readonly Stack<Expression> _pending = new();
        private readonly HashSet<LabelTarget> _defined = new();
        private readonly List<LabelTarget> _jumps = new();
        private readonly HashSet<ParameterExpression> _used = new();
        private bool _targetRead;

        public int Nodes { get; private set; }
        public int References { get; private set; }

        /// <summary>The run variable the statement assigns for sure before anything reads it (<c>v = e</c>, e not
        /// reading v), or null.</summary>
        public ParameterExpression? Assigned { get; private set; }

        // An array per statement: a run may have millions of statements, most of which use two or three variables.
        public ParameterExpression[] TakeUsed()
        {
            var u = _used.Count == 0 ? [] : _used.ToArray();
            _used.Clear();
            return u;
        }

        /// <summary>False when the statement jumps out of itself, declares one of the run's variables again, or holds
        /// a node whose children this walk does not know.</summary>
        public bool Measure(Expression statement)
        {
            Nodes = References = 0;
            _defined.Clear();
            _jumps.Clear();
            _pending.Clear();
            Assigned = null;
            if (statement is BinaryExpression { NodeType: ExpressionType.Assign, Left: ParameterExpression target } assign
                && runVariables.Contains(target))
            {
                // The target is counted as used; it is assigned unless the value reads it.
                References++;
                _used.Add(target);
                Nodes++;
                _pending.Push(assign.Right);
                Assigned = target;
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
                        if (runVariables.Contains(p)) { References++; _used.Add(p); }
                        if (p == Assigned) _targetRead = true;
                        break;
                    case ConstantExpression or DefaultExpression or DebugInfoExpression:
                        break;
                    case BinaryExpression b:
                        _pending.Push(b.Right);
                        _pending.Push(b.Left);
                        if (b.Conversion is not null) return false;
                        break;
                    case UnaryExpression u:
                        if (u.Operand is not null) _pending.Push(u.Operand);
                        break;
                    case MethodCallExpression m:
                        foreach (var a in m.Arguments) _pending.Push(a);
                        if (m.Object is not null) _pending.Push(m.Object);
                        break;
                    case ConditionalExpression c:
                        _pending.Push(c.IfFalse);
                        _pending.Push(c.IfTrue);
                        _pending.Push(c.Test);
                        break;
                    case BlockExpression b:
                        foreach (var v in b.Variables)
                            if (runVariables.Contains(v)) return false; // shadows a run variable
                        foreach (var x in b.Expressions) _pending.Push(x);
                        break;
                    case LoopExpression l:
                        if (l.BreakLabel is not null) _defined.Add(l.BreakLabel);
                        if (l.ContinueLabel is not null) _defined.Add(l.ContinueLabel);
                        _pending.Push(l.Body);
                        break;
                    case GotoExpression g:
                        _jumps.Add(g.Target);
                        if (g.Value is not null) _pending.Push(g.Value);
                        break;
                    case LabelExpression l:
                        _defined.Add(l.Target);
                        if (l.DefaultValue is not null) _pending.Push(l.DefaultValue);
                        break;
                    case IndexExpression ix:
                        foreach (var a in ix.Arguments) _pending.Push(a);
                        if (ix.Object is not null) _pending.Push(ix.Object);
                        break;
                    case MemberExpression me:
                        if (me.Expression is not null) _pending.Push(me.Expression);
                        break;
                    case NewExpression n:
                        foreach (var a in n.Arguments) _pending.Push(a);
                        break;
                    case NewArrayExpression na:
                        foreach (var a in na.Expressions) _pending.Push(a);
                        break;
                    case TypeBinaryExpression tb:
                        _pending.Push(tb.Expression);
                        break;
                    case InvocationExpression inv:
                        foreach (var a in inv.Arguments) _pending.Push(a);
                        _pending.Push(inv.Expression);
                        break;
                    case LambdaExpression lambda:
                        // A nested lambda is its own method: its variables are its own, what it reads of the run is
                        // counted, and its labels cannot be jumped to from outside it.
                        foreach (var v in lambda.Parameters)
                            if (runVariables.Contains(v)) return false;
                        _pending.Push(lambda.Body);
                        break;
                    default:
                        return false; // switch, try, member init, dynamic, extension: not cut through
                }
            }
            foreach (var jump in _jumps)
                if (!_defined.Contains(jump)) return false;
            // `v = f(v)` reads v first: then v is not assigned before it is read.
            if (Assigned is not null && _targetRead) Assigned = null;
            return true;
        }
    }
}
