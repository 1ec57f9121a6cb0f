using System.Linq.Expressions;
using ExprDiff.Printing;
using ExprDiff.Rules;
using ExprDiff.Transforms;

namespace ExprDiff;

/// <summary>
/// Differentiates C# lambdas. Every operation takes an <see cref="Expression{TDelegate}"/> and returns one,
/// which can be printed (<see cref="ToCSharp"/>), compiled with <c>.Compile()</c>, composed, and
/// differentiated again. Functions are of one <c>double[]</c> (derivatives with respect to every element
/// read; gradients have the array's run-time length) or of 1–8 <c>double</c> parameters (derivatives in
/// parameter order).
/// </summary>
/// <remarks>
/// <para>Semantics at kinks and singular points (the value of the derivative there):</para>
/// <list type="bullet">
/// <item><c>Math.Sqrt</c> at 0: +∞ (the one-sided derivative); <c>Math.Cbrt</c> at 0: +∞.</item>
/// <item><c>Math.Abs</c> at 0: 0 (the subgradient Sign(0)).</item>
/// <item><c>Math.Max</c>/<c>Math.Min</c> on a tie: ½ to each argument.</item>
/// <item><c>Math.Clamp(v, lo, hi)</c>: 1 to v on [lo, hi] (bounds included), 1 to lo below it, 1 to hi above it.</item>
/// <item><c>Math.Pow(x, k)</c> with a constant integer |k| ≤ 16 is computed by plain multiplications, as by hand
/// (<see cref="IntegerPowerMode.Multiplication"/>, the default): the left-to-right binary chain of
/// <see cref="Intrinsics.PowChain"/> (x³ = (x·x)·x, x⁶ = (x³)²), x⁻ᵏ = (1/x)ᵏ, on every route and in the reference
/// interpreter alike, bit for bit; powers of one base share their steps, and derivatives are the product rule through
/// the same multiplications (k·x^(k−1) in exact arithmetic; 0 at x = 0 for k ≥ 2, never NaN). Not correctly rounded:
/// measured at most 0, 0, 1, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9, 9, 10, 12 ulps from the correctly rounded power for
/// k = 1…16 and 0, 2, 3, 5, 7, 8, 10, 12, 13, 15, 16, 19, 20, 22, 22, 26 ulps for k = −1…−16 (10⁷ bases per k,
/// |x| in [2⁻²⁰, 2²⁰]). <see cref="DiffOptions.IntegerPowers"/> = <see cref="IntegerPowerMode.CorrectlyRounded"/> computes
/// them with <see cref="Intrinsics.PowInt"/> instead (correctly rounded, slower).</item>
/// <item><c>Math.Pow(x, y)</c>: ∂/∂y = x^y·ln x, defined as 0 at x = 0; ∂/∂x = y·x^(y−1), defined as 0 when y = 0.</item>
/// <item><c>c ? a : b</c>: the derivative of the branch taken; at the switch point, that branch's. NaN or ∞ in the
/// branch not taken never reaches the derivative: <c>x &gt; 0 ? Math.Log(x) : 0</c> has derivative 0 at 0 and at −1.
/// The branch not taken is not run either, in any derivative: a guarded read (<c>i &gt; 0 ? x[i - 1] : 0</c>), an integer
/// division or a call of your function behind a condition runs only where f runs it.</item>
/// <item><c>Math.Floor</c>, <c>Ceiling</c>, <c>Round</c>, <c>Truncate</c>, <c>Sign</c>, conversions to int: 0 everywhere.</item>
/// <item>A conversion to <c>float</c>: 1 (the rounding is passed through, as JAX does).</item>
/// <item><c>Math.Sign(double.NaN)</c> is NaN rather than an exception.</item>
/// <item><c>checked</c> int arithmetic (<c>+ - *</c>, negation, conversion of a double to int) keeps its overflow check:
/// a derivative that computes the checked value throws <see cref="OverflowException"/> where f does. Like any compiler,
/// the optimizer still drops work no result depends on (a checked value that only f's value needs is not computed by
/// its gradient alone).</item>
/// </list>
/// <para>Max and Min reductions (<c>x.Max()</c>, <c>Enumerable.Range(…).Min(…)</c>) take the derivative of the first element
/// where the extremum is attained (a valid subgradient; the two-argument <c>Math.Max</c> splits ties instead).</para>
/// <para>Loops (LINQ reductions) run in order from 0.0 as LINQ does. Where LINQ throws, a derivative does not:
/// <c>Enumerable.Range(a, n)</c> with a negative n is an empty loop, and <c>Average</c> of an empty sequence is NaN.
/// The gradient buffer of <c>ValueAndGradient</c> must not be an array argument of the derivative (x, a data array): the
/// derivative checks, and throws an <see cref="ArgumentException"/> naming the buffer (<c>'gradient' overlaps 'x': …</c>).
/// Arrays that are only read (x and a direction v of <c>Hvp</c>) may be the same array.</para>
/// <para>Thread safety: all members are thread-safe; results are independent expression trees.</para>
/// </remarks>
public static partial class Diff
{
    /// <summary>The gradient of <paramref name="f"/>: <c>x => ∇f(x)</c>, of length <c>x.Length</c>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate; the message says what and why.</exception>
    public static Expression<Func<double[], double[]>> Gradient(Expression<Func<double[], double>> f, DiffOptions? options = null) =>
        (Expression<Func<double[], double[]>>)Derivatives.Gradient(Problem(f, options, nameof(Gradient)), typeof(Func<double[], double[]>));

