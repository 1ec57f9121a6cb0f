using System.Linq.Expressions;
using Xunit;

namespace ExprDiff.Tests.Loops;

/// <summary>LINQ reductions are differentiated as loops: one derivative for every length.</summary>
public class ReductionTests
{
    private static readonly Expression<Func<double[], double>> RangeSumRosenbrock =
        x => Enumerable.Range(0, x.Length - 1).Sum(i => 100 * Math.Pow(x[i + 1] - x[i] * x[i], 2) + Math.Pow(1 - x[i], 2));

    private static Expression<Func<double[], double>> TermByTermRosenbrock(int n)
    {
        var x = Expression.Parameter(typeof(double[]), "x");
        Expression X(int i) => Expression.ArrayIndex(x, Expression.Constant(i));
        var pow = typeof(Math).GetMethod(nameof(Math.Pow))!;
        Expression sum = Expression.Constant(0.0);
        for (int i = 0; i < n - 1; i++)
            sum = Expression.Add(sum, Expression.Add(
                Expression.Multiply(Expression.Constant(100.0), Expression.Call(pow, Expression.Subtract(X(i + 1), Expression.Multiply(X(i), X(i))), Expression.Constant(2.0))),
                Expression.Call(pow, Expression.Subtract(Expression.Constant(1.0), X(i)), Expression.Constant(2.0))));
        return Expression.Lambda<Func<double[], double>>(sum, x);
    }

    private static double[] Point(int n, int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(i => (i % 2 == 0 ? -1.2 : 1.0) + 0.1 * (2 * r.NextDouble() - 1)).ToArray();
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = Math.Max(1, expected.Max(Math.Abs));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * scale, $"[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
    }

    [Fact]
    public void Range_sum_rosenbrock_equals_the_term_by_term_form_for_every_length() // value, gradient, Hvp and Hessian
    {
        var f = RangeSumRosenbrock.Compile();
        var g = Diff.Gradient(RangeSumRosenbrock).Compile();
        var hv = Diff.Hvp(RangeSumRosenbrock).Compile();
        var hessian = Diff.Hessian(RangeSumRosenbrock).Compile();
        var vg = Diff.ValueAndGradient(RangeSumRosenbrock).Compile();
        for (int n = 2; n <= 200; n += n < 20 ? 1 : 17)
        {
            var x = Point(n, n);
            var v = Point(n, n + 1000);
            var term = TermByTermRosenbrock(n);
            var gExpected = Diff.Gradient(term).Compile()(x);
            Assert.Equal(term.Compile()(x), f(x), 1e-14 * Math.Max(1, Math.Abs(f(x))));
            AssertClose(gExpected, g(x), 1e-14);
            AssertClose(Diff.Hvp(term).Compile()(x, v), hv(x, v), 1e-14);
            var hExpected = Diff.Hessian(term).Compile()(x);
            var h = hessian(x);
            Assert.Equal(n, h.GetLength(0));
            Assert.Equal(n, h.GetLength(1));
            double scale = Math.Max(1, gExpected.Max(Math.Abs));
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                    Assert.True(Math.Abs(hExpected[i, j] - h[i, j]) <= 1e-14 * scale, $"n={n} H[{i},{j}]: {h[i, j]:R} vs {hExpected[i, j]:R}");
            var buffer = Enumerable.Repeat(double.NaN, n).ToArray();
            Assert.Equal(f(x), vg(x, buffer), 1e-12);
            AssertClose(gExpected, buffer, 1e-14);
        }
    }

    [Fact]
    public void Gradient_is_one_loop_whatever_the_length()
    {
        // The derivative is a program over x.Length: the same expression serves n = 10 and n = 10⁶.
        var g = Diff.Gradient(RangeSumRosenbrock);
        string text = g.ToCSharp();
        Assert.DoesNotContain("x[5]", text);
        var compiled = g.Compile();
        foreach (int n in new[] { 10, 1_000_000 })
        {
            var x = Point(n, 7);
            var grad = compiled(x);
            Assert.Equal(n, grad.Length);
            // Spot-check an interior element against its closed form.
            int k = n / 2;
            double expected = -400 * x[k] * (x[k + 1] - x[k] * x[k]) - 2 * (1 - x[k]) + 200 * (x[k] - x[k - 1] * x[k - 1]);
            Assert.Equal(expected, grad[k], 1e-9 * Math.Max(1, Math.Abs(expected)));
        }
    }

