using System.Linq.Expressions;
using ExprDiff.Backends.IL;
using ExprDiff.Tests.Support;
using Xunit;
using static System.Linq.Expressions.Expression;

namespace ExprDiff.Tests.Backends;

/// <summary>Shapes that the span entry points once refused (<c>'v4' (a span) assigned from something other than a
/// span</c>): every route against hand-written derivatives, and the routes against each other bit for bit.</summary>
public class EntryPointTests
{
    private static readonly System.Reflection.MethodInfo Sin = typeof(Math).GetMethod(nameof(Math.Sin), [typeof(double)])!;

    private static readonly double[] X = [0.3, -1.2, 0.8, 2.0, -0.4, 1.1];
    private static readonly double[] V = [1.0, 0.5, -0.25, 2.0, 0.1, -0.7];

    private static void Close(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
            Assert.True(Math.Abs(expected[k] - actual[k]) <= 1e-12 * Math.Max(1, Math.Abs(expected[k])), $"{what}[{k}]: {actual[k]:R} vs {expected[k]:R}");
    }

    [Fact]
    public void A_data_term_plus_a_regulariser_works_through_every_entry_point()
    {
        // Two reductions summed: the exporter reuses one array variable for a reduction's gradient and the caller's buffer.
        Expression<Func<double[], double>> f = x => Enumerable.Range(0, x.Length - 1).Sum(i => Math.Pow(x[i + 1] - x[i], 2)) + 0.1 * x.Sum(v => v * v);
        static double[] Gradient(double[] x)
        {
            int n = x.Length;
            var g = new double[n];
            for (int k = 0; k < n; k++)
                g[k] = (k > 0 ? 2 * (x[k] - x[k - 1]) : 0) - (k < n - 1 ? 2 * (x[k + 1] - x[k]) : 0) + 0.2 * x[k];
            return g;
        }
        var r = EntryPointChecks.Scalar(f, X, V);
        double value = 0.1 * X.Sum(v => v * v);
        for (int i = 0; i < X.Length - 1; i++) value += (X[i + 1] - X[i]) * (X[i + 1] - X[i]);
        Assert.Equal(value, r.Value, 1e-12);
        Close(Gradient(X), r.Gradient, "gradient");
        // The gradient is linear, so H·v is the gradient's formula applied to v.
        Close(Gradient(V), r.Hvp, "Hv");
    }

    [Fact]
    public void Aggregate_loops_work_through_every_entry_point()
    {
        // acc ← acc/2 + sin x_i: f = Σ 2^(i-n+1) sin x_i.
        Expression<Func<double[], double>> f = x => Enumerable.Range(0, x.Length).Aggregate(0.0, (acc, i) => acc * 0.5 + Math.Sin(x[i]));
        int n = X.Length;
        var r = EntryPointChecks.Scalar(f, X, V);
        double Weight(int i) => Math.Pow(0.5, n - 1 - i);
        Assert.Equal(Enumerable.Range(0, n).Sum(i => Weight(i) * Math.Sin(X[i])), r.Value, 1e-12);
        Close(Enumerable.Range(0, n).Select(i => Weight(i) * Math.Cos(X[i])).ToArray(), r.Gradient, "gradient");
        Close(Enumerable.Range(0, n).Select(i => -Weight(i) * Math.Sin(X[i]) * V[i]).ToArray(), r.Hvp, "Hv");

        // A state that multiplies: the carried tangent and adjoint depend on the trajectory.
        Expression<Func<double[], double>> product = x => Enumerable.Range(0, x.Length).Aggregate(1.0, (acc, i) => acc * Math.Cos(x[i]) + x[i] * x[i]);
        var p = EntryPointChecks.Scalar(product, X, V);
        var value = product.Compile();
        for (int k = 0; k < n; k++) Assert.Equal(FiniteDifferences.Partial(value, X, k), p.Gradient[k], 1e-7);
        Close(Directional(Diff.Gradient(product).Compile(), X, V), p.Hvp, "Hv vs differences of the gradient", 1e-6);
    }

    // (g(x + hv) − g(x − hv)) / 2h.
    private static double[] Directional(Func<double[], double[]> g, double[] x, double[] v, double h = 1e-6)
    {
        var plus = g(x.Select((xi, i) => xi + h * v[i]).ToArray());
        var minus = g(x.Select((xi, i) => xi - h * v[i]).ToArray());
        return plus.Zip(minus, (a, b) => (a - b) / (2 * h)).ToArray();
    }

    private static void Close(double[] expected, double[] actual, string what, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
            Assert.True(Math.Abs(expected[k] - actual[k]) <= tolerance * Math.Max(1, Math.Abs(expected[k])), $"{what}[{k}]: {actual[k]:R} vs {expected[k]:R}");
    }

