using System.Linq.Expressions;
using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.Intrinsics;

namespace ExprDiff.Backends.Batch;

/// <summary>The vectorized kernel: evaluates points [start, end) four at a time (end − start a multiple of 4).</summary>
internal delegate void SimdKernel(ref double points, ref double values, ref double gradients, nint stride, nint start, nint end);

/// <summary>
/// Emits a straight-line value-and-gradient lambda (no loops, constant indices) as a loop over points with each
/// double a <see cref="Vector256{T}"/> of four points: one lane per point, the same operations in the same order,
/// so every lane equals the scalar code bit for bit. Conditionals become selects (both branches are computed, the
/// untaken one is discarded); functions without an exact vector form (<c>Math.Exp</c>, …) are called lane by lane.
/// </summary>
/// <remarks>Recursive over operands: it only compiles lambdas the exporter wrote, whose inline depth is bounded.</remarks>
internal sealed class SimdEmitter
{
    private static readonly Type V = typeof(Vector256<double>);
    private static readonly MethodInfo Broadcast = typeof(Vector256).GetMethod(nameof(Vector256.Create), [typeof(double)])!;
    private static readonly MethodInfo Create4 = typeof(Vector256).GetMethod(nameof(Vector256.Create), [typeof(double), typeof(double), typeof(double), typeof(double)])!;
    private static readonly MethodInfo Load = Generic(nameof(Vector256.LoadUnsafe), 2);
    private static readonly MethodInfo StoreV = Generic(nameof(Vector256.StoreUnsafe), 3);
    private static readonly MethodInfo GetLane = Generic(nameof(Vector256.GetElement), 2);
    private static readonly MethodInfo Select = Generic(nameof(Vector256.ConditionalSelect), 3);

    private static MethodInfo Generic(string name, int arity) =>
        typeof(Vector256).GetMethods().First(m => m.Name == name && m.IsGenericMethodDefinition && m.GetParameters().Length == arity).MakeGenericMethod(typeof(double));

    // Vector256's operation over doubles: a generic method, or an overload for Vector256<double>.
    private static MethodInfo Vector(string name, int arity) =>
        typeof(Vector256).GetMethods().FirstOrDefault(m => m.Name == name && !m.IsGenericMethodDefinition && m.GetParameters().Length == arity
            && m.GetParameters().All(p => p.ParameterType == V)) ?? Generic(name, arity);

    private readonly ILGenerator _il;
    private readonly int _dimension;
    private readonly ParameterExpression? _x;
    private readonly ParameterExpression _gradient;
    private readonly Dictionary<ParameterExpression, int> _coordinates = new();
    private readonly Dictionary<ParameterExpression, LocalBuilder> _locals = new();
    private readonly Dictionary<ParameterExpression, int> _ints = new();
    private readonly LocalBuilder _p;

    private SimdEmitter(ILGenerator il, LambdaExpression lambda, int dimension)
    {
        _il = il;
        _dimension = dimension;
        int last = lambda.Parameters.Count - 1;
        _gradient = lambda.Parameters[last];
        if (last == 1 && lambda.Parameters[0].Type == typeof(double[])) _x = lambda.Parameters[0];
        else for (int i = 0; i < last; i++) _coordinates[lambda.Parameters[i]] = i;
        _p = il.DeclareLocal(typeof(nint));
    }

