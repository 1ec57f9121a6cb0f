using System.Linq.Expressions;
using System.Reflection;
using System.Reflection.Emit;
using ExprDiff.Export;

namespace ExprDiff.Backends.IL;

/// <summary>
/// Emits a lambda too large for one well-compiled method as several: each run of top-level statements a method of its
/// own (see <see cref="StatementParts"/>), called in order by a short method that is the delegate. A value one part
/// computes and a later one reads lives in the call's <see cref="PartState"/>, an array per type, loaded into locals
/// when a part starts and stored back when it ends; every other value is a local of its part. So each part is
/// optimized by the JIT, the deepest frame is one part's, and JIT time grows linearly with the lambda's size.
/// </summary>
/// <remarks>
/// Top-level blocks and immediately invoked parameterless lambdas (the parts of a large derivative's
/// <see cref="Expression"/>) are inlined first, so the run is cut to this backend's measure whatever shape it came in.
/// A call allocates nothing once warm: its state comes from a one-slot pool, and a concurrent call that finds the slot
/// empty allocates its own.
/// </remarks>
internal static class MethodParts
{
    // IL's measure. Up to about a million nodes (some 9 MB of IL, seconds of JIT), parts are well under the JIT's limits
    // for optimizing (20,000 IL instructions, 2,000 locals, 8,000 local references), so each is optimized: a large
    // straight-line gradient then runs 2-3x faster than as one unoptimized method, and its JIT time grows linearly.
    // Beyond, the JIT's optimizer would take minutes (it compiles about 1 MB of IL a second, its fast unoptimized mode
    // about 3 MB): parts are made larger, past those limits, so they compile in the fast mode; frames stay bounded.
    private const int MinimumNodes = 24_000;
    private const long LargeRunNodes = 1_000_000;
    private static readonly StatementParts.Budget Optimized = new(Nodes: 5_000, References: 2_500);
    private static readonly StatementParts.Budget Unoptimized = new(Nodes: 40_000, References: 20_000);

    private static StatementParts.Budget? BudgetFor(long nodes) =>
        nodes < MinimumNodes ? null : nodes <= LargeRunNodes ? Optimized : Unoptimized;

    /// <summary>The lambda with its top-level blocks and immediately invoked parameterless lambdas inlined (the same
    /// lambda when it has none).</summary>
    public static LambdaExpression Flatten(LambdaExpression lambda)
    {
        if (lambda.Body is not BlockExpression body || !body.Expressions.Any(IsInlinable)) return lambda;
        var variables = new List<ParameterExpression>(body.Variables);
        var seen = new HashSet<ParameterExpression>(variables);
        var statements = new List<Expression>();
        var pending = new Stack<Expression>();
        for (int i = body.Expressions.Count - 2; i >= 0; i--) pending.Push(body.Expressions[i]);
        while (pending.Count > 0)
        {
            var e = pending.Pop();
            if (InvokedBody(e) is { } inner) e = inner;
            if (e is BlockExpression b && !b.Variables.Any(seen.Contains))
            {
                seen.UnionWith(b.Variables);
                variables.AddRange(b.Variables);
                for (int i = b.Expressions.Count - 1; i >= 0; i--) pending.Push(b.Expressions[i]);
            }
            else statements.Add(e);
        }
        statements.Add(body.Expressions[^1]);
        return Expression.Lambda(lambda.Type, Expression.Block(body.Type, variables, statements), lambda.Name, lambda.Parameters);
    }

    private static bool IsInlinable(Expression e) => InvokedBody(e) is not null || e is BlockExpression;

    private static Expression? InvokedBody(Expression e) =>
        e is InvocationExpression { Arguments.Count: 0 } inv
        && (inv.Expression as LambdaExpression ?? (inv.Expression as UnaryExpression)?.Operand as LambdaExpression) is { Parameters.Count: 0 } l
        && (inv.Expression is LambdaExpression || inv.Expression.NodeType == ExpressionType.Convert)
            ? l.Body : null;

