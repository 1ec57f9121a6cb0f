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

    /// <summary>The lambda with its top-level immediately invoked parameterless lambdas, and the top-level blocks among
    /// and inside them, inlined (the same lambda when it has no such lambda).</summary>
    public static LambdaExpression Flatten(LambdaExpression lambda)
    {
        // Only where the lambda holds such parts: every other lambda is emitted exactly as written.
        if (lambda.Body is not BlockExpression body || !body.Expressions.Any(e => InvokedBody(e) is not null)) return lambda;
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

        // A value that lives from one part into another lives in the call's state, an array per type, and is read and
        // written there wherever it is used (as a one-method lambda's unoptimized frame would hold it): copying it into
        // and out of locals at each part's ends costs more than it saves on tapes read once.
        var arrays = new List<ParameterExpression>();
        var counts = new List<int>();
        var resident = new Dictionary<ParameterExpression, (ParameterExpression Array, int Index)>();
        foreach (var v in body.Variables.Where(plan.Crossing.Contains))
        {
            int t = arrays.FindIndex(a => a.Type.GetElementType() == v.Type);
            if (t < 0) { t = arrays.Count; arrays.Add(Expression.Variable(v.Type.MakeArrayType(), "shared" + t)); counts.Add(0); }
            resident[v] = (arrays[t], counts[t]++);
        }

        var context = new PartContext(new ScratchPool(), Expression.Parameter(typeof(PartState), "state"), resident, arrays);
        var partTypes = parameterTypes.Append(typeof(PartState)).ToArray();
        var partParameters = lambda.Parameters.Append(context.State).ToArray();
        var calls = new List<Expression>();
        var mainState = Expression.Variable(typeof(PartState), "state");
        int bytes = 0;
        for (int p = 0; p < plan.Parts.Count - 1; p++)
        {
            var (start, count) = plan.Parts[p];
            var part = Expression.Lambda(WithState(plan.Used[p], resident, [], context.State, statements.Skip(start).Take(count)),
                $"{lambda.Name ?? "ExprDiffLambda"}_part{p}", partParameters);
            var (method, constants, partBytes) = ILEmitter.EmitMethod(part, typeof(void), partTypes, spans, context);
            bytes += partBytes;
            calls.Add(new PartCall(method, constants, lambda.Parameters, mainState));
        }
        context.Scratch.Resize(context.NextScratchSlot);

        var pool = new PartStatePool(arrays.Select((a, t) => (a.Type.GetElementType()!, counts[t])).ToArray(), context.NextScratchSlot, context.Scratch);
        var last = statements[^1];
        var main = new List<Expression> { Expression.Assign(mainState, Expression.Call(Expression.Constant(pool), PartStatePool.TakeMethod)) };
        main.AddRange(calls);
        var giveBack = Expression.Call(Expression.Constant(pool), PartStatePool.GiveMethod, mainState);
        var mainVariables = new List<ParameterExpression> { mainState };
        if (returnType == typeof(void))
        {
            main.Add(WithState(plan.Used[^1], resident, arrays, mainState, [last]));
            main.Add(giveBack);
        }
        else
        {
            var result = Expression.Variable(last.Type, "result");
            mainVariables.Add(result);
            main.Add(WithState(plan.Used[^1], resident, arrays, mainState, [Expression.Assign(result, last)]));
            main.Add(giveBack);
            main.Add(result);
        }
        var mainLambda = Expression.Lambda(Expression.Block(returnType, mainVariables, main), lambda.Name ?? "ExprDiffLambda", lambda.Parameters);
        var (mainMethod, mainConstants, mainBytes) = ILEmitter.EmitMethod(mainLambda, returnType, parameterTypes, spans, part: null, resident);
        return (mainMethod, mainConstants, bytes + mainBytes, plan.Parts.Count);
    }

    /// <summary>A part's statements, its own variables declared, after reading the arrays of the state that hold the
    /// shared values it uses.</summary>
    private static Expression WithState(ParameterExpression[] used,
        Dictionary<ParameterExpression, (ParameterExpression Array, int Index)> resident, List<ParameterExpression> arrays,
        ParameterExpression state, IEnumerable<Expression> statements)
    {
        var body = new List<Expression>();
        var read = new List<ParameterExpression>();
        for (int t = 0; t < arrays.Count; t++)
            if (used.Any(v => resident.TryGetValue(v, out var home) && home.Array == arrays[t]))
            {
                read.Add(arrays[t]);
                body.Add(Expression.Assign(arrays[t], Expression.Convert(
                    Expression.ArrayIndex(Expression.Field(state, PartState.SlotsField), Expression.Constant(t)), arrays[t].Type)));
            }
        body.AddRange(statements);
        body.Add(Expression.Empty());
        return Expression.Block(typeof(void), read.Concat(used.Where(v => !resident.ContainsKey(v))), body);
    }
}