    [Fact]
    public void Array_sum_select_and_indexed_select()
    {
        Expression<Func<double[], double>> f = x => x.Sum() + x.Select(v => v * v).Sum() + x.Select((v, i) => i * Math.Sin(v)).Sum();
        double[] x = [0.3, -1.2, 2.5, 0.7];
        var g = Diff.Gradient(f).Compile()(x);
        for (int i = 0; i < x.Length; i++)
            Assert.Equal(1 + 2 * x[i] + i * Math.Cos(x[i]), g[i], 1e-14);
        Assert.Equal(f.Compile()(x), Diff.ValueAndGradient(f).Compile()(x, new double[4]), 1e-14);
    }

    [Fact]
    public void Average_is_the_sum_over_the_count()
    {
        Expression<Func<double[], double>> f = x => x.Average() + Enumerable.Range(0, x.Length).Average(i => x[i] * x[i]);
        double[] x = [0.5, -2.0, 3.0];
        Assert.Equal(f.Compile()(x), Diff.ValueAndGradient(f).Compile()(x, new double[3]), 1e-15);
        var g = Diff.Gradient(f).Compile()(x);
        for (int i = 0; i < 3; i++) Assert.Equal(1.0 / 3 + 2 * x[i] / 3, g[i], 1e-15);
    }

    [Fact]
    public void Nested_reduction_over_pairs_matches_the_term_by_term_gradient()
    {
        // A Lennard-Jones-like pair energy over i < j, with r² written out.
        Expression<Func<double[], double>> f = x => Enumerable.Range(0, x.Length / 3).Sum(i =>
            Enumerable.Range(i + 1, x.Length / 3 - i - 1).Sum(j =>
                4 * (Math.Pow((x[3 * i] - x[3 * j]) * (x[3 * i] - x[3 * j]) + (x[3 * i + 1] - x[3 * j + 1]) * (x[3 * i + 1] - x[3 * j + 1])
                    + (x[3 * i + 2] - x[3 * j + 2]) * (x[3 * i + 2] - x[3 * j + 2]), -6.0)
                - Math.Pow((x[3 * i] - x[3 * j]) * (x[3 * i] - x[3 * j]) + (x[3 * i + 1] - x[3 * j + 1]) * (x[3 * i + 1] - x[3 * j + 1])
                    + (x[3 * i + 2] - x[3 * j + 2]) * (x[3 * i + 2] - x[3 * j + 2]), -3.0))));
        var r = new Random(3);
        var x = Enumerable.Range(0, 12).Select(k => 1.1 * (k / 3) + (k % 3) * 0.4 + 0.05 * r.NextDouble()).ToArray();
        var g = Diff.Gradient(f).Compile()(x);
        // Reference: the same energy differentiated straight-line, pair by pair.
        var reference = new double[x.Length];
        for (int i = 0; i < 4; i++)
            for (int j = i + 1; j < 4; j++)
            {
                double r2 = 0;
                for (int c = 0; c < 3; c++) r2 += (x[3 * i + c] - x[3 * j + c]) * (x[3 * i + c] - x[3 * j + c]);
                double dEdr2 = 4 * (-6 * Math.Pow(r2, -7) + 3 * Math.Pow(r2, -4));
                for (int c = 0; c < 3; c++)
                {
                    double d = 2 * (x[3 * i + c] - x[3 * j + c]) * dEdr2;
                    reference[3 * i + c] += d;
                    reference[3 * j + c] -= d;
                }
            }
        AssertClose(reference, g, 1e-12);
    }

