using System.Linq.Expressions;
using System.Reflection;
using System.Reflection.Emit;

namespace ExprDiff.Backends.IL;

/// <summary>
/// Emits one lambda as the IL of a <see cref="DynamicMethod"/>: variables become locals, conditionals real branches,
/// loops real loops. Derivatives come here already scheduled by the exporter (values used twice live in reused
/// variables, inline trees are shallow), so this is a direct translation. Iterative: a work stack replaces
/// recursion, so a user's 1,000,000-deep tree cannot exhaust the thread's stack.
/// </summary>
/// <remarks>
/// The method's first argument is an <c>object[]</c> of the constants IL cannot embed (captured arrays, objects);
/// the delegate is bound to it, so a call allocates nothing. Parameters given a span type in place of
/// <c>double[]</c> (the solver entry points) are read and written through the span's indexer.
/// </remarks>
internal sealed partial class ILEmitter
{
    private readonly ILGenerator _il;
    private readonly Dictionary<ParameterExpression, short> _arguments = new();
    private readonly Dictionary<ParameterExpression, LocalBuilder> _locals = new();
    private readonly Dictionary<LabelTarget, Label> _labels = new();
    private readonly Dictionary<Type, Stack<LocalBuilder>> _temps = new();
    private readonly List<object?> _constants = new();
    private readonly Dictionary<object, int> _constantIndex = new(ReferenceEqualityComparer.Instance);
    private readonly Stack<Work> _work = new();
    private readonly List<Work> _sequence = new();

    /// <summary>Parameters and variables that hold a span instead of an array, with their span type.</summary>
    private readonly IReadOnlyDictionary<ParameterExpression, Type> _spans;

    private ILEmitter(ILGenerator il, IReadOnlyDictionary<ParameterExpression, Type> spans)
    {
        _il = il;
        _spans = spans;
    }

    /// <summary>The emitted method, bound to its constants as a delegate of <paramref name="delegateType"/>.</summary>
    /// <param name="parameterTypes">The method's parameter types when they differ from the lambda's (spans for arrays).</param>
    /// <exception cref="UnsupportedNodeException">A node this emitter does not compile.</exception>
    public static (Delegate Delegate, int ILBytes, int Methods) Emit(LambdaExpression lambda, Type delegateType, Type[]? parameterTypes = null)
    {
        var invoke = delegateType.GetMethod("Invoke")!;
        parameterTypes ??= lambda.Parameters.Select(p => p.Type).ToArray();
        lambda = MethodParts.Flatten(lambda);
        var spans = SpanVariables.Find(lambda, parameterTypes);
        if (MethodParts.TryEmit(lambda, invoke.ReturnType, parameterTypes, spans) is { } parts)
            return (parts.Method.CreateDelegate(delegateType, parts.Constants), parts.ILBytes, parts.Methods);
        var (method, constants, bytes) = EmitMethod(lambda, invoke.ReturnType, parameterTypes, spans, part: null);
        return (method.CreateDelegate(delegateType, constants), bytes, 1);
    }

    /// <summary>One method: its first argument the constants it reads, then <paramref name="parameterTypes"/>. With
    /// <paramref name="part"/>, a part of a method cut by <see cref="MethodParts"/>: its scratch buffers are held in the
    /// call's <see cref="PartState"/> and given back by the method that calls the parts.</summary>
    internal static (DynamicMethod Method, object?[] Constants, int ILBytes) EmitMethod(LambdaExpression lambda, Type returnType,
        Type[] parameterTypes, IReadOnlyDictionary<ParameterExpression, Type> spans, PartContext? part,
        IReadOnlyDictionary<ParameterExpression, (ParameterExpression Array, int Index)>? resident = null)
    {
        var method = new DynamicMethod(lambda.Name ?? "ExprDiffLambda", returnType, [typeof(object[]), .. parameterTypes],
            typeof(ILEmitter).Module, skipVisibility: true);
        var emitter = new ILEmitter(method.GetILGenerator(), spans) { _part = part, _resident = part?.Resident ?? resident };
        for (int i = 0; i < lambda.Parameters.Count; i++) emitter._arguments[lambda.Parameters[i]] = (short)(i + 1);
        if (part is not null) emitter.ReferenceSharedValues(part);
        emitter.Run(lambda.Body, @void: returnType == typeof(void));
        if (part is null) emitter.GiveBackScratch(returnType);
        emitter._il.Emit(OpCodes.Ret);
        return (method, emitter._constants.ToArray(), emitter._il.ILOffset);
    }

