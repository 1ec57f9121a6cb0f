using System.Linq.Expressions;
using ExprDiff.Tests.Properties;
using ExprDiff.Tests.Support;
using FiniteDifferences = ExprDiff.Tests.Support.FiniteDifferences;
using Xunit;

namespace ExprDiff.Tests.Backends;

/// <summary>
/// Lambdas too large for the JIT to optimize as one method are emitted as several (MethodParts): values computed in one
/// part and read in another pass through the call's state, scratch buffers are held until the whole call returns, and
/// a variable a part may read before assigning it starts every call at its default. Each check compares the cut IL
/// delegate bit for bit with <c>Expression.Compile()</c> of the same lambda, which is one method.
/// </summary>
public sealed class MethodPartsTests
{
    private const int Variables = 40;

    /// <summary>A sum of <paramref name="terms"/> terms mixing Sin, Exp, divisions and products over 40 variables,
    /// left-nested as C# writes <c>a + b + c + …</c>, with <paramref name="middle"/> added halfway.</summary>
    private static Expression<Func<double[], double>> Bulk(int terms, Func<ParameterExpression, Expression>? middle = null)
    {
        var x = Expression.Parameter(typeof(double[]), "x");
        Expression X(int i) => Expression.ArrayIndex(x, Expression.Constant(i % Variables));
        var sin = typeof(Math).GetMethod(nameof(Math.Sin), [typeof(double)])!;
        var exp = typeof(Math).GetMethod(nameof(Math.Exp), [typeof(double)])!;
        Expression sum = Expression.Constant(0.0);
        uint seed = 12345;
        int Next() => (int)((seed = seed * 1664525 + 1013904223) >> 8) % Variables;
        for (int k = 0; k < terms; k++)
        {
            int a = Next(), b = Next(), c = Next();
            Expression term = (k % 3) switch
            {
                0 => Expression.Multiply(Expression.Call(sin, Expression.Add(X(a), Expression.Constant(k * 1e-3))),
                    Expression.Call(exp, Expression.Multiply(Expression.Constant(-0.1 - k * 1e-6), X(b)))),
                1 => Expression.Divide(X(a), Expression.Add(Expression.Constant(1.0 + k * 1e-3), Expression.Multiply(X(c), X(c)))),
                _ => Expression.Multiply(Expression.Multiply(X(a), X(b)), Expression.Call(sin, Expression.Add(X(c), Expression.Constant(k * 1e-3)))),
            };
            sum = Expression.Add(sum, term);
            if (k == terms / 2 && middle is not null) sum = Expression.Add(sum, middle(x));
        }
        return Expression.Lambda<Func<double[], double>>(sum, x);
    }

    private static double[] Point(double shift) => Enumerable.Range(0, Variables).Select(i => Math.Sin(i + shift) * 0.8).ToArray();

    private static void SameBits(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Checks.Bitwise(expected[i], actual[i], $"[{i}]");
    }

    [Fact]
    public void A_large_gradient_is_cut_into_methods_that_agree_with_one_compiled_method()
    {
        var f = Bulk(3_000);
        var g = Diff.Gradient(f);
        var il = ILBackend.Compile(g);
        Assert.Null(il.FallbackReason);
        Assert.True(il.Methods > 2, $"{il.Methods} method(s)");
        var reference = g.Compile();
        foreach (double shift in new[] { 0.0, 0.7, -1.3 })
        {
            var x = Point(shift);
            SameBits(reference(x), il.Delegate(x));
        }
        var at = Point(0.2);
        FiniteDifferences.AssertClose(FiniteDifferences.Gradient(f.Compile(), at), il.Delegate(at), 1e-6, 1e-6, "gradient against central differences");
    }