    [Fact]
    public void Logistic_regression_is_differentiated_with_respect_to_the_weights_only()
    {
        Expression<Func<double[], double[], double[], double>> loss = (w, X, y) =>
            Enumerable.Range(0, y.Length).Sum(i =>
                Math.Log(1 + Math.Exp(-y[i] * Enumerable.Range(0, w.Length).Sum(j => w[j] * X[i * w.Length + j])))) / y.Length;
        var r = new Random(11);
        int m = 50, d = 4;
        var X = Enumerable.Range(0, m * d).Select(_ => 2 * r.NextDouble() - 1).ToArray();
        var y = Enumerable.Range(0, m).Select(_ => r.NextDouble() < 0.5 ? -1.0 : 1.0).ToArray();
        var w = Enumerable.Range(0, d).Select(_ => 0.3 * (2 * r.NextDouble() - 1)).ToArray();

        var g = Diff.Gradient(loss).Compile()(w, X, y);
        // Closed form: ∇ = (1/m) Σ_i −y_i σ(−y_i w·X_i) X_i.
        var expected = new double[d];
        for (int i = 0; i < m; i++)
        {
            double s = 0;
            for (int j = 0; j < d; j++) s += w[j] * X[i * d + j];
            double sigma = 1 / (1 + Math.Exp(y[i] * s));
            for (int j = 0; j < d; j++) expected[j] += -y[i] * sigma * X[i * d + j] / m;
        }
        AssertClose(expected, g, 1e-13);
        Assert.Equal(d, g.Length);
        var buffer = new double[d];
        Assert.Equal(loss.Compile()(w, X, y), Diff.ValueAndGradient(loss).Compile()(w, X, y, buffer), 1e-14);
        AssertClose(expected, buffer, 1e-13);
    }

    [Fact]
    public void Logistic_regression_over_a_matrix_parameter()
    {
        Expression<Func<double[], double[,], double[], double>> loss = (w, X, y) =>
            Enumerable.Range(0, X.GetLength(0)).Sum(i =>
                Math.Log(1 + Math.Exp(-y[i] * Enumerable.Range(0, X.GetLength(1)).Sum(j => w[j] * X[i, j])))) / y.Length;
        var r = new Random(5);
        int m = 40, d = 3;
        var X = new double[m, d];
        for (int i = 0; i < m; i++) for (int j = 0; j < d; j++) X[i, j] = 2 * r.NextDouble() - 1;
        var y = Enumerable.Range(0, m).Select(_ => r.NextDouble() < 0.5 ? -1.0 : 1.0).ToArray();
        double[] w = [0.2, -0.4, 0.1];
        var expected = new double[d];
        for (int i = 0; i < m; i++)
        {
            double s = 0;
            for (int j = 0; j < d; j++) s += w[j] * X[i, j];
            double sigma = 1 / (1 + Math.Exp(y[i] * s));
            for (int j = 0; j < d; j++) expected[j] += -y[i] * sigma * X[i, j] / m;
        }
        AssertClose(expected, Diff.Gradient(loss).Compile()(w, X, y), 1e-13);
        Assert.Equal(loss.Compile()(w, X, y), Diff.ValueAndGradient(loss).Compile()(w, X, y, new double[d]), 1e-14);
        Assert.Equal("X", Assert.Throws<ArgumentNullException>(() => Diff.Gradient(loss).Compile()(w, null!, y)).ParamName);
    }

    [Fact]
    public void Max_and_min_take_the_derivative_where_they_are_attained()
    {
        Expression<Func<double[], double>> f = x => x.Max() + Enumerable.Range(0, x.Length).Min(i => Math.Sin(x[i]) * (i + 1));
        double[] x = [0.3, 2.5, -1.0, 1.7];
        var fc = f.Compile();
        Assert.Equal(fc(x), Diff.ValueAndGradient(f).Compile()(x, new double[4]), 1e-15);
        // Max at x[1]; the min of sin(x[i])·(i+1) is at i = 2 (−0.84·3).
        var g = Diff.Gradient(f).Compile()(x);
        Assert.Equal(new[] { 0.0, 1.0, 3 * Math.Cos(-1.0), 0.0 }, g);
        var jv = Diff.Hvp(f).Compile()(x, [1.0, 1.0, 1.0, 1.0]);
        Assert.Equal(0.0, jv[1]);
        Assert.Equal(-3 * Math.Sin(-1.0), jv[2], 1e-15);
        // LINQ's NaN rule: the first NaN is the result.
        Assert.True(double.IsNaN(Diff.ValueAndGradient(f).Compile()([1.0, double.NaN, 3.0], new double[3])));
    }