    /// <summary>The pendulum of <see cref="Loops.CarriedLoopTests"/> on x = (θ₀, ω₀, damping), 50 explicit Euler steps
    /// written with Expression.Loop; returns θ, or (θ, ω).</summary>
    private static LambdaExpression Pendulum(bool both)
    {
        var x = Parameter(typeof(double[]), "x");
        var theta = Variable(typeof(double), "theta");
        var omega = Variable(typeof(double), "omega");
        var next = Variable(typeof(double), "next");
        var i = Variable(typeof(int), "i");
        var exit = Label("exit");
        Expression At(int k) => ArrayIndex(x, Constant(k));
        var loop = Loop(IfThenElse(LessThan(i, Constant(50)), Block([next],
            Assign(next, Add(theta, Multiply(Constant(0.05), omega))),
            AddAssign(omega, Multiply(Constant(0.05), Subtract(Multiply(Constant(-9.81), Call(Sin, theta)), Multiply(At(2), omega)))),
            Assign(theta, next), PostIncrementAssign(i)), Break(exit)), exit);
        Expression result = both ? NewArrayInit(typeof(double), theta, omega) : theta;
        var body = Block([theta, omega, i], Assign(theta, At(0)), Assign(omega, At(1)), Assign(i, Constant(0)), loop, result);
        return both ? Lambda<Func<double[], double[]>>(body, x) : Lambda<Func<double[], double>>(body, x);
    }

    [Fact]
    public void Expression_Loop_with_carried_state_works_through_every_entry_point()
    {
        double[] at = [0.6, -0.2, 0.3], v = [0.3, -1.2, 0.7], u = [1.1, -0.4];
        var scalar = (Expression<Func<double[], double>>)Pendulum(both: false);
        var r = EntryPointChecks.Scalar(scalar, at, v);
        var value = scalar.Compile();
        for (int k = 0; k < 3; k++) Assert.Equal(FiniteDifferences.Partial(value, at, k), r.Gradient[k], 1e-7);
        Close(Directional(Diff.Gradient(scalar).Compile(), at, v), r.Hvp, "Hv vs differences of the gradient", 1e-6);

        var vector = (Expression<Func<double[], double[]>>)Pendulum(both: true);
        var p = EntryPointChecks.Vector(vector, at, v, u);
        var fd = FiniteDifferences.Jacobian(vector.Compile(), at);
        for (int row = 0; row < 2; row++)
            for (int c = 0; c < 3; c++) Assert.Equal(fd[row, c], p.Jacobian[row, c], 1e-7);
        double left = u[0] * p.Jv[0] + u[1] * p.Jv[1], right = p.Vj.Zip(v, (a, b) => a * b).Sum();
        Assert.Equal(left, right, 1e-12 * Math.Max(1, Math.Abs(left)));
    }

    [Fact]
    public void A_Jvp_into_a_buffer_writes_outputs_that_are_loops()
    {
        // Each output is a sum (a loop node): it was computed, and never written into the caller's buffer.
        Expression<Func<double[], double[]>> f = x => new[] { Enumerable.Range(0, x.Length).Sum(i => x[0]), Enumerable.Range(0, x.Length).Sum(i => x[i] * x[i]) };
        var r = EntryPointChecks.Vector(f, X, V, [0.5, -2.0]);
        Close([X.Length * V[0], 2 * X.Zip(V, (a, b) => a * b).Sum()], r.Jv, "J·v");
    }

    [Fact]
    public void An_infinite_partial_derivative_agrees_on_every_route()
    {
        // Cbrt at 0 has an infinite slope (found by the straight-line property): every route agrees bit for bit, and the products
        // along unit vectors that Compiled.Jacobian is made of carry 0·∞ into the other row, as documented.
        Expression<Func<double[], double[]>> f = x => new[] { 0.0, Math.Cbrt(Math.Truncate(x[0]) % (Math.Abs(x[0]) + 0.5)) };
        double[] at = [0.98, -0.0, 1.0, -1.0];
        var r = EntryPointChecks.Vector(f, at, [-0.27, 0.85, 0.54, -0.19], [0.8, 0.42]);
        Assert.Equal(0.0, r.Jacobian[0, 0]);
        Assert.False(double.IsFinite(r.Jacobian[1, 0]));
    }