    /// <summary>The kernel for a lambda <c>(x, gradient) => …</c> or <c>(a, b, …, gradient) => …</c>, or why there is none.</summary>
    public static (SimdKernel? Kernel, string? Reason) TryEmit(LambdaExpression lambda, int dimension)
    {
        if (ExprDiff.Backends.IL.DynamicCode.Unavailable is { } noEmit) return (null, noEmit);
        var method = new DynamicMethod("ExprDiffSimd", typeof(void),
            [typeof(object), typeof(double).MakeByRefType(), typeof(double).MakeByRefType(), typeof(double).MakeByRefType(), typeof(nint), typeof(nint), typeof(nint)],
            typeof(SimdEmitter).Module, skipVisibility: true);
        var il = method.GetILGenerator();
        var emitter = new SimdEmitter(il, lambda, dimension);
        try
        {
            // for (p = start; p < end; p += 4) body
            var top = il.DefineLabel();
            var test = il.DefineLabel();
            il.Emit(OpCodes.Ldarg, (short)5);
            il.Emit(OpCodes.Stloc, emitter._p);
            il.Emit(OpCodes.Br, test);
            il.MarkLabel(top);
            emitter.Statement(lambda.Body, isResult: true);
            il.Emit(OpCodes.Ldloc, emitter._p);
            il.Emit(OpCodes.Ldc_I4_4);
            il.Emit(OpCodes.Conv_I);
            il.Emit(OpCodes.Add);
            il.Emit(OpCodes.Stloc, emitter._p);
            il.MarkLabel(test);
            il.Emit(OpCodes.Ldloc, emitter._p);
            il.Emit(OpCodes.Ldarg, (short)6);
            il.Emit(OpCodes.Blt, top);
            il.Emit(OpCodes.Ret);
            return ((SimdKernel)method.CreateDelegate(typeof(SimdKernel), emitter._roots.ToArray()), null);
        }
        catch (NotSupportedException e)
        {
            return (null, e.Message);
        }
    }

    /// <summary>A branch every lane computes must be pure arithmetic: no call of a user's function (it might throw or have
    /// effects where its branch is not taken), no integer division.</summary>
    private static void RequireHarmless(Expression branch)
    {
        var pending = new Stack<Expression>();
        pending.Push(branch);
        while (pending.Count > 0)
        {
            var e = pending.Pop();
            switch (e)
            {
                case MethodCallExpression call when call.Method.DeclaringType != typeof(Math) && call.Method.DeclaringType != typeof(Intrinsics):
                    throw No(call, $"the call to {call.Method.Name} in a conditional branch (it must not run where the branch is not taken)");
                case BinaryExpression { NodeType: ExpressionType.Divide or ExpressionType.Modulo } b when b.Type == typeof(int):
                    throw No(b, "an integer division in a conditional branch");
            }
            foreach (var child in Children(e)) pending.Push(child);
        }
    }

    private static IEnumerable<Expression> Children(Expression e) => e switch
    {
        BinaryExpression b => [b.Left, b.Right],
        UnaryExpression u => [u.Operand],
        ConditionalExpression c => [c.Test, c.IfTrue, c.IfFalse],
        MethodCallExpression m => m.Object is null ? m.Arguments : m.Arguments.Prepend(m.Object),
        BlockExpression b => b.Expressions,
        IndexExpression ix => ix.Arguments.Prepend(ix.Object!),
        MemberExpression { Expression: { } inner } => [inner],
        _ => [],
    };


    /// <summary>Closure objects the kernel reads captured variables from: the kernel's bound target.</summary>
    private readonly List<object> _roots = new();

    /// <summary>The closure object at the root of a chain of field and property reads (null for a static chain, which is
    /// returned as the chain's own expression), or nothing when the chain starts from a value the kernel computes.</summary>
    private static Expression? MemberRoot(MemberExpression m)
    {
        Expression? e = m;
        while (e is MemberExpression { Member: FieldInfo or PropertyInfo { GetMethod: not null } } me) e = me.Expression;
        return e switch { null => m, ConstantExpression { Value: not null } c when !c.Type.IsValueType => c, _ => null };
    }