    [Fact]
    public void Regression_gradient_buffer_longer_than_x_with_several_loop_contributions()
    {
        Expression<Func<double[], double>> f = x => x.Sum() * x.Sum() + Enumerable.Range(0, x.Length).Sum(i => Enumerable.Range(0, i).Sum(j => x[i] * x[j]));
        double[] x = [1.0, 2.0, 3.0];
        var buffer = new[] { 9.0, 9.0, 9.0, 9.0, 9.0 };
        Diff.ValueAndGradient(f).Compile()(x, buffer);
        Assert.Equal(Diff.Gradient(f).Compile()(x), buffer[..3]);
        Assert.Equal(new[] { 9.0, 9.0 }, buffer[3..]);
    }

    [Fact]
    public void Direction_shorter_than_x_is_named()
    {
        Expression<Func<double[], double>> f = x => x.Select(v => v * v * v).Sum();
        var e = Assert.Throws<ArgumentException>(() => Diff.Hvp(f).Compile()([1.0, 2.0, 3.0], [1.0]));
        Assert.StartsWith("'v' needs 3 elements (one per element of 'x') but has 1.", e.Message);
    }

    [Fact]
    public void Integer_min_and_max_size_a_band()
    {
        Expression<Func<double[], double>> f = x => Enumerable.Range(0, x.Length).Sum(i =>
            Enumerable.Range(i, Math.Min(2, x.Length - i)).Sum(j => x[i] * x[j]) + x[Math.Max(0, i - 1)] * Math.Abs(i - 1));
        double[] x = [0.5, -1.0, 2.0, 1.5];
        var g = Diff.Gradient(f).Compile()(x);
        var fc = f.Compile();
        for (int k = 0; k < x.Length; k++)
        {
            var plus = (double[])x.Clone(); plus[k] += 1e-6;
            var minus = (double[])x.Clone(); minus[k] -= 1e-6;
            Assert.Equal((fc(plus) - fc(minus)) / 2e-6, g[k], 1e-6);
        }
    }

    [Fact]
    public void An_exported_loop_derivative_differentiates_again()
    {
        // The exported gradient is loops that write arrays (scatters, whole-array sums); imported again they are
        // scatters again, so the Jacobian of the gradient is the Hessian and its Jvp the Hvp.
        Expression<Func<double[], double>> f = x => x.Select(v => v * v * v).Sum() + Enumerable.Range(0, x.Length - 1).Sum(i => x[i] * Math.Sin(x[i + 1]));
        var gradient = Diff.Gradient(f);
        double[] x = [0.5, -1.0, 2.0, 0.7];
        double[] v = [0.3, 1.0, -2.0, 0.5];
        var h = Diff.Hessian(f).Compile()(x);
        var jg = Diff.Jacobian(gradient).Compile()(x);
        Assert.Equal(h, jg);
        Assert.Equal(Diff.Hvp(f).Compile()(x, v), Diff.Jvp(gradient).Compile()(x, v));
    }

    [Fact]
    public void Captured_arrays_are_read_by_reference()
    {
        double[] weights = [1.0, 2.0, 3.0];
        Expression<Func<double[], double>> f = x => Enumerable.Range(0, x.Length).Sum(i => weights[i] * x[i] * x[i]) + weights.Sum() * x[0];
        var g = Diff.Gradient(f).Compile();
        double[] x = [0.5, -1.0, 2.0];
        Assert.Equal(new[] { 2 * 1.0 * 0.5 + 6.0, 2 * 2.0 * -1.0, 2 * 3.0 * 2.0 }, g(x));
        // The compiled derivative sees later changes to the captured array, as the closure does.
        weights[1] = 10.0;
        Assert.Equal(new[] { 2 * 1.0 * 0.5 + 14.0, 2 * 10.0 * -1.0, 2 * 3.0 * 2.0 }, g(x));
    }

