using System.Linq.Expressions;
using System.Reflection;
using ExprDiff.Evaluation;
using ExprDiff.Graphs;

namespace ExprDiff.Rules;

/// <summary>
/// <c>a[i]</c> of integer data: an element of an <c>int[]</c> (an int), or a row of an <c>int[][]</c> (an <c>int[]</c>).
/// Data is never differentiated: the result's derivative is zero, and an index computed from it (<c>x[2 * I[s]]</c>) is
/// an ordinary computed index, whose adjoint is a scatter-add through it. An index out of range throws
/// <see cref="IndexOutOfRangeException"/> where f does, on every route (the reads are plain array loads).
/// </summary>
internal sealed class DataReadPrimitive : Primitive, IStructuredPrimitive
{
    public override bool MayFail(in Node node) => true;

    private readonly ValueKind _container;

    public DataReadPrimitive(string name, ValueKind container, ValueKind result) : base(name, 2, result, container, ValueKind.Int32) =>
        _container = container;

    public override bool IsFoldable => false;

    public override bool HasZeroDerivative => true;

    public override double Evaluate(double a, double b, double c, in Node node) =>
        throw new InvalidOperationException($"{Name} is evaluated structurally.");

    public void Evaluate(Evaluator e, int node)
    {
        var n = e.Graph[node];
        if (_container == ValueKind.IntArray) e.Set(node, e.Object<int[]>(n.A)[e.Int(n.B)]);
        else e.SetObject(node, e.Object<int[][]>(n.A)[e.Int(n.B)]);
    }

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        Expression.ArrayIndex(operands[0], operands[1]);

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"{operands[0]}[{operands[1]}]", Precedence.Primary);

    public override int OperandPrecedence(int operand) => operand == 0 ? Precedence.Primary : 0;
}

/// <summary><c>a[i, j]</c> of an <c>int[,]</c> (an element map: the nodes of element e).</summary>
internal sealed class DataRead2Primitive : Primitive, IStructuredPrimitive
{
    public override bool MayFail(in Node node) => true;

    public DataRead2Primitive() : base("readint2", 3, ValueKind.Int32, ValueKind.IntMatrix, ValueKind.Int32, ValueKind.Int32) { }

    public override bool IsFoldable => false;

    public override bool HasZeroDerivative => true;

    public override double Evaluate(double a, double b, double c, in Node node) =>
        throw new InvalidOperationException("readint2 is evaluated structurally.");

    public void Evaluate(Evaluator e, int node)
    {
        var n = e.Graph[node];
        e.Set(node, e.Object<int[,]>(n.A)[e.Int(n.B), e.Int(n.C)]);
    }

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        Expression.ArrayIndex(operands[0], operands[1], operands[2]);

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"{operands[0]}[{operands[1]}, {operands[2]}]", Precedence.Primary);

    public override int OperandPrecedence(int operand) => operand == 0 ? Precedence.Primary : 0;
}

/// <summary>The length of integer data: <c>a.Length</c> of an <c>int[]</c> or <c>int[][]</c>, <c>a.GetLength(Aux)</c>
/// of an <c>int[,]</c>.</summary>
internal sealed class DataLengthPrimitive : Primitive, IStructuredPrimitive
{
    private static readonly MethodInfo GetLength = typeof(Array).GetMethod(nameof(Array.GetLength))!;
    private readonly ValueKind _container;

    public DataLengthPrimitive(ValueKind container) : base("length", 1, ValueKind.Int32, container) => _container = container;

    public override bool IsFoldable => false;

    public override bool HasZeroDerivative => true;

    public override double Evaluate(double a, double b, double c, in Node node) =>
        throw new InvalidOperationException("length is evaluated structurally.");

    public void Evaluate(Evaluator e, int node)
    {
        var n = e.Graph[node];
        e.Set(node, _container == ValueKind.IntMatrix ? e.Object<Array>(n.A).GetLength(n.Aux) : e.Object<Array>(n.A).Length);
    }

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) => _container == ValueKind.IntMatrix
        ? Expression.Call(operands[0], GetLength, Expression.Constant(node.Aux))
        : Expression.ArrayLength(operands[0]);

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        (_container == ValueKind.IntMatrix ? $"{operands[0]}.GetLength({node.Aux})" : $"{operands[0]}.Length", Precedence.Primary);
}