    private void LoadMember(MemberExpression m, Expression root)
    {
        var chain = new List<MemberInfo>();
        for (Expression? e = m; e is MemberExpression me; e = me.Expression) chain.Add(me.Member);
        chain.Reverse();
        Type? current = null;
        if (root is ConstantExpression c)
        {
            _il.Emit(OpCodes.Ldarg_0);
            _il.Emit(OpCodes.Castclass, typeof(object[]));
            _il.Emit(OpCodes.Ldc_I4, _roots.Count);
            _il.Emit(OpCodes.Ldelem_Ref);
            _il.Emit(OpCodes.Castclass, c.Type);
            _roots.Add(c.Value!);
            current = c.Type;
        }
        foreach (var member in chain)
        {
            bool isStatic = member is FieldInfo { IsStatic: true } || member is PropertyInfo { GetMethod.IsStatic: true };
            if (!isStatic && current is { IsValueType: true })
            {
                // An instance member of a struct value is read through its address.
                var temp = _il.DeclareLocal(current);
                _il.Emit(OpCodes.Stloc, temp);
                _il.Emit(OpCodes.Ldloca, temp);
            }
            switch (member)
            {
                case FieldInfo f:
                    _il.Emit(f.IsStatic ? OpCodes.Ldsfld : OpCodes.Ldfld, f);
                    current = f.FieldType;
                    break;
                case PropertyInfo p:
                    _il.Emit(p.GetMethod!.IsStatic || current!.IsValueType ? OpCodes.Call : OpCodes.Callvirt, p.GetMethod!);
                    current = p.PropertyType;
                    break;
            }
        }
    }

    private static NotSupportedException No(Expression e, string what) => new($"{what} ({e.NodeType} node) has no vector form");

    /// <summary>A statement of the body; the lambda's result (the value) is stored for the four points.</summary>
    private void Statement(Expression e, bool isResult = false)
    {
        switch (e)
        {
            case BlockExpression b:
                foreach (var v in b.Variables) Declare(v);
                for (int i = 0; i < b.Expressions.Count; i++) Statement(b.Expressions[i], isResult && i == b.Expressions.Count - 1);
                return;
            case BinaryExpression { NodeType: ExpressionType.Assign, Left: ParameterExpression v } a when v.Type == typeof(int):
                _ints[v] = Int(a.Right);
                return;
            case BinaryExpression { NodeType: ExpressionType.Assign, Left: ParameterExpression v, Right: MethodCallExpression { Object: null } call }
                when _structs.TryGetValue(v, out var fields):
                StructCall(call, fields);
                return;
            case BinaryExpression { NodeType: ExpressionType.Assign, Left: ParameterExpression v } a:
                Value(a.Right);
                _il.Emit(OpCodes.Stloc, Local(v));
                return;
            case BinaryExpression { NodeType: ExpressionType.Assign, Left: IndexExpression { Object: ParameterExpression g } ix } a when g == _gradient:
                Value(a.Right);
                StoreCoordinate(Int(ix.Arguments[0]), gradient: true);
                return;
            case MethodCallExpression c when c.Method.DeclaringType == typeof(Intrinsics) && c.Method.Name.StartsWith("Require", StringComparison.Ordinal):
                return; // argument checks: the batch checks its spans once
            case MethodCallExpression c when c.Method.DeclaringType == typeof(Array) && c.Method.Name == nameof(Array.Clear) && c.Arguments[0] == _gradient:
            {
                int from = Int(c.Arguments[1]), count = Int(c.Arguments[2]);
                for (int k = from; k < from + count; k++)
                {
                    _il.Emit(OpCodes.Ldc_R8, 0.0);
                    _il.Emit(OpCodes.Call, Broadcast);
                    StoreCoordinate(k, gradient: true);
                }
                return;
            }
            case DefaultExpression { Type: var t } when t == typeof(void):
                return;
            case ConditionalExpression { Type: var t, IfFalse: DefaultExpression } c when t == typeof(void):
                // Values needed only under a condition are computed in every lane, as both branches of a conditional
                // value are: the lanes where the condition fails are discarded by the selects that read them.
                RequireHarmless(c.IfTrue);
                Statement(c.IfTrue);
                return;
        }
        if (!isResult) throw No(e, "a statement");
        Value(e);
        // values[p .. p+3]
        _il.Emit(OpCodes.Ldarg_2);
        _il.Emit(OpCodes.Ldloc, _p);
        _il.Emit(OpCodes.Call, StoreV);
    }

    private readonly Dictionary<ParameterExpression, Dictionary<FieldInfo, LocalBuilder>> _structs = new();