    private PartContext? _part;

    /// <summary>Variables held in an array element instead of a local (a cut method's values shared between parts).</summary>
    private IReadOnlyDictionary<ParameterExpression, (ParameterExpression Array, int Index)>? _resident;

    /// <summary>The <see cref="Intrinsics.Scratch"/> sites' buffers (created at the first site) and each site's local.</summary>
    private ScratchPool? _pool;
    private readonly List<LocalBuilder> _scratch = new();

    // Intrinsics.Scratch(n): the site's buffer, taken from the pool for this call and reused while the call runs.
    private void TakeScratch(Expression length, bool empty)
    {
        if (_part is not null)
        {
            // In a part, the buffer is held in the call's state: a later part may still read the array.
            int slot = _part.NextScratchSlot++;
            Visit(length, empty: empty);
            EmitConstant(_part.Scratch, typeof(ScratchPool));
            EmitInt(slot);
            LoadRaw(_part.State);
            Op(OpCodes.Ldfld, PartState.HeldField);
            EmitInt(slot);
            Op(OpCodes.Ldelema, typeof(double[]));
            Op(OpCodes.Call, ScratchPool.TakeMethodInfo);
            return;
        }
        _pool ??= new ScratchPool();
        var held = _il.DeclareLocal(typeof(double[]));
        _scratch.Add(held);
        Visit(length, empty: empty);
        EmitConstant(_pool, typeof(ScratchPool));
        EmitInt(_scratch.Count - 1);
        Op(OpCodes.Ldloca, held);
        Op(OpCodes.Call, ScratchPool.TakeMethodInfo);
    }

    // Before returning, every site's buffer goes back to the pool (the result waits in a local meanwhile).
    private void GiveBackScratch(Type returnType)
    {
        if (_pool is null) return;
        _pool.Resize(_scratch.Count);
        var result = returnType == typeof(void) ? null : _il.DeclareLocal(returnType);
        if (result is not null) _il.Emit(OpCodes.Stloc, result);
        int k = _constantIndex[_pool];
        for (int slot = 0; slot < _scratch.Count; slot++)
        {
            _il.Emit(OpCodes.Ldarg_0);
            _il.Emit(OpCodes.Ldc_I4, k);
            _il.Emit(OpCodes.Ldelem_Ref);
            _il.Emit(OpCodes.Castclass, typeof(ScratchPool));
            ScratchPool.EmitGive(_il, slot, _scratch[slot]);
        }
        if (result is not null) _il.Emit(OpCodes.Ldloc, result);
    }

    private enum Kind : byte { Visit, Emit, Mark, Free }

    /// <summary>One step of the work stack: visit a node, emit an instruction, mark a label or free a temporary.</summary>
    private readonly record struct Work(Kind Kind, Expression? Node, bool Void, bool Empty, OpCode Code, object? Operand, int Depth = 0);

    // RyuJIT rejects methods whose evaluation stack gets about 65,000 deep (a right-nested chain of that many
    // additions): such trees are refused here, and CompileIL rebuilds them from ExprDiff's graph, whose export is shallow.
    private const int MaxStackDepth = 10_000;

    /// <summary>An estimate of how many values are on the evaluation stack under the node being expanded.</summary>
    private int _current;

