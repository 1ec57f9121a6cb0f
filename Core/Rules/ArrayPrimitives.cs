using System.Linq.Expressions;
using ExprDiff.Evaluation;
using ExprDiff.Graphs;

namespace ExprDiff.Rules;

/// <summary><c>x[i]</c> with an index computed at run time. Its tangent reads the tangent array at i; its
/// cotangent is a one-element contribution to the array's adjoint (an <see cref="AssemblePrimitive"/>).</summary>
internal sealed class ReadPrimitive : Primitive, IStructuredPrimitive
{
    public ReadPrimitive() : base("read", 2, ValueKind.Double, ValueKind.Array, ValueKind.Int32) { }

    public override bool MayFail(in Node node) => true;

    public override bool IsFoldable => false;

    public override double Evaluate(double a, double b, double c, in Node node) =>
        throw new InvalidOperationException("read is evaluated structurally.");

    public void Evaluate(Evaluator e, int node)
    {
        var n = e.Graph[node];
        e.Set(node, e.Array(n.A)[e.Int(n.B)]);
    }

    public override int Jvp(DerivativeContext cx, int node, ReadOnlySpan<int> t) =>
        t[0] == DerivativeContext.Zero ? DerivativeContext.Zero : cx.Builder.Make(this, t[0], cx.Builder[node].B);

    public override void Vjp(DerivativeContext cx, int node, int ct, ReadOnlySpan<bool> wanted, Span<int> contributions)
    {
        var b = cx.Builder;
        var n = b[node];
        contributions[0] = wanted[0] ? b.Assemble(b.Make(Primitives.Length, n.A), [(n.B, ct)], []) : DerivativeContext.Zero;
        contributions[1] = DerivativeContext.Zero;
    }

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        Expression.ArrayIndex(operands[0], operands[1]);

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"{operands[0]}[{operands[1]}]", Precedence.Primary);

    public override int OperandPrecedence(int operand) => operand == 0 ? Precedence.Primary : 0;
}

/// <summary><c>x.Length</c>.</summary>
internal sealed class LengthPrimitive : Primitive, IStructuredPrimitive
{
    public LengthPrimitive() : base("length", 1, ValueKind.Int32, ValueKind.Array) { }

    public override bool IsFoldable => false;

    public override bool HasZeroDerivative => true;

    public override double Evaluate(double a, double b, double c, in Node node) =>
        throw new InvalidOperationException("length is evaluated structurally.");

    public void Evaluate(Evaluator e, int node) => e.Set(node, e.Array(e.Graph[node].A).Length);

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) => Expression.ArrayLength(operands[0]);

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"{operands[0]}.Length", Precedence.Primary);
}

/// <summary>
/// A new array of a given length, zero but for listed contributions: <c>Aux</c> (index, value) pairs added
/// at their indices, then whole arrays added element by element. The adjoint of an array is one of these:
/// reverse mode gathers every contribution to an array into one, so it is built once.
/// Operands: length, index₀, value₀, …, dense₀, ….
/// </summary>
internal sealed class AssemblePrimitive : Primitive, IStructuredPrimitive
{
    public AssemblePrimitive() : base("assemble", 0, ValueKind.Array) { }

    public override bool MayFail(in Node node) => true;

    public override bool IsFoldable => false;

    public override ValueKind OperandKind(int i, in Node node) =>
        i == 0 ? ValueKind.Int32 : i <= 2 * node.Aux ? (i % 2 == 1 ? ValueKind.Int32 : ValueKind.Double) : ValueKind.Array;

    public override double Evaluate(double a, double b, double c, in Node node) =>
        throw new InvalidOperationException("assemble is evaluated structurally.");

    public void Evaluate(Evaluator e, int node)
    {
        var n = e.Graph[node];
        var result = new double[e.Int(n.Operand(0))];
        for (int p = 0; p < n.Aux; p++)
        {
            int index = n.Operand(1 + 2 * p), value = n.Operand(2 + 2 * p);
            if (GuardedPairs.TryMatch(e.Graph, index, value, out int condition, out bool when) && e.Bool(condition) != when) continue;
            result[e.Int(index)] += e.Double(value);
        }
        for (int d = 1 + 2 * n.Aux; d < n.Arity; d++)
        {
            var dense = e.Array(n.Operand(d));
            for (int j = 0; j < result.Length; j++) result[j] += dense[j];
        }
        e.Set(node, result);
    }

    /// <summary>The (index, value) pairs of an assemble node.</summary>
    public static IEnumerable<(int Index, int Value)> Pairs(in Node n)
    {
        var list = new List<(int, int)>(n.Aux);
        for (int p = 0; p < n.Aux; p++) list.Add((n.Operand(1 + 2 * p), n.Operand(2 + 2 * p)));
        return list;
    }

