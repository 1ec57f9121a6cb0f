using System.Linq.Expressions;
using System.Text.RegularExpressions;
using ExprDiff.Evaluation;
using ExprDiff.Import;
using ExprDiff.Rules;
using ExprDiff.Tests.Properties;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace ExprDiff.Tests.Loops;

/// <summary>Properties of derivatives of random loop programs (LINQ reductions) at random points and lengths.</summary>
public class LoopProperties
{
    private const int Tests = 100;

    private static bool Usable(double v) => double.IsFinite(v) && Math.Abs(v) <= Checks.Large;

    private static bool Usable(double[] v) => v.All(Usable);

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static double AbsDot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += Math.Abs(a[i] * b[i]);
        return s;
    }

    /// <summary>The compiled program equals the reference interpreter on the imported graph (to an ulp per power);
    /// the exported ValueAndGradient returns the same value to 1e−14 and fills a gradient of length n.</summary>
    [Property(MaxTest = Tests)]
    public Property Value_EqualsInterpreter_AndValueAndGradient() => Prop.ForAll(LoopProgramGenerator.Scalar, c =>
    {
        var f = c.F.ToLambda();
        double y = f.Compile()(c.X);
        if (!Usable(y)) return;
        var graph = ExpressionImporter.Import(f, RuleSet.Default).ToGraph();
        double interpreted = Interpreter.Evaluate(graph, (object)c.X)[0];
        // Math.Pow(x, 2) imports as x * x, within an ulp of Math.Pow (documented): close, not bit for bit.
        Checks.Close(y, interpreted, 1e-14, Math.Max(1, Math.Abs(y)), "interpreter vs f.Compile()");
        var buffer = Enumerable.Repeat(double.NaN, c.X.Length).ToArray();
        double vg = Diff.ValueAndGradient(f).Compile()(c.X, buffer);
        Checks.Close(y, vg, 1e-14, Math.Max(1, Math.Abs(y)), "ValueAndGradient value vs f.Compile()");
        var g = Diff.Gradient(f).Compile()(c.X);
        Assert.Equal(c.X.Length, g.Length);
        for (int k = 0; k < g.Length; k++) Checks.Bitwise(g[k], buffer[k], $"ValueAndGradient gradient[{k}] vs Gradient");
    });

    /// <summary>The gradient matches Richardson central differences where those are trustworthy.</summary>
    [Property(MaxTest = Tests)]
    public Property Gradient_MatchesFiniteDifferences() => Prop.ForAll(LoopProgramGenerator.Scalar, c =>
    {
        var f = c.F.ToLambda();
        var fc = f.Compile();
        if (!Usable(fc(c.X))) return;
        var g = Diff.Gradient(f).Compile()(c.X);
        if (!Usable(g)) return;
        for (int k = 0; k < c.X.Length; k++)
        {
            double? fd = FiniteDifferences.Partial(fc, c.X, k, 1e-4);
            if (fd is null) continue;
            Checks.Close(fd.Value, g[k], 1e-6, Math.Max(1, Math.Abs(fd.Value)), $"gradient[{k}] vs finite differences");
        }
    });

    /// <summary>u·(J v) = (Jᵀu)·v for two-output programs.</summary>
    [Property(MaxTest = Tests)]
    public Property JvpAndVjp_AreAdjoint() => Prop.ForAll(LoopProgramGenerator.Vector, c =>
    {
        var f = c.F.ToLambda();
        var y = f.Compile()(c.X);
        if (!Usable(y)) return;
        var jv = Diff.Jvp(f).Compile()(c.X, c.V);
        var ju = Diff.Vjp(f).Compile()(c.X, c.U);
        Assert.Equal(2, jv.Length);
        Assert.Equal(c.X.Length, ju.Length);
        if (!Usable(jv) || !Usable(ju)) return;
        double scale = Math.Max(1, Math.Max(AbsDot(c.U, jv), AbsDot(ju, c.V)));
        Checks.Close(Dot(c.U, jv), Dot(ju, c.V), 1e-10, scale, "u·(Jv) vs (Jᵀu)·v");
    });

    /// <summary>Reverse-mode gradient equals forward mode: the Jvp of x =&gt; new[] { f(x) } along e_k is ∂f/∂x_k.</summary>
    [Property(MaxTest = Tests)]
    public Property ReverseGradient_EqualsForwardMode() => Prop.ForAll(LoopProgramGenerator.Scalar, c =>
    {
        var f = c.F.ToLambda();
        if (!Usable(f.Compile()(c.X))) return;
        var g = Diff.Gradient(f).Compile()(c.X);
        if (!Usable(g)) return;
        var wrapped = Expression.Lambda<Func<double[], double[]>>(Expression.NewArrayInit(typeof(double), f.Body), f.Parameters);
        var jvp = Diff.Jvp(wrapped).Compile();
        for (int k = 0; k < c.X.Length; k++)
        {
            var e = new double[c.X.Length];
            e[k] = 1;
            var d = jvp(c.X, e);
            Assert.Single(d);
            Checks.Close(g[k], d[0], 1e-12, Math.Max(1, Math.Abs(g[k])), $"forward ∂f/∂x[{k}] vs gradient[{k}]");
        }
    });

    /// <summary>Hvp(x, v) equals central differences of the gradient along v.</summary>
    [Property(MaxTest = Tests)]
    public Property Hvp_MatchesFiniteDifferencesOfGradient() => Prop.ForAll(LoopProgramGenerator.Scalar, c =>
    {
        var f = c.F.ToLambda();
        var hvp = Diff.Hvp(f).Compile();
        // Where two elements of x (nearly) tie, a max written as a conditional has a kink in its gradient along v:
        // the differences below then average slopes, or mix them when several ties break differently, and no
        // derivative exists to compare with. Shrinking makes such ties likely; the other points are checked.
        var sorted = c.X.Order().ToArray();
        for (int k = 1; k < sorted.Length; k++) if (sorted[k] - sorted[k - 1] < 1e-3) return;
        if (!Usable(f.Compile()(c.X))) return;
        var grad = Diff.Gradient(f).Compile();
        if (!Usable(grad(c.X))) return;
        var hv = hvp(c.X, c.V);
        Assert.Equal(c.X.Length, hv.Length);
        if (!Usable(hv)) return;
        // g_k(x + t v) as a function of the single coordinate t.
        for (int k = 0; k < c.X.Length; k++)
        {
            int kk = k;
            double G(double[] t) => grad(c.X.Select((xi, i) => xi + t[0] * c.V[i]).ToArray())[kk];
            double? fd = FiniteDifferences.Partial(G, [0.0], 0, 1e-4);
            if (fd is null) continue;
            Checks.Close(fd.Value, hv[k], 1e-5, Math.Max(1, Math.Abs(fd.Value)), $"(Hv)[{k}] vs finite differences of the gradient");
        }
    });

    private static readonly Regex ConstantIndex = new(@"\[(\d+)\]", RegexOptions.Compiled);

    /// <summary>The derivative is a loop, not unrolled: the gradient's text indexes arrays with no constant
    /// beyond those of the program itself (0 and 1), and it is the same expression whatever n.</summary>
    [Property(MaxTest = Tests)]
    public Property Gradient_IsNotUnrolled() => Prop.ForAll(LoopProgramGenerator.Scalar, c =>
    {
        var f = c.F.ToLambda();
        string text = Diff.Gradient(f).ToCSharp();
        foreach (Match m in ConstantIndex.Matches(text))
            Assert.True(int.Parse(m.Groups[1].Value) <= 1, $"constant index {m.Value} in the gradient:{Environment.NewLine}{text}");
        string hvp = Diff.Hvp(f).ToCSharp();
        foreach (Match m in ConstantIndex.Matches(hvp))
            Assert.True(int.Parse(m.Groups[1].Value) <= 1, $"constant index {m.Value} in the Hvp:{Environment.NewLine}{hvp}");
        // One program for every length: the compiled gradient has length n for n = 3 and n = 10.
        var g = Diff.Gradient(f).Compile();
        Assert.Equal(3, g(c.X.Length >= 3 ? c.X[..3] : [.. c.X, 0.25]).Length);
        Assert.Equal(10, g(Enumerable.Range(0, 10).Select(i => Math.Sin(i)).ToArray()).Length);
    });
}
