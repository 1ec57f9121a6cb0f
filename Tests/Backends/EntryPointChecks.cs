using System.Linq.Expressions;
using ExprDiff.Backends.IL;
using ExprDiff.Tests.Properties;
using Xunit;

namespace ExprDiff.Tests.Backends;

/// <summary>
/// Every route a derivative can take: the array delegates of <see cref="Diff"/> through <c>.Compile()</c> and
/// <c>.CompileIL()</c>, the span delegates of <see cref="Compiled"/> (which must take the span route, not copies), the
/// copying route forced, and batches. Each is compared with <c>.CompileIL()</c>, bit for bit.
/// </summary>
internal static class EntryPointChecks
{
    /// <summary>The results of a scalar function's routes, for checks against closed forms.</summary>
    public sealed record ScalarResults(double Value, double[] Gradient, double[] Hvp, double[,] Hessian);

    /// <summary>Value, gradient, value+gradient, Hvp and Hessian of <paramref name="f"/> on every route that takes
    /// <c>Func&lt;double[], double&gt;</c>, at <paramref name="x"/> along <paramref name="v"/>.</summary>
    public static ScalarResults Scalar(Expression<Func<double[], double>> f, double[] x, double[] v)
    {
        int n = x.Length;

        // f itself: Compiled.Value runs f as ExprDiff imports it (Math.Pow(x, k) as the multiplication chain); CompileIL of
        // f with its powers written as that chain is the same program. f.Compile() runs glibc's pow (documented bound).
        double value = Support.PowersAsImported.Rewrite(f).CompileIL()(x);
        var (span, reason) = Compiled.ValueRoute(f);
        Assert.Null(reason);
        Bitwise(value, span(x), "Compiled.Value vs f.CompileIL()");
        // The copy route runs f's own delegate (CompileIL of f as written).
        Bitwise(f.CompileIL()(x), ArrayRoute.Value(f)(x), "Compiled.Value through arrays vs f.CompileIL()");
        double direct = f.Compile()(x);
        if (double.IsFinite(direct)) Checks.Close(direct, value, 1e-14, Math.Max(1, Math.Abs(direct)), "f.CompileIL() vs f.Compile()");

        var gradient = Diff.Gradient(f);
        var g = gradient.CompileIL()(x);
        Assert.Equal(n, g.Length);
        Bitwise(g, gradient.Compile()(x), "Gradient: Compile() vs CompileIL()");

        var vgExpression = Diff.ValueAndGradient(f);
        var buffer = Filled(n);
        double vgValue = vgExpression.CompileIL()(x, buffer);
        Bitwise(g, buffer, "ValueAndGradient CompileIL() gradient vs Gradient");
        var other = Filled(n);
        Bitwise(vgValue, vgExpression.Compile()(x, other), "ValueAndGradient: Compile() vs CompileIL() value");
        Bitwise(buffer, other, "ValueAndGradient: Compile() vs CompileIL() gradient");
        var (vgSpan, vgReason) = Compiled.GradientRoute(vgExpression);
        Assert.Null(vgReason);
        other = Filled(n);
        Bitwise(vgValue, vgSpan(x, other), "Compiled.ValueAndGradient value");
        Bitwise(buffer, other, "Compiled.ValueAndGradient gradient");
        other = Filled(n);
        Bitwise(vgValue, Compiled.ValueAndGradient(f)(x, other), "Compiled.ValueAndGradient (public) value");
        Bitwise(buffer, other, "Compiled.ValueAndGradient (public) gradient");
        other = Filled(n);
        Bitwise(vgValue, ArrayRoute.Gradient(vgExpression)(x, other), "ValueAndGradient through arrays: value");
        Bitwise(buffer, other, "ValueAndGradient through arrays: gradient");
        Batch(f, x, vgExpression.CompileIL());

        var hvpExpression = Diff.Hvp(f);
        var hv = hvpExpression.CompileIL()(x, v);
        Assert.Equal(n, hv.Length);
        Bitwise(hv, hvpExpression.Compile()(x, v), "Hvp: Compile() vs CompileIL()");
        var into = Diff.HvpInto(f, null);
        var (hvpSpan, hvpReason) = Compiled.ProductRoute(into);
        Assert.Null(hvpReason);
        other = Filled(n);
        hvpSpan(x, v, other);
        Bitwise(hv, other, "Compiled.Hvp vs Diff.Hvp");
        other = Filled(n);
        Compiled.Hvp(f)(x, v, other);
        Bitwise(hv, other, "Compiled.Hvp (public) vs Diff.Hvp");
        other = Filled(n);
        ArrayRoute.Product(into)(x, v, other);
        Bitwise(hv, other, "Hvp through arrays vs Diff.Hvp");

        var hessian = Diff.Hessian(f);
        var h = hessian.CompileIL()(x);
        Bitwise(h, hessian.Compile()(x), "Hessian: Compile() vs CompileIL()");
        return new ScalarResults(vgValue, g, hv, h);
    }

    /// <summary>The results of a vector function's routes.</summary>
    public sealed record VectorResults(double[] Jv, double[] Vj, double[,] Jacobian);