    /// <summary><c>(x, gradient) => f(x)</c>, writing ∇f(x) into <c>gradient</c> (which needs <c>x.Length</c> elements).
    /// The value and the gradient share their common work.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate.</exception>
    public static Expression<Func<double[], double[], double>> ValueAndGradient(Expression<Func<double[], double>> f, DiffOptions? options = null) =>
        (Expression<Func<double[], double[], double>>)Derivatives.ValueAndGradient(Problem(f, options, nameof(ValueAndGradient)), typeof(Func<double[], double[], double>));

    /// <summary>The Hessian of <paramref name="f"/>, <c>x.Length × x.Length</c>, computed forward over reverse.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate.</exception>
    public static Expression<Func<double[], double[,]>> Hessian(Expression<Func<double[], double>> f, DiffOptions? options = null) =>
        (Expression<Func<double[], double[,]>>)Derivatives.Hessian(Problem(f, options, nameof(Hessian)), typeof(Func<double[], double[,]>));

    /// <summary>The Hessian-vector product <c>(x, v) => H(x)·v</c>, without forming H (forward over reverse).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate.</exception>
    public static Expression<Func<double[], double[], double[]>> Hvp(Expression<Func<double[], double>> f, DiffOptions? options = null) =>
        (Expression<Func<double[], double[], double[]>>)Derivatives.Hvp(Problem(f, options, nameof(Hvp)), typeof(Func<double[], double[], double[]>));

    /// <summary>The Jacobian-vector product <c>(x, v) => J(x)·v</c> of a vector function (forward mode).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate.</exception>
    public static Expression<Func<double[], double[], double[]>> Jvp(Expression<Func<double[], double[]>> f, DiffOptions? options = null) =>
        (Expression<Func<double[], double[], double[]>>)Derivatives.Jvp(Problem(f, options, nameof(Jvp)), typeof(Func<double[], double[], double[]>));

    /// <summary>The vector-Jacobian product <c>(x, u) => uᵀ·J(x)</c> of a vector function (reverse mode).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate.</exception>
    public static Expression<Func<double[], double[], double[]>> Vjp(Expression<Func<double[], double[]>> f, DiffOptions? options = null) =>
        (Expression<Func<double[], double[], double[]>>)Derivatives.Vjp(Problem(f, options, nameof(Vjp)), typeof(Func<double[], double[], double[]>));

    /// <summary>The Jacobian of a vector function: rows are outputs, columns are elements of x.
    /// Forward or reverse mode by shape, or as <see cref="DiffOptions.Jacobian"/> says.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate.</exception>
    public static Expression<Func<double[], double[,]>> Jacobian(Expression<Func<double[], double[]>> f, DiffOptions? options = null) =>
        (Expression<Func<double[], double[,]>>)Derivatives.Jacobian(Problem(f, options, nameof(Jacobian)), typeof(Func<double[], double[,]>),
            (options ?? DiffOptions.Default).Jacobian);

    /// <summary>The <paramref name="order"/>-th derivative of a function of one variable (repeated forward mode).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="order"/> is negative.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate.</exception>
    public static Expression<Func<double, double>> Derivative(Expression<Func<double, double>> f, int order = 1, DiffOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(order);
        return (Expression<Func<double, double>>)Derivatives.Derivative(Problem(f, options, nameof(Derivative)), order, typeof(Func<double, double>));
    }

    /// <summary>Returns <paramref name="x"/>; inside a differentiated lambda, its derivative is zero
    /// (the value is treated as a constant).</summary>
    [StopGradientMethod]
    public static double StopGradient(double x) => x;

    /// <summary>Readable C# text of an expression, such as a derivative returned by <see cref="Diff"/>.</summary>
    public static string ToCSharp(LambdaExpression expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return ExpressionPrinter.ToCSharp(expression);
    }

    private static DiffProblem Problem(LambdaExpression f, DiffOptions? options, string operation, IReadOnlyList<string>? wrt = null)
    {
        if (f is null) throw Error.Null("f");
        return DiffProblem.Create(f, options, "Diff." + operation, wrt);
    }

    private static DiffProblem ProblemWrt(LambdaExpression f, DiffOptions? options, string operation, IReadOnlyList<string> wrt)
    {
        if (wrt is null) throw Error.Null("wrt");
        return Problem(f, options, operation, wrt);
    }
}

/// <summary>Extension methods over expression trees.</summary>
public static class ExpressionExtensions
{
    /// <summary>Readable C# text of <paramref name="expression"/> (for example a derivative from <see cref="Diff"/>).</summary>
    public static string ToCSharp(this LambdaExpression expression) => Diff.ToCSharp(expression);
}
