using System.Linq.Expressions;
using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Import;

/// <summary>
/// Statements written with the Expression API: compound assignments and increments, <c>if</c> statements (each
/// branch imported from the same state, the variables they assign merged by a select), and counted loops, which
/// become <see cref="ScanPrimitive"/> nodes carrying the variables the loop assigns.
/// </summary>
internal sealed partial class ExpressionImporter
{
    /// <summary><c>x += e</c> and its kin: <c>x = x + e</c>, imported as such.</summary>
    private static Expression? ExpandCompound(BinaryExpression bin)
    {
        ExpressionType? op = bin.NodeType switch
        {
            ExpressionType.AddAssign => ExpressionType.Add,
            ExpressionType.AddAssignChecked => ExpressionType.AddChecked,
            ExpressionType.SubtractAssign => ExpressionType.Subtract,
            ExpressionType.SubtractAssignChecked => ExpressionType.SubtractChecked,
            ExpressionType.MultiplyAssign => ExpressionType.Multiply,
            ExpressionType.MultiplyAssignChecked => ExpressionType.MultiplyChecked,
            ExpressionType.DivideAssign => ExpressionType.Divide,
            ExpressionType.ModuloAssign => ExpressionType.Modulo,
            _ => null,
        };
        if (op is null || bin.Method is not null) return null;
        return Expression.Assign(bin.Left, Expression.MakeBinary(op.Value, bin.Left, bin.Right));
    }

    /// <summary><c>++x</c>, <c>x++</c>, <c>--x</c>, <c>x--</c> on a variable or an element, as assignments (a
    /// post-increment's value is the old one).</summary>
    private static Expression? ExpandIncrement(UnaryExpression u)
    {
        bool up = u.NodeType is ExpressionType.PreIncrementAssign or ExpressionType.PostIncrementAssign;
        bool post = u.NodeType is ExpressionType.PostIncrementAssign or ExpressionType.PostDecrementAssign;
        if (!up && u.NodeType is not (ExpressionType.PreDecrementAssign or ExpressionType.PostDecrementAssign)) return null;
        if (u.Method is not null || !IsNumber(u.Type) || u.Type == typeof(bool)) return null;
        var one = Expression.Constant(System.Convert.ChangeType(1, u.Type, System.Globalization.CultureInfo.InvariantCulture), u.Type);
        Expression Step(Expression from) => up ? Expression.Add(from, one) : Expression.Subtract(from, one);
        if (!post) return Expression.Assign(u.Operand, Step(u.Operand));
        var old = Expression.Variable(u.Type, "old");
        return Expression.Block([old], Expression.Assign(old, u.Operand), Expression.Assign(u.Operand, Step(old)), old);
    }

    /// <summary>The state of an <c>if</c> statement between its steps.</summary>
    private sealed record IfState(int Condition, Dictionary<ParameterExpression, Val> Before,
        Dictionary<LocalArray, Dictionary<(int, int), int>> ArraysBefore, Dictionary<ParameterExpression, Val>? AfterTrue,
        Dictionary<LocalArray, Dictionary<(int, int), int>>? ArraysAfterTrue, int OuterWriteGuard);

    /// <summary>The condition of the if statements around the statement being imported (−1: none): an accumulation into
    /// a loop's array under it adds only where it holds (a guarded pair, as reverse mode makes them).</summary>
    private int _writeGuard = -1;

    private int Within(int guard, int condition) => guard < 0 ? condition : _b.And(guard, condition);

