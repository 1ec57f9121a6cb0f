using System.Linq.Expressions;
using System.Reflection;
using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Import;

internal sealed partial class ExpressionImporter
{
    private void Step(Frame f)
    {
        if (f.E is MemoStore store) { Remember(store); return; }
        if (ReuseOrPrepare(f)) return;
        switch (f.E)
        {
            case ParameterExpression p: PushParameter(p); break;
            case ConstantExpression c: _values.Push(FromObject(c.Value, c.Type, c)); break;
            case DefaultExpression d:
                _values.Push(d.Type == typeof(void) ? Val.Void : FromObject(Activator.CreateInstance(d.Type), d.Type, d));
                break;
            case MemberExpression { Expression: { } tuple } m when tuple.Type == typeof(ValueTuple<double, double>): StepSinCosPart(f, m); break;
            case MemberExpression { Expression: { } powers } m when powers.Type == typeof(IntPowers): StepPowersPart(f, m); break;
            case MemberExpression m: StepMember(m); break;
            case UnaryExpression u when f.Step == 0 && ExpandIncrement(u) is { } assignment: _work.Push(new Frame(assignment, 0, null)); break;
            case UnaryExpression u: StepUnary(f, u); break;
            case BinaryExpression bin when f.Step == 0 && ExpandCompound(bin) is { } assignment: _work.Push(new Frame(assignment, 0, null)); break;
            case BinaryExpression bin: StepBinary(f, bin); break;
            case ConditionalExpression c when ByNeed(c) is { } computed: _work.Push(new Frame(computed, 0, null)); break;
            case ConditionalExpression c when c.Type == typeof(void) && !(IsThrow(c.IfTrue) && IsEmpty(c.IfFalse)): StepIfStatement(f, c); break;
            case ConditionalExpression c: StepConditional(f, c); break;
            case MethodCallExpression call: StepCall(f, call); break;
            case InvocationExpression inv: StepInvoke(f, inv); break;
            case BlockExpression block: StepBlock(f, block); break;
            case NewArrayExpression na: StepNewArray(f, na); break;
            case IndexExpression ix: StepIndex(f, ix); break;
            case ScopeEnd end: end.Restore(_env); break;
            case LoopExpression loop: StepLoop(f, loop); break;
            case GotoExpression:
                throw Unsupported(f.E, "break, continue, return and goto are supported only as a loop's exit test at its top",
                    "count the loop's iterations instead of leaving it early; a conditional expression can skip an iteration's work");
            default:
                throw Unsupported(f.E, $"{f.E.NodeType} expressions are not supported",
                    "rewrite it with arithmetic, Math calls, conditionals and constant array indices");
        }
    }

    /// <summary><c>Math.SinCos(a).Item1</c>, as the optimizer exports it, imports as <c>Math.Sin(a)</c>.</summary>
    private void StepSinCosPart(in Frame f, MemberExpression m)
    {
        if (Descend(f, [m.Expression!])) return;
        var v = _values.Pop();
        if (v.Reference is not SinCosArgument arg || m.Member.Name is not ("Item1" or "Item2" or "Sin" or "Cos"))
            throw Unsupported(m, "only the halves of Math.SinCos(a) can be read from a tuple", "use Math.Sin and Math.Cos");
        bool sin = m.Member.Name is "Item1" or "Sin";
        _values.Push(Val.Of(_b.Unary(sin ? Primitives.Sin : Primitives.Cos, arg.Node)));
    }

    /// <summary>The value of <c>Math.SinCos(a)</c>: its argument, split into Sin and Cos where read.</summary>
    private sealed record SinCosArgument(int Node);

    /// <summary><c>Intrinsics.PowInts(x, n0, …).P1</c>, as the optimizer exports it, imports as <c>PowInt(x, n1)</c>.</summary>
    private void StepPowersPart(in Frame f, MemberExpression m)
    {
        if (Descend(f, [m.Expression!])) return;
        var v = _values.Pop();
        int slot = Array.IndexOf(PowIntsPrimitive.Fields, m.Member.Name);
        if (v.Reference is not PowersArgument arg || slot < 0)
            throw Unsupported(m, "only the powers P0 to P3 of Intrinsics.PowInts can be read from it", "use Intrinsics.PowInt");
        _values.Push(Val.Of(_b.PowInt(arg.Node, arg.Exponents[slot])));
    }

