using System.Linq.Expressions;
using ExprDiff.Tests.Support;
using Xunit;

namespace ExprDiff.Tests.Semantics;

/// <summary>Functions a guard protects from reading out of range (`i &gt; 0 ? x[i - 1] : 0`, as boundary conditions are
/// written): the guard protects every derivative too, on every route.</summary>
public class GuardedIndexTests
{
    private static readonly Expression<Func<double[], double>> LeftNeighbour =
        x => Enumerable.Range(0, x.Length).Sum(i => i > 0 ? x[i - 1] * x[i] : 0);

    private static readonly Expression<Func<double[], double>> RightNeighbour =
        x => Enumerable.Range(0, x.Length).Sum(i => (i < x.Length - 1 ? Math.Sin(x[i + 1]) : 0) * x[i] + x[i] * x[i]);

    // A stencil whose neighbours outside the domain count as zero, both sides, written as a physicist would.
    private static readonly Expression<Func<double[], double>> Laplacian =
        u => Enumerable.Range(0, u.Length).Sum(i =>
            Math.Pow((i > 0 ? u[i - 1] : 0) - 2 * u[i] + (i + 1 < u.Length ? u[i + 1] : 0), 2));

    // Guard on the data, not the counter: the read behind it is in range only because of the counter guard outside.
    private static readonly Expression<Func<double[], double>> DataGuard =
        x => Enumerable.Range(0, x.Length).Sum(i => i >= 2 && x[i - 2] > 0 ? x[i - 2] * x[i - 1] * x[i] : Math.Exp(x[i]));

    public static TheoryData<string> Shapes => new() { nameof(LeftNeighbour), nameof(RightNeighbour), nameof(Laplacian), nameof(DataGuard) };

    private static Expression<Func<double[], double>> Shape(string name) => name switch
    {
        nameof(LeftNeighbour) => LeftNeighbour,
        nameof(RightNeighbour) => RightNeighbour,
        nameof(Laplacian) => Laplacian,
        _ => DataGuard,
    };