    private void Run(Expression body, bool @void)
    {
        _work.Push(new Work(Kind.Visit, body, @void, true, default, null));
        while (_work.Count > 0)
        {
            var w = _work.Pop();
            switch (w.Kind)
            {
                case Kind.Visit:
                    _current = w.Depth;
                    if (_current > MaxStackDepth)
                        throw Unsupported(w.Node!, $"an expression nested so deep that more than {MaxStackDepth:N0} operands wait on the evaluation stack");
                    Expand(w.Node!, w.Void, w.Empty);
                    break;
                case Kind.Emit: EmitNow(w.Code, w.Operand); break;
                case Kind.Mark: _il.MarkLabel((Label)w.Operand!); break;
                case Kind.Free: FreeTemp((LocalBuilder)w.Operand!); break;
            }
        }
    }

    // The sequence a node expands to is gathered in order, then pushed reversed so it runs in order.
    // An operand visited without saying whether the stack is empty is a later operand: one more value waits under it.
    private void Visit(Expression node, bool @void = false, bool? empty = null) =>
        _sequence.Add(new Work(Kind.Visit, node, @void, empty ?? false, default, null, empty == true ? 0 : _current + (empty is null ? 1 : 0)));
    private void Op(OpCode code, object? operand = null) => _sequence.Add(new Work(Kind.Emit, null, false, false, code, operand));
    private void Mark(Label label) => _sequence.Add(new Work(Kind.Mark, null, false, false, default, label));
    private void Free(LocalBuilder temp) => _sequence.Add(new Work(Kind.Free, null, false, false, default, temp));

    private void Flush()
    {
        for (int i = _sequence.Count - 1; i >= 0; i--) _work.Push(_sequence[i]);
        _sequence.Clear();
    }

    private void EmitNow(OpCode code, object? operand)
    {
        switch (operand)
        {
            case null: _il.Emit(code); break;
            case int i: _il.Emit(code, i); break;
            case long l: _il.Emit(code, l); break;
            case double d: _il.Emit(code, d); break;
            case float f: _il.Emit(code, f); break;
            case short s: _il.Emit(code, s); break;
            case byte b: _il.Emit(code, b); break;
            case sbyte b: _il.Emit(code, b); break;
            case string s: _il.Emit(code, s); break;
            case Label l: _il.Emit(code, l); break;
            case LocalBuilder l: _il.Emit(code, l); break;
            case MethodInfo m: _il.Emit(code, m); break;
            case ConstructorInfo c: _il.Emit(code, c); break;
            case FieldInfo f: _il.Emit(code, f); break;
            case Type t: _il.Emit(code, t); break;
            default: throw new InvalidOperationException($"operand {operand.GetType()}");
        }
    }

    /// <summary>Expands one node into its instructions and its operands' visits.</summary>
    /// <param name="void">Leave nothing on the stack.</param>
    /// <param name="empty">The evaluation stack is empty here (where branches and loops may start).</param>
    private void Expand(Expression e, bool @void, bool empty)
    {
        switch (e.NodeType)
        {
            case ExpressionType.Constant:
                if (!@void) EmitConstant(((ConstantExpression)e).Value, e.Type);
                break;
            case ExpressionType.Parameter:
                if (!@void) Load((ParameterExpression)e);
                break;
            case ExpressionType.Default:
                if (!@void && e.Type != typeof(void)) EmitDefault(e.Type);
                break;
            case ExpressionType.DebugInfo:
                break;
            case ExpressionType.Assign:
                Assign((BinaryExpression)e, @void, empty);
                break;
            case ExpressionType.Block:
                Block((BlockExpression)e, @void, empty);
                break;
            case ExpressionType.Conditional:
                Conditional((ConditionalExpression)e, @void, empty);
                break;
            case ExpressionType.Loop:
                Loop((LoopExpression)e, empty);
                break;
            case ExpressionType.Goto:
                Goto((GotoExpression)e, empty);
                break;
            case ExpressionType.Label:
                LabelNode((LabelExpression)e, @void);
                break;
            case ExpressionType.Throw:
                var thrown = ((UnaryExpression)e).Operand ?? throw Unsupported(e, "a rethrow outside a catch block");
                Visit(thrown, empty: empty);
                Op(OpCodes.Throw);
                break;
            case ExpressionType.AddAssign or ExpressionType.AddAssignChecked or ExpressionType.SubtractAssign
                or ExpressionType.SubtractAssignChecked or ExpressionType.MultiplyAssign or ExpressionType.MultiplyAssignChecked
                or ExpressionType.DivideAssign or ExpressionType.ModuloAssign or ExpressionType.PowerAssign
                or ExpressionType.AndAssign or ExpressionType.OrAssign or ExpressionType.ExclusiveOrAssign
                or ExpressionType.LeftShiftAssign or ExpressionType.RightShiftAssign
                or ExpressionType.PreIncrementAssign or ExpressionType.PreDecrementAssign
                or ExpressionType.PostIncrementAssign or ExpressionType.PostDecrementAssign:
                if (TouchesSpan(e)) SpanCompound(e, @void);
                else Visit(e.Reduce(), @void, empty);
                break;
            case ExpressionType.Extension when e is PartCall call:
                EmitPartCall(call);
                break;
            case ExpressionType.Extension:
                if (!e.CanReduce) throw Unsupported(e, $"the extension node {e.GetType().Name}, which does not reduce");
                Visit(e.ReduceAndCheck(), @void, empty);
                break;
            default:
                ExpandValue(e, empty);
                if (@void && e.Type != typeof(void)) Op(OpCodes.Pop);
                break;
        }
        Flush();
    }