    /// <summary>The value of <c>Intrinsics.PowInts(x, n0, n1, n2, n3)</c>: its base and exponents, split into
    /// <c>PowInt</c>s where read.</summary>
    private sealed record PowersArgument(int Node, int[] Exponents);

    private void PushParameter(ParameterExpression p)
    {
        if (!TryLookup(p, out var v))
            throw Unsupported(p, $"'{p.Name}' is not a parameter of the function or an assigned variable",
                "assign the variable before reading it, or make it a parameter of the lambda");
        if (v.Reference is Unassigned)
            throw Unsupported(p, $"variable '{p.Name}' is read before it is assigned", "assign it first");
        if (v.Reference is NotCarried)
            throw Unsupported(p, $"'{p.Name}' is read with the value a loop left in it, but only double variables carry values out of an iteration",
                "assign it before reading it, in each iteration and after the loop");
        _values.Push(v);
    }

    /// <summary>A constant the function sees: a literal, or a value captured from a closure or a static field.</summary>
    private Val FromObject(object? value, Type type, Expression source) => value switch
    {
        double d => Val.Of(_b.Constant(d)),
        float s => Val.Of(_b.Constant(s)),
        int i => Val.Of(_b.Constant(i, ValueKind.Int32)),
        bool t => Val.Of(_b.Constant(t ? 1 : 0, ValueKind.Boolean)),
        double[] or double[,] or LambdaExpression => Val.Ref(value),
        null when type == typeof(double[]) => throw Unsupported(source, "the captured array is null", "assign it before differentiating"),
        _ => Val.Ref(new Opaque(value, source)),
    };

    /// <summary>Reads a closure field or a static member at import time; captured values become constants.</summary>
    private object? EvaluateCaptured(MemberExpression m)
    {
        // Walk the chain of member accesses down to its root without recursion.
        var chain = new List<MemberExpression>();
        Expression? e = m;
        while (e is MemberExpression me) { chain.Add(me); e = me.Expression; }
        object? target;
        if (e is null) target = null;
        else if (e is ConstantExpression c) target = c.Value;
        else
            throw Unsupported(m, $"'{m.Member.Name}' is read from '{Error.Quote(e)}', which is computed inside the function",
                "compute it outside the lambda and capture the result");
        for (int i = chain.Count - 1; i >= 0; i--)
        {
            var member = chain[i].Member;
            try
            {
                target = member switch
                {
                    FieldInfo fi => fi.GetValue(target),
                    PropertyInfo pi when pi.GetIndexParameters().Length == 0 => pi.GetValue(target),
                    _ => throw Unsupported(chain[i], $"'{member.Name}' cannot be read", "capture its value in a local variable"),
                };
            }
            catch (TargetInvocationException ex)
            {
                throw new ExprDiffException($"cannot import '{Error.Quote(chain[i])}' in '{RootText}': reading it threw " +
                    $"{ex.InnerException?.GetType().Name}: {ex.InnerException?.Message}", ex);
            }
        }
        return target;
    }

