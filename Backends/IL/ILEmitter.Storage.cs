using System.Linq.Expressions;
using System.Reflection;
using System.Reflection.Emit;

namespace ExprDiff.Backends.IL;

// Variables, constants, array and span elements, fields and calls.
internal sealed partial class ILEmitter
{
    private void Declare(ParameterExpression variable)
    {
        if (_locals.ContainsKey(variable) || _arguments.ContainsKey(variable) || Resident(variable) is not null) return;
        if (variable.IsByRef) throw Unsupported(variable, $"the by-reference variable '{variable.Name}'");
        _locals[variable] = _il.DeclareLocal(_spans.TryGetValue(variable, out var span) ? span : variable.Type);
    }

    private void Load(ParameterExpression p)
    {
        if (_spans.ContainsKey(p)) throw Unsupported(p, $"'{p.Name}' used as an array where only its elements and length can be read from a span");
        LoadRaw(p);
    }

    private (ParameterExpression Array, int Index)? Resident(ParameterExpression p) =>
        _resident is not null && _resident.TryGetValue(p, out var home) ? home : null;

    private void LoadRaw(ParameterExpression p)
    {
        if (Resident(p) is { } home)
        {
            if (ElementAddress(home)) Op(OpCodes.Ldobj, p.Type);
            else
            {
                LoadRaw(home.Array);
                EmitInt(home.Index);
                Op(OpCodes.Ldelem, p.Type);
            }
        }
        else if (_arguments.TryGetValue(p, out short a))
        {
            // Short forms: a huge method is mostly loads, and the JIT's time grows with its size.
            if (a <= 3) Op(a switch { 0 => OpCodes.Ldarg_0, 1 => OpCodes.Ldarg_1, 2 => OpCodes.Ldarg_2, _ => OpCodes.Ldarg_3 });
            else if (a <= 255) Op(OpCodes.Ldarg_S, (byte)a);
            else Op(OpCodes.Ldarg, a);
        }
        else if (_locals.TryGetValue(p, out var local)) Op(OpCodes.Ldloc, local);
        else throw Unsupported(p, $"the variable '{p.Name}', which no enclosing block declares");
    }

    private void LoadAddress(ParameterExpression p)
    {
        if (Resident(p) is { } home)
        {
            if (!ElementAddress(home))
            {
                LoadRaw(home.Array);
                EmitInt(home.Index);
                Op(OpCodes.Ldelema, p.Type);
            }
        }
        else if (_arguments.TryGetValue(p, out short a)) Op(OpCodes.Ldarga, a);
        else if (_locals.TryGetValue(p, out var local)) Op(OpCodes.Ldloca, local);
        else throw Unsupported(p, $"the variable '{p.Name}', which no enclosing block declares");
    }

    private void Store(ParameterExpression p)
    {
        if (Resident(p) is not null) throw new InvalidOperationException($"'{p.Name}' lives in an array: assignments to it store the element");
        if (_arguments.TryGetValue(p, out short a)) Op(OpCodes.Starg, a);
        else if (_locals.TryGetValue(p, out var local)) Op(OpCodes.Stloc, local);
        else throw Unsupported(p, $"the variable '{p.Name}', which no enclosing block declares");
    }

    private LocalBuilder Temp(Type type)
    {
        if (_temps.TryGetValue(type, out var free) && free.Count > 0) return free.Pop();
        return _il.DeclareLocal(type);
    }

    private void FreeTemp(LocalBuilder temp)
    {
        if (!_temps.TryGetValue(temp.LocalType, out var free)) _temps[temp.LocalType] = free = new Stack<LocalBuilder>();
        free.Push(temp);
    }

