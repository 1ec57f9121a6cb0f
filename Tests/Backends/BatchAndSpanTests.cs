using System.Linq.Expressions;
using ExprDiff.Tests.Properties;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace ExprDiff.Tests.Backends;

/// <summary>The solver entry points (spans, caller buffers) and batch evaluation agree with the array delegates.</summary>
public class BatchAndSpanTests
{
    private static readonly Expression<Func<double[], double>> RangeSum =
        x => Enumerable.Range(0, x.Length - 1).Sum(i => 100 * Math.Pow(x[i + 1] - x[i] * x[i], 2) + Math.Pow(1 - x[i], 2));

    private static readonly Expression<Func<double[], double>> Terms =
        x => Math.Exp(x[0] * x[1]) + (x[2] > 0 ? Math.Sin(x[2]) : x[2] * x[2]) + Math.Max(x[0], x[2]) / (1 + x[1] * x[1]);

    [Fact]
    public void Span_value_and_gradient_equals_the_array_delegate()
    {
        foreach (var f in new[] { RangeSum, Terms })
        {
            var span = Compiled.ValueAndGradient(f);
            var array = Diff.ValueAndGradient(f).Compile();
            double[] x = [0.3, -1.1, 0.7, 1.9];
            var expected = new double[4];
            double v = array(x, expected);
            var g = new double[4];
            Assert.Equal(v, span(x, g));
            Assert.Equal(expected, g);
            Assert.Equal(f.Compile()(x), Compiled.Value(f)(x));
        }
    }

    [Fact]
    public void Span_entry_points_check_their_buffers_like_the_array_delegates()
    {
        var span = Compiled.ValueAndGradient(Terms);
        var e = Assert.Throws<ArgumentException>(() => span(new double[3], new double[2]));
        Assert.Equal("gradient", e.ParamName);
        var hvp = Compiled.Hvp(RangeSum);
        Assert.Throws<ArgumentException>(() => hvp(new double[4], new double[3], new double[4]));
        Assert.Throws<ArgumentException>(() => hvp(new double[4], new double[4], new double[3]));
    }

    [Fact]
    public void Products_into_buffers_equal_the_Diff_products()
    {
        double[] x = [0.3, -1.1, 0.7, 1.9], v = [1, -2, 0.5, 0.25];
        foreach (var f in new[] { RangeSum, Terms })
        {
            var expected = Diff.Hvp(f).Compile()(x, v);
            var result = Enumerable.Repeat(double.NaN, 4).ToArray();
            Compiled.Hvp(f)(x, v, result);
            Assert.Equal(expected, result);
        }
        Expression<Func<double[], double[]>> F = x => new[] { x[0] * x[1], Math.Sin(x[2]) + x[3], x[0] / (1 + x[3] * x[3]) };
        double[] u = [0.5, -1, 2];
        var jv = new double[3];
        Compiled.Jvp(F)(x, v, jv);
        Assert.Equal(Diff.Jvp(F).Compile()(x, v), jv);
        var uj = new double[4];
        Compiled.Vjp(F)(x, u, uj);
        Assert.Equal(Diff.Vjp(F).Compile()(x, u), uj);
        // The adjoint identity through the buffers: u·(J v) = (Jᵀu)·v.
        Checks.Relative(u.Zip(jv, (a, b) => a * b).Sum(), uj.Zip(v, (a, b) => a * b).Sum(), 1e-14, "u·Jv vs Jᵀu·v");
    }

    [Fact]
    public void Jacobians_into_buffers_equal_Diff_Jacobian_by_rows_and_by_columns()
    {
        double[] x = [0.3, -1.1, 0.7, 1.9];
        // Fewer outputs than inputs: rows by reverse mode.
        Expression<Func<double[], double[]>> wide = x => new[] { x[0] * x[1], Math.Sin(x[2]) + x[3], x[0] / (1 + x[3] * x[3]) };
        // More outputs than inputs (residuals): columns by forward mode.
        Expression<Func<double[], double[]>> tall = x => new[] { x[0] * x[1], x[1] - x[0], Math.Exp(x[0]), x[1] * x[1], Math.Atan2(x[0], x[1]) };
        foreach (var (f, point) in new[] { (wide, x), (tall, x[..2]) })
        {
            var expected = Diff.Jacobian(f).Compile()(point);
            int m = expected.GetLength(0), n = expected.GetLength(1);
            var buffer = Enumerable.Repeat(double.NaN, m * n).ToArray();
            Compiled.Jacobian(f)(point, buffer);
            // Equal values; a structural zero of Diff.Jacobian may be −0.0 here (J·e_c multiplies by the zero tangents).
            for (int r = 0; r < m; r++)
                for (int c = 0; c < n; c++)
                    Assert.True(expected[r, c] == buffer[r * n + c], $"J[{r},{c}]: {expected[r, c]:R} vs {buffer[r * n + c]:R}");
            var e = Assert.Throws<ArgumentException>(() => Compiled.Jacobian(f)(point, new double[m * n - 1]));
            Assert.Equal("jacobian", e.ParamName);
        }
    }