    /// <summary>The whole arrays an assemble node adds.</summary>
    public static IEnumerable<int> Dense(in Node n)
    {
        var list = new List<int>();
        for (int d = 1 + 2 * n.Aux; d < n.Arity; d++) list.Add(n.Operand(d));
        return list;
    }

    // Linear: the tangent assembles the tangents.
    public override int Jvp(DerivativeContext cx, int node, ReadOnlySpan<int> t)
    {
        var b = cx.Builder;
        var n = b[node];
        var pairs = new List<(int, int)>();
        for (int p = 0; p < n.Aux; p++)
            if (t[2 + 2 * p] != DerivativeContext.Zero) pairs.Add((n.Operand(1 + 2 * p), t[2 + 2 * p]));
        var dense = new List<int>();
        for (int d = 1 + 2 * n.Aux; d < n.Arity; d++)
            if (t[d] != DerivativeContext.Zero) dense.Add(t[d]);
        return pairs.Count == 0 && dense.Count == 0 ? DerivativeContext.Zero : b.Assemble(n.Operand(0), pairs, dense);
    }

    public override void Vjp(DerivativeContext cx, int node, int ct, ReadOnlySpan<bool> wanted, Span<int> contributions)
    {
        var b = cx.Builder;
        var n = b[node];
        contributions.Fill(DerivativeContext.Zero);
        for (int p = 0; p < n.Aux; p++)
            if (wanted[2 + 2 * p]) contributions[2 + 2 * p] = b.Make(Primitives.Read, ct, n.Operand(1 + 2 * p));
        for (int d = 1 + 2 * n.Aux; d < n.Arity; d++)
            if (wanted[d]) contributions[d] = ct;
    }

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        throw new InvalidOperationException("assemble is exported as statements.");

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"Assemble({string.Join(", ", operands.ToArray())})", Precedence.Primary);

    public override int OperandPrecedence(int operand) => 0;
}

/// <summary><c>X[i, j]</c> of a <c>double[,]</c> data parameter. Matrices are data, never differentiated.</summary>
internal sealed class Read2Primitive : Primitive, IStructuredPrimitive
{
    public Read2Primitive() : base("read2", 3, ValueKind.Double, ValueKind.Matrix, ValueKind.Int32, ValueKind.Int32) { }

    public override bool MayFail(in Node node) => true;

    public override bool IsFoldable => false;

    public override bool HasZeroDerivative => true;

    public override double Evaluate(double a, double b, double c, in Node node) =>
        throw new InvalidOperationException("read2 is evaluated structurally.");

    public void Evaluate(Evaluator e, int node)
    {
        var n = e.Graph[node];
        e.Set(node, e.Matrix(n.A)[e.Int(n.B), e.Int(n.C)]);
    }

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        Expression.ArrayIndex(operands[0], operands[1], operands[2]);

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"{operands[0]}[{operands[1]}, {operands[2]}]", Precedence.Primary);

    public override int OperandPrecedence(int operand) => operand == 0 ? Precedence.Primary : 0;
}

/// <summary><c>X.GetLength(d)</c> of a <c>double[,]</c>; the dimension is <see cref="Node.Aux"/>.</summary>
internal sealed class MatrixLengthPrimitive : Primitive, IStructuredPrimitive
{
    private static readonly System.Reflection.MethodInfo GetLength = typeof(Array).GetMethod(nameof(Array.GetLength))!;

    public MatrixLengthPrimitive() : base("getlength", 1, ValueKind.Int32, ValueKind.Matrix) { }

    public override bool IsFoldable => false;

    public override bool HasZeroDerivative => true;

    public override double Evaluate(double a, double b, double c, in Node node) =>
        throw new InvalidOperationException("getlength is evaluated structurally.");

    public void Evaluate(Evaluator e, int node)
    {
        var n = e.Graph[node];
        e.Set(node, e.Matrix(n.A).GetLength(n.Aux));
    }

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        Expression.Call(operands[0], GetLength, Expression.Constant(node.Aux));

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"{operands[0]}.GetLength({node.Aux})", Precedence.Primary);
}

/// <summary>A <c>double[]</c> captured from a closure, kept by reference (<see cref="Node.Payload"/>): the
/// compiled derivative reads it when it runs, as the C# closure would. Data: never differentiated.</summary>
internal sealed class ConstantArrayPrimitive : Primitive, IStructuredPrimitive
{
    public ConstantArrayPrimitive() : base("array", 0, ValueKind.Array) { }

