using System.Linq.Expressions;
using ExprDiff.Tests.Loops;
using Xunit;
using static System.Linq.Expressions.Expression;

namespace ExprDiff.Tests.Backends;

/// <summary>Every kind of derivative <see cref="Diff"/> returns compiles to IL (no fallback) and agrees with
/// <c>Expression.Compile()</c> bit for bit; unsupported nodes fall back with a reason; delegates are thread-safe.</summary>
public class ILBackendTests
{
    private static readonly double[] X5 = [0.7, -1.3, 0.4, 2.1, -0.6];
    private static readonly double[] V5 = [0.3, 0.9, -1.1, 0.2, 0.5];

    public static readonly TheoryData<string> Scalars = new() { "terms", "range", "pairs", "kinks", "aggregate", "tabulate", "average", "select" };

    private static Expression<Func<double[], double>> Scalar(string name) => name switch
    {
        "terms" => x => 100 * Math.Pow(x[1] - x[0] * x[0], 2) + Math.Pow(1 - x[0], 2) + 100 * Math.Pow(x[2] - x[1] * x[1], 2) + Math.Pow(1 - x[1], 2),
        "range" => x => Enumerable.Range(0, x.Length - 1).Sum(i => 100 * Math.Pow(x[i + 1] - x[i] * x[i], 2) + Math.Pow(1 - x[i], 2)),
        "pairs" => x => Enumerable.Range(0, x.Length).Sum(i => Enumerable.Range(i + 1, x.Length - i - 1).Sum(j => 1 / (1 + (x[i] - x[j]) * (x[i] - x[j])))),
        "kinks" => x => Math.Max(x[0], x[1]) * Math.Abs(x[2]) + (x[0] > 0 ? Math.Log(x[0]) : Math.Exp(x[1])) + Math.Sqrt(x[2] * x[2] + 1)
                        + Math.Atan2(x[0], x[1]) + Math.Tanh(x[2]) + Math.Pow(x[3], -6) * Math.Pow(x[3], -3),
        "aggregate" => x => Enumerable.Range(0, x.Length).Aggregate(0.25, (acc, i) => 0.5 * Math.Sin(acc) + x[i] * x[i]),
        "tabulate" => x => Enumerable.Range(0, x.Length - 1).Select(i => x[i] * x[i + 1]).ToArray().Select(w => w * w).Sum(),
        "average" => x => Enumerable.Range(0, x.Length).Average(i => Math.Cos(x[i]) * x[i]),
        "select" => x => x.Select((v, i) => v * v * (i + 1)).Sum() + x.Sum(),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Scalars))]
    public void Scalar_function_derivatives_compile_to_IL_and_agree(string name)
    {
        var f = Scalar(name);
        ILAgreement.Check(f, X5);
        ILAgreement.Check(Diff.Gradient(f), X5);
        ILAgreement.Check(Diff.ValueAndGradient(f), X5, new double[5]);
        ILAgreement.Check(Diff.ValueAndGradient(f), X5, new double[7]);
        ILAgreement.Check(Diff.Hvp(f), X5, V5);
        ILAgreement.Check(Diff.Hessian(f), X5);
        // Bad arguments fail the same way: a short buffer, a short direction.
        ILAgreement.Check(Diff.ValueAndGradient(f), X5, new double[3]);
        ILAgreement.Check(Diff.Hvp(f), X5, new double[2]);
    }

    public static readonly TheoryData<string> Vectors = new() { "fixed", "computed" };

    private static Expression<Func<double[], double[]>> Vector(string name) => name switch
    {
        "fixed" => x => new[] { x[0] * x[1], Math.Sin(x[0]), x[2] / (1 + x[1] * x[1]) },
        "computed" => x => Enumerable.Range(0, x.Length - 1).Select(i => Math.Exp(x[i]) * x[i + 1]).ToArray(),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Vector_function_derivatives_compile_to_IL_and_agree(string name)
    {
        var f = Vector(name);
        ILAgreement.Check(f, X5);
        ILAgreement.Check(Diff.Jvp(f), X5, V5);
        ILAgreement.Check(Diff.Vjp(f), X5, V5);
        ILAgreement.Check(Diff.Jacobian(f), X5);
        ILAgreement.Check(Diff.Jacobian(f, new DiffOptions { Jacobian = JacobianMode.Forward }), X5);
    }

    [Fact]
    public void Scalar_parameter_and_data_parameter_derivatives_compile_to_IL_and_agree()
    {
        Expression<Func<double, double, double>> r = (a, b) => 100 * Math.Pow(b - a * a, 2) + Math.Pow(1 - a, 2);
        ILAgreement.Check(Diff.Gradient(r), 0.3, -0.2);
        ILAgreement.Check(Diff.ValueAndGradient(r), 0.3, -0.2, new double[2]);
        ILAgreement.Check(Diff.Hessian(r), 0.3, -0.2);
        ILAgreement.Check(Diff.Hvp(r), 0.3, -0.2, new[] { 1.0, 2.0 });
        ILAgreement.Check(Diff.Derivative((double t) => Math.Exp(-t * t) * Math.Sin(3 * t), order: 3), 0.4);
        ILAgreement.Check(Diff.Gradient((Expression<Func<double, double, double, double>>)((a, p, b) => p * Math.Sin(a * b)), ["p"]), 0.5, 2.0, -1.0);

        Expression<Func<double[], double[,], double[], double>> loss = (w, X, y) =>
            Enumerable.Range(0, y.Length).Sum(i => Math.Log(1 + Math.Exp(-y[i] * Enumerable.Range(0, w.Length).Sum(j => w[j] * X[i, j])))) / y.Length;
        var data = new double[,] { { 0.5, -1.0 }, { 1.5, 0.25 }, { -0.75, 2.0 } };
        double[] labels = [1, -1, 1];
        ILAgreement.Check(Diff.Gradient(loss), new[] { 0.1, -0.2 }, data, labels);
        ILAgreement.Check(Diff.ValueAndGradient(loss), new[] { 0.1, -0.2 }, data, labels, new double[2]);
        ILAgreement.Check(Diff.Hvp(loss), new[] { 0.1, -0.2 }, data, labels, new[] { 1.0, -1.0 });
    }

    [Fact]
    public void Derivatives_of_loops_carrying_state_compile_to_IL_and_agree()
    {
        var f = CarriedLoopTests.Pendulum(200);
        ILAgreement.Check(f, 0.8, 0.3, 0.25);
        ILAgreement.Check(Diff.Gradient(f), 0.8, 0.3, 0.25);
        ILAgreement.Check(Diff.ValueAndGradient(f), 0.8, 0.3, 0.25, new double[3]);
        ILAgreement.Check(Diff.Hessian(f), 0.8, 0.3, 0.25);
    }

    [Fact]
    public void An_unsupported_node_falls_back_to_Compile_with_a_reason_and_the_same_results()
    {
        var x = Parameter(typeof(double), "x");
        var square = Lambda<Func<double, double>>(Multiply(x, x), x);
        var f = Lambda<Func<double, double>>(Add(Invoke(square, x), Constant(1.0)), x);
        // A nested lambda the importer inlines compiles as its import.
        var compilation = ILBackend.Compile(f);
        Assert.False(compilation.UsedFallback, compilation.FallbackReason);
        Assert.Equal(f.Compile()(3.0), compilation.Delegate(3.0));
        Assert.Equal(10.0, f.CompileIL()(3.0));

        var trying = Lambda<Func<double, double>>(TryCatch(Divide(Constant(1.0), x), Catch(typeof(Exception), Constant(0.0))), x);
        var c2 = ILBackend.Compile(trying);
        Assert.Contains("Try", c2.FallbackReason);
        Assert.Equal(0.25, c2.Delegate(4.0));
    }

    [Fact]
    public void Captured_arrays_are_read_by_reference()
    {
        double[] data = [1, 2, 3];
        Expression<Func<double[], double>> f = x => Enumerable.Range(0, x.Length).Sum(i => data[i] * x[i] * x[i]);
        var g = Diff.Gradient(f).CompileIL();
        Assert.Equal(new[] { 2.0, 8.0, 18.0 }, g([1, 2, 3]));
        data[2] = 0;
        Assert.Equal(new[] { 2.0, 8.0, 0.0 }, g([1, 2, 3]));
    }

    [Fact]
    public void Two_threads_calling_one_delegate_get_correct_results()
    {
        var vg = Diff.ValueAndGradient(Scalar("range")).CompileIL();
        var reference = Diff.ValueAndGradient(Scalar("range")).Compile();
        var points = Enumerable.Range(0, 64).Select(k => Enumerable.Range(0, 50).Select(i => Math.Sin(k + 0.1 * i)).ToArray()).ToArray();
        var expected = points.Select(p => { var g = new double[p.Length]; double v = reference(p, g); return (v, g); }).ToArray();
        int failures = 0;
        using var start = new Barrier(2);
        void Work(int offset)
        {
            var g = new double[50];
            start.SignalAndWait();
            for (int rep = 0; rep < 2000; rep++)
            {
                int k = (rep * 7 + offset) % points.Length;
                double v = vg(points[k], g);
                if (v != expected[k].v || !g.AsSpan().SequenceEqual(expected[k].g)) Interlocked.Increment(ref failures);
            }
        }
        var threads = new[] { new Thread(() => Work(0)), new Thread(() => Work(31)) };
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        Assert.Equal(0, failures);
    }

    /// <summary>A program whose gradient builds arrays in each iteration (a tanh layer and its adjoint): the IL delegate
    /// reuses one buffer per site (<see cref="Intrinsics.Scratch"/>), so two threads must never share one.</summary>
    private static readonly Expression<Func<double[], double>> Layers = x => Enumerable.Range(0, x.Length / 8).Sum(k =>
        Enumerable.Range(0, 4).Select(o => Math.Tanh(Enumerable.Range(0, 3).Sum(i => x[(3 * o + i + k) % x.Length] * x[i]) + x[o])).ToArray()
            .Select((h, o) => h * x[4 + o]).Sum());

    [Fact]
    public void Two_threads_calling_one_delegate_with_scratch_arrays_get_correct_results()
    {
        var gradient = Diff.ValueAndGradient(Layers);
        Assert.Contains("Intrinsics.Scratch(", gradient.ToCSharp());
        var vg = gradient.CompileIL();
        var reference = gradient.Compile();
        var points = Enumerable.Range(0, 16).Select(k => Enumerable.Range(0, 24 + 8 * (k % 3)).Select(i => Math.Sin(k + 0.3 * i)).ToArray()).ToArray();
        var expected = points.Select(p => { var g = new double[p.Length]; double v = reference(p, g); return (v, g); }).ToArray();
        int failures = 0;
        using var start = new Barrier(2);
        void Work(int offset)
        {
            start.SignalAndWait();
            for (int rep = 0; rep < 1000; rep++)
            {
                int k = (rep * 5 + offset) % points.Length;
                var g = new double[points[k].Length];
                double v = vg(points[k], g);
                if (BitConverter.DoubleToInt64Bits(v) != BitConverter.DoubleToInt64Bits(expected[k].v) || !g.AsSpan().SequenceEqual(expected[k].g))
                    Interlocked.Increment(ref failures);
            }
        }
        var threads = new[] { new Thread(() => Work(0)), new Thread(() => Work(7)) };
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        Assert.Equal(0, failures);
    }

    /// <summary>The loop forms of the benchmark problems allocate nothing per call through IL, P4's per-sample layers included
    /// (scratch arrays are reused; inner gradients are added in place).</summary>
    [Theory]
    [InlineData("P1-1000 loop")]
    [InlineData("P2 loop")]
    [InlineData("P3 loop")]
    [InlineData("P4 loop")]
    public void Loop_forms_allocate_nothing_per_call(string name)
    {
        var c = ExprDiff.Benchmarks.GradientCase.Get(name);
        var run = c.CompileIL();
        var g = new double[c.Point.Length];
        run(c.Point, g);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 3; k++) run(c.Point, g);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        var expected = new double[g.Length];
        c.Handwritten(c.Point, expected);
        for (int k = 0; k < g.Length; k++) Assert.True(Math.Abs(g[k] - expected[k]) <= 1e-9 * Math.Max(1, Math.Abs(expected[k])), $"{name} [{k}]");
    }

    [Fact]
    public void A_deep_user_tree_compiles_without_recursion()
    {
        // x + 1e-6 + 1e-6 + … 200,000 times, left-deep: deeper than the BCL's visitors go.
        var x = Parameter(typeof(double), "x");
        Expression body = x;
        for (int i = 0; i < 200_000; i++) body = Add(body, Constant(1e-6));
        var f = Lambda<Func<double, double>>(body, x);
        var compilation = ILBackend.Compile(f);
        Assert.False(compilation.UsedFallback);
        double expected = 1.0;
        for (int i = 0; i < 200_000; i++) expected += 1e-6;
        Assert.Equal(expected, compilation.Delegate(1.0));
    }

    [Fact]
    public void A_right_nested_user_tree_deeper_than_the_JIT_takes_compiles_from_its_graph()
    {
        // 1e-6 + (1e-6 + (… + x)), 100,000 deep: as IL it needs a 100,000-deep evaluation stack, which RyuJIT rejects
        // (Expression.Compile() gives a delegate that throws InvalidProgramException); ExprDiff's export is shallow.
        var x = Parameter(typeof(double), "x");
        Expression body = x;
        for (int i = 0; i < 100_000; i++) body = Add(Constant(1e-6), body);
        var compilation = ILBackend.Compile(Lambda<Func<double, double>>(body, x));
        Assert.False(compilation.UsedFallback, compilation.FallbackReason);
        double expected = 1.0;
        for (int i = 0; i < 100_000; i++) expected = 1e-6 + expected;
        Assert.Equal(expected, compilation.Delegate(1.0));
    }

    [Fact]
    public void Compound_assignments_increments_and_conversions_match_Compile()
    {
        var a = Parameter(typeof(double[]), "a");
        var n = Parameter(typeof(int), "n");
        var k = Variable(typeof(int), "k");
        var s = Variable(typeof(double), "s");
        var exit = Label("exit");
        var body = Block([k, s],
            Assign(k, Constant(0)),
            Loop(IfThenElse(LessThan(k, n),
                Block(AddAssign(ArrayAccess(a, k), Convert(k, typeof(double))),
                    MultiplyAssign(s, Constant(1.5)), AddAssign(s, ArrayAccess(a, k)),
                    PostIncrementAssign(k)),
                Break(exit)), exit),
            Add(s, Convert(Modulo(Convert(s, typeof(int)), Constant(7)), typeof(double))));
        var f = Lambda<Func<double[], int, double>>(body, a, n);
        ILAgreement.Check(f, new[] { 1.0, -2.0, 3.5, 0.25 }, 4);
        ILAgreement.Check(f, new[] { 1.0, -2.0 }, 3); // index out of range, same exception
    }
}