    private static void CheckBatch(BatchGradient batch, Func<double[], double[], double> reference, int count, int seed, BatchOptions options)
    {
        int n = batch.Dimension;
        var r = new Random(seed);
        var points = Enumerable.Range(0, n * count).Select(_ => 4 * r.NextDouble() - 2).ToArray();
        var values = new double[count];
        var gradients = new double[n * count];
        batch.Evaluate(points, values, gradients, options);
        var x = new double[n];
        var g = new double[n];
        for (int p = 0; p < count; p++)
        {
            for (int j = 0; j < n; j++) x[j] = points[j * count + p];
            Checks.Bitwise(reference(x, g), values[p], $"value of point {p}");
            for (int j = 0; j < n; j++) Checks.Bitwise(g[j], gradients[j * count + p], $"gradient[{j}] of point {p}");
        }
    }

    [Theory]
    [InlineData(1, 4096, true)]
    [InlineData(2, 1000, true)]
    [InlineData(2, 1000, false)]
    [InlineData(4, 37, true)]
    public void Batch_results_equal_the_scalar_delegate_bit_for_bit(int threads, int block, bool simd)
    {
        var options = new BatchOptions { MaxDegreeOfParallelism = threads, BlockSize = block, Simd = simd };
        var rosenbrock = BatchGradient.Create((x, y) => 100 * Math.Pow(y - x * x, 2) + Math.Pow(1 - x, 2));
        Assert.True(rosenbrock.IsVectorized, rosenbrock.NotVectorizedReason);
        Expression<Func<double[], double>> r2 = x => 100 * Math.Pow(x[1] - x[0] * x[0], 2) + Math.Pow(1 - x[0], 2);
        CheckBatch(rosenbrock, Diff.ValueAndGradient(r2).Compile(), 10_003, 1, options);
        var terms = BatchGradient.Create(Terms, 4);
        Assert.True(terms.IsVectorized, terms.NotVectorizedReason);
        CheckBatch(terms, Diff.ValueAndGradient(Terms).Compile(), 2_001, 2, options);
        // A loop program runs point by point, with the reason.
        var loop = BatchGradient.Create(RangeSum, 5);
        Assert.False(loop.IsVectorized);
        Assert.NotNull(loop.NotVectorizedReason);
        CheckBatch(loop, Diff.ValueAndGradient(RangeSum).Compile(), 999, 3, options);
    }

    [Property(MaxTest = 60)]
    public Property Batch_of_random_functions_equals_the_scalar_delegate() => Prop.ForAll(Cases.Scalar, c =>
    {
        var f = ExpressionGenerator.ToLambda(c.F);
        var batch = BatchGradient.Create(f, ExpressionGenerator.Inputs);
        var reference = Diff.ValueAndGradient(f).Compile();
        try
        {
            CheckBatch(batch, reference, 23, 7, new BatchOptions { MaxDegreeOfParallelism = 1 });
        }
        catch (ArithmeticException)
        {
            // Math.Sign(NaN) throws in the scalar code too: some point must make the reference throw.
            var r = new Random(7);
            int n = ExpressionGenerator.Inputs;
            var points = Enumerable.Range(0, n * 23).Select(_ => 4 * r.NextDouble() - 2).ToArray();
            bool throws = false;
            for (int p = 0; p < 23 && !throws; p++)
            {
                try { reference(Enumerable.Range(0, n).Select(j => points[j * 23 + p]).ToArray(), new double[n]); }
                catch (ArithmeticException) { throws = true; }
            }
            Assert.True(throws, "the batch threw where the scalar code does not");
        }
    });

    [Fact]
    public void Batch_checks_its_buffers()
    {
        var batch = BatchGradient.Create((x, y) => x * y);
        var e = Assert.Throws<ArgumentException>(() => batch.Evaluate(new double[10], new double[6], new double[12]));
        Assert.Equal("points", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => batch.Evaluate(new double[12], new double[6], new double[11]));
        Assert.Equal("gradients", e.ParamName);
    }
}
