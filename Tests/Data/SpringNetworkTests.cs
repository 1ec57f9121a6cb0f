using System.Linq.Expressions;
using ExprDiff.Benchmarks.Problems;
using ExprDiff.Tests.Support;
using Xunit;

namespace ExprDiff.Tests.Data;

/// <summary>P5: springs whose endpoints are captured <c>int[]</c>s. Many springs meet at a node, so the gradient's
/// scatter-add through I and J must add every contribution.</summary>
public class SpringNetworkTests
{
    private static readonly P5Springs.Data D = P5Springs.Instance;
    private static readonly Expression<Func<double[], double>> F = P5Springs.Loop(D);

    [Fact]
    public void P5_reference_value_on_every_route()
    {
        var x = P5Springs.Point();
        AssertRelative(P5Springs.Reference, P5Springs.Value(x), 1e-12);
        AssertRelative(P5Springs.Reference, P5Springs.ValueAndGradient(x, new double[x.Length]), 1e-12);
        AssertRelative(P5Springs.Reference, F.Compile()(x), 1e-12);
        AssertRelative(P5Springs.Reference, F.CompileIL()(x), 1e-12);
    }

    [Fact]
    public void P5_gradient_equals_the_hand_written_one_on_every_route()
    {
        var x = P5Springs.Point();
        var expected = new double[x.Length];
        double e = P5Springs.ValueAndGradient(x, expected);
        var vgExpr = Diff.ValueAndGradient(F);
        var compilation = ILBackend.Compile(vgExpr);
        Assert.False(compilation.UsedFallback, compilation.FallbackReason);
        foreach (var (name, vg) in new (string, Func<double[], double[], double>)[] { ("Compile", vgExpr.Compile()), ("CompileIL", compilation.Delegate) })
        {
            var g = new double[x.Length];
            AssertRelative(e, vg(x, g), 1e-12);
            FiniteDifferences.AssertClose(expected, g, 1e-10, 1e-12, name);
        }
        FiniteDifferences.AssertClose(expected, Diff.Gradient(F).Compile()(x), 1e-10, 1e-12, "Gradient");
        var span = Compiled.ValueAndGradient(F);
        var gs = new double[x.Length];
        AssertRelative(e, span(x, gs), 1e-12);
        FiniteDifferences.AssertClose(expected, gs, 1e-10, 1e-12, "Compiled.ValueAndGradient");
    }

    /// <summary>A small lattice (so that finite differences and a dense Hessian are cheap): gradient, Hessian-vector
    /// product, Hessian and the identity u·(Hv) = (Hu)·v.</summary>
    [Fact]
    public void Small_lattice_gradient_hvp_and_hessian_against_finite_differences()
    {
        int[] I = [0, 1, 0, 2, 1, 3, 0];
        int[] J = [1, 2, 3, 3, 3, 0, 2];
        double[] L = [1, 1.1, 0.9, 1.2, 1.4, 1.0, 1.5];
        double[] K = [1, 2, 1.5, 0.5, 1, 3, 2];
        Expression<Func<double[], double>> f = x => Enumerable.Range(0, I.Length).Sum(s => 0.5 * K[s] * Math.Pow(
            Math.Sqrt(Math.Pow(x[2 * I[s]] - x[2 * J[s]], 2) + Math.Pow(x[2 * I[s] + 1] - x[2 * J[s] + 1], 2)) - L[s], 2));
        double[] x = [0.1, -0.2, 1.05, 0.1, 2.2, 0.05, 0.9, 1.1];
        double[] v = [0.3, -1, 0.5, 0.25, -0.7, 0.2, 1, -0.4];
        var fc = f.Compile();
        var grad = Diff.Gradient(f);
        var fd = FiniteDifferences.Gradient(fc, x);
        FiniteDifferences.AssertClose(fd, grad.Compile()(x), 1e-6, 1e-8, "gradient");
        FiniteDifferences.AssertClose(fd, grad.CompileIL()(x), 1e-6, 1e-8, "gradient IL");
        var hv = Diff.Hvp(f);
        var gc = grad.Compile();
        var hvExpected = new double[x.Length];
        double h = 1e-6;
        var xp = x.Select((xi, i) => xi + h * v[i]).ToArray();
        var xm = x.Select((xi, i) => xi - h * v[i]).ToArray();
        var gp = gc(xp); var gm = gc(xm);
        for (int i = 0; i < x.Length; i++) hvExpected[i] = (gp[i] - gm[i]) / (2 * h);
        FiniteDifferences.AssertClose(hvExpected, hv.Compile()(x, v), 1e-6, 1e-7, "Hvp");
        FiniteDifferences.AssertClose(hvExpected, hv.CompileIL()(x, v), 1e-6, 1e-7, "Hvp IL");
        var H = Diff.Hessian(f).Compile()(x);
        FiniteDifferences.AssertClose(FiniteDifferences.Jacobian(gc, x), H, 1e-6, 1e-7, "Hessian");
        // The exported gradient (member reads of the captured arrays, a scatter loop) imports back and differentiates again.
        FiniteDifferences.AssertClose(H, Diff.Jacobian(grad).Compile()(x), 1e-12, 1e-12, "Jacobian of the gradient");
    }

    private static void AssertRelative(double expected, double actual, double rel) =>
        Assert.True(Math.Abs(expected - actual) <= rel * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");
}