    [Fact]
    public void Cut_span_entry_points_agree_allocate_nothing_and_keep_nothing_between_threads()
    {
        // Two Aggregate loops (each a scratch trajectory) in different parts: their buffers are held until the call ends.
        static Expression Carried(ParameterExpression x) => Expression.Invoke(
            (Expression<Func<double[], double>>)(v => Enumerable.Range(0, v.Length).Aggregate(0.0, (acc, i) => acc * 0.5 + Math.Sin(v[i]))), x);
        var f = Bulk(3_000, Carried);
        var vg = Compiled.ValueAndGradient(f);
        var reference = Diff.ValueAndGradient(f).Compile();
        var points = Enumerable.Range(0, 8).Select(k => Point(0.3 * k)).ToArray();
        var expected = points.Select(p =>
        {
            var g = new double[Variables];
            double value = reference(p, g);
            return (Value: value, Gradient: g);
        }).ToArray();

        var gradient = new double[Variables];
        for (int k = 0; k < points.Length; k++)
        {
            Checks.Bitwise(expected[k].Value, vg(points[k], gradient), "value");
            SameBits(expected[k].Gradient, gradient);
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 3; k++) vg(points[k], gradient);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);

        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, t =>
        {
            var mine = new double[Variables];
            for (int round = 0; round < 25; round++)
            {
                int k = (t + round) % points.Length;
                double value = vg(points[k], mine);
                if (BitConverter.DoubleToInt64Bits(value) != BitConverter.DoubleToInt64Bits(expected[k].Value)
                    || !mine.AsSpan().SequenceEqual(expected[k].Gradient))
                    failures.Add($"thread {t}, round {round}, point {k}");
            }
        });
        Assert.Empty(failures);
    }

    [Fact]
    public void Hvp_and_batches_of_a_large_function_agree_with_one_compiled_method()
    {
        var f = Bulk(3_000);
        var x = Point(0.1);
        var v = Enumerable.Range(0, Variables).Select(i => Math.Cos(3 * i)).ToArray();
        var expected = Diff.Hvp(f).Compile()(x, v);
        var hv = new double[Variables];
        Compiled.Hvp(f)(x, v, hv);
        SameBits(expected, hv);

        // Coordinate-major points: coordinate j of point p at points[j * count + p].
        const int count = 5;
        var batch = BatchGradient.Create(f, Variables);
        var points = new double[Variables * count];
        for (int p = 0; p < count; p++)
            for (int j = 0; j < Variables; j++) points[j * count + p] = Point(0.4 * p)[j];
        var values = new double[count];
        var gradients = new double[Variables * count];
        batch.Evaluate(points, values, gradients);
        var reference = Diff.ValueAndGradient(f).Compile();
        for (int p = 0; p < count; p++)
        {
            var g = new double[Variables];
            Checks.Bitwise(reference(Point(0.4 * p), g), values[p], $"value at point {p}");
            SameBits(g, Enumerable.Range(0, Variables).Select(j => gradients[j * count + p]).ToArray());
        }
    }

    [Fact]
    public void A_variable_read_before_it_is_assigned_starts_every_call_at_its_default()
    {
        // flag is assigned only when x[0] > 0, in the first part, and read in the last; w carries through every part.
        var x = Expression.Parameter(typeof(double[]), "x");
        var flag = Expression.Variable(typeof(double), "flag");
        var w = Expression.Variable(typeof(double), "w");
        var statements = new List<Expression>
        {
            Expression.IfThen(Expression.GreaterThan(Expression.ArrayIndex(x, Expression.Constant(0)), Expression.Constant(0.0)),
                Expression.Assign(flag, Expression.Constant(5.0))),
        };
        for (int k = 0; k < 12_000; k++)
            statements.Add(Expression.Assign(w, Expression.Add(Expression.Multiply(w, Expression.Constant(0.999)),
                Expression.ArrayIndex(x, Expression.Constant(k % 2)))));
        statements.Add(Expression.Add(flag, w));
        var lambda = Expression.Lambda<Func<double[], double>>(Expression.Block([flag, w], statements), x);

        var il = ILBackend.Compile(lambda);
        Assert.Null(il.FallbackReason);
        Assert.True(il.Methods > 2, $"{il.Methods} method(s)");
        var reference = lambda.Compile();
        foreach (var point in new[] { new[] { 1.0, 0.5 }, new[] { -1.0, 0.5 }, new[] { 2.0, -0.25 }, new[] { -2.0, -0.25 } })
            Checks.Bitwise(reference(point), il.Delegate(point), $"at ({point[0]}, {point[1]})");
    }

    /// <summary>Random straight-line programs over a pool of reused variables: assignments, compound assignments,
    /// guarded assignments, reads of variables no statement has assigned yet. Cut into parts, they must compute what one
    /// method computes, bit for bit: a value misjudged as a part's own would be read from another part's local.</summary>
    [Theory]
    [InlineData(1, 12)]
    [InlineData(2, 12)]
    [InlineData(3, 200)]
    [InlineData(4, 200)]
    [InlineData(5, 3_000)]
    public void Random_programs_cut_into_parts_compute_what_one_method_computes(int seed, int pool)
    {
        var random = new Random(seed);
        var x = Expression.Parameter(typeof(double[]), "x");
        var v = Enumerable.Range(0, pool).Select(i => Expression.Variable(typeof(double), $"v{i}")).ToArray();
        var checksum = Expression.Variable(typeof(double), "checksum");
        var sin = typeof(Math).GetMethod(nameof(Math.Sin), [typeof(double)])!;
        Expression Any() => random.Next(4) == 0
            ? Expression.ArrayIndex(x, Expression.Constant(random.Next(4)))
            : v[random.Next(pool)];
        var statements = new List<Expression>();
        for (int k = 0; k < 6_000; k++)
        {
            var target = v[random.Next(pool)];
            Expression value = random.Next(5) switch
            {
                0 => Expression.Add(Any(), Expression.Multiply(Any(), Expression.Constant(0.5))),
                1 => Expression.Call(sin, Any()),
                2 => Expression.Subtract(Any(), Any()),
                3 => Expression.Multiply(Any(), Expression.Constant(0.999)),
                _ => Expression.Add(Any(), Expression.Constant(k * 1e-4)),
            };
            statements.Add(random.Next(6) switch
            {
                0 => Expression.IfThen(Expression.GreaterThan(Any(), Any()), Expression.Assign(target, value)),
                1 => Expression.AddAssign(target, value),
                _ => Expression.Assign(target, value),
            });
            // Every value computed is folded into a checksum at once, so a wrong one anywhere shows in the result, even
            // where no later statement reads it.
            statements.Add(Expression.Assign(checksum, Expression.Add(Expression.Multiply(checksum, Expression.Constant(0.999)), target)));
        }
        statements.Add(checksum);
        var lambda = Expression.Lambda<Func<double[], double>>(Expression.Block(v.Append(checksum), statements), x);

        var il = ILBackend.Compile(lambda);
        Assert.Null(il.FallbackReason);
        Assert.True(il.Methods > 2, $"{il.Methods} method(s)");
        var reference = lambda.Compile();
        foreach (var point in new[] { new[] { 0.1, 0.2, 0.3, 0.4 }, new[] { -1.0, 0.5, 2.0, -0.25 }, new[] { 0.1, 0.2, 0.3, 0.4 } })
            Checks.Bitwise(reference(point), il.Delegate(point), $"at ({string.Join(", ", point)})");
    }

    [Fact]
    public void A_run_with_a_jump_between_statements_stays_one_method()
    {
        // A goto from one top-level statement to a label in another cannot cross methods.
        var x = Expression.Parameter(typeof(double[]), "x");
        var w = Expression.Variable(typeof(double), "w");
        var skip = Expression.Label("skip");
        var statements = new List<Expression>
        {
            Expression.IfThen(Expression.LessThan(Expression.ArrayIndex(x, Expression.Constant(0)), Expression.Constant(0.0)), Expression.Goto(skip)),
        };
        for (int k = 0; k < 12_000; k++)
            statements.Add(Expression.Assign(w, Expression.Add(Expression.Multiply(w, Expression.Constant(0.999)), Expression.ArrayIndex(x, Expression.Constant(1)))));
        statements.Add(Expression.Label(skip));
        statements.Add(w);
        var lambda = Expression.Lambda<Func<double[], double>>(Expression.Block([w], statements), x);

        var il = ILBackend.Compile(lambda);
        Assert.Null(il.FallbackReason);
        Assert.Equal(1, il.Methods);
        var reference = lambda.Compile();
        foreach (var point in new[] { new[] { 1.0, 0.5 }, new[] { -1.0, 0.5 } })
            Checks.Bitwise(reference(point), il.Delegate(point), $"at ({point[0]}, {point[1]})");
    }

    [Fact]
    public void A_derivative_returned_in_parts_prints_compiles_and_differentiates_again()
    {
        // The Expression Diff returns for a large gradient (here of the 20,000-deep chain t = sin(t)/2 + x, whose
        // reverse sweep reads 20,000 SinCos pairs) is cut into nested lambdas, separate methods for Compile(); the
        // importer reads them as their bodies, so the derivative of the returned gradient is the chain's second derivative.
        const int depth = 20_000;
        var x = Expression.Parameter(typeof(double[]), "x");
        Expression x0 = Expression.ArrayIndex(x, Expression.Constant(0));
        Expression t = x0;
        var sin = typeof(Math).GetMethod(nameof(Math.Sin), [typeof(double)])!;
        for (int i = 0; i < depth; i++) t = Expression.Add(Expression.Multiply(Expression.Call(sin, t), Expression.Constant(0.5)), x0);
        var g = Diff.Gradient(Expression.Lambda<Func<double[], double>>(t, x));
        Assert.Contains("((Action)(() =>", g.ToCSharp());

        static double FirstDerivative(double at)
        {
            double tt = at, dt = 1;
            for (int i = 0; i < depth; i++)
            {
                dt = Math.Cos(tt) * 0.5 * dt + 1;
                tt = Math.Sin(tt) * 0.5 + at;
            }
            return dt;
        }
        const double point = 0.3;
        var compiled = g.Compile()([point]);
        Assert.Equal(FirstDerivative(point), compiled[0], 1e-10);
        SameBits(compiled, g.CompileIL()([point]));
        double second = Diff.Jvp(g).CompileIL()([point], [1.0])[0];
        double h = 1e-5;
        Assert.Equal((FirstDerivative(point + h) - FirstDerivative(point - h)) / (2 * h), second, 1e-6);
    }
}
