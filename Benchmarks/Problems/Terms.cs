using System.Linq.Expressions;

namespace ExprDiff.Benchmarks.Problems;

/// <summary>Helpers for the term-by-term expression builders.</summary>
internal static class Terms
{
    /// <summary>
    /// <c>t0 + t1 + ... + tk</c> as a left-deep chain, built by a loop (no recursion on the number of
    /// terms): the order a C# <c>sum += term</c> loop adds in, so the expression rounds like the
    /// hand-written code.
    /// </summary>
    public static Expression Sum(IEnumerable<Expression> terms)
    {
        Expression? sum = null;
        foreach (var t in terms) sum = sum is null ? t : Expression.Add(sum, t);
        return sum ?? Expression.Constant(0.0);
    }

    /// <summary><c>x[index]</c>, a fresh node each time, as the C# compiler writes each occurrence.</summary>
    public static Expression At(ParameterExpression x, int index) => Expression.ArrayIndex(x, Expression.Constant(index));

    public static ConstantExpression C(double value) => Expression.Constant(value);

    public static Expression Pow(Expression x, double exponent) =>
        Expression.Call(typeof(Math).GetMethod(nameof(Math.Pow), [typeof(double), typeof(double)])!, x, C(exponent));

    public static Expression Call(string name, Expression x) =>
        Expression.Call(typeof(Math).GetMethod(name, [typeof(double)])!, x);
}