    /// <summary>The lambda emitted in parts, or null when it is small enough for one method or cannot be cut.</summary>
    public static (DynamicMethod Method, object?[] Constants, int ILBytes, int Methods)? TryEmit(LambdaExpression lambda, Type returnType,
        Type[] parameterTypes, IReadOnlyDictionary<ParameterExpression, Type> spans)
    {
        if (lambda.Body is not BlockExpression body) return null;
        var statements = body.Expressions;
        if (StatementParts.Cut(statements, body.Variables, BudgetFor) is not { } plan) return null;
        // A span cannot be stored in an array: a span variable read by two parts keeps the method whole.
        if (plan.Crossing.Any(spans.ContainsKey)) return null;

        var slots = new Dictionary<ParameterExpression, (int Type, int Index)>();
        var types = new List<Type>();
        var counts = new List<int>();
        foreach (var v in body.Variables.Where(plan.Crossing.Contains))
        {
            int t = types.IndexOf(v.Type);
            if (t < 0) { t = types.Count; types.Add(v.Type); counts.Add(0); }
            slots[v] = (t, counts[t]++);
        }

        var context = new PartContext(new ScratchPool(), Expression.Parameter(typeof(PartState), "state"));
        var partTypes = parameterTypes.Append(typeof(PartState)).ToArray();
        var partParameters = lambda.Parameters.Append(context.State).ToArray();
        var calls = new List<Expression>();
        var mainState = Expression.Variable(typeof(PartState), "state");
        int bytes = 0;
        for (int p = 0; p < plan.Parts.Count - 1; p++)
        {
            var (start, count) = plan.Parts[p];
            var part = Expression.Lambda(Expression.Block(typeof(void), body.Variables.Where(plan.Used[p].Contains),
                    WithState(p, plan, slots, types, context.State, statements.Skip(start).Take(count))),
                $"{lambda.Name ?? "ExprDiffLambda"}_part{p}", partParameters);
            var (method, constants, partBytes) = ILEmitter.EmitMethod(part, typeof(void), partTypes, spans, context);
            bytes += partBytes;
            calls.Add(new PartCall(method, constants, lambda.Parameters, mainState));
        }
        context.Scratch.Resize(context.NextScratchSlot);

        var pool = new PartStatePool(types.Select((t, i) => (t, counts[i])).ToArray(), context.NextScratchSlot, context.Scratch);
        var last = statements[^1];
        var mainVariables = body.Variables.Where(plan.Used[^1].Contains).Append(mainState).ToList();
        var main = new List<Expression> { Expression.Assign(mainState, Expression.Call(Expression.Constant(pool), PartStatePool.TakeMethod)) };
        main.AddRange(calls);
        main.Add(WithState(plan.Parts.Count - 1, plan, slots, types, mainState, []));
        var giveBack = Expression.Call(Expression.Constant(pool), PartStatePool.GiveMethod, mainState);
        if (returnType == typeof(void))
        {
            main.Add(last);
            main.Add(giveBack);
        }
        else
        {
            var result = Expression.Variable(last.Type, "result");
            mainVariables.Add(result);
            main.Add(Expression.Assign(result, last));
            main.Add(giveBack);
            main.Add(result);
        }
        var mainLambda = Expression.Lambda(Expression.Block(returnType, mainVariables, main), lambda.Name ?? "ExprDiffLambda", lambda.Parameters);
        var (mainMethod, mainConstants, mainBytes) = ILEmitter.EmitMethod(mainLambda, returnType, parameterTypes, spans, part: null);
        return (mainMethod, mainConstants, bytes + mainBytes, plan.Parts.Count);
    }