    public override bool IsFoldable => false;

    public override bool HasZeroDerivative => true;

    public override double Evaluate(double a, double b, double c, in Node node) =>
        throw new InvalidOperationException("a constant array is evaluated structurally.");

    public void Evaluate(Evaluator e, int node) => e.Set(node, (double[])e.Graph[node].Payload!);

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        Expression.Constant(node.Payload, typeof(double[]));

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"double[{((double[])node.Payload!).Length}]", Precedence.Primary);
}

/// <summary>
/// A call of an <see cref="Intrinsics"/> method that makes an array from an array or int and an int, with no derivative
/// of its own (the array is a direction or a checked cotangent, never differentiated through).
/// </summary>
internal abstract class ArrayIntrinsicPrimitive : Primitive, IStructuredPrimitive
{
    private readonly System.Reflection.MethodInfo _method;

    protected ArrayIntrinsicPrimitive(string name, string method, ValueKind first)
        : base(name, 2, ValueKind.Array, first, ValueKind.Int32) =>
        _method = typeof(Intrinsics).GetMethod(method)!;

    public override bool IsFoldable => false;

    public override bool HasZeroDerivative => true;

    public override double Evaluate(double a, double b, double c, in Node node) =>
        throw new InvalidOperationException($"{Name} is evaluated structurally.");

    public void Evaluate(Evaluator e, int node) => e.Set(node, Compute(e, e.Graph[node]));

    protected abstract double[] Compute(Evaluator e, in Node n);

    /// <summary>Constant trailing arguments of the call after the two operands.</summary>
    protected virtual Expression[] Extra(ReadOnlySpan<Expression> operands) => [];

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        Expression.Call(_method, new[] { operands[0], operands[1] }.Concat(Extra(operands)));

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"Intrinsics.{_method.Name}({operands[0]}, {operands[1]})", Precedence.Primary);

    public override int OperandPrecedence(int operand) => 0;
}

/// <summary><c>Intrinsics.CheckedLength(array, length, name, unit)</c>: the array itself, checked to hold at least
/// length elements at run time (a cotangent as long as a result of computed length).</summary>
internal sealed class CheckedLengthPrimitive() : ArrayIntrinsicPrimitive("checkedlength", nameof(Intrinsics.CheckedLength), ValueKind.Array)
{
    protected override double[] Compute(Evaluator e, in Node n) => Intrinsics.CheckedLength(e.Array(n.A), e.Int(n.B), "u", "element of the result");

    protected override Expression[] Extra(ReadOnlySpan<Expression> operands) =>
        [Expression.Constant((operands[0] as ParameterExpression)?.Name ?? "u"), Expression.Constant("element of the result")];
}

/// <summary><c>Intrinsics.UnitVector(length, k)</c>: zeros but a one at k. The direction of one row of a Hessian.</summary>
internal sealed class UnitVectorPrimitive() : ArrayIntrinsicPrimitive("unitvector", nameof(Intrinsics.UnitVector), ValueKind.Int32)
{
    protected override double[] Compute(Evaluator e, in Node n) => Intrinsics.UnitVector(e.Int(n.A), e.Int(n.B));
}

/// <summary>
/// A pair of an adding scatter or assemble that adds only under a condition: its value is <c>c ? v : 0.0</c> and its
/// index <c>c ? k : _</c> (or both the other way round), as reverse mode makes the adjoint of a read in a conditional
/// branch. Where c is false the pair adds nothing and its index is not computed, so a read guarded by <c>i &gt; 0</c>
/// (index i − 1) never writes at −1. Adding +0.0 to an accumulator that starts at +0.0 changes nothing, so skipping the
/// pair is exact; backends that do not skip still add 0.0 at the other branch's index (kept in range: 0).
/// </summary>
internal static class GuardedPairs
{
    /// <summary>Whether (index, value) is such a pair; then the condition node and the value it must have.</summary>
    public static bool TryMatch(Graph graph, int index, int value, out int condition, out bool when)
    {
        condition = -1;
        when = false;
        ref readonly var v = ref graph[value];
        ref readonly var k = ref graph[index];
        if (!ReferenceEquals(v.Op, Primitives.Select) || !ReferenceEquals(k.Op, Primitives.Select) || v.A != k.A) return false;
        if (IsPositiveZero(graph, v.C)) when = true;
        else if (!IsPositiveZero(graph, v.B)) return false;
        condition = v.A;
        return true;
    }

    private static bool IsPositiveZero(Graph graph, int node) =>
        ReferenceEquals(graph[node].Op, Primitives.Constant) && BitConverter.DoubleToInt64Bits(graph[node].Value) == 0;
}
