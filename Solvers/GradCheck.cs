using System.Globalization;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;

namespace ExprDiff;

/// <summary>
/// Gradient checks (PyTorch's <c>gradcheck</c> and <c>gradgradcheck</c>, JAX's <c>check_grads</c>): compares a
/// derivative with central differences of the function at given or random points, entry by entry, and reports the
/// worst entry. For hand-written gradients and Jacobians, and for ExprDiff's own derivatives, which is how a custom
/// rule registered with <see cref="RuleSet.With(Expression{Func{double, double}}, Expression{Func{double, double}})"/>
/// is tested at first and second order.
/// </summary>
/// <remarks>
/// <para>Each entry passes when <c>|analytic − numeric| ≤ atol + rtol·|numeric|</c>; NaN or ±∞ on either side fails.
/// The step and the tolerances, and why they are what they are, are on <see cref="GradCheckOptions"/>. The checks
/// return a <see cref="GradCheckResult"/> (<see cref="GradCheckResult.Passed"/>, the worst entry, counts, a readable
/// <c>ToString()</c>); set <see cref="GradCheckOptions.ThrowOnFailure"/> or call
/// <see cref="GradCheckResult.ThrowIfFailed"/> to get a <see cref="GradCheckException"/> instead.</para>
/// <para>A check evaluates f twice per coordinate per point (and the gradient twice more per coordinate for second
/// derivatives): meant for tests and debugging, at a handful of points of modest dimension. Points are copied; the
/// caller's arrays are never written. Exceptions thrown by the functions under test propagate.</para>
/// <para>Choose points away from kinks and branch boundaries (<c>Math.Abs</c> at 0, a <c>?:</c> switching within a
/// step): there no central difference agrees with the derivative of the branch taken, and the check fails
/// although the derivative is right.</para>
/// </remarks>
/// <example>
/// <code>
/// Expression&lt;Func&lt;double[], double&gt;&gt; f = x => x[0] * x[0] * x[1] + Math.Sin(x[1]);
/// Func&lt;double[], double[]&gt; grad = x => [2 * x[0] * x[1], x[0] * x[0] + Math.Cos(x[1])];   // written by hand
///
/// GradCheckResult r = GradCheck.Gradient(f, grad, GradCheck.RandomPoints(dimension: 2, count: 10, seed: 1));
/// Console.WriteLine(r);        // "GradCheck of the gradient passed: 20 entries at 10 points …"
/// Assert.True(r.Passed, r.ToString());
///
/// // A custom rule, first derivative through the gradient, second through Hessian-vector products:
/// var rules = RuleSet.Default.With(t => MyLib.Softplus(t), t => MyLib.Sigmoid(t))
///                            .With(t => MyLib.Sigmoid(t), t => MyLib.Sigmoid(t) * (1 - MyLib.Sigmoid(t)));
/// GradCheck.Derivatives(x => MyLib.Softplus(x[0] * x[1]), [[0.3, -1.2], [2.0, 0.5]],
///                       new DiffOptions { Rules = rules }).ThrowIfFailed();
/// </code>
/// </example>
public static partial class GradCheck
{
    /// <summary>Checks a hand-written gradient of f, given as an expression (compiled with
    /// <see cref="LambdaExpression.Compile()"/> for the central differences).</summary>
    /// <param name="f">The function.</param>
    /// <param name="gradient">The gradient under test: an array with one element per coordinate of x.</param>
    /// <param name="points">Where to check (each is copied); <see cref="RandomPoints(int, int, int, double, double)"/> draws them.</param>
    /// <param name="options">Step and tolerances; <see cref="GradCheckOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="points"/> is empty or holds a null, empty or non-finite
    /// point; <paramref name="options"/> holds a value out of range; <paramref name="gradient"/> returned an array of
    /// another length.</exception>
    /// <exception cref="GradCheckException">The check failed and <see cref="GradCheckOptions.ThrowOnFailure"/> is set.</exception>
    public static GradCheckResult Gradient(Expression<Func<double[], double>> f, Func<double[], double[]> gradient,
        IReadOnlyList<double[]> points, GradCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        return Gradient(f.Compile(), gradient, points, options);
    }

