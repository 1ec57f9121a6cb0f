using System.Linq.Expressions;
using ExprDiff.Tests.Support;
using Xunit;
using static System.Linq.Expressions.Expression;

namespace ExprDiff.Tests.Loops;

/// <summary><c>.Select(…).ToArray()</c>: vector results (and intermediate arrays) whose length is known only at run time.</summary>
public class VectorOutputTests
{
    // A residual vector as a Levenberg–Marquardt user writes one: one residual per adjacent pair of x, so its length
    // is x.Length − 1, known only when the function runs.
    private static readonly Expression<Func<double[], double[]>> Residuals =
        x => Enumerable.Range(0, x.Length - 1).Select(i => 10 * (x[i + 1] - x[i] * x[i]) + Math.Sin(x[i])).ToArray();

    private static double[] Point(int n) => Enumerable.Range(0, n).Select(k => Math.Cos(1.3 * k + 0.2)).ToArray();

    [Fact]
    public void Jvp_and_vjp_of_a_result_of_computed_length()
    {
        var f = Residuals.Compile();
        var jvp = Diff.Jvp(Residuals).Compile();
        var vjp = Diff.Vjp(Residuals).Compile();
        foreach (int n in new[] { 1, 2, 5, 40 })
        {
            var x = Point(n);
            int m = Math.Max(0, n - 1);
            var v = Enumerable.Range(0, n).Select(k => Math.Sin(0.7 * k)).ToArray();
            var u = Enumerable.Range(0, m).Select(k => Math.Cos(0.4 * k + 1)).ToArray();
            var jv = jvp(x, v);
            var ju = vjp(x, u);
            Assert.Equal(m, jv.Length);
            Assert.Equal(n, ju.Length);
            double left = u.Zip(jv, (a, b) => a * b).Sum(), right = ju.Zip(v, (a, b) => a * b).Sum();
            Assert.Equal(left, right, 1e-12 * Math.Max(1, Math.Abs(left)));
            for (int k = 0; k < n; k++)
            {
                var column = FiniteDifferences.JacobianColumn(f, x, k);
                var e = new double[n];
                e[k] = 1;
                var exact = jvp(x, e);
                for (int r = 0; r < m; r++) Assert.Equal(column[r], exact[r], 1e-8);
            }
        }
    }

    [Fact]
    public void A_cotangent_shorter_than_the_result_is_an_argument_error()
    {
        var vjp = Diff.Vjp(Residuals).Compile();
        var e = Assert.Throws<ArgumentException>(() => vjp(Point(5), new double[3]));
        Assert.Equal("'u' needs 4 elements (one per element of the result) but has 3. (Parameter 'u')", e.Message);
    }

    [Fact]
    public void Jacobian_of_a_tabulated_result_column_by_column()
    {
        Expression<Func<double, double, double[]>> f = (a, b) => Enumerable.Range(0, 6).Select(i => Math.Sin(a * i) + b * b * i).ToArray();
        var j = Diff.Jacobian(f).Compile()(0.3, 2.0);
        Assert.Equal(6, j.GetLength(0));
        Assert.Equal(2, j.GetLength(1));
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(i * Math.Cos(0.3 * i), j[i, 0], 1e-15);
            Assert.Equal(2 * 2.0 * i, j[i, 1], 1e-15);
        }
    }

    [Fact]
    public void An_intermediate_array_is_differentiated_in_both_modes_and_twice()
    {
        // r = x.Select(v => v * Math.Sin(v)).ToArray(); return r.Sum() * r[0] + Math.Exp(r[1]), with r a block variable.
        var x = Parameter(typeof(double[]), "x");
        var r = Variable(typeof(double[]), "r");
        var select = typeof(Enumerable).GetMethods().First(m => m.Name == "Select" && m.GetParameters()[1].ParameterType.GetGenericArguments().Length == 2)
            .MakeGenericMethod(typeof(double), typeof(double));
        var toArray = typeof(Enumerable).GetMethod(nameof(Enumerable.ToArray))!.MakeGenericMethod(typeof(double));
        var sum = typeof(Enumerable).GetMethod(nameof(Enumerable.Sum), [typeof(IEnumerable<double>)])!;
        var v = Parameter(typeof(double), "v");
        var squares = Call(toArray, Call(select, x, Lambda<Func<double, double>>(Multiply(v, Call(typeof(Math).GetMethod(nameof(Math.Sin), [typeof(double)])!, v)), v)));
        var body = Block([r], Assign(r, squares),
            Add(Multiply(Call(sum, r), ArrayIndex(r, Constant(0))), Call(typeof(Math).GetMethod(nameof(Math.Exp))!, ArrayIndex(r, Constant(1)))));
        var f = Lambda<Func<double[], double>>(body, x);
        var value = f.Compile();
        var at = new[] { 0.4, -0.9, 1.3 };
        var g = Diff.Gradient(f).Compile()(at);
        var fd = FiniteDifferences.Gradient(value, at);
        for (int k = 0; k < at.Length; k++) Assert.Equal(fd[k], g[k], 1e-8);
        var dir = new[] { 0.3, 1.0, -0.5 };
        var hv = Diff.Hvp(f).Compile()(at, dir);
        var gradient = Diff.Gradient(f).Compile();
        for (int k = 0; k < at.Length; k++)
        {
            double expected = FiniteDifferences.Derivative(h => gradient(at.Zip(dir, (a, d) => a + h * d).ToArray())[k], 0.0);
            Assert.Equal(expected, hv[k], 1e-7);
        }
    }

    [Fact]
    public void Jacobian_of_a_loop_program_is_a_loop_over_unit_vectors()
    {
        var jacobian = Diff.Jacobian(Residuals).Compile();
        var jvp = Diff.Jvp(Residuals).Compile();
        foreach (int n in new[] { 1, 2, 7 })
        {
            var x = Point(n);
            var j = jacobian(x);
            Assert.Equal(Math.Max(0, n - 1), j.GetLength(0));
            Assert.Equal(n, j.GetLength(1));
            for (int k = 0; k < n; k++)
            {
                var e = new double[n];
                e[k] = 1;
                var column = jvp(x, e);
                for (int r = 0; r < column.Length; r++) Assert.Equal(column[r], j[r, k]);
            }
        }
        // Fixed-length outputs of a loop program, too.
        Expression<Func<double[], double[]>> moments = x => new[] { x.Sum(), x.Select(v => v * v).Sum(), x.Max() };
        var jm = Diff.Jacobian(moments).Compile()([0.5, -2.0, 1.5]);
        Assert.Equal(new double[,] { { 1, 1, 1 }, { 1.0, -4.0, 3.0 }, { 0, 0, 1 } }, jm);
    }
}