    private void Assign(BinaryExpression a, bool @void, bool empty)
    {
        switch (a.Left)
        {
            case ParameterExpression v when _spans.ContainsKey(v):
                if (!@void) throw Unsupported(a, $"an assignment to '{v.Name}' (a span) used as a value");
                SpanValue(a.Right, _spans[v], a, empty);
                Store(v);
                break;
            case ParameterExpression v when Resident(v) is { } home:
            {
                // The value first, then the element's array and index under it.
                Visit(a.Right, empty: empty);
                var value = Temp(v.Type);
                Op(OpCodes.Stloc, value);
                if (ElementAddress(home))
                {
                    Op(OpCodes.Ldloc, value);
                    Op(OpCodes.Stobj, v.Type);
                }
                else
                {
                    LoadRaw(home.Array);
                    EmitInt(home.Index);
                    Op(OpCodes.Ldloc, value);
                    Op(OpCodes.Stelem, v.Type);
                }
                if (!@void) Op(OpCodes.Ldloc, value);
                Free(value);
                break;
            }
            case ParameterExpression v:
                Visit(a.Right, empty: empty);
                if (!@void) Op(OpCodes.Dup);
                Store(v);
                break;
            case IndexExpression { Indexer: null } ix:
                WriteElement(ix.Object!, ix.Arguments, a.Right, a, @void, empty);
                break;
            case MemberExpression { Member: FieldInfo field } m:
            {
                if (field.IsInitOnly || field.IsLiteral) throw Unsupported(a, $"the read-only field {field.Name}");
                if (!field.IsStatic)
                {
                    if (m.Expression!.Type.IsValueType) throw Unsupported(a, $"a write to the field {field.Name} of a value");
                    Visit(m.Expression, empty: empty);
                }
                Visit(a.Right);
                LocalBuilder? keep = null;
                if (!@void) { keep = Temp(a.Type); Op(OpCodes.Dup); Op(OpCodes.Stloc, keep); }
                Op(field.IsStatic ? OpCodes.Stsfld : OpCodes.Stfld, field);
                if (keep is not null) { Op(OpCodes.Ldloc, keep); Free(keep); }
                break;
            }
            default:
                throw Unsupported(a, $"an assignment to a {a.Left.NodeType} node");
        }
    }

    /// <summary>Pushes <paramref name="e"/> (a span, a call returning one, or an array) as a <paramref name="target"/>.</summary>
    private void SpanValue(Expression e, Type target, Expression node, bool empty)
    {
        var from = SpanVariables.SpanTypeOf(e, _spans);
        if (from is null && e.Type != typeof(double[])) throw Unsupported(node, $"a span assigned a {e.Type.Name}");
        if (e is ParameterExpression p && from is not null) LoadRaw(p);
        else if (from is not null) { var call = (MethodCallExpression)e; Call(null, call.Method, call.Arguments, e, empty, spanResult: true); }
        else Visit(e, empty: empty);
        var source = from ?? typeof(double[]);
        if (source == target) return;
        // An array becomes a span over it; a writable span a read-only one; the other way round is refused.
        Op(OpCodes.Call, SpanVariables.Conversion(source, target) ?? throw Unsupported(node, $"a writable span assigned a {source.Name}"));
    }

    private bool IsSpan(Expression e) => e is ParameterExpression p && _spans.ContainsKey(p);

    private bool TouchesSpan(Expression e) => e switch
    {
        BinaryExpression { Left: IndexExpression ix } => IsSpan(ix.Object!),
        UnaryExpression { Operand: IndexExpression ix } => IsSpan(ix.Object!),
        _ => false,
    };

    /// <summary><c>span[i] op= value</c>: the element's address once, then load, operate, store.</summary>
    private void SpanCompound(Expression e, bool @void)
    {
        if (e is not BinaryExpression { Left: IndexExpression ix } b || !@void) throw Unsupported(e, "a compound assignment to an element of a span used as a value");
        var span = (ParameterExpression)ix.Object!;
        if (_spans[span] != typeof(Span<double>)) throw Unsupported(e, $"a write to '{span.Name}', which is read-only");
        var op = b.NodeType switch
        {
            ExpressionType.AddAssign => OpCodes.Add,
            ExpressionType.SubtractAssign => OpCodes.Sub,
            ExpressionType.MultiplyAssign => OpCodes.Mul,
            ExpressionType.DivideAssign => OpCodes.Div,
            _ => throw Unsupported(e, $"the compound assignment {b.NodeType} to an element of a span"),
        };
        if (b.Method is not null || b.Conversion is not null) throw Unsupported(e, "a user-defined compound assignment");
        LoadAddress(span);
        Visit(ix.Arguments[0]);
        Op(OpCodes.Call, _spans[span].GetMethod("get_Item")!);
        Op(OpCodes.Dup);
        Op(OpCodes.Ldind_R8);
        Visit(b.Right);
        Op(op);
        Op(OpCodes.Stind_R8);
    }

    private void ReadElement(Expression array, IReadOnlyList<Expression> indices, Expression node, bool empty)
    {
        if (IsSpan(array))
        {
            var span = _spans[(ParameterExpression)array];
            LoadAddress((ParameterExpression)array);
            Visit(indices[0]);
            Op(OpCodes.Call, span.GetMethod("get_Item")!);
            Op(OpCodes.Ldind_R8);
            return;
        }
        if (!array.Type.IsArray) throw Unsupported(node, $"indexing a {array.Type.Name}");
        Visit(array, empty: empty);
        foreach (var index in indices) Visit(index);
        if (indices.Count == 1) LoadElement(array.Type.GetElementType()!);
        else Op(OpCodes.Call, array.Type.GetMethod("Get")!);
    }