    /// <summary><c>if (c) A; else B;</c>: A and B are imported from the same state; a variable or local-array element
    /// they leave different becomes <c>c ? a : b</c>.</summary>
    private void StepIfStatement(in Frame f, ConditionalExpression c)
    {
        var state = f.State as IfState;
        switch (f.Step)
        {
            case 0:
                _work.Push(f with { Step = 1 });
                _work.Push(new Frame(c.Test, 0, null));
                return;
            case 1:
            {
                int condition = Scalar(_values.Pop(), c.Test, ValueKind.Boolean);
                var arrays = LocalArrays().ToDictionary(a => a, a => a.Snapshot());
                _work.Push(f with { Step = 2, State = new IfState(condition, new(_env), arrays, null, null, _writeGuard) });
                _writeGuard = Within(_writeGuard, condition);
                _work.Push(new Frame(c.IfTrue, 0, null));
                return;
            }
            case 2:
            {
                _values.Pop();
                var afterTrue = new Dictionary<ParameterExpression, Val>(_env);
                var arraysAfterTrue = state!.ArraysBefore.Keys.ToDictionary(a => a, a => a.Snapshot());
                Reset(state.Before, state.ArraysBefore);
                _work.Push(f with { Step = 3, State = state with { AfterTrue = afterTrue, ArraysAfterTrue = arraysAfterTrue } });
                _writeGuard = Within(state.OuterWriteGuard, _b.Not(state.Condition));
                _work.Push(new Frame(c.IfFalse, 0, null));
                return;
            }
            default:
            {
                _values.Pop();
                _writeGuard = state!.OuterWriteGuard;
                Merge(c, state);
                _values.Push(Val.Void);
                return;
            }
        }
    }

    private IEnumerable<LocalArray> LocalArrays() => _env.Values.Select(v => v.Reference).OfType<LocalArray>().Distinct();

    private void Reset(Dictionary<ParameterExpression, Val> env, Dictionary<LocalArray, Dictionary<(int, int), int>> arrays)
    {
        _env.Clear();
        foreach (var (k, v) in env) _env[k] = v;
        foreach (var (a, elements) in arrays) a.Restore(elements);
    }

    private void Merge(ConditionalExpression c, IfState s)
    {
        var afterFalse = new Dictionary<ParameterExpression, Val>(_env);
        foreach (var (p, before) in s.Before)
        {
            var t = s.AfterTrue!.GetValueOrDefault(p, before);
            var e = afterFalse.GetValueOrDefault(p, before);
            if (t == e) { _env[p] = t; continue; }
            if (t.Reference is null && e.Reference is null && _b.KindOf(t.Node) == _b.KindOf(e.Node))
                _env[p] = Val.Of(_b.Select(s.Condition, t.Node, e.Node));
            else if (t.Reference is Unassigned && e.Reference is null || e.Reference is Unassigned && t.Reference is null)
            {
                // Assigned on one path only (as ExprDiff exports a value needed only under a condition): a block's variable
                // starts at its default value, so the other path reads 0 (false), as the compiled code would.
                var assigned = t.Reference is null ? t.Node : e.Node;
                int zero = _b.Constant(0, _b.KindOf(assigned));
                _env[p] = Val.Of(_b.Select(s.Condition, t.Reference is null ? t.Node : zero, e.Reference is null ? e.Node : zero));
            }
            else if (t.Reference is Unassigned && e.Reference is not (Unassigned or NotCarried) || e.Reference is Unassigned && t.Reference is not (Unassigned or NotCarried))
                // An array or a (sin, cos) pair assigned under a condition: reads of it are under that condition too (as ExprDiff
                // exports such values), and nodes are computed when read, so the assigned value stands for both paths.
                _env[p] = t.Reference is Unassigned ? e : t;
            else if (t.Reference is Unassigned or NotCarried || e.Reference is Unassigned or NotCarried)
                _env[p] = t.Reference is Unassigned or NotCarried ? t : e; // assigned on one path only: reading it later is an error
            else
                throw Unsupported(c, $"the branches leave '{p.Name}' as different arrays", "assign array variables outside if statements");
        }
        foreach (var (array, before) in s.ArraysBefore)
        {
            var t = s.ArraysAfterTrue![array];
            var e = array.Snapshot();
            foreach (var key in t.Keys.Union(e.Keys).ToList())
            {
                int a = t.TryGetValue(key, out int tv) ? tv : _b.Constant(0);
                int b = e.TryGetValue(key, out int ev) ? ev : _b.Constant(0);
                if (a != b) array.Write(key.Item1, key.Item2, _b.Select(s.Condition, a, b));
            }
        }
    }
}
