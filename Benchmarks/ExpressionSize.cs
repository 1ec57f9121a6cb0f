using System.Linq.Expressions;
using System.Reflection;

namespace ExprDiff.Benchmarks;

/// <summary>
/// Sizes of expression trees measured as "distinct computations". Both counters are iterative (an explicit
/// stack), so they work on trees of any depth; neither uses <see cref="ExpressionVisitor"/>, which overflows
/// near depth 130,000.
/// </summary>
/// <remarks>
/// A computation is a non-leaf node that produces a value: Binary, Unary (except <c>Convert</c> of a constant),
/// a non-void Call, Conditional, NewArrayInit/NewArrayBounds, and an array element read (ArrayIndex, or
/// ArrayAccess not on the left of an assignment). Not counted: leaves (Parameter, Constant, Default), the
/// structure of Blocks and Lambdas, Assign itself (its right-hand side is counted, so a Block variable
/// counts as the value assigned to it and its reads are free), reads of a block-local array (ExprDiff's
/// spill array, which stands in for variables), and void calls (argument guards, <c>Array.Clear</c>).
/// </remarks>
public static class ExpressionSize
{
    /// <summary>
    /// The computations of an exported (ExprDiff-generated) lambda: every computation node counted each
    /// time it occurs in the tree, which is the work the compiled code does.
    /// </summary>
    public static int CountComputations(LambdaExpression lambda)
    {
        ArgumentNullException.ThrowIfNull(lambda);
        var locals = new HashSet<ParameterExpression>(); // Block variables: reads of them (or of their elements) are free
        int count = 0;
        var stack = new Stack<Expression>();
        stack.Push(lambda.Body);
        while (stack.Count > 0)
        {
            var e = stack.Pop();
            if (e is BlockExpression block)
            {
                foreach (var v in block.Variables) locals.Add(v);
                for (int i = block.Expressions.Count - 1; i >= 0; i--) stack.Push(block.Expressions[i]);
                continue;
            }
            if (e.NodeType == ExpressionType.Assign)
            {
                var assign = (BinaryExpression)e;
                if (assign.Left is IndexExpression target) // a write: only its index computations count
                    foreach (var a in target.Arguments) stack.Push(a);
                stack.Push(assign.Right);
                continue;
            }
            if (IsComputation(e) && !IsLocalRead(e, locals)) count++;
            foreach (var child in Children(e)) stack.Push(child);
        }
        return count;
    }

    /// <summary>
    /// The computations of a user's pure expression with identical subtrees counted once (the size of its
    /// common-subexpression-free form). Subtrees are identified bottom-up by (node type, type, method,
    /// child ids, constant value by bits), in one iterative post-order pass; an expression object that
    /// occurs in several places (a DAG) is visited once.
    /// </summary>
    /// <exception cref="NotSupportedException">The expression has blocks, assignments or other statements.</exception>
    public static int CountDistinctComputations(LambdaExpression lambda)
    {
        ArgumentNullException.ThrowIfNull(lambda);
        var idOf = new Dictionary<Expression, int>(ReferenceEqualityComparer.Instance);
        var ids = new Dictionary<NodeKey, int>();
        int computations = 0;
        var stack = new Stack<(Expression Node, bool ChildrenDone)>();
        stack.Push((lambda.Body, false));
        var childIds = new List<int>();
        while (stack.Count > 0)
        {
            var (e, childrenDone) = stack.Pop();
            if (idOf.ContainsKey(e)) continue;
            if (e is BlockExpression || e.NodeType is ExpressionType.Assign or ExpressionType.Lambda or ExpressionType.Loop or ExpressionType.Goto)
                throw new NotSupportedException($"CountDistinctComputations counts pure expressions; found {e.NodeType}");
            var children = Children(e);
            if (!childrenDone)
            {
                stack.Push((e, true));
                foreach (var c in children)
                    if (!idOf.ContainsKey(c)) stack.Push((c, false));
                continue;
            }
            childIds.Clear();
            foreach (var c in children) childIds.Add(idOf[c]);
            var key = new NodeKey(e.NodeType, e.Type, Member(e), LeafIdentity(e), childIds.ToArray());
            if (!ids.TryGetValue(key, out int id))
            {
                id = ids.Count;
                ids.Add(key, id);
                if (IsComputation(e)) computations++;
            }
            idOf[e] = id;
        }
        return computations;
    }