    private void StepUnary(in Frame f, UnaryExpression u)
    {
        if (u.NodeType == ExpressionType.Quote) { _values.Push(Val.Ref(u.Operand)); return; }
        if (u.NodeType == ExpressionType.Throw)
            throw Unsupported(u, "a throw can only stand as a guard statement (if (...) throw ...;)", "move the check outside the function");
        if (Descend(f, u.Operand)) return;
        var v = _values.Pop();
        switch (u.NodeType)
        {
            case ExpressionType.ArrayLength:
                _values.Push(v.Reference switch
                {
                    ParameterArray pa => Val.Of(_b.Make(Primitives.Length, WholeArray(pa.Parameter))),
                    ArrayNode an => Val.Of(_b.Make(Primitives.Length, an.Node)),
                    DataNode { Kind: ValueKind.IntArray } dn => Val.Of(_b.Make(Primitives.IntLength, dn.Node)),
                    DataNode { Kind: ValueKind.IntJagged } dn => Val.Of(_b.Make(Primitives.IntRowsLength, dn.Node)),
                    double[] arr => Val.Of(_b.Constant(arr.Length, ValueKind.Int32)),
                    LocalArray { Dimensions: [{ IsFixed: true } d] } => Val.Of(_b.Constant(d.Fixed, ValueKind.Int32)),
                    FreshArray fresh => Val.Of(fresh.Length),
                    LocalArray { Dimensions: [var d] } => Val.Of(_b.Make(Primitives.Length, WholeArray(d.OfParameter))),
                    _ => throw Unsupported(u, "the length of this array is unknown", "use arrays that are parameters or captured"),
                });
                return;
            case ExpressionType.Convert:
            case ExpressionType.ConvertChecked:
                _values.Push(Val.Of(Convert(v, u)));
                return;
            case ExpressionType.UnaryPlus:
                _values.Push(Val.Of(Scalar(v, u.Operand, KindOf(u.Type))));
                return;
            case ExpressionType.NegateChecked when u.Type == typeof(int):
                _values.Push(Val.Of(_b.Make(Primitives.NegChecked, Scalar(v, u.Operand, ValueKind.Int32))));
                return;
            case ExpressionType.Negate or ExpressionType.NegateChecked when IsNumber(u.Type) && u.Type != typeof(bool):
                _values.Push(Val.Of(FloatResult(u.Type, _b.Neg(Scalar(v, u.Operand, KindOf(u.Type))))));
                return;
            case ExpressionType.Not when u.Type == typeof(bool):
                _values.Push(Val.Of(_b.Not(Scalar(v, u.Operand, ValueKind.Boolean))));
                return;
            default:
                throw Unsupported(u, $"the operator {u.NodeType} on {TypeName(u.Operand.Type)} is not supported",
                    "use arithmetic on double or int, and ! on bool");
        }
    }

    private int Convert(Val v, UnaryExpression u)
    {
        Type from = u.Operand.Type, to = u.Type;
        if (u.Method is not null || !IsNumber(from) || !IsNumber(to) || from == typeof(bool) || to == typeof(bool))
        {
            if (from == to) return Scalar(v, u.Operand, KindOf(to));
            throw Unsupported(u, $"the conversion from {TypeName(from)} to {TypeName(to)} is not supported",
                "convert only between int, float and double");
        }
        int x = Scalar(v, u.Operand, KindOf(from));
        if (to == typeof(int))
            return from == typeof(int) ? x
                : _b.Make(u.NodeType == ExpressionType.ConvertChecked ? Primitives.DoubleToIntChecked : Primitives.DoubleToInt, x);
        if (from == typeof(int)) x = _b.Make(Primitives.IntToDouble, x);
        // double → float rounds; float → double and int → double are exact.
        return to == typeof(float) && from != typeof(float) ? _b.Make(Primitives.DoubleToFloat, x) : x;
    }

    /// <summary>C# float arithmetic rounds every result to float; computing it in double and rounding once
    /// gives the same value for + − × ÷ (double has more than twice float's precision).</summary>
    private int FloatResult(Type type, int node) => type == typeof(float) ? _b.Make(Primitives.DoubleToFloat, node) : node;

    /// <summary>The value of <c>done ? v : (v = e, done = true, v)</c>, as ExprDiff exports a value computed by need: e, since
    /// graph nodes are computed when read anyway. Null for any other conditional.</summary>
    private static Expression? ByNeed(ConditionalExpression c) =>
        c is { Test: ParameterExpression done, IfTrue: ParameterExpression v, IfFalse: BlockExpression { Variables.Count: 0, Expressions: [BinaryExpression { NodeType: ExpressionType.Assign } assign, BinaryExpression { NodeType: ExpressionType.Assign, Left: var flag, Right: ConstantExpression { Value: true } }, var last] } }
        && assign.Left == v && flag == done && last == v ? assign.Right : null;

