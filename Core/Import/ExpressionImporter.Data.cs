using System.Linq.Expressions;
using System.Reflection;
using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Import;

/// <summary>
/// Captured variables and static members. A closure field or a static field or property of a number or array type
/// becomes a node that reads it when the derivative runs (<see cref="MemberReadPrimitive"/>), exactly as f reads it:
/// a captured <c>double</c> changed between calls, an array variable reassigned, a mutable static field are seen at
/// their new values. Only <c>static readonly</c> numbers (and <c>const</c>, which C# already inlines) are folded.
/// The read is made once, in the outermost graph, and captured by loop bodies like any other value.
/// </summary>
internal sealed partial class ExpressionImporter
{
    private void StepMember(MemberExpression m)
    {
        if (DataKind(m.Type) is { } kind && CapturedChain(m) is { } member && !IsFoldable(member))
        {
            _values.Push(CapturedLeaf(member, kind));
            return;
        }
        _values.Push(FromObject(EvaluateCaptured(m), m.Type, m));
    }

    /// <summary>The kind of a value of CLR type <paramref name="t"/> that a function can read, or null.</summary>
    private static ValueKind? DataKind(Type t) =>
        t == typeof(double) || t == typeof(float) ? ValueKind.Double
        : t == typeof(int) ? ValueKind.Int32
        : t == typeof(bool) ? ValueKind.Boolean
        : t == typeof(double[]) ? ValueKind.Array
        : t == typeof(double[,]) ? ValueKind.Matrix
        : ValueKinds.IntDataKind(t);

    /// <summary>The chain of field and property reads from a constant (a closure object) or a static member, or null
    /// when the chain starts from something computed inside the function (reported where it is evaluated).</summary>
    private static CapturedMember? CapturedChain(MemberExpression m)
    {
        var chain = new List<MemberInfo>();
        Expression? e = m;
        while (e is MemberExpression me)
        {
            if (me.Member is not (FieldInfo or PropertyInfo { GetMethod: not null })) return null;
            if (me.Member is PropertyInfo p && p.GetIndexParameters().Length > 0) return null;
            chain.Add(me.Member);
            e = me.Expression;
        }
        chain.Reverse();
        return e switch
        {
            null => new CapturedMember(null, null, chain.ToArray(), m),
            ConstantExpression { Value: { } root } c => new CapturedMember(root, c.Type, chain.ToArray(), m),
            _ => null,
        };
    }

    /// <summary><c>static readonly</c> numbers (through readonly fields only) cannot change after the type is initialized:
    /// they are folded, as <c>const</c> is.</summary>
    private static bool IsFoldable(CapturedMember member) =>
        member.Root is null && member.Type.IsPrimitive
        && member.Chain.All(x => x is FieldInfo { IsInitOnly: true } or FieldInfo { IsLiteral: true })
        && member.Chain[0] is FieldInfo { IsStatic: true };

    /// <summary>The read of <paramref name="member"/>: a leaf of the outermost graph, captured into each loop body on the
    /// way here, so that it is read once per call and every body shares the one node.</summary>
    private Val CapturedLeaf(CapturedMember member, ValueKind kind)
    {
        if (_parent is not null) return Capture(_parent.CapturedLeaf(member, kind));
        int node = _b.MemberRead(member, kind);
        return kind switch
        {
            ValueKind.Array => Val.Ref(new ArrayNode(node, -1)),
            ValueKind.Matrix => Val.Ref(new MatrixNode(node)),
            ValueKind.IntArray or ValueKind.IntMatrix or ValueKind.IntJagged => Val.Ref(new DataNode(node, kind)),
            _ => Val.Of(node),
        };
    }
}