    private static bool IsComputation(Expression e) => e switch
    {
        ParameterExpression or ConstantExpression or DefaultExpression or LambdaExpression or BlockExpression => false,
        UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked, Operand: ConstantExpression } => false,
        UnaryExpression { NodeType: ExpressionType.Quote } => false,
        UnaryExpression => true,
        BinaryExpression { NodeType: ExpressionType.Assign } => false,
        BinaryExpression => true, // includes ArrayIndex
        MethodCallExpression call => call.Type != typeof(void),
        ConditionalExpression => true,
        NewArrayExpression => true,
        IndexExpression => true, // ArrayAccess read
        InvocationExpression => true,
        MemberExpression => true,
        _ => throw new NotSupportedException($"ExpressionSize does not know {e.NodeType}"),
    };

    private static bool IsLocalRead(Expression e, HashSet<ParameterExpression> locals) => e switch
    {
        IndexExpression { Object: ParameterExpression p } => locals.Contains(p),
        BinaryExpression { NodeType: ExpressionType.ArrayIndex, Left: ParameterExpression p } => locals.Contains(p),
        _ => false,
    };

    private static IReadOnlyList<Expression> Children(Expression e)
    {
        switch (e)
        {
            case ParameterExpression or ConstantExpression or DefaultExpression:
                return [];
            case UnaryExpression u:
                return [u.Operand];
            case BinaryExpression b:
                return [b.Left, b.Right];
            case MethodCallExpression m:
                return m.Object is null ? m.Arguments : [m.Object, .. m.Arguments];
            case ConditionalExpression c:
                return [c.Test, c.IfTrue, c.IfFalse];
            case NewArrayExpression n:
                return n.Expressions;
            case IndexExpression i:
                return i.Object is null ? i.Arguments : [i.Object, .. i.Arguments];
            case InvocationExpression inv:
                return [inv.Expression, .. inv.Arguments];
            case MemberExpression mem:
                return mem.Expression is null ? [] : [mem.Expression];
            case BlockExpression block:
                return block.Expressions;
            case LambdaExpression lambda:
                return [lambda.Body];
            default:
                throw new NotSupportedException($"ExpressionSize does not know {e.NodeType}");
        }
    }

    private static MemberInfo? Member(Expression e) => e switch
    {
        UnaryExpression u => u.Method,
        BinaryExpression b => b.Method,
        MethodCallExpression m => m.Method,
        MemberExpression m => m.Member,
        IndexExpression i => i.Indexer,
        _ => null,
    };

    // Constants by value (doubles by their bits, so 0.0 and -0.0 differ); parameters by identity.
    private static object? LeafIdentity(Expression e) => e switch
    {
        ConstantExpression { Value: double d } => BitConverter.DoubleToInt64Bits(d),
        ConstantExpression { Value: float f } => BitConverter.SingleToInt32Bits(f),
        ConstantExpression c => c.Value,
        ParameterExpression p => new ParameterIdentity(p),
        _ => null,
    };

    private sealed record ParameterIdentity(ParameterExpression Parameter)
    {
        public bool Equals(ParameterIdentity? other) => other is not null && ReferenceEquals(Parameter, other.Parameter);
        public override int GetHashCode() => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(Parameter);
    }

    private sealed class NodeKey(ExpressionType nodeType, Type type, MemberInfo? member, object? leaf, int[] children) : IEquatable<NodeKey>
    {
        private readonly int _hash = Hash(nodeType, type, member, leaf, children);

        public bool Equals(NodeKey? other) =>
            other is not null && _hash == other._hash && nodeType == other.NodeType && type == other.Type
            && Equals(member, other.Member) && Equals(leaf, other.Leaf) && children.AsSpan().SequenceEqual(other.Children);

        public override bool Equals(object? obj) => Equals(obj as NodeKey);
        public override int GetHashCode() => _hash;

        private ExpressionType NodeType => nodeType;
        private Type Type => type;
        private MemberInfo? Member => member;
        private object? Leaf => leaf;
        private int[] Children => children;

        private static int Hash(ExpressionType nodeType, Type type, MemberInfo? member, object? leaf, int[] children)
        {
            var h = new HashCode();
            h.Add(nodeType);
            h.Add(type);
            h.Add(member);
            h.Add(leaf);
            foreach (int c in children) h.Add(c);
            return h.ToHashCode();
        }
    }
}