    /// <summary>Checks a hand-written gradient of f, given as a delegate.</summary>
    /// <param name="f">The function.</param>
    /// <param name="gradient">The gradient under test: an array with one element per coordinate of x.</param>
    /// <param name="points">Where to check (each is copied); <see cref="RandomPoints(int, int, int, double, double)"/> draws them.</param>
    /// <param name="options">Step and tolerances; <see cref="GradCheckOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="points"/> is empty or holds a null, empty or non-finite
    /// point; <paramref name="options"/> holds a value out of range; <paramref name="gradient"/> returned an array of
    /// another length.</exception>
    /// <exception cref="GradCheckException">The check failed and <see cref="GradCheckOptions.ThrowOnFailure"/> is set.</exception>
    // A lambda written in the call converts to the delegate and to the expression alike: take the delegate, which
    // statement lambdas and collection expressions need (an expression tree cannot hold them).
    [OverloadResolutionPriority(1)]
    public static GradCheckResult Gradient(Func<double[], double> f, Func<double[], double[]> gradient,
        IReadOnlyList<double[]> points, GradCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(gradient);
        var xs = GradCheckNumeric.CheckedCopy(points, nameof(points));
        var o = GradCheckNumeric.Checked(options, nameof(options));
        var check = new GradCheckAccumulator("the gradient", xs, o);
        for (int p = 0; p < xs.Length; p++)
        {
            var x = xs[p];
            // A copy again: a gradient that writes into its argument must not move the point.
            var g = GradCheckNumeric.Length(gradient((double[])x.Clone()), x.Length, p, nameof(gradient), "coordinates");
            for (int i = 0; i < x.Length; i++)
                check.Add(GradCheckQuantity.Gradient, p, i, null, g[i], GradCheckNumeric.Partial(f, x, i, o.Step));
        }
        return check.Finish();
    }

    /// <summary>Checks a value-and-gradient delegate over spans (what <see cref="Compiled.ValueAndGradient"/> returns
    /// and solvers take): its gradient against central differences of its own value.</summary>
    /// <param name="valueAndGradient">Returns f(x) and writes ∇f(x) into its second argument.</param>
    /// <param name="points">Where to check (each is copied); <see cref="RandomPoints(int, int, int, double, double)"/> draws them.</param>
    /// <param name="options">Step and tolerances; <see cref="GradCheckOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="points"/> is empty or holds a null, empty or non-finite
    /// point; <paramref name="options"/> holds a value out of range.</exception>
    /// <exception cref="GradCheckException">The check failed and <see cref="GradCheckOptions.ThrowOnFailure"/> is set.</exception>
    public static GradCheckResult Gradient(GradientFunction valueAndGradient, IReadOnlyList<double[]> points,
        GradCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(valueAndGradient);
        var xs = GradCheckNumeric.CheckedCopy(points, nameof(points));
        var o = GradCheckNumeric.Checked(options, nameof(options));
        var check = new GradCheckAccumulator("the gradient", xs, o);
        for (int p = 0; p < xs.Length; p++)
        {
            var x = xs[p];
            var g = new double[x.Length];
            var scratch = new double[x.Length];
            valueAndGradient(x, g);
            Func<double[], double> value = y => valueAndGradient(y, scratch);
            for (int i = 0; i < x.Length; i++)
                check.Add(GradCheckQuantity.Gradient, p, i, null, g[i], GradCheckNumeric.Partial(value, x, i, o.Step));
        }
        return check.Finish();
    }

    /// <summary>Checks a hand-written Jacobian of a vector function given as an expression (compiled with
    /// <see cref="LambdaExpression.Compile()"/> for the central differences).</summary>
    /// <param name="f">The function; it must return the same number of outputs near each point.</param>
    /// <param name="jacobian">The Jacobian under test: (outputs) × (coordinates), <c>J[r, c] = ∂fᵣ/∂x꜀</c>.</param>
    /// <param name="points">Where to check (each is copied); <see cref="RandomPoints(int, int, int, double, double)"/> draws them.</param>
    /// <param name="options">Step and tolerances; <see cref="GradCheckOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="points"/> is empty or holds a null, empty or non-finite
    /// point; <paramref name="options"/> holds a value out of range; <paramref name="jacobian"/> returned a matrix of
    /// another shape; <paramref name="f"/> returned null or another number of outputs near a point.</exception>
    /// <exception cref="GradCheckException">The check failed and <see cref="GradCheckOptions.ThrowOnFailure"/> is set.</exception>
    public static GradCheckResult Jacobian(Expression<Func<double[], double[]>> f, Func<double[], double[,]> jacobian,
        IReadOnlyList<double[]> points, GradCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        return Jacobian(f.Compile(), jacobian, points, options);
    }