    private void StepConditional(in Frame f, ConditionalExpression c)
    {
        if (c.Type == typeof(void))
        {
            // A guard such as `if (x.Length < 3) throw ...;` checks arguments; the derivative keeps no such statement.
            if (IsThrow(c.IfTrue) && IsEmpty(c.IfFalse)) { _values.Push(Val.Void); return; }
            throw Unsupported(c, "an if statement is not supported yet", "write it as a conditional expression c ? a : b");
        }
        if (Descend(f, [c.Test, c.IfTrue, c.IfFalse])) return;
        var v = PopValues(3);
        var kind = KindOf(c.Type);
        _values.Push(Val.Of(_b.Select(Scalar(v[0], c.Test, ValueKind.Boolean), Scalar(v[1], c.IfTrue, kind), Scalar(v[2], c.IfFalse, kind))));
    }

    private static bool IsThrow(Expression e) =>
        e.NodeType == ExpressionType.Throw || e is BlockExpression { Expressions: [.., { NodeType: ExpressionType.Throw }] };

    private static bool IsEmpty(Expression e) => e is DefaultExpression { Type: var t } && t == typeof(void);

    private void StepBlock(in Frame f, BlockExpression block)
    {
        var scope = f.State as ScopeEnd;
        if (f.Step == 0)
        {
            scope = new ScopeEnd();
            foreach (var v in block.Variables) scope.Bind(_env, v, Val.Ref(Unassigned.Instance));
        }
        int next = f.Step;
        if (next > 0 && next < block.Expressions.Count) _values.Pop(); // a statement's value is discarded
        if (next < block.Expressions.Count)
        {
            _work.Push(new Frame(block, next + 1, scope));
            _work.Push(new Frame(block.Expressions[next], 0, null));
            return;
        }
        scope!.Restore(_env);
    }

    private void StepInvoke(in Frame f, InvocationExpression inv)
    {
        if (Descend(f, inv.Arguments)) return;
        var args = PopValues(inv.Arguments.Count);
        var lambda = ResolveLambda(inv.Expression)
            ?? throw Unsupported(inv, "the invoked delegate is compiled code ExprDiff cannot look into",
                "invoke an Expression<...> (Expression.Invoke(lambda, ...)) instead of a compiled delegate");
        var scope = new ScopeEnd();
        for (int i = 0; i < args.Length; i++) scope.Bind(_env, lambda.Parameters[i], args[i]);
        _work.Push(new Frame(scope, 0, null));
        _work.Push(new Frame(lambda.Body, 0, null));
    }

    private LambdaExpression? ResolveLambda(Expression e)
    {
        // C# writes `((Func<double[], double>)(h => …))(args)` as Invoke(Convert(Lambda)): the cast is to the lambda's own
        // delegate type, so the lambda is what runs.
        while (e is UnaryExpression { NodeType: ExpressionType.Quote or ExpressionType.Convert } q && (q.NodeType == ExpressionType.Quote || q.Operand is LambdaExpression)) e = q.Operand;
        return e switch
        {
            LambdaExpression l => l,
            ConstantExpression { Value: LambdaExpression l } => l,
            MemberExpression m => EvaluateCaptured(m) as LambdaExpression,
            _ => null,
        };
    }

    /// <summary>Marks a block variable that has not been assigned yet.</summary>
    private sealed class Unassigned
    {
        public static readonly Unassigned Instance = new();
    }

    /// <summary>A captured value that is not a number (a closure object on its way to a field read).</summary>
    private sealed record Opaque(object? Value, Expression Source);

    /// <summary>A frame that restores the bindings a block or an invoked lambda shadowed.</summary>
    private sealed class ScopeEnd : Expression
    {
        private readonly List<(ParameterExpression Variable, bool Had, Val Old)> _saved = new();

        public override ExpressionType NodeType => ExpressionType.Extension;

        public override Type Type => typeof(void);

        public void Bind(Dictionary<ParameterExpression, Val> env, ParameterExpression p, Val v)
        {
            bool had = env.TryGetValue(p, out var old);
            _saved.Add((p, had, old));
            env[p] = v;
        }

        public void Restore(Dictionary<ParameterExpression, Val> env)
        {
            for (int i = _saved.Count - 1; i >= 0; i--)
            {
                var (p, had, old) = _saved[i];
                if (had) env[p] = old; else env.Remove(p);
            }
        }
    }
}