    // Results of fused functions (Math.SinCos's pair, a family of integer powers): one vector per field.
    private static FieldInfo[]? DoubleFields(Type t) =>
        t.IsValueType && !t.IsPrimitive && t.GetFields(BindingFlags.Public | BindingFlags.Instance) is { Length: > 0 } fields
            && fields.All(f => f.FieldType == typeof(double)) ? fields : null;

    private void Declare(ParameterExpression v)
    {
        if (v.Type == typeof(int)) return;
        if (DoubleFields(v.Type) is { } fields)
        {
            _structs[v] = fields.ToDictionary(f => f, _ => _il.DeclareLocal(V));
            return;
        }
        // A bool is a mask: all bits set in the lanes where it holds.
        if (v.Type != typeof(double) && v.Type != typeof(bool)) throw No(v, $"the variable '{v.Name}' of type {v.Type.Name}");
        _locals[v] = _il.DeclareLocal(V);
    }

    private LocalBuilder Local(ParameterExpression v) =>
        _locals.TryGetValue(v, out var l) ? l : throw No(v, $"the variable '{v.Name}'");

    /// <summary>Pushes the address of coordinate k of the four points (points or gradients) and the element offset.</summary>
    private void Coordinate(int k, bool gradient)
    {
        if ((uint)k >= (uint)_dimension) throw new NotSupportedException($"coordinate {k} is outside the dimension {_dimension}");
        _il.Emit(gradient ? OpCodes.Ldarg_3 : OpCodes.Ldarg_1);
        _il.Emit(OpCodes.Ldc_I4, k);
        _il.Emit(OpCodes.Conv_I);
        _il.Emit(OpCodes.Ldarg, (short)4);
        _il.Emit(OpCodes.Mul);
        _il.Emit(OpCodes.Ldloc, _p);
        _il.Emit(OpCodes.Add);
    }

    private void StoreCoordinate(int k, bool gradient)
    {
        // The vector is on the stack; StoreUnsafe(vector, ref destination, offset).
        Coordinate(k, gradient);
        _il.Emit(OpCodes.Call, StoreV);
    }

    /// <summary>A lane-invariant int, known when the kernel is emitted (an index, x.Length = the dimension).</summary>
    private int Int(Expression e) => e switch
    {
        ConstantExpression { Value: int v } => v,
        ParameterExpression p when _ints.TryGetValue(p, out int v) => v,
        UnaryExpression { NodeType: ExpressionType.ArrayLength, Operand: var a } when a == _x => _dimension,
        BinaryExpression { NodeType: ExpressionType.Add } b => Int(b.Left) + Int(b.Right),
        BinaryExpression { NodeType: ExpressionType.Subtract } b => Int(b.Left) - Int(b.Right),
        BinaryExpression { NodeType: ExpressionType.Multiply } b => Int(b.Left) * Int(b.Right),
        MemberExpression or BinaryExpression { NodeType: ExpressionType.ArrayIndex } or IndexExpression or MethodCallExpression
            => throw No(e, "an int read from data at run time (a captured or static variable, an element of an int array), which the kernel cannot fold"),
        _ => throw No(e, "an int that depends on the point"),
    };