    [Fact]
    public void Vector_function_with_reductions_satisfies_the_adjoint_identity()
    {
        Expression<Func<double[], double[]>> F = x => new[]
        {
            Enumerable.Range(0, x.Length).Sum(i => Math.Sin(x[i]) * (i + 1)),
            x.Select(v => v * v * v).Sum(),
            x[0] * Enumerable.Range(1, x.Length - 1).Sum(i => x[i] / x[i - 1]),
        };
        double[] x = [0.4, 1.3, -0.8, 2.1, 0.9];
        double[] v = [0.2, -1.0, 0.5, 0.3, -0.7];
        double[] u = [1.5, -0.25, 0.8];
        var jv = Diff.Jvp(F).Compile()(x, v);
        var uj = Diff.Vjp(F).Compile()(x, u);
        double lhs = u.Zip(jv, (a, b) => a * b).Sum();
        double rhs = uj.Zip(v, (a, b) => a * b).Sum();
        Assert.Equal(lhs, rhs, 1e-12);
        // And both against central differences of F along v.
        var Fc = F.Compile();
        const double h = 1e-6;
        var plus = Fc(x.Zip(v, (a, b) => a + h * b).ToArray());
        var minus = Fc(x.Zip(v, (a, b) => a - h * b).ToArray());
        for (int k = 0; k < 3; k++) Assert.Equal((plus[k] - minus[k]) / (2 * h), jv[k], 1e-6);
    }

    [Fact]
    public void Conditional_inside_a_loop_body_keeps_nan_out()
    {
        Expression<Func<double[], double>> f = x => Enumerable.Range(0, x.Length).Sum(i => x[i] > 0 ? Math.Log(x[i]) : 0);
        var g = Diff.Gradient(f).Compile()([2.0, 0.0, -1.0, 4.0]);
        Assert.Equal(new[] { 0.5, 0.0, 0.0, 0.25 }, g);
    }

    [Fact]
    public void Absurdly_deep_nesting_is_refused_not_a_stack_overflow()
    {
        // Σ_i0 Σ_i1 … x[0]: 70 nested reductions.
        var x = Expression.Parameter(typeof(double[]), "x");
        var range = typeof(Enumerable).GetMethod(nameof(Enumerable.Range))!;
        var sum = typeof(Enumerable).GetMethods().Single(m => m.Name == nameof(Enumerable.Sum) && m.IsGenericMethod
            && m.GetParameters() is [_, { ParameterType: var p }] && p.IsGenericType && p.GetGenericArguments()[1] == typeof(double))
            .MakeGenericMethod(typeof(int));
        Expression body = Expression.ArrayIndex(x, Expression.Constant(0));
        for (int k = 0; k < 70; k++)
        {
            var i = Expression.Parameter(typeof(int), "i" + k);
            body = Expression.Call(sum, Expression.Call(range, Expression.Constant(0), Expression.Constant(1)), Expression.Lambda<Func<int, double>>(body, i));
        }
        var f = Expression.Lambda<Func<double[], double>>(body, x);
        var e = Assert.Throws<ExprDiffException>(() => Diff.Gradient(f));
        Assert.Contains("reductions are nested more than 64 deep; flatten the nesting", e.Message);
    }