    /// <summary>A part's statements between the loads of the values earlier parts left it and the stores of those
    /// later parts read. Each type's array of the state is read once, into a local.</summary>
    private static Expression WithState(int part, StatementParts.Plan plan, Dictionary<ParameterExpression, (int Type, int Index)> slots,
        List<Type> types, ParameterExpression state, IEnumerable<Expression> statements)
    {
        var arrays = new Dictionary<int, ParameterExpression>();
        var body = new List<Expression>();
        Expression SlotOf(ParameterExpression v)
        {
            var (t, i) = slots[v];
            if (!arrays.TryGetValue(t, out var array))
            {
                arrays[t] = array = Expression.Variable(types[t].MakeArrayType(), "shared" + t);
                body.Insert(0, Expression.Assign(array, Expression.Convert(
                    Expression.ArrayIndex(Expression.Field(state, PartState.SlotsField), Expression.Constant(t)), array.Type)));
            }
            return Expression.ArrayAccess(array, Expression.Constant(i));
        }
        foreach (var v in plan.LiveIn[part].Where(slots.ContainsKey)) body.Add(Expression.Assign(v, SlotOf(v)));
        body.AddRange(statements);
        foreach (var v in plan.Used[part].Where(plan.LiveOut[part].Contains)) body.Add(Expression.Assign(SlotOf(v), v));
        body.Add(Expression.Empty());
        return Expression.Block(typeof(void), arrays.Values, body);
    }
}

/// <summary>What the parts of one cut method share while they are emitted.</summary>
internal sealed class PartContext(ScratchPool scratch, ParameterExpression state)
{
    /// <summary>The buffers of every part's <see cref="Intrinsics.Scratch"/> sites, numbered across the parts.</summary>
    public ScratchPool Scratch { get; } = scratch;

    /// <summary>The parts' last parameter: the call's state.</summary>
    public ParameterExpression State { get; } = state;

    public int NextScratchSlot { get; set; }
}

/// <summary>One call's values shared between parts (an array per type) and the scratch buffers it holds.</summary>
internal sealed class PartState
{
    internal static readonly FieldInfo SlotsField = typeof(PartState).GetField(nameof(Slots))!;
    internal static readonly FieldInfo HeldField = typeof(PartState).GetField(nameof(Held))!;

    public readonly Array[] Slots;
    public readonly double[]?[] Held;

    public PartState((Type Type, int Count)[] layout, int scratchSites)
    {
        Slots = layout.Select(l => Array.CreateInstance(l.Type, l.Count)).ToArray();
        Held = new double[]?[scratchSites];
    }
}

/// <summary>The state of the calls of one cut method: one kept between calls, others allocated while it is in use.</summary>
internal sealed class PartStatePool((Type Type, int Count)[] layout, int scratchSites, ScratchPool scratch)
{
    internal static readonly MethodInfo TakeMethod = typeof(PartStatePool).GetMethod(nameof(Take))!;
    internal static readonly MethodInfo GiveMethod = typeof(PartStatePool).GetMethod(nameof(Give))!;

    private PartState? _kept;

    /// <summary>A state whose values are all default, as a method's locals are when it starts.</summary>
    public PartState Take()
    {
        var state = Interlocked.Exchange(ref _kept, null) ?? new PartState(layout, scratchSites);
        foreach (var slots in state.Slots) Array.Clear(slots);
        return state;
    }

    /// <summary>Gives the call's scratch buffers back, lets go of what it referenced, and keeps the state.</summary>
    public void Give(PartState state)
    {
        for (int s = 0; s < state.Held.Length; s++)
            if (state.Held[s] is { } held)
            {
                ScratchPool.Give(scratch, s, held);
                state.Held[s] = null;
            }
        foreach (var slots in state.Slots)
            if (!slots.GetType().GetElementType()!.IsValueType) Array.Clear(slots);
        Volatile.Write(ref _kept, state);
    }
}

/// <summary>The call of one part from the method that calls the parts: its constants, the lambda's parameters and the
/// call's state.</summary>
internal sealed class PartCall(DynamicMethod method, object?[] constants, IReadOnlyList<ParameterExpression> parameters, ParameterExpression state) : Expression
{
    public DynamicMethod Method { get; } = method;
    public object?[] Constants { get; } = constants;
    public IReadOnlyList<ParameterExpression> Parameters { get; } = parameters;
    public ParameterExpression State { get; } = state;
    public override ExpressionType NodeType => ExpressionType.Extension;
    public override Type Type => typeof(void);
}

internal sealed partial class ILEmitter
{
    private void EmitPartCall(PartCall call)
    {
        EmitConstant(call.Constants, typeof(object[]));
        foreach (var p in call.Parameters) LoadRaw(p);
        LoadRaw(call.State);
        Op(OpCodes.Call, call.Method);
    }
}