    /// <summary>Jvp, Vjp and Jacobian of <paramref name="f"/> on every route that takes <c>Func&lt;double[], double[]&gt;</c>.</summary>
    public static VectorResults Vector(Expression<Func<double[], double[]>> f, double[] x, double[] v, double[] u)
    {
        var y = f.CompileIL()(x);
        var direct = f.Compile()(x);
        Assert.Equal(direct.Length, y.Length);
        for (int k = 0; k < y.Length; k++)
            if (double.IsFinite(direct[k])) Checks.Close(direct[k], y[k], 1e-14, Math.Max(1, Math.Abs(direct[k])), $"f.CompileIL()[{k}] vs f.Compile()");
        int m = y.Length, n = x.Length;

        var jvp = Diff.Jvp(f);
        var jv = jvp.CompileIL()(x, v);
        Bitwise(jv, jvp.Compile()(x, v), "Jvp: Compile() vs CompileIL()");
        var jvpInto = Diff.JvpInto(f, null);
        var (jvpSpan, jvpReason) = Compiled.ProductRoute(jvpInto);
        Assert.Null(jvpReason);
        var other = Filled(m);
        jvpSpan(x, v, other);
        Bitwise(jv, other, "Compiled.Jvp vs Diff.Jvp");
        other = Filled(m);
        ArrayRoute.Product(jvpInto)(x, v, other);
        Bitwise(jv, other, "Jvp through arrays vs Diff.Jvp");

        var vjp = Diff.Vjp(f);
        var vj = vjp.CompileIL()(x, u);
        Bitwise(vj, vjp.Compile()(x, u), "Vjp: Compile() vs CompileIL()");
        var vjpInto = Diff.VjpInto(f, null);
        var (vjpSpan, vjpReason) = Compiled.ProductRoute(vjpInto);
        Assert.Null(vjpReason);
        other = Filled(n);
        vjpSpan(x, u, other);
        Bitwise(vj, other, "Compiled.Vjp vs Diff.Vjp");
        other = Filled(n);
        ArrayRoute.Product(vjpInto)(x, u, other);
        Bitwise(vj, other, "Vjp through arrays vs Diff.Vjp");

        var jacobian = Diff.Jacobian(f);
        var j = jacobian.CompileIL()(x);
        Bitwise(j, jacobian.Compile()(x), "Jacobian: Compile() vs CompileIL()");
        var flat = Filled(m * n);
        Compiled.Jacobian(f)(x, flat);
        // Compiled.Jacobian is made of products along unit vectors, rows by Vjp when m ≤ n, else columns by Jvp: bit for bit
        // those products. Diff.Jacobian of a loop program works by columns, so where Compiled takes rows the two agree
        // to rounding (documented).
        // Where a partial derivative is infinite (Cbrt at 0), a product along a unit vector multiplies it by a zero weight
        // and gives NaN in other rows (documented), so the comparison with Diff.Jacobian needs finite values.
        var (vjpArray, jvpArray) = (vjp.CompileIL(), jvp.CompileIL());
        bool finite = flat.All(double.IsFinite) && j.Cast<double>().All(double.IsFinite);
        for (int r = 0; r < m; r++)
            for (int c = 0; c < n; c++)
            {
                double product = m <= n ? vjpArray(x, Unit(m, r))[c] : jvpArray(x, Unit(n, c))[r];
                Bitwise(product, flat[r * n + c], $"Compiled.Jacobian[{r}, {c}] vs the product along a unit vector");
                if (finite) Checks.Close(j[r, c], flat[r * n + c], 1e-11, Math.Max(1, Math.Abs(j[r, c])), $"Compiled.Jacobian[{r}, {c}] vs Diff.Jacobian");
            }
        return new VectorResults(jv, vj, j);
    }

    // Three points (x and two others) evaluated as a batch, each against the scalar delegate.
    private static void Batch(Expression<Func<double[], double>> f, double[] x, Func<double[], double[], double> vg)
    {
        int n = x.Length, count = 3;
        var points = new double[count][];
        points[0] = x;
        points[1] = x.Select((xi, i) => 0.5 * xi - 0.125 * i).ToArray();
        points[2] = x.Select(xi => -xi).ToArray();
        var coordinates = new double[n * count];
        for (int p = 0; p < count; p++)
            for (int k = 0; k < n; k++) coordinates[k * count + p] = points[p][k];
        var values = Filled(count);
        var gradients = Filled(n * count);
        BatchGradient.Create(f, n).Evaluate(coordinates, values, gradients, new BatchOptions { MaxDegreeOfParallelism = 1 });
        for (int p = 0; p < count; p++)
        {
            var g = new double[n];
            Bitwise(vg(points[p], g), values[p], $"batch value of point {p}");
            for (int k = 0; k < n; k++) Bitwise(g[k], gradients[k * count + p], $"batch gradient[{k}] of point {p}");
        }
    }

    private static double[] Unit(int n, int k)
    {
        var e = new double[n];
        e[k] = 1;
        return e;
    }

    /// <summary>A buffer of NaN: whatever the route leaves unwritten shows.</summary>
    public static double[] Filled(int n) => Enumerable.Repeat(double.NaN, n).ToArray();

    public static void Bitwise(double expected, double actual, string what) => Checks.Bitwise(expected, actual, what);

    public static void Bitwise(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++) Checks.Bitwise(expected[k], actual[k], $"{what} [{k}]");
    }

    public static void Bitwise(double[,] expected, double[,] actual, string what)
    {
        Assert.Equal(expected.GetLength(0), actual.GetLength(0));
        Assert.Equal(expected.GetLength(1), actual.GetLength(1));
        for (int r = 0; r < expected.GetLength(0); r++)
            for (int c = 0; c < expected.GetLength(1); c++) Checks.Bitwise(expected[r, c], actual[r, c], $"{what} [{r}, {c}]");
    }
}