    /// <summary>Nodes that compute a value from their operands (void mode pops it afterwards).</summary>
    private void ExpandValue(Expression e, bool empty)
    {
        switch (e)
        {
            case BinaryExpression b when e.NodeType is ExpressionType.AndAlso or ExpressionType.OrElse:
                ShortCircuit(b, empty);
                break;
            case BinaryExpression { NodeType: ExpressionType.ArrayIndex } b:
                ReadElement(b.Left, [b.Right], e, empty);
                break;
            case BinaryExpression b:
                Binary(b, empty);
                break;
            case UnaryExpression u:
                Unary(u, empty);
                break;
            case IndexExpression ix:
                if (ix.Indexer is not null) throw Unsupported(e, $"the indexer {ix.Indexer.Name}");
                ReadElement(ix.Object!, ix.Arguments, e, empty);
                break;
            case MethodCallExpression call when call.Method == ScratchPool.Scratch:
                TakeScratch(call.Arguments[0], empty);
                break;
            case MethodCallExpression call:
                Call(call.Object, call.Method, call.Arguments, e, empty);
                break;
            case MemberExpression member:
                Member(member, empty);
                break;
            case NewExpression n:
                if (n.Constructor is null) { EmitDefault(n.Type); break; }
                for (int i = 0; i < n.Arguments.Count; i++) Visit(n.Arguments[i], empty: empty && i == 0);
                Op(OpCodes.Newobj, n.Constructor);
                break;
            case NewArrayExpression { NodeType: ExpressionType.NewArrayBounds } na:
                for (int i = 0; i < na.Expressions.Count; i++) Visit(na.Expressions[i], empty: empty && i == 0);
                if (na.Expressions.Count == 1) Op(OpCodes.Newarr, na.Type.GetElementType()!);
                else Op(OpCodes.Newobj, na.Type.GetConstructor(Enumerable.Repeat(typeof(int), na.Expressions.Count).ToArray())!);
                break;
            case NewArrayExpression na:
            {
                var element = na.Type.GetElementType()!;
                EmitInt(na.Expressions.Count);
                Op(OpCodes.Newarr, element);
                for (int i = 0; i < na.Expressions.Count; i++)
                {
                    Op(OpCodes.Dup);
                    EmitInt(i);
                    Visit(na.Expressions[i]);
                    StoreElement(element);
                }
                break;
            }
            default:
                throw Unsupported(e, $"{e.NodeType} nodes are not compiled to IL");
        }
    }

