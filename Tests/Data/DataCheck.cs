using System.Linq.Expressions;
using ExprDiff.Evaluation;
using ExprDiff.Tests.Support;
using ExprDiff.Transforms;
using Xunit;

namespace ExprDiff.Tests.Data;

/// <summary>Checks shared by the integer-data tests: every route of a scalar function of x with captured data.</summary>
internal static class DataCheck
{
    /// <summary>The gradient through the reference interpreter (reverse mode over the graph, no export).</summary>
    public static double[] InterpretedGradient(LambdaExpression f, params object[] arguments)
    {
        var p = DiffProblem.Create(f, null, "test");
        var adjoints = ReverseMode.Vjp(p.Context, [p.Function.Outputs[0]], [p.Builder.Constant(1)], p.AllWrt);
        int gradient = p.HasWholeArray ? p.GradientArray(adjoints) : throw new InvalidOperationException("expected a loop program");
        var graph = p.Builder.Build([p.Function.Outputs[0], gradient]);
        ExprDiff.Graphs.GraphVerifier.Verify(graph);
        var outputs = Interpreter.EvaluateOutputs(graph, arguments);
        return (double[])outputs[1];
    }

    /// <summary>Value, gradient and Hessian-vector product of <paramref name="f"/> on every route (Compile, CompileIL without
    /// fallback, Compiled.ValueAndGradient, the reference interpreter; Compiled.Hvp in <see cref="SpanHvp"/>) against <paramref name="gradient"/> and
    /// <paramref name="hvp"/> (hand-written) and finite differences of the gradient.</summary>
    public static void AllRoutes(Expression<Func<double[], double>> f, double[] x, double[] v, double[] gradient, double[]? hvp,
        double rel = 1e-10, double abs = 1e-12)
    {
        double value = f.Compile()(x);
        var vgExpr = Diff.ValueAndGradient(f);
        var il = ILBackend.Compile(vgExpr);
        Assert.False(il.UsedFallback, il.FallbackReason);
        foreach (var (name, vg) in new (string, Func<double[], double[], double>)[] { ("Compile", vgExpr.Compile()), ("CompileIL", il.Delegate) })
        {
            var g = new double[x.Length];
            Assert.Equal(value, vg(x, g), 12);
            FiniteDifferences.AssertClose(gradient, g, rel, abs, "value+gradient " + name);
        }
        var gradExpr = Diff.Gradient(f);
        FiniteDifferences.AssertClose(gradient, gradExpr.Compile()(x), rel, abs, "gradient Compile");
        FiniteDifferences.AssertClose(gradient, gradExpr.CompileIL()(x), rel, abs, "gradient CompileIL");
        FiniteDifferences.AssertClose(gradient, InterpretedGradient(f, x), rel, abs, "gradient interpreter");
        var span = new double[x.Length];
        Compiled.ValueAndGradient(f)(x, span);
        FiniteDifferences.AssertClose(gradient, span, rel, abs, "Compiled.ValueAndGradient");
        FiniteDifferences.AssertClose(gradient, FiniteDifferences.Gradient(f.Compile(), x), 1e-6, 1e-6, "finite differences of f");

        var hvExpr = Diff.Hvp(f);
        var hvIl = ILBackend.Compile(hvExpr);
        Assert.False(hvIl.UsedFallback, hvIl.FallbackReason);
        var hv = hvExpr.Compile()(x, v);
        if (hvp is not null) FiniteDifferences.AssertClose(hvp, hv, rel, abs, "Hvp");
        FiniteDifferences.AssertClose(hv, hvIl.Delegate(x, v), 1e-13, 1e-14, "Hvp CompileIL");
        // Central differences of the gradient along v.
        var gc = gradExpr.Compile();
        const double h = 1e-6;
        var gp = gc(x.Select((xi, i) => xi + h * v[i]).ToArray());
        var gm = gc(x.Select((xi, i) => xi - h * v[i]).ToArray());
        FiniteDifferences.AssertClose(gp.Select((a, i) => (a - gm[i]) / (2 * h)).ToArray(), hv, 1e-5, 1e-6, "Hvp against finite differences");
    }

    /// <summary>Compiled.Hvp against the exported Hvp compiled by the IL backend.</summary>
    public static void SpanHvp(Expression<Func<double[], double>> f, double[] x, double[] v)
    {
        var hvSpan = new double[x.Length];
        Compiled.Hvp(f)(x, v, hvSpan);
        FiniteDifferences.AssertClose(Diff.Hvp(f).CompileIL()(x, v), hvSpan, 1e-13, 1e-14, "Compiled.Hvp");
    }

    public static double[] Random(int n, int seed, double scale = 1)
    {
        var r = new System.Random(seed);
        return Enumerable.Range(0, n).Select(_ => scale * (2 * r.NextDouble() - 1)).ToArray();
    }
}