    [Fact]
    public void The_Hessian_of_a_function_linear_in_x_is_zero_on_every_route()
    {
        // Its gradient has no tangent at all (a structural zero), which the loop over rows did not expect.
        Expression<Func<double[], double>> f = x => Enumerable.Range(0, x.Length).Sum(i => 3 * x[i]) - x[0];
        var r = EntryPointChecks.Scalar(f, X, V);
        Assert.Equal(new double[X.Length, X.Length], r.Hessian);
        Assert.Equal(new double[X.Length], r.Hvp);
        Assert.Equal([2.0, 3, 3, 3, 3, 3], r.Gradient);
    }

    [Fact]
    public void A_Vjp_of_a_result_of_computed_length_works_over_spans()
    {
        // u is checked against the result's length where it is known (Intrinsics.CheckedLength, a span over spans).
        Expression<Func<double[], double[]>> f = x => Enumerable.Range(0, x.Length - 1).Select(i => x[i + 1] * x[i]).ToArray();
        int n = X.Length;
        var u = V[..(n - 1)];
        var (vjp, reason) = Compiled.ProductRoute(Diff.VjpInto(f, null));
        Assert.Null(reason);
        var result = EntryPointChecks.Filled(n);
        vjp(X, u, result);
        var expected = new double[n];
        for (int i = 0; i < n - 1; i++) { expected[i] += u[i] * X[i + 1]; expected[i + 1] += u[i] * X[i]; }
        Close(expected, result, "uᵀJ");
        EntryPointChecks.Bitwise(Diff.Vjp(f).CompileIL()(X, u), result, "Compiled.Vjp vs Diff.Vjp");
        var e = Assert.Throws<ArgumentException>(() => vjp(X, u[..^1], result));
        Assert.Equal("u", e.ParamName);
    }