    private void Block(BlockExpression b, bool @void, bool empty)
    {
        foreach (var v in b.Variables) Declare(v);
        int last = b.Expressions.Count - 1;
        for (int i = 0; i < last; i++) Visit(b.Expressions[i], @void: true, empty);
        Visit(b.Expressions[last], @void || b.Type == typeof(void), empty);
        if (!@void && b.Type != typeof(void) && b.Expressions[last].Type == typeof(void))
            throw Unsupported(b, "a block whose type is not its last expression's");
    }

    private void Conditional(ConditionalExpression c, bool @void, bool empty)
    {
        bool branchesVoid = @void || c.Type == typeof(void);
        var otherwise = _il.DefineLabel();
        var end = _il.DefineLabel();
        Visit(c.Test, empty: empty);
        Op(OpCodes.Brfalse, otherwise);
        Visit(c.IfTrue, branchesVoid, empty);
        Op(OpCodes.Br, end);
        Mark(otherwise);
        Visit(c.IfFalse, branchesVoid, empty);
        Mark(end);
    }

    private void ShortCircuit(BinaryExpression b, bool empty)
    {
        if (b.Method is not null || b.Type != typeof(bool)) throw Unsupported(b, "a user-defined or lifted && / ||");
        var shortcut = _il.DefineLabel();
        var end = _il.DefineLabel();
        Visit(b.Left, empty: empty);
        Op(b.NodeType == ExpressionType.AndAlso ? OpCodes.Brfalse : OpCodes.Brtrue, shortcut);
        Visit(b.Right, empty: empty);
        Op(OpCodes.Br, end);
        Mark(shortcut);
        Op(b.NodeType == ExpressionType.AndAlso ? OpCodes.Ldc_I4_0 : OpCodes.Ldc_I4_1);
        Mark(end);
    }

    private void Loop(LoopExpression loop, bool empty)
    {
        // Backward branches are only taken with an empty evaluation stack, as in C#.
        if (!empty) throw Unsupported(loop, "a loop inside an expression that has operands pending");
        if (loop.BreakLabel is { } b && b.Type != typeof(void)) throw Unsupported(loop, "a loop whose break label carries a value");
        var breakLabel = loop.BreakLabel is null ? _il.DefineLabel() : LabelOf(loop.BreakLabel);
        var continueLabel = loop.ContinueLabel is null ? _il.DefineLabel() : LabelOf(loop.ContinueLabel);
        if (loop.Body is ConditionalExpression { IfFalse: GotoExpression { Value: null } exit } c && exit.Target == loop.BreakLabel)
        {
            // while (test) body, emitted as C# compilers emit it (test at the bottom), the shape the JIT's loop
            // optimizations (induction variables, cloning without bounds checks) recognize.
            var top = _il.DefineLabel();
            Op(OpCodes.Br, continueLabel);
            Mark(top);
            Visit(c.IfTrue, @void: true, empty: true);
            Mark(continueLabel);
            Visit(c.Test, empty: true);
            Op(OpCodes.Brtrue, top);
            Mark(breakLabel);
            return;
        }
        Mark(continueLabel);
        Visit(loop.Body, @void: true, empty: true);
        Op(OpCodes.Br, continueLabel);
        Mark(breakLabel);
    }

    private void Goto(GotoExpression g, bool empty)
    {
        if (g.Value is not null) throw Unsupported(g, "a jump that carries a value");
        if (!empty) throw Unsupported(g, "a jump out of an expression that has operands pending");
        Op(OpCodes.Br, LabelOf(g.Target));
    }

    private void LabelNode(LabelExpression l, bool @void)
    {
        if (l.DefaultValue is not null || (!@void && l.Type != typeof(void))) throw Unsupported(l, "a label that carries a value");
        Mark(LabelOf(l.Target));
    }

    private Label LabelOf(LabelTarget target)
    {
        if (!_labels.TryGetValue(target, out var label)) _labels[target] = label = _il.DefineLabel();
        return label;
    }

    private static UnsupportedNodeException Unsupported(Expression node, string what) => new(node, what);
}
