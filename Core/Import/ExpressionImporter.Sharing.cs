using System.Linq.Expressions;
using System.Runtime.CompilerServices;

namespace ExprDiff.Import;

/// <summary>
/// Expressions built with the Expression API may share a subtree by reference (<c>t * t</c> with one <c>t</c>); walked as a
/// tree, a chain of such squares imports in time exponential in its depth. A subexpression is imported once and its value
/// reused while nothing it could read has changed: every step of a node that can change what a read sees (an assignment,
/// a block, a loop, an invocation, a scope's end) advances a version, and a value is remembered only if its whole import
/// ran without such a step, and reused only at the version it was made in.
/// </summary>
/// <remarks>
/// Remembering every node would cost a hash-table entry per node of a million-node chain, where nothing is shared. So a
/// node is first marked in a small bit set (hashed by reference, false positives only cost a table entry); only a node
/// met a second time, almost always a shared one, is imported under a <see cref="MemoStore"/> that remembers its value.
/// A shared node is thus imported at most twice, and a DAG of n nodes in O(n) steps.
/// </remarks>
internal sealed partial class ExpressionImporter
{
    private int _stateVersion;
    private ulong[] _seen = new ulong[64];
    private int _seenCount;
    private Dictionary<Expression, (int Version, Val Value)>? _memo;

    private enum StepKind { Leaf, Pure, Effect }

    /// <summary>Runs before a frame's step: advances the version for a step that may change state, and for a pure node
    /// met before, either pushes its remembered value (returns true) or arranges for its value to be remembered.</summary>
    private bool ReuseOrPrepare(in Frame f)
    {
        switch (Classify(f.E))
        {
            case StepKind.Effect:
                _stateVersion++;
                return false;
            case StepKind.Pure when f.Step == 0 && SeenBefore(f.E):
                _memo ??= new Dictionary<Expression, (int, Val)>(ReferenceEqualityComparer.Instance);
                if (_memo.TryGetValue(f.E, out var known) && known.Version == _stateVersion)
                {
                    _values.Push(known.Value);
                    return true;
                }
                _work.Push(new Frame(new MemoStore(f.E, _stateVersion), 0, null));
                return false;
            default:
                return false;
        }
    }

    private void Remember(MemoStore store)
    {
        var value = _values.Peek();
        // A local array is a mutable object: two imports of `new double[n]` must stay two arrays.
        if (store.Version == _stateVersion && value.Reference is not LocalArray)
            _memo![store.Node] = (store.Version, value);
    }

    private bool SeenBefore(Expression e)
    {
        int bits = _seen.Length * 64;
        int h = RuntimeHelpers.GetHashCode(e) & (bits - 1);
        ulong mask = 1UL << h;
        ref ulong word = ref _seen[h >> 6];
        if ((word & mask) != 0) return true;
        word |= mask;
        // Kept sparse so that false positives stay rare; growing forgets the marks, which costs at most one more import
        // of a node per growth.
        if (++_seenCount > bits / 16)
        {
            _seen = new ulong[_seen.Length * 4];
            _seenCount = 0;
        }
        return false;
    }

    private static StepKind Classify(Expression e) => e.NodeType switch
    {
        ExpressionType.Parameter or ExpressionType.Constant or ExpressionType.Default or ExpressionType.Quote
            or ExpressionType.Lambda => StepKind.Leaf,
        ExpressionType.Negate or ExpressionType.NegateChecked or ExpressionType.UnaryPlus or ExpressionType.Not
            or ExpressionType.Convert or ExpressionType.ConvertChecked or ExpressionType.ArrayLength
            or ExpressionType.Add or ExpressionType.AddChecked or ExpressionType.Subtract or ExpressionType.SubtractChecked
            or ExpressionType.Multiply or ExpressionType.MultiplyChecked or ExpressionType.Divide or ExpressionType.Modulo
            or ExpressionType.Power or ExpressionType.And or ExpressionType.Or or ExpressionType.ExclusiveOr
            or ExpressionType.AndAlso or ExpressionType.OrElse or ExpressionType.Equal or ExpressionType.NotEqual
            or ExpressionType.LessThan or ExpressionType.LessThanOrEqual or ExpressionType.GreaterThan
            or ExpressionType.GreaterThanOrEqual or ExpressionType.LeftShift or ExpressionType.RightShift
            or ExpressionType.ArrayIndex or ExpressionType.Index or ExpressionType.MemberAccess => StepKind.Pure,
        ExpressionType.Conditional or ExpressionType.Call => e.Type == typeof(void) ? StepKind.Effect : StepKind.Pure,
        _ => StepKind.Effect,
    };

    /// <summary>A frame that remembers the value on top of the value stack as <see cref="Node"/>'s.</summary>
    private sealed class MemoStore(Expression node, int version) : Expression
    {
        public Expression Node { get; } = node;

        public int Version { get; } = version;

        public override ExpressionType NodeType => ExpressionType.Extension;

        public override Type Type => typeof(void);
    }
}