    /// <summary>Checks a hand-written Jacobian of a vector function given as a delegate.</summary>
    /// <param name="f">The function; it must return the same number of outputs near each point.</param>
    /// <param name="jacobian">The Jacobian under test: (outputs) × (coordinates), <c>J[r, c] = ∂fᵣ/∂x꜀</c>.</param>
    /// <param name="points">Where to check (each is copied); <see cref="RandomPoints(int, int, int, double, double)"/> draws them.</param>
    /// <param name="options">Step and tolerances; <see cref="GradCheckOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">As <see cref="Jacobian(Expression{Func{double[], double[]}}, Func{double[], double[,]}, IReadOnlyList{double[]}, GradCheckOptions?)"/>.</exception>
    /// <exception cref="GradCheckException">The check failed and <see cref="GradCheckOptions.ThrowOnFailure"/> is set.</exception>
    // A lambda written in the call converts to the delegate and to the expression alike: take the delegate, which
    // statement lambdas and collection expressions need (an expression tree cannot hold them).
    [OverloadResolutionPriority(1)]
    public static GradCheckResult Jacobian(Func<double[], double[]> f, Func<double[], double[,]> jacobian,
        IReadOnlyList<double[]> points, GradCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(jacobian);
        return CheckJacobian(f, (x, m, p) =>
        {
            var J = jacobian((double[])x.Clone());
            if (J is null || J.GetLength(0) != m || J.GetLength(1) != x.Length)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"'{nameof(jacobian)}' returned {(J is null ? "null" : $"a {J.GetLength(0)} × {J.GetLength(1)} matrix")} at point {p}, where f has {m} outputs and {x.Length} coordinates."),
                    nameof(jacobian));
            return (r, c) => J[r, c];
        }, points, options, nameof(f), "the Jacobian");
    }

    /// <summary>Checks a Jacobian delegate over spans (what <see cref="Compiled.Jacobian"/> returns): row-major,
    /// <c>jacobian[r * x.Length + c] = ∂fᵣ/∂x꜀</c>.</summary>
    /// <param name="f">The function; it must return the same number of outputs near each point.</param>
    /// <param name="jacobian">The Jacobian under test, written into a buffer of exactly (outputs) × (coordinates).</param>
    /// <param name="points">Where to check (each is copied); <see cref="RandomPoints(int, int, int, double, double)"/> draws them.</param>
    /// <param name="options">Step and tolerances; <see cref="GradCheckOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">As <see cref="Jacobian(Expression{Func{double[], double[]}}, Func{double[], double[,]}, IReadOnlyList{double[]}, GradCheckOptions?)"/>.</exception>
    /// <exception cref="GradCheckException">The check failed and <see cref="GradCheckOptions.ThrowOnFailure"/> is set.</exception>
    // A lambda written in the call converts to the delegate and to the expression alike: take the delegate, which
    // statement lambdas and collection expressions need (an expression tree cannot hold them).
    [OverloadResolutionPriority(1)]
    public static GradCheckResult Jacobian(Func<double[], double[]> f, JacobianFunction jacobian,
        IReadOnlyList<double[]> points, GradCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(jacobian);
        return CheckJacobian(f, (x, m, _) =>
        {
            var J = new double[m * x.Length];
            jacobian(x, J);
            return (r, c) => J[r * x.Length + c];
        }, points, options, nameof(f), "the Jacobian");
    }

    /// <summary>The Jacobian check shared by every route: <paramref name="analytic"/> gets the point, the number of
    /// outputs and the point's index, and returns the entries.</summary>
    private static GradCheckResult CheckJacobian(Func<double[], double[]> f, Func<double[], int, int, Func<int, int, double>> analytic,
        IReadOnlyList<double[]> points, GradCheckOptions? options, string fName, string what)
    {
        var xs = GradCheckNumeric.CheckedCopy(points, nameof(points));
        var o = GradCheckNumeric.Checked(options, nameof(options));
        var check = new GradCheckAccumulator(what, xs, o);
        for (int p = 0; p < xs.Length; p++)
        {
            var x = xs[p];
            int m = (f(x) ?? throw new ArgumentException($"'{fName}' returned null at point {p}.", fName)).Length;
            var J = analytic(x, m, p);
            var column = new double[m];
            for (int c = 0; c < x.Length; c++)
            {
                GradCheckNumeric.Partials(f, x, c, o.Step, column, fName);
                for (int r = 0; r < m; r++) check.Add(GradCheckQuantity.Jacobian, p, r, c, J(r, c), column[r]);
            }
        }
        return check.Finish();
    }

    /// <summary>Random points, reproducible by seed: each coordinate uniform between <paramref name="low"/> and
    /// <paramref name="high"/> (by default −1 and 1), <c>low + (high − low)·random.NextDouble()</c>, drawn point by point,
    /// coordinate by coordinate, from <c>new Random(seed)</c>: the same points for the same seed on every machine and
    /// run of one .NET version (.NET keeps the legacy algorithm for seeded <c>Random</c>, but does not promise the sequence
    /// across major versions).</summary>
    /// <param name="dimension">Coordinates per point (at least 1).</param>
    /// <param name="count">Number of points (at least 1).</param>
    /// <param name="seed">The seed.</param>
    /// <param name="low">The lower end of each coordinate's range; finite.</param>
    /// <param name="high">The upper end; finite and above <paramref name="low"/>. Keep the range inside f's domain
    /// (<c>low: 0.1, high: 3</c> for a logarithm).</param>
    /// <returns><paramref name="count"/> new arrays of <paramref name="dimension"/> coordinates.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range; the exception names it.</exception>
    public static double[][] RandomPoints(int dimension, int count, int seed, double low = -1, double high = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (!double.IsFinite(low)) throw new ArgumentOutOfRangeException(nameof(low), low, "must be finite.");
        if (!double.IsFinite(high) || !(high > low))
            throw new ArgumentOutOfRangeException(nameof(high), high, $"must be finite and greater than low ({low.ToString(CultureInfo.InvariantCulture)}).");
        var random = new Random(seed);
        var points = new double[count][];
        for (int p = 0; p < count; p++)
        {
            var x = points[p] = new double[dimension];
            for (int i = 0; i < dimension; i++) x[i] = low + (high - low) * random.NextDouble();
        }
        return points;
    }
}
