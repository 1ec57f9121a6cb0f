using System.Linq.Expressions;

namespace ExprDiff;

public static partial class GradCheck
{
    /// <summary>Checks ExprDiff's own derivatives of f, with the rules of <paramref name="diffOptions"/>: the gradient
    /// (<see cref="Compiled.ValueAndGradient"/>) against central differences of f, and, unless
    /// <see cref="GradCheckOptions.SecondOrder"/> is false, the Hessian column by column (<see cref="Compiled.Hvp"/>
    /// along each unit vector) against central differences of that gradient (PyTorch's <c>gradgradcheck</c>).
    /// This is how a custom rule is tested: a wrong derivative fails the gradient entries; a right derivative whose own
    /// derivative is wrong (a rule for the function's derivative that is wrong) fails the Hessian entries.</summary>
    /// <param name="f">The function, with the custom functions whose rules are under test.</param>
    /// <param name="points">Where to check (each is copied); <see cref="RandomPoints(int, int, int, double, double)"/> draws them.</param>
    /// <param name="diffOptions">How ExprDiff differentiates (its <see cref="DiffOptions.Rules"/> hold the rules under
    /// test); <see cref="DiffOptions.Default"/> when null.</param>
    /// <param name="options">Step, tolerances and whether to check second derivatives; <see cref="GradCheckOptions.Default"/> when null.</param>
    /// <remarks>The central differences evaluate f compiled by <see cref="LambdaExpression.Compile()"/>, not by ExprDiff,
    /// so the reference shares nothing with what is under test but f's own methods. Cost per point of n coordinates:
    /// 2n evaluations of f, 2n + 1 gradients and n Hessian-vector products.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> or <paramref name="points"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="points"/> is empty or holds a null, empty or non-finite
    /// point; <paramref name="options"/> holds a value out of range.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate (at second order, when
    /// checked: a rule's derivative that calls a method with no rule of its own).</exception>
    /// <exception cref="GradCheckException">The check failed and <see cref="GradCheckOptions.ThrowOnFailure"/> is set.</exception>
    public static GradCheckResult Derivatives(Expression<Func<double[], double>> f, IReadOnlyList<double[]> points,
        DiffOptions? diffOptions = null, GradCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        var xs = GradCheckNumeric.CheckedCopy(points, nameof(points));
        var o = GradCheckNumeric.Checked(options, nameof(options));
        var value = f.Compile();
        var valueAndGradient = Compiled.ValueAndGradient(f, diffOptions);
        var hvp = o.SecondOrder ? Compiled.Hvp(f, diffOptions) : null;
        var check = new GradCheckAccumulator(o.SecondOrder ? "ExprDiff's gradient and Hessian" : "ExprDiff's gradient", xs, o);
        Func<double[], double[]> gradient = y =>
        {
            var g = new double[y.Length];
            valueAndGradient(y, g);
            return g;
        };
        for (int p = 0; p < xs.Length; p++)
        {
            var x = xs[p];
            int n = x.Length;
            var g = gradient(x);
            for (int i = 0; i < n; i++)
                check.Add(GradCheckQuantity.Gradient, p, i, null, g[i], GradCheckNumeric.Partial(value, x, i, o.Step));
            if (hvp is null) continue;
            var direction = new double[n];
            var product = new double[n];
            var column = new double[n];
            for (int c = 0; c < n; c++)
            {
                // Column c of H is H·e_c, and the central difference of ∇f along e_c.
                direction[c] = 1;
                hvp(x, direction, product);
                direction[c] = 0;
                GradCheckNumeric.Partials(gradient, x, c, o.Step, column, nameof(f));
                for (int r = 0; r < n; r++) check.Add(GradCheckQuantity.Hessian, p, r, c, product[r], column[r]);
            }
        }
        return check.Finish();
    }

    /// <summary>Checks ExprDiff's own first and second derivatives of a function of one number, the plainest test of a
    /// custom rule: <c>GradCheck.Derivatives(t => MyLib.Gamma(t), [0.5, 1.5, 4], new DiffOptions { Rules = rules })</c>.
    /// As <see cref="Derivatives(Expression{Func{double[], double}}, IReadOnlyList{double[]}, DiffOptions?, GradCheckOptions?)"/>
    /// on <c>x => f(x[0])</c>: entries are <c>∂f/∂x[0]</c> and <c>H[0, 0]</c>, and point p is <c>[points[p]]</c>.</summary>
    /// <param name="f">The function.</param>
    /// <param name="points">The arguments where to check.</param>
    /// <param name="diffOptions">How ExprDiff differentiates (its rules); <see cref="DiffOptions.Default"/> when null.</param>
    /// <param name="options">Step, tolerances and whether to check second derivatives; <see cref="GradCheckOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> or <paramref name="points"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="points"/> is empty or holds a non-finite number;
    /// <paramref name="options"/> holds a value out of range.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate.</exception>
    /// <exception cref="GradCheckException">The check failed and <see cref="GradCheckOptions.ThrowOnFailure"/> is set.</exception>
    public static GradCheckResult Derivatives(Expression<Func<double, double>> f, IReadOnlyList<double> points,
        DiffOptions? diffOptions = null, GradCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(points);
        var x = Expression.Parameter(typeof(double[]), "x");
        // Invoke keeps f as written (ExprDiff imports an invoked lambda), so no visitor walks the user's tree.
        var vector = Expression.Lambda<Func<double[], double>>(Expression.Invoke(f, Expression.ArrayIndex(x, Expression.Constant(0))), x);
        var wrapped = new double[points.Count][];
        for (int p = 0; p < wrapped.Length; p++)
        {
            // Checked here, so that the message names points[p] rather than the wrapped points[p][0].
            if (!double.IsFinite(points[p]))
                throw new ArgumentException($"'{nameof(points)}[{p}]' is {GradCheckEntry.Format(points[p])}: points must be finite.", nameof(points));
            wrapped[p] = [points[p]];
        }
        return Derivatives(vector, wrapped, diffOptions, options);
    }

    /// <summary>Checks ExprDiff's own Jacobian of a vector function (<see cref="Compiled.Jacobian"/>) against central
    /// differences of f compiled by <see cref="LambdaExpression.Compile()"/>.</summary>
    /// <param name="f">The function; its result must have the same length near each point.</param>
    /// <param name="points">Where to check (each is copied); <see cref="RandomPoints(int, int, int, double, double)"/> draws them.</param>
    /// <param name="diffOptions">How ExprDiff differentiates (its rules); <see cref="DiffOptions.Default"/> when null.</param>
    /// <param name="options">Step and tolerances; <see cref="GradCheckOptions.Default"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> or <paramref name="points"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="points"/> is empty or holds a null, empty or non-finite
    /// point; <paramref name="options"/> holds a value out of range; f returned null or another number of outputs near a point.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate.</exception>
    /// <exception cref="GradCheckException">The check failed and <see cref="GradCheckOptions.ThrowOnFailure"/> is set.</exception>
    public static GradCheckResult Derivatives(Expression<Func<double[], double[]>> f, IReadOnlyList<double[]> points,
        DiffOptions? diffOptions = null, GradCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        // Checked here too, so that a bad argument is reported before anything is compiled.
        GradCheckNumeric.CheckedCopy(points, nameof(points));
        GradCheckNumeric.Checked(options, nameof(options));
        var jacobian = Compiled.Jacobian(f, diffOptions);
        return CheckJacobian(f.Compile(), (x, m, _) =>
        {
            var J = new double[m * x.Length];
            jacobian(x, J);
            return (r, c) => J[r * x.Length + c];
        }, points, options, nameof(f), "ExprDiff's Jacobian");
    }
}