    private void WriteElement(Expression array, IReadOnlyList<Expression> indices, Expression value, Expression node, bool @void, bool empty)
    {
        LocalBuilder? keep = null;
        if (IsSpan(array))
        {
            var span = _spans[(ParameterExpression)array];
            if (span != typeof(Span<double>)) throw Unsupported(node, $"a write to '{((ParameterExpression)array).Name}', which is read-only");
            LoadAddress((ParameterExpression)array);
            Visit(indices[0]);
            Op(OpCodes.Call, span.GetMethod("get_Item")!);
            Visit(value);
            if (!@void) { keep = Temp(typeof(double)); Op(OpCodes.Dup); Op(OpCodes.Stloc, keep); }
            Op(OpCodes.Stind_R8);
        }
        else
        {
            if (!array.Type.IsArray) throw Unsupported(node, $"a write into a {array.Type.Name}");
            Visit(array, empty: empty);
            foreach (var index in indices) Visit(index);
            Visit(value);
            var element = array.Type.GetElementType()!;
            if (!@void) { keep = Temp(element); Op(OpCodes.Dup); Op(OpCodes.Stloc, keep); }
            if (indices.Count == 1) StoreElement(element);
            else Op(OpCodes.Call, array.Type.GetMethod("Set")!);
        }
        if (keep is not null) { Op(OpCodes.Ldloc, keep); Free(keep); }
    }

    private void LoadElement(Type t)
    {
        if (t.IsEnum) t = Enum.GetUnderlyingType(t);
        if (t == typeof(double)) Op(OpCodes.Ldelem_R8);
        else if (t == typeof(int)) Op(OpCodes.Ldelem_I4);
        else if (t == typeof(long)) Op(OpCodes.Ldelem_I8);
        else if (t == typeof(float)) Op(OpCodes.Ldelem_R4);
        else if (t == typeof(bool) || t == typeof(byte)) Op(OpCodes.Ldelem_U1);
        else if (!t.IsValueType) Op(OpCodes.Ldelem_Ref);
        else Op(OpCodes.Ldelem, t);
    }

    private void StoreElement(Type t)
    {
        if (t.IsEnum) t = Enum.GetUnderlyingType(t);
        if (t == typeof(double)) Op(OpCodes.Stelem_R8);
        else if (t == typeof(int)) Op(OpCodes.Stelem_I4);
        else if (t == typeof(long)) Op(OpCodes.Stelem_I8);
        else if (t == typeof(float)) Op(OpCodes.Stelem_R4);
        else if (t == typeof(bool) || t == typeof(byte)) Op(OpCodes.Stelem_I1);
        else if (!t.IsValueType) Op(OpCodes.Stelem_Ref);
        else Op(OpCodes.Stelem, t);
    }

    /// <param name="spanResult">The caller takes a span result (see <see cref="SpanValue"/>); elsewhere a call whose span
    /// version returns a span is refused, since its user expects an array.</param>
    private void Call(Expression? instance, MethodInfo method, IReadOnlyList<Expression> arguments, Expression node, bool empty, bool spanResult = false)
    {
        if (method.GetParameters().Any(p => p.ParameterType.IsByRef)) throw Unsupported(node, $"the call to {method.Name}, which takes a by-reference argument");
        if (arguments.Any(IsSpan))
        {
            method = SpanCalls.Replacement(method, SpanVariables.ArgumentTypes(arguments, _spans))
                ?? throw Unsupported(node, $"the call to {method.DeclaringType?.Name}.{method.Name} with a span argument");
            if (!spanResult && SpanVariables.IsSpanType(method.ReturnType))
                throw Unsupported(node, $"the call to {method.Name}, whose span version returns a span, where an array is used");
        }
        LocalBuilder? temp = null;
        if (instance is not null)
        {
            if (IsSpan(instance)) throw Unsupported(node, $"the method {method.Name} of a span");
            if (instance.Type.IsValueType)
            {
                // A value's method needs its address.
                if (instance is ParameterExpression p) LoadAddress(p);
                else { temp = Temp(instance.Type); Visit(instance, empty: empty); Op(OpCodes.Stloc, temp); Op(OpCodes.Ldloca, temp); }
            }
            else Visit(instance, empty: empty);
        }
        for (int i = 0; i < arguments.Count; i++)
        {
            if (IsSpan(arguments[i])) LoadRaw((ParameterExpression)arguments[i]);
            else Visit(arguments[i], empty: empty && instance is null && i == 0);
        }
        Op(instance is not null && !instance.Type.IsValueType && method.IsVirtual ? OpCodes.Callvirt : OpCodes.Call, method);
        if (temp is not null) Free(temp);
    }