    [Fact]
    public void Null_arrays_are_named_not_a_null_reference()
    {
        Expression<Func<double[], double[], double>> f = (w, y) => Enumerable.Range(0, y.Length).Sum(i => w[0] * y[i]);
        var g = Diff.Gradient(f).Compile();
        Assert.Equal("y", Assert.Throws<ArgumentNullException>(() => g([1.0], null!)).ParamName);
        Assert.Equal("w", Assert.Throws<ArgumentNullException>(() => g(null!, [1.0])).ParamName);
        var h = Diff.Gradient(RangeSumRosenbrock).Compile();
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => h(null!)).ParamName);
    }

    [Fact]
    public void Hessian_of_a_loop_program_with_data_matches_the_closed_form()
    {
        // Mean logistic loss over captured data (X row-major, labels ±1): H = (1/m) Σ σ(s)(1 − σ(s)) x_i x_iᵀ, s = y_i w·x_i.
        const int m = 30, d = 4;
        var r = new Random(5);
        var data = Enumerable.Range(0, m * d).Select(_ => 2 * r.NextDouble() - 1).ToArray();
        var labels = Enumerable.Range(0, m).Select(_ => r.Next(2) == 0 ? -1.0 : 1.0).ToArray();
        Expression<Func<double[], double>> loss = w => Enumerable.Range(0, labels.Length).Average(i =>
            Math.Log(1 + Math.Exp(-labels[i] * Enumerable.Range(0, w.Length).Sum(j => w[j] * data[i * w.Length + j]))));
        double[] at = [0.3, -0.2, 0.5, 0.1];
        var h = Diff.Hessian(loss).Compile()(at);
        var expected = new double[d, d];
        for (int i = 0; i < m; i++)
        {
            double s = 0;
            for (int j = 0; j < d; j++) s += at[j] * data[i * d + j];
            s *= labels[i];
            double sigma = 1 / (1 + Math.Exp(-s));
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++) expected[a, b] += sigma * (1 - sigma) * data[i * d + a] * data[i * d + b] / m;
        }
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++) Assert.Equal(expected[a, b], h[a, b], 1e-14);
    }

    /// <summary>ValueAndGradient computes a sum and the scatter of its adjoint in one loop that gathers each gradient
    /// element once; the result must equal, bit for bit, the separate loops Diff.Gradient writes, at every length
    /// (interiors empty, partial or full) and for offsets on both sides.</summary>
    [Fact]
    public void Fused_value_and_gradient_equals_the_separate_loops_bit_for_bit()
    {
        Expression<Func<double[], double>>[] programs =
        [
            RangeSumRosenbrock,
            x => Enumerable.Range(1, x.Length - 1).Sum(i => x[i] * Math.Sin(x[i - 1]) + x[i - 1] * x[i - 1]),
            x => Enumerable.Range(0, x.Length - 2).Sum(i => Math.Exp(x[i] - x[i + 2]) * x[i + 1]) + x.Sum(),
            x => Enumerable.Range(2, x.Length - 3).Sum(i => x[i + 1] * x[i - 2] - Math.Cos(x[i])),
            x => Enumerable.Range(0, x.Length).Sum(i => -0.0 * x[i]),
            WideWindow,
            // Pairs: the outer scatter adds a whole inner array per iteration (fused with the sum, not gathered).
            x => Enumerable.Range(0, x.Length).Sum(i => Enumerable.Range(i + 1, x.Length - i - 1).Sum(j => x[i] * Math.Exp(-x[j]))),
            // Logistic loss: the gradient's inner loop adds into the gradient directly; w.Length is computed at the fused loop.
            x => 1.0 / 7 * Enumerable.Range(0, 7).Sum(i => Math.Log(1 + Math.Exp(-Labels[i] * Enumerable.Range(0, x.Length).Sum(j => x[j] * Data[i * x.Length + j])))),
        ];
        foreach (var f in programs)
        {
            var value = f.Compile();
            var vg = Diff.ValueAndGradient(f).Compile();
            var g = Diff.Gradient(f).Compile();
            for (int n = 0; n <= 12; n++)
            {
                var x = Point(n, 7 * n + 1);
                double expected;
                try { expected = value(x); }
                catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException) { continue; } // too short for this program
                var buffer = Enumerable.Repeat(double.NaN, n + 2).ToArray(); // longer than x: the tail is left as it was
                double y = vg(x, buffer);
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(y));
                var separate = g(x);
                for (int k = 0; k < n; k++)
                    Assert.True(BitConverter.DoubleToInt64Bits(separate[k]) == BitConverter.DoubleToInt64Bits(buffer[k]), $"{f}: n={n} [{k}] {buffer[k]:R} vs {separate[k]:R}");
                Assert.True(double.IsNaN(buffer[n]) && double.IsNaN(buffer[n + 1]), $"{f}: n={n} tail {buffer[n]}, {buffer[n + 1]}");
            }
        }
        // The fused loops are what ran: registers carry a narrow window of elements, a wide one is gathered.
        Assert.Contains("carry1", Diff.ValueAndGradient(RangeSumRosenbrock).ToCSharp());
        Assert.Contains("interiorStart", Diff.ValueAndGradient(WideWindow).ToCSharp());
    }

    private static readonly double[] Labels = [1, -1, -1, 1, 1, -1, 1];
    private static readonly double[] Data = Enumerable.Range(0, 7 * 12).Select(k => Math.Sin(0.7 * k)).ToArray();

    private static readonly Expression<Func<double[], double>> WideWindow =
        x => Enumerable.Range(0, x.Length - 9).Sum(i => x[i] * Math.Sin(x[i + 9]) + x[i + 4]);

    [Fact]
    public void Average_of_negative_zeros_is_negative_zero_as_in_linq()
    {
        // LINQ's Average sums from its first term: all −0.0 terms average to −0.0, where Sum gives +0.0.
        Expression<Func<double[], double>> average = x => Enumerable.Range(0, x.Length).Average(i => -(x[i] - x[i]));
        Expression<Func<double[], double>> sum = x => Enumerable.Range(0, x.Length).Sum(i => -(x[i] - x[i]));
        double[] x = [1.0, -0.0];
        Assert.Equal(BitConverter.DoubleToInt64Bits(average.Compile()(x)), BitConverter.DoubleToInt64Bits(Diff.ValueAndGradient(average).Compile()(x, new double[2])));
        Assert.Equal(BitConverter.DoubleToInt64Bits(sum.Compile()(x)), BitConverter.DoubleToInt64Bits(Diff.ValueAndGradient(sum).Compile()(x, new double[2])));
        Assert.True(double.IsNegative(average.Compile()(x)) && !double.IsNegative(sum.Compile()(x)));
    }

    /// <summary>A layer tabulated into an array and read by a nested sum (a dense layer): its adjoint reads the tabulated
    /// tanh back for 1 − h², rather than recomputing tanh (and the sum inside it) in every adjoint loop.</summary>
    [Fact]
    public void Tabulated_values_are_read_back_in_the_adjoint_not_recomputed()
    {
        Expression<Func<double[], double>> f = x => Enumerable.Range(0, 4)
            .Select(o => Math.Tanh(Enumerable.Range(0, 3).Sum(i => x[3 * o + i] * x[12 + i]))).ToArray()
            .Select((h, o) => h * x[15 + o]).Sum();
        var gradient = Diff.ValueAndGradient(f);
        string text = gradient.ToCSharp();
        Assert.Equal(1, text.Split("Math.Tanh(").Length - 1);
        var x = Enumerable.Range(0, 19).Select(k => Math.Sin(1.3 * k + 0.2)).ToArray();
        var g = new double[x.Length];
        Assert.Equal(f.Compile()(x), gradient.Compile()(x, g));
        Support.FiniteDifferences.AssertClose(Support.FiniteDifferences.Gradient(f.Compile(), x), g, 1e-9, 1e-11, "gradient");
    }

    /// <summary>d(1/r²): the reciprocal's adjoint is −ȳ·y·y, one division per pair as by hand; a difference's negated
    /// adjoint is subtracted (a + (−v) is a − v bit for bit).</summary>
    [Fact]
    public void Pair_potential_gradient_divides_once_and_subtracts()
    {
        Expression<Func<double[], double>> f = x => Enumerable.Range(0, x.Length / 3).Sum(i => Enumerable.Range(i + 1, x.Length / 3 - i - 1)
            .Sum(j => 1 / ((x[3 * i] - x[3 * j]) * (x[3 * i] - x[3 * j]) + (x[3 * i + 1] - x[3 * j + 1]) * (x[3 * i + 1] - x[3 * j + 1])
                           + (x[3 * i + 2] - x[3 * j + 2]) * (x[3 * i + 2] - x[3 * j + 2]))));
        var gradient = Diff.ValueAndGradient(f);
        string text = gradient.ToCSharp();
        var fastPath = text[..text.IndexOf("else if", StringComparison.Ordinal)];
        // The integer divisions (x.Length / 3) aside, one division: 1.0 / r².
        Assert.Single(fastPath.Split('\n'), line => line.Contains(" / ", StringComparison.Ordinal) && !line.Contains(" / 3", StringComparison.Ordinal));
        Assert.Contains("-= ", fastPath);
        Assert.DoesNotContain("+= -", text);
        var x = Enumerable.Range(0, 12).Select(k => Math.Sin(2.1 * k + 0.5) * (1 + k / 3)).ToArray();
        var g = new double[x.Length];
        gradient.Compile()(x, g);
        Support.FiniteDifferences.AssertClose(Support.FiniteDifferences.Gradient(f.Compile(), x), g, 1e-8, 1e-10, "gradient");
    }
}
