using System.Linq.Expressions;
using ExprDiff.Tests.Support;
using Xunit;

namespace ExprDiff.Tests.Backends;

/// <summary>Results whose length is computed when f runs (<c>.Select(…).ToArray()</c> over data, as residuals are written)
/// go into caller's buffers through <see cref="Compiled.Function"/>, <see cref="Compiled.Jvp"/> and
/// <see cref="Compiled.Jacobian"/>: the same values as the array delegates, a short buffer refused by name, a longer one
/// cleared past the result.</summary>
public sealed class ComputedLengthIntoTests
{
    // Residuals of a model fit over captured data: m = t.Length, read when the function runs.
    private static (Expression<Func<double[], double[]>> F, double[] T) Fit()
    {
        double[] t = [0.5, 1, 1.5, 2, 3, 4, 6];
        double[] y = [1.9, 1.4, 1.1, 0.8, 0.5, 0.35, 0.2];
        Expression<Func<double[], double[]>> f = x => t.Select((ti, i) => x[0] * Math.Exp(-x[1] * ti) + x[2] - y[i]).ToArray();
        return (f, t);
    }

    [Fact]
    public void Function_writes_the_result_and_clears_the_rest_of_the_buffer()
    {
        var (f, t) = Fit();
        double[] x = [2, 0.7, 0.1];
        var expected = f.Compile()(x);
        var function = Compiled.Function(f);
        var buffer = Enumerable.Repeat(double.NaN, t.Length + 2).ToArray();
        function(x, buffer);
        Assert.Equal(expected, buffer[..t.Length]);
        Assert.Equal(new double[2], buffer[t.Length..]);
        var e = Assert.Throws<ArgumentException>(() => function(x, new double[t.Length - 1]));
        Assert.Equal("result", e.ParamName);
        Assert.Contains("element of the result", e.Message);
        Assert.Throws<ArgumentException>("result", () => function(x, x));
    }

    [Fact]
    public void Function_of_fixed_length_results_matches_compile()
    {
        Expression<Func<double[], double[]>> rosenbrock = x => new[] { 10 * (x[1] - x[0] * x[0]), 1 - x[0] };
        Expression<Func<double[], double[]>> squares = x => x.Select(v => v * v).ToArray();
        double[] x = [-1.2, 1, 3];
        var r = new double[2];
        Compiled.Function(rosenbrock)(x, r);
        Assert.Equal(rosenbrock.Compile()(x), r);
        var s = new double[3];
        Compiled.Function(squares)(x, s);
        Assert.Equal(new[] { 1.44, 1, 9 }, s);
    }

    [Fact]
    public void Jvp_into_a_buffer_equals_the_array_jvp_bit_for_bit()
    {
        var (f, t) = Fit();
        var jvp = Compiled.Jvp(f);
        var reference = Diff.Jvp(f).CompileIL();
        double[] x = [2, 0.7, 0.1], v = [0.3, -1.1, 2];
        var result = new double[t.Length];
        jvp(x, v, result);
        Assert.Equal(reference(x, v), result);
        Assert.Throws<ArgumentException>("result", () => jvp(x, v, new double[3]));
    }

    [Fact]
    public void Jacobian_of_computed_length_takes_its_rows_from_the_buffer_and_matches_finite_differences()
    {
        var (f, t) = Fit();
        int m = t.Length, n = 3;
        double[] x = [2, 0.7, 0.1];
        var jacobian = Compiled.Jacobian(f);
        var buffer = new double[m * n];
        jacobian(x, buffer);
        var fd = FiniteDifferences.Jacobian(f.Compile(), x, 1e-6);
        var exact = Diff.Jacobian(f).CompileIL()(x);
        for (int r = 0; r < m; r++)
            for (int c = 0; c < n; c++)
            {
                Assert.Equal(exact[r, c], buffer[r * n + c], 14);
                Assert.Equal(fd[r, c], buffer[r * n + c], 7);
            }
        var e = Assert.Throws<ArgumentException>(() => jacobian(x, new double[m * n - 1]));
        Assert.Equal("jacobian", e.ParamName);
        Assert.Throws<ArgumentException>("result", () => jacobian(x, new double[(m - 1) * n]));
        // A taller buffer gets zero rows past the result.
        var taller = Enumerable.Repeat(double.NaN, (m + 1) * n).ToArray();
        jacobian(x, taller);
        Assert.Equal(buffer, taller[..(m * n)]);
        Assert.Equal(new double[n], taller[(m * n)..]);
    }

    [Fact]
    public void Function_and_jacobian_allocate_nothing_after_the_first_call()
    {
        var (f, t) = Fit();
        double[] x = [2, 0.7, 0.1];
        var function = Compiled.Function(f);
        var jacobian = Compiled.Jacobian(f);
        var r = new double[t.Length];
        var j = new double[t.Length * 3];
        function(x, r);
        jacobian(x, j);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 10; k++) { function(x, r); jacobian(x, j); }
        long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void A_jacobian_that_reverse_mode_refuses_is_built_by_columns()
    {
        // A residual vector of fixed length whose last element is a sum under a condition: a loop inside a branch, which
        // reverse mode cannot differentiate yet. With no more outputs than inputs the Jacobian would go by rows (reverse
        // mode); it goes by columns instead.
        Expression<Func<double[], double[]>> f = x => new[]
        {
            0.5 * (x[0] - 1), 0.5 * (x[1] - 1), x[2] > 100 ? 0 : Enumerable.Range(0, x.Length).Sum(j => x[j] * x[j]) - 0.25,
        };
        Assert.Throws<ExprDiffException>(() => Compiled.Vjp(f));
        double[] x = [0.3, -1.2, 2];
        var buffer = new double[3 * 3];
        Compiled.Jacobian(f)(x, buffer);
        Assert.Equal(new[] { 0.5, 0, 0, 0, 0.5, 0, 2 * 0.3, 2 * -1.2, 2 * 2.0 }, buffer);
    }
}