    private void Member(MemberExpression m, bool empty)
    {
        switch (m.Member)
        {
            case FieldInfo { IsLiteral: true } f:
                EmitConstant(f.GetRawConstantValue(), f.FieldType);
                break;
            case FieldInfo { IsStatic: true } f:
                Op(OpCodes.Ldsfld, f);
                break;
            case FieldInfo f:
                Visit(m.Expression!, empty: empty);
                Op(OpCodes.Ldfld, f);
                break;
            case PropertyInfo p when p.GetMethod is { } getter:
                if (m.Expression is not null && IsSpan(m.Expression) && p.Name == "Length")
                {
                    LoadAddress((ParameterExpression)m.Expression);
                    Op(OpCodes.Call, _spans[(ParameterExpression)m.Expression].GetProperty("Length")!.GetMethod!);
                    break;
                }
                Call(m.Expression, getter, [], m, empty);
                break;
            default:
                throw Unsupported(m, $"the member {m.Member.Name}");
        }
    }

    private void EmitInt(int value)
    {
        if (value is >= -1 and <= 8)
            Op(value switch
            {
                -1 => OpCodes.Ldc_I4_M1, 0 => OpCodes.Ldc_I4_0, 1 => OpCodes.Ldc_I4_1, 2 => OpCodes.Ldc_I4_2, 3 => OpCodes.Ldc_I4_3,
                4 => OpCodes.Ldc_I4_4, 5 => OpCodes.Ldc_I4_5, 6 => OpCodes.Ldc_I4_6, 7 => OpCodes.Ldc_I4_7, _ => OpCodes.Ldc_I4_8,
            });
        else if (value is >= sbyte.MinValue and <= sbyte.MaxValue) Op(OpCodes.Ldc_I4_S, (sbyte)value);
        else Op(OpCodes.Ldc_I4, value);
    }

    private void EmitConstant(object? value, Type type)
    {
        if (value is null)
        {
            if (type.IsValueType) EmitDefault(type); else Op(OpCodes.Ldnull);
            return;
        }
        switch (value)
        {
            case double d: Op(OpCodes.Ldc_R8, d); return;
            case int i: EmitInt(i); return;
            case bool b: EmitInt(b ? 1 : 0); return;
            case long l: Op(OpCodes.Ldc_I8, l); return;
            case float f: Op(OpCodes.Ldc_R4, f); return;
            case string s: Op(OpCodes.Ldstr, s); return;
            case byte or sbyte or short or ushort or char: EmitInt(System.Convert.ToInt32(value)); return;
            case uint u: EmitInt(unchecked((int)u)); return;
            case ulong ul: Op(OpCodes.Ldc_I8, unchecked((long)ul)); return;
        }
        if (value.GetType().IsEnum && type.IsEnum)
        {
            EmitConstant(System.Convert.ChangeType(value, Enum.GetUnderlyingType(type)), Enum.GetUnderlyingType(type));
            return;
        }
        // Anything else (a captured array, an object) is read from the constants the delegate is bound to.
        if (!_constantIndex.TryGetValue(value, out int k))
        {
            _constantIndex[value] = k = _constants.Count;
            _constants.Add(value);
        }
        Op(OpCodes.Ldarg_0);
        EmitInt(k);
        Op(OpCodes.Ldelem_Ref);
        Op(type.IsValueType ? OpCodes.Unbox_Any : OpCodes.Castclass, type);
    }

    private void EmitDefault(Type type)
    {
        if (type == typeof(double)) Op(OpCodes.Ldc_R8, 0.0);
        else if (type == typeof(float)) Op(OpCodes.Ldc_R4, 0f);
        else if (type == typeof(long) || type == typeof(ulong)) Op(OpCodes.Ldc_I8, 0L);
        else if (type.IsPrimitive || type.IsEnum) Op(OpCodes.Ldc_I4_0);
        else if (!type.IsValueType) Op(OpCodes.Ldnull);
        else
        {
            var temp = Temp(type);
            Op(OpCodes.Ldloca, temp);
            Op(OpCodes.Initobj, type);
            Op(OpCodes.Ldloc, temp);
            Free(temp);
        }
    }
}