    [Fact]
    public void What_cannot_be_read_through_a_span_runs_on_copies_with_the_same_values()
    {
        // Enumerable.Take needs an array: ExprDiff does not import it, and the span route cannot call it.
        Expression<Func<double[], double>> f = x => x.Take(3).Sum() * x[0];
        var (value, reason) = Compiled.ValueRoute(f);
        Assert.Equal("the IL backend does not compile the call to Enumerable.Take with a span argument (a Call node of type IEnumerable`1)", reason);
        var expected = f.Compile()(X);
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(value(X)));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(Compiled.Value(f)(X.AsSpan())));
        // A slice is copied as it is: its own length, its own elements.
        Assert.Equal((X[2] + X[3] + X[4]) * X[2], Compiled.Value(f)(X.AsSpan(2, 3)));
    }

    /// <summary>A program whose derivatives use scratch arrays (per-iteration layers) and carried state.</summary>
    private static readonly Expression<Func<double[], double>> Busy = x =>
        Enumerable.Range(0, x.Length / 3).Sum(k => Enumerable.Range(0, 3).Select(o => Math.Tanh(x[3 * k + o] * x[o])).ToArray().Select(h => h * h).Sum())
        + Enumerable.Range(0, x.Length).Aggregate(0.5, (acc, i) => 0.5 * Math.Sin(acc) + x[i]);

    /// <summary>The benchmark problems in loop form, data captured as a user holds it (P2, P4: <c>w => P2(w, X, y)</c>).</summary>
    [Theory]
    [InlineData("P1")]
    [InlineData("P2")]
    [InlineData("P3")]
    [InlineData("P4")]
    [InlineData("Busy")]
    public void Benchmark_problems_agree_on_every_route(string name)
    {
        var w = Expression.Parameter(typeof(double[]), "w");
        var (f, point, handwritten) = name switch
        {
            "P1" => (ExprDiff.Benchmarks.Problems.LoopForms.P1, ExprDiff.Benchmarks.Problems.P1Rosenbrock.Point(40),
                (Func<double[], double[], double>?)ExprDiff.Benchmarks.Problems.P1Rosenbrock.ValueAndGradient),
            "P2" => (Expression.Lambda<Func<double[], double>>(Expression.Invoke(ExprDiff.Benchmarks.Problems.LoopForms.P2, w,
                    Expression.Constant(ExprDiff.Benchmarks.Problems.P2Logistic.X), Expression.Constant(ExprDiff.Benchmarks.Problems.P2Logistic.Y)), w),
                ExprDiff.Benchmarks.Problems.P2Logistic.Point(), ExprDiff.Benchmarks.Problems.P2Logistic.ValueAndGradient),
            "P3" => (ExprDiff.Benchmarks.Problems.LoopForms.P3, ExprDiff.Benchmarks.Problems.P3LennardJones.Point(),
                ExprDiff.Benchmarks.Problems.P3LennardJones.ValueAndGradient),
            "P4" => (Expression.Lambda<Func<double[], double>>(Expression.Invoke(ExprDiff.Benchmarks.Problems.LoopForms.P4, w,
                    Expression.Constant(ExprDiff.Benchmarks.Problems.P4Mlp.A), Expression.Constant(ExprDiff.Benchmarks.Problems.P4Mlp.T)), w),
                ExprDiff.Benchmarks.Problems.P4Mlp.Point(), ExprDiff.Benchmarks.Problems.P4Mlp.ValueAndGradient),
            _ => (Busy, Enumerable.Range(0, 12).Select(i => Math.Sin(0.9 * i)).ToArray(), null),
        };
        var v = point.Select((_, i) => Math.Cos(1.3 * i)).ToArray();
        var r = EntryPointChecks.Scalar(f, point, v);
        if (handwritten is not null)
        {
            var g = new double[point.Length];
            double value = handwritten(point, g);
            Assert.Equal(value, r.Value, 1e-10 * Math.Max(1, Math.Abs(value)));
            Close(g, r.Gradient, "gradient vs hand-written", 1e-9);
        }
        else
        {
            var value = f.Compile();
            for (int k = 0; k < point.Length; k++) Assert.Equal(FiniteDifferences.Partial(value, point, k), r.Gradient[k], 1e-7);
        }
        // H·v is the derivative of the gradient along v, and row k of H is H·e_k.
        Close(Directional(Diff.Gradient(f).Compile(), point, v), r.Hvp, "Hv vs differences of the gradient", 1e-5);
        for (int k = 0; k < Math.Min(point.Length, 3); k++)
        {
            var e = new double[point.Length];
            e[k] = 1;
            Close(Diff.Hvp(f).Compile()(point, e), Enumerable.Range(0, point.Length).Select(c => r.Hessian[k, c]).ToArray(), $"Hessian row {k} vs Hvp", 1e-12);
        }
    }

    [Fact]
    public void The_reported_shapes_allocate_nothing_per_call_over_spans()
    {
        // The span route is taken (no copies), and the trajectory of the Aggregate is a pooled scratch array.
        Expression<Func<double[], double>> sum = x => Enumerable.Range(0, x.Length - 1).Sum(i => Math.Pow(x[i + 1] - x[i], 2)) + 0.1 * x.Sum(v => v * v);
        Expression<Func<double[], double>> carried = x => Enumerable.Range(0, x.Length).Aggregate(0.0, (acc, i) => acc * 0.5 + Math.Sin(x[i]));
        foreach (var f in new[] { sum, carried })
        {
            var vg = Compiled.ValueAndGradient(f);
            var hvp = Compiled.Hvp(f);
            var copies = ArrayRoute.Gradient(Diff.ValueAndGradient(f));
            var (g, hv) = (new double[X.Length], new double[X.Length]);
            void Run() { vg(X, g); hvp(X, V, hv); copies(X, g); }
            Run();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int k = 0; k < 3; k++) Run();
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }

    [Fact]
    public void Span_delegates_keep_nothing_between_calls_across_threads()
    {
        var vg = Compiled.ValueAndGradient(Busy);
        var copies = ArrayRoute.Gradient(Diff.ValueAndGradient(Busy));
        var hvp = Compiled.Hvp(Busy);
        var reference = Diff.ValueAndGradient(Busy).Compile();
        var hvpReference = Diff.Hvp(Busy).Compile();
        var points = Enumerable.Range(0, 12).Select(k => Enumerable.Range(0, 6 + 3 * (k % 4)).Select(i => Math.Sin(k + 0.7 * i)).ToArray()).ToArray();
        var expected = points.Select(p => { var g = new double[p.Length]; double v = reference(p, g); return (v, g, hv: hvpReference(p, p)); }).ToArray();
        int failures = 0;
        using var start = new Barrier(3);
        void Work(int offset)
        {
            start.SignalAndWait();
            for (int rep = 0; rep < 600; rep++)
            {
                int k = (rep * 5 + offset) % points.Length;
                var g = new double[points[k].Length];
                var (v, g2, hv) = (vg(points[k], g), new double[g.Length], new double[g.Length]);
                double v2 = copies(points[k], g2);
                hvp(points[k], points[k], hv);
                if (BitConverter.DoubleToInt64Bits(v) != BitConverter.DoubleToInt64Bits(expected[k].v) || !g.AsSpan().SequenceEqual(expected[k].g)
                    || BitConverter.DoubleToInt64Bits(v2) != BitConverter.DoubleToInt64Bits(expected[k].v) || !g2.AsSpan().SequenceEqual(expected[k].g)
                    || !hv.AsSpan().SequenceEqual(expected[k].hv))
                    Interlocked.Increment(ref failures);
            }
        }
        var threads = new[] { new Thread(() => Work(0)), new Thread(() => Work(5)), new Thread(() => Work(7)) };
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        Assert.Equal(0, failures);
    }
}