/// <summary>
/// A variable captured from a closure, or a static field or property, read when the derivative runs, as f reads it
/// (a parameter sweep that changes a captured <c>double</c> between calls gets the derivative at the new value; a
/// captured array variable that is reassigned is seen reassigned). <see cref="Node.Payload"/> is the
/// <see cref="CapturedMember"/>; the node's kind is the member's. Exported back as the same member access.
/// </summary>
internal sealed class MemberReadPrimitive : Primitive, IStructuredPrimitive
{
    public override bool MayFail(in Node node) => true;

    public MemberReadPrimitive() : base("member", 0, ValueKind.Double) { }

    public override bool IsFoldable => false;

    public override bool HasZeroDerivative => true;

    public override double Evaluate(double a, double b, double c, in Node node) =>
        throw new InvalidOperationException("a member read is evaluated structurally.");

    public void Evaluate(Evaluator e, int node)
    {
        var n = e.Graph[node];
        object? value = ((CapturedMember)n.Payload!).Read();
        switch (value)
        {
            case double d: e.Set(node, d); break;
            case float f: e.Set(node, f); break;
            case int i: e.Set(node, i); break;
            case bool t: e.Set(node, t ? 1 : 0); break;
            case null: throw new NullReferenceException($"'{((CapturedMember)n.Payload!).Text}' is null.");
            default: e.SetObject(node, value); break;
        }
    }

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands)
    {
        var read = ((CapturedMember)node.Payload!).ToExpression();
        return read.Type == typeof(float) ? Expression.Convert(read, typeof(double)) : read;
    }

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        (((CapturedMember)node.Payload!).Text, Precedence.Primary);
}

/// <summary>
/// A chain of field or property reads from a closure object or a static member (<c>closure.a</c>, <c>Config.Scale</c>,
/// <c>closure.model.Weights</c>). Equal when the root is the same object and the members are the same, so two reads
/// of one captured variable hash-cons to one node.
/// </summary>
internal sealed class CapturedMember : IEquatable<CapturedMember>
{
    private readonly MemberExpression _source;

    public CapturedMember(object? root, Type? rootType, MemberInfo[] chain, MemberExpression source)
    {
        Root = root;
        RootType = rootType;
        Chain = chain;
        _source = source;
    }

    /// <summary>The object the first member is read from; null for a static member.</summary>
    public object? Root { get; }

    /// <summary>The static type of the root expression (for rebuilding the access); null for a static member.</summary>
    public Type? RootType { get; }

    /// <summary>The members read, first to last.</summary>
    public MemberInfo[] Chain { get; }

    /// <summary>The read as the user wrote it, for printing (the closure object's name left out).</summary>
    public string Text => string.Join(".", (Root is null ? new[] { Chain[0].DeclaringType?.Name ?? "" } : []).Concat(Chain.Select(m => m.Name)));

    /// <summary>The type of the value read.</summary>
    public Type Type => Chain[^1] switch { FieldInfo f => f.FieldType, PropertyInfo p => p.PropertyType, _ => typeof(object) };

    /// <summary>Reads the value now, by reflection (the reference interpreter).</summary>
    public object? Read()
    {
        object? target = Root;
        foreach (var member in Chain)
        {
            try
            {
                target = member switch
                {
                    FieldInfo f => f.GetValue(target),
                    PropertyInfo p => p.GetValue(target),
                    _ => throw new InvalidOperationException($"member {member.Name} cannot be read."),
                };
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                throw;
            }
        }
        return target;
    }

    /// <summary>The same member accesses as an expression: <c>Member(…Member(Constant(root), m0)…, mk)</c>.</summary>
    public Expression ToExpression()
    {
        Expression? e = Root is null ? null : Expression.Constant(Root, RootType!);
        foreach (var member in Chain) e = Expression.MakeMemberAccess(e, member);
        return e!;
    }

    public bool Equals(CapturedMember? other) =>
        other is not null && ReferenceEquals(Root, other.Root) && Chain.SequenceEqual(other.Chain);

    public override bool Equals(object? obj) => Equals(obj as CapturedMember);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.Add(Root is null ? 0 : System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(Root));
        foreach (var m in Chain) h.Add(m);
        return h.ToHashCode();
    }

    public override string ToString() => Error.Quote(_source);
}