    /// <summary>Pushes the four-lane value of a double (or the lane mask of a bool).</summary>
    private void Value(Expression e)
    {
        switch (e)
        {
            case ConstantExpression { Value: double d }:
                _il.Emit(OpCodes.Ldc_R8, d);
                _il.Emit(OpCodes.Call, Broadcast);
                return;
            case ParameterExpression p when _coordinates.TryGetValue(p, out int k):
                Coordinate(k, gradient: false);
                _il.Emit(OpCodes.Call, Load);
                return;
            case ParameterExpression p:
                _il.Emit(OpCodes.Ldloc, Local(p));
                return;
            case MemberExpression { Expression: ParameterExpression s, Member: FieldInfo f } when _structs.TryGetValue(s, out var fields):
                _il.Emit(OpCodes.Ldloc, fields[f]);
                return;
            case MemberExpression m when m.Type == typeof(double) && MemberRoot(m) is { } root:
                // A captured or static double, read when the kernel runs (as f reads it) and broadcast to the four lanes.
                LoadMember(m, root);
                _il.Emit(OpCodes.Call, Broadcast);
                return;
            case BinaryExpression { NodeType: ExpressionType.ArrayIndex, Left: var a } b when a == _x:
                Coordinate(Int(b.Right), gradient: false);
                _il.Emit(OpCodes.Call, Load);
                return;
            case IndexExpression { Object: var a } ix when a == _x && ix.Arguments.Count == 1:
                Coordinate(Int(ix.Arguments[0]), gradient: false);
                _il.Emit(OpCodes.Call, Load);
                return;
            case UnaryExpression { NodeType: ExpressionType.Convert, Operand.Type: var t } u when t == typeof(int) && u.Type == typeof(double):
                _il.Emit(OpCodes.Ldc_R8, (double)Int(u.Operand));
                _il.Emit(OpCodes.Call, Broadcast);
                return;
            case UnaryExpression { NodeType: ExpressionType.Negate, Method: null } u when u.Type == typeof(double):
                Value(u.Operand);
                _il.Emit(OpCodes.Call, Vector(nameof(Vector256.Negate), 1));
                return;
            case UnaryExpression { NodeType: ExpressionType.Not } u when u.Type == typeof(bool):
                Value(u.Operand);
                _il.Emit(OpCodes.Call, Vector(nameof(Vector256.OnesComplement), 1));
                return;
            case BinaryExpression { Method: null } b when b.Left.Type == typeof(double) || b.Left.Type == typeof(bool):
                Binary(b);
                return;
            case ConditionalExpression c when c.Type == typeof(double):
                RequireHarmless(c.IfTrue);
                RequireHarmless(c.IfFalse);
                Value(c.Test);
                Value(c.IfTrue);
                Value(c.IfFalse);
                _il.Emit(OpCodes.Call, Select);
                return;
            case MethodCallExpression { Object: null } call:
                Call(call);
                return;
            case BlockExpression { Variables.Count: 0 } b when b.Expressions.Count == 1:
                Value(b.Expressions[0]);
                return;
        }
        throw No(e, $"a {e.Type.Name} value");
    }

    private void Binary(BinaryExpression b)
    {
        string? name = b.NodeType switch
        {
            ExpressionType.Add => nameof(Vector256.Add),
            ExpressionType.Subtract => nameof(Vector256.Subtract),
            ExpressionType.Multiply => nameof(Vector256.Multiply),
            ExpressionType.Divide => nameof(Vector256.Divide),
            ExpressionType.LessThan => nameof(Vector256.LessThan),
            ExpressionType.LessThanOrEqual => nameof(Vector256.LessThanOrEqual),
            ExpressionType.GreaterThan => nameof(Vector256.GreaterThan),
            ExpressionType.GreaterThanOrEqual => nameof(Vector256.GreaterThanOrEqual),
            ExpressionType.Equal => nameof(Vector256.Equals),
            ExpressionType.NotEqual => nameof(Vector256.Equals),
            ExpressionType.AndAlso or ExpressionType.And => nameof(Vector256.BitwiseAnd),
            ExpressionType.OrElse or ExpressionType.Or => nameof(Vector256.BitwiseOr),
            _ => null,
        };
        if (name is null) throw No(b, $"the operator {b.NodeType}");
        if (b.Left.Type == typeof(bool) && b.NodeType is not (ExpressionType.AndAlso or ExpressionType.And or ExpressionType.OrElse or ExpressionType.Or))
            throw No(b, "a comparison of booleans");
        Value(b.Left);
        Value(b.Right);
        _il.Emit(OpCodes.Call, Vector(name, 2));
        if (b.NodeType == ExpressionType.NotEqual) _il.Emit(OpCodes.Call, Vector(nameof(Vector256.OnesComplement), 1));
    }