/// <summary>What the parts of one cut method share while they are emitted.</summary>
internal sealed class PartContext(ScratchPool scratch, ParameterExpression state,
    IReadOnlyDictionary<ParameterExpression, (ParameterExpression Array, int Index)> resident, IReadOnlyList<ParameterExpression> arrays)
{
    /// <summary>The variables that live in the state: the array of their type and their index in it.</summary>
    public IReadOnlyDictionary<ParameterExpression, (ParameterExpression Array, int Index)> Resident { get; } = resident;

    /// <summary>The state's arrays, each with its index in <see cref="PartState.Slots"/>.</summary>
    public IEnumerable<(ParameterExpression Array, int Index)> Arrays => arrays.Select((a, t) => (a, t));

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
    /// <summary>In a part: a reference to element 0 of each of the state's arrays, taken once as the part starts.</summary>
    private readonly Dictionary<ParameterExpression, (LocalBuilder Base, int Size)> _sharedBases = new();

    private static readonly MethodInfo SizeOf = typeof(System.Runtime.CompilerServices.Unsafe).GetMethod(nameof(System.Runtime.CompilerServices.Unsafe.SizeOf))!;

    // A part reads and writes the shared values through references into the state's arrays: the arrays are made as long
    // as their slots, so the element's address is computed without a bounds check.
    private void ReferenceSharedValues(PartContext part)
    {
        foreach (var (array, t) in part.Arrays)
        {
            var element = array.Type.GetElementType()!;
            var reference = _il.DeclareLocal(element.MakeByRefType());
            _il.Emit(OpCodes.Ldarg, _arguments[part.State]);
            _il.Emit(OpCodes.Ldfld, PartState.SlotsField);
            _il.Emit(OpCodes.Ldc_I4, t);
            _il.Emit(OpCodes.Ldelem_Ref);
            _il.Emit(OpCodes.Castclass, array.Type);
            _il.Emit(OpCodes.Ldc_I4_0);
            _il.Emit(OpCodes.Ldelema, element);
            _il.Emit(OpCodes.Stloc, reference);
            _sharedBases[array] = (reference, (int)SizeOf.MakeGenericMethod(element).Invoke(null, null)!);
        }
    }

    /// <summary>Pushes the address of a shared value's element when this method holds references into the state.</summary>
    private bool ElementAddress((ParameterExpression Array, int Index) home)
    {
        if (!_sharedBases.TryGetValue(home.Array, out var b)) return false;
        Op(OpCodes.Ldloc, b.Base);
        if (home.Index > 0)
        {
            Op(OpCodes.Ldc_I4, home.Index * b.Size);
            Op(OpCodes.Add);
        }
        return true;
    }

    private void EmitPartCall(PartCall call)
    {
        EmitConstant(call.Constants, typeof(object[]));
        foreach (var p in call.Parameters) LoadRaw(p);
        LoadRaw(call.State);
        Op(OpCodes.Call, call.Method);
    }
}
