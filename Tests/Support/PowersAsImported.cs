using System.Linq.Expressions;

namespace ExprDiff.Tests.Support;

/// <summary>
/// A function as ExprDiff reads it where it compiles the function itself: <c>Math.Pow(x, k)</c> with a constant integer
/// |k| ≤ 16 becomes <see cref="Intrinsics.PowChain"/> (IntegerPowerMode.Multiplication), so that <c>.Compile()</c> of the
/// result can be compared bit for bit with the reference interpreter and the exported derivatives (glibc's pow differs
/// from the chain by a few ulps).
/// </summary>
internal sealed class PowersAsImported : ExpressionVisitor
{
    private static readonly System.Reflection.MethodInfo Pow = typeof(Math).GetMethod(nameof(Math.Pow))!;
    private static readonly System.Reflection.MethodInfo Chain = typeof(Intrinsics).GetMethod(nameof(Intrinsics.PowChain))!;

    public static Expression<T> Rewrite<T>(Expression<T> f) => (Expression<T>)new PowersAsImported().Visit(f);

    protected override Expression VisitMethodCall(MethodCallExpression node)
    {
        if (node.Method == Pow && node.Arguments[1] is ConstantExpression { Value: double k } && k == Math.Round(k) && Math.Abs(k) <= 16)
            return Expression.Call(Chain, Visit(node.Arguments[0]), Expression.Constant((int)k));
        return base.VisitMethodCall(node);
    }
}