    private static double[] Point(int n, int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => 2 * r.NextDouble() - 1).ToArray();
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_derivative_agrees_with_finite_differences_on_every_route(string name)
    {
        var f = Shape(name);
        var value = f.Compile();
        foreach (int n in new[] { 1, 2, 3, 7 })
        {
            var x = Point(n, n);
            var v = Point(n, n + 100);
            var fd = FiniteDifferences.Gradient(value, x);
            var grads = new[]
            {
                Diff.Gradient(f).Compile()(x),
                Diff.Gradient(f).CompileIL()(x),
            };
            foreach (var g in grads) FiniteDifferences.AssertClose(fd, g, 1e-6, 1e-7, $"{name} gradient, n = {n}");

            var vg = Diff.ValueAndGradient(f);
            foreach (var run in new[] { vg.Compile(), vg.CompileIL() })
            {
                var buffer = new double[n];
                Assert.Equal(value(x), run(x, buffer), 12);
                FiniteDifferences.AssertClose(fd, buffer, 1e-6, 1e-7, $"{name} value and gradient, n = {n}");
            }

            // Hessian-vector products against differences of the gradient along v.
            var grad = Diff.Gradient(f).Compile();
            double h = 1e-5;
            var plus = grad(x.Zip(v, (a, b) => a + h * b).ToArray());
            var minus = grad(x.Zip(v, (a, b) => a - h * b).ToArray());
            var hvFd = plus.Zip(minus, (a, b) => (a - b) / (2 * h)).ToArray();
            var hvp = Diff.Hvp(f);
            FiniteDifferences.AssertClose(hvFd, hvp.Compile()(x, v), 1e-5, 1e-6, $"{name} Hvp, n = {n}");
            FiniteDifferences.AssertClose(hvFd, hvp.CompileIL()(x, v), 1e-5, 1e-6, $"{name} Hvp (IL), n = {n}");
            var hessian = Diff.Hessian(f).Compile()(x);
            for (int i = 0; i < n; i++)
            {
                double row = 0;
                for (int j = 0; j < n; j++) row += hessian[i, j] * v[j];
                Assert.Equal(hvFd[i], row, 1e-5 * Math.Max(1, Math.Abs(row)));
            }

            var span = Compiled.ValueAndGradient(f);
            var spanGradient = new double[n];
            Assert.Equal(value(x), span(x, spanGradient), 12);
            FiniteDifferences.AssertClose(fd, spanGradient, 1e-6, 1e-7, $"{name} Compiled.ValueAndGradient, n = {n}");
            var spanHv = new double[n];
            Compiled.Hvp(f)(x, v, spanHv);
            FiniteDifferences.AssertClose(hvFd, spanHv, 1e-5, 1e-6, $"{name} Compiled.Hvp, n = {n}");
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_exported_gradient_differentiates_again_to_the_hessian(string name)
    {
        var f = Shape(name);
        foreach (int n in new[] { 1, 3, 6 })
        {
            var x = Point(n, 9 + n);
            var hessian = Diff.Hessian(f).Compile()(x);
            var jacobianOfGradient = Diff.Jacobian(Diff.Gradient(f)).Compile()(x);
            FiniteDifferences.AssertClose(hessian, jacobianOfGradient, 1e-12, 1e-12, $"{name}: Jacobian of the exported gradient, n = {n}");
        }
    }

    [Fact]
    public void Guarded_reads_in_a_vector_function_give_jvp_vjp_and_jacobian()
    {
        // A residual with a guarded left neighbour, as finite-difference residuals are written.
        Expression<Func<double[], double[]>> F = x => x.Select((xi, i) => xi * xi - (i > 0 ? x[i - 1] : 1.0)).ToArray();
        var x = Point(5, 3);
        var v = Point(5, 4);
        var u = Point(5, 5);
        var fd = FiniteDifferences.Jacobian(F.Compile(), x);
        var J = Diff.Jacobian(F).Compile()(x);
        FiniteDifferences.AssertClose(fd, J, 1e-6, 1e-7, "Jacobian");
        var jv = Diff.Jvp(F).Compile()(x, v);
        var uj = Diff.Vjp(F).Compile()(x, u);
        var ujIl = Diff.Vjp(F).CompileIL()(x, u);
        for (int i = 0; i < 5; i++)
        {
            double row = 0, column = 0;
            for (int j = 0; j < 5; j++) { row += J[i, j] * v[j]; column += u[j] * J[j, i]; }
            Assert.Equal(row, jv[i], 12);
            Assert.Equal(column, uj[i], 12);
            Assert.Equal(uj[i], ujIl[i]);
        }
    }

    [Fact]
    public void Straight_line_guards_on_an_int_parameter_protect_the_gradient()
    {
        Expression<Func<double[], int, double>> f = (x, k) => k > 0 ? x[k - 1] * x[k] : x[k] * 2;
        var g = Diff.Gradient(f, ["x"]).Compile();
        var x = new[] { 1.5, -2.0, 3.0 };
        Assert.Equal(new[] { 2.0, 0, 0 }, g(x, 0));
        Assert.Equal(new[] { -2.0, 1.5, 0 }, g(x, 1));
        Assert.Equal(new[] { 2.0, 0, 0 }, Diff.Gradient(f, ["x"]).CompileIL()(x, 0));
    }

    [Fact]
    public void A_user_function_in_the_branch_not_taken_is_never_called()
    {
        var rules = RuleSet.Default.With(x => GuardTestLib.Throws(x), x => GuardTestLib.Throws(x));
        var options = new DiffOptions { Rules = rules };
        Expression<Func<double[], double>> f = x => Enumerable.Range(0, x.Length).Sum(i => x[i] > 10 ? GuardTestLib.Throws(x[i]) : x[i] * x[i]);
        var x = new[] { 1.0, 2.0, 3.0 };
        Assert.Equal(new[] { 2.0, 4.0, 6.0 }, Diff.Gradient(f, options).Compile()(x));
        Assert.Equal(new[] { 2.0, 4.0, 6.0 }, Diff.Gradient(f, options).CompileIL()(x));
        var hv = Diff.Hvp(f, options).Compile()(x, [1.0, 1.0, 1.0]);
        Assert.Equal(new[] { 2.0, 2.0, 2.0 }, hv);
        Assert.Throws<InvalidOperationException>(() => Diff.Gradient(f, options).Compile()([11.0]));
    }

    [Fact]
    public void Nested_data_guards_whose_conditions_are_themselves_guarded_export() // found by GuardedLoopProperties
    {
        Expression<Func<double[], double>> f = x => Enumerable.Range(0, x.Length).Sum(i =>
            i + 1 >= 0 && i + 1 < x.Length && x[i + 1] > 0
                ? (i - 2 >= 0 && i - 2 < x.Length && x[i - 2] > 0 ? (i >= 0 && i < x.Length && x[i] > 0 ? x[i] : -1.25) : x[i])
                : (i >= 0 && i < x.Length && x[i] > 0 ? x[i] : -1.25) - 0.5);
        foreach (var x in new[] { new[] { -1.0257142857142858, -0.88 }, new[] { 0.5, 1.0, -0.5, 2.0, 0.25 } })
        {
            var hv = Diff.Hvp(f).Compile()(x, x);
            Assert.All(hv, h => Assert.Equal(0.0, h));
            var g = Diff.Gradient(f).CompileIL()(x);
            FiniteDifferences.AssertClose(FiniteDifferences.Gradient(f.Compile(), x), g, 1e-6, 1e-7, "gradient");
        }
    }

    [Fact]
    public void Checked_overflow_in_the_branch_not_taken_never_throws()
    {
        Expression<Func<double[], int, double>> f = (x, k) => k < 1000 ? x[0] * checked(k * 1_000_000) : x[0] * x[0];
        var g = Diff.Gradient(f, ["x"]);
        Assert.Equal(new[] { 4.0 }, g.Compile()(new[] { 2.0 }, 5000));
        Assert.Equal(new[] { 4.0 }, g.CompileIL()(new[] { 2.0 }, 5000));
        Assert.Equal(new[] { 5e6 }, g.Compile()(new[] { 2.0 }, 5));
    }

    [Fact]
    public void Integer_division_in_the_branch_not_taken_is_never_computed()
    {
        Expression<Func<double[], int, double>> f = (x, k) => k != 0 ? x[10 / k] * x[0] : x[0];
        var g = Diff.Gradient(f, ["x"]);
        Assert.Equal(new[] { 1.0, 0, 0 }, g.Compile()(new[] { 1.0, 2.0, 3.0 }, 0));
        Assert.Equal(new[] { 1.0, 0, 0 }, g.CompileIL()(new[] { 1.0, 2.0, 3.0 }, 0));
        Assert.Equal(new[] { 3.0, 0, 1.0 }, g.Compile()(new[] { 1.0, 2.0, 3.0 }, 5));
    }
}

/// <summary>A function that must never run where its branch is not taken.</summary>
public static class GuardTestLib
{
    public static double Throws(double x) => throw new InvalidOperationException($"called with {x}");
}