    // Vector forms that round exactly as the scalar functions do.
    private static readonly Dictionary<MethodInfo, string> Exact = new()
    {
        [typeof(Math).GetMethod(nameof(Math.Sqrt), [typeof(double)])!] = nameof(Vector256.Sqrt),
        [typeof(Math).GetMethod(nameof(Math.Abs), [typeof(double)])!] = nameof(Vector256.Abs),
        [typeof(Math).GetMethod(nameof(Math.Max), [typeof(double), typeof(double)])!] = nameof(Vector256.Max),
        [typeof(Math).GetMethod(nameof(Math.Min), [typeof(double), typeof(double)])!] = nameof(Vector256.Min),
        [typeof(Math).GetMethod(nameof(Math.FusedMultiplyAdd), [typeof(double), typeof(double), typeof(double)])!] = nameof(Vector256.FusedMultiplyAdd),
    };

    /// <summary>A struct-valued function lane by lane: each field's four results become that field's vector.</summary>
    private void StructCall(MethodCallExpression call, Dictionary<FieldInfo, LocalBuilder> fields)
    {
        var temps = Arguments(call);
        var result = _il.DeclareLocal(call.Type);
        var lanes = fields.Keys.ToDictionary(f => f, _ => new LocalBuilder[4]);
        for (int lane = 0; lane < 4; lane++)
        {
            PushLane(temps, lane);
            _il.Emit(OpCodes.Call, call.Method);
            _il.Emit(OpCodes.Stloc, result);
            foreach (var (f, perLane) in lanes)
            {
                perLane[lane] = _il.DeclareLocal(typeof(double));
                _il.Emit(OpCodes.Ldloc, result);
                _il.Emit(OpCodes.Ldfld, f);
                _il.Emit(OpCodes.Stloc, perLane[lane]);
            }
        }
        foreach (var (f, perLane) in lanes)
        {
            foreach (var l in perLane) _il.Emit(OpCodes.Ldloc, l);
            _il.Emit(OpCodes.Call, Create4);
            _il.Emit(OpCodes.Stloc, fields[f]);
        }
    }

    /// <summary>Evaluates a call's arguments: doubles into vector temporaries, ints (lane-invariant) as constants.</summary>
    private (LocalBuilder? Vector, int Int)[] Arguments(MethodCallExpression call)
    {
        var args = new (LocalBuilder?, int)[call.Arguments.Count];
        for (int j = 0; j < args.Length; j++)
        {
            var a = call.Arguments[j];
            if (a.Type == typeof(double)) { Value(a); var t = _il.DeclareLocal(V); _il.Emit(OpCodes.Stloc, t); args[j] = (t, 0); }
            else if (a.Type == typeof(int)) args[j] = (null, Int(a));
            else throw No(a, $"an argument of type {a.Type.Name} to {call.Method.Name}");
        }
        return args;
    }

    private void PushLane((LocalBuilder? Vector, int Int)[] args, int lane)
    {
        foreach (var (vector, constant) in args)
        {
            if (vector is null) { _il.Emit(OpCodes.Ldc_I4, constant); continue; }
            _il.Emit(OpCodes.Ldloc, vector);
            _il.Emit(OpCodes.Ldc_I4, lane);
            _il.Emit(OpCodes.Call, GetLane);
        }
    }

    private void Call(MethodCallExpression call)
    {
        var m = call.Method;
        if (m.ReturnType != typeof(double)) throw No(call, $"the call to {m.Name} returning {m.ReturnType.Name}");
        if (Exact.TryGetValue(m, out var vector))
        {
            foreach (var a in call.Arguments) Value(a);
            _il.Emit(OpCodes.Call, Vector(vector, call.Arguments.Count));
            return;
        }
        // Lane by lane: the scalar function on each point, then the four results as one vector.
        var args = Arguments(call);
        for (int lane = 0; lane < 4; lane++)
        {
            PushLane(args, lane);
            _il.Emit(OpCodes.Call, m);
        }
        _il.Emit(OpCodes.Call, Create4);
    }
}
