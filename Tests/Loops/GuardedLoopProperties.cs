using System.Linq.Expressions;
using ExprDiff.Evaluation;
using ExprDiff.Rules;
using ExprDiff.Transforms;
using ExprDiff.Tests.Properties;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace ExprDiff.Tests.Loops;

/// <summary>
/// Random loop programs with guarded neighbour reads (offsets ±1…±3, guards on the counter, on both sides, negated, and
/// on data behind a counter guard), at lengths 1–8 where most guards fail somewhere: f never reads out of range, and so
/// no derivative may. Each derivative equals the reference interpreter, finite differences, and every other route.
/// </summary>
public class GuardedLoopProperties
{
    private const int Tests = 100;

    private static bool Usable(double v) => double.IsFinite(v) && Math.Abs(v) <= Checks.Large;

    [Property(MaxTest = Tests)]
    public Property Gradient_equals_the_interpreter_on_every_route() => Prop.ForAll(GuardedLoopGenerator.Cases, c =>
    {
        var f = c.F.ToLambda();
        double y = f.Compile()(c.X);
        if (!Usable(y)) return;
        var p = DiffProblem.Create(f, null, "test");
        var interpreted = InterpretedGradient(p, c.X);
        double interpretedValue = Interpreter.Evaluate(p.Function.ToGraph(), (object)c.X)[0];
        Checks.Close(y, interpretedValue, 1e-14, Math.Max(1, Math.Abs(y)), "interpreter value vs f");

        var gradient = Diff.Gradient(f);
        var vg = Diff.ValueAndGradient(f);
        var routes = new List<(string Name, double[] G)>
        {
            ("Gradient.Compile", gradient.Compile()(c.X)),
            ("Gradient.CompileIL", gradient.CompileIL()(c.X)),
        };
        foreach (var (name, run) in new[] { ("ValueAndGradient.Compile", vg.Compile()), ("ValueAndGradient.CompileIL", vg.CompileIL()) })
        {
            var buffer = Enumerable.Repeat(double.NaN, c.X.Length).ToArray();
            Checks.Close(y, run(c.X, buffer), 1e-14, Math.Max(1, Math.Abs(y)), $"{name} value");
            routes.Add((name, buffer));
        }
        var span = new double[c.X.Length];
        Checks.Close(y, Compiled.ValueAndGradient(f)(c.X, span), 1e-14, Math.Max(1, Math.Abs(y)), "Compiled.ValueAndGradient value");
        routes.Add(("Compiled.ValueAndGradient", span));
        foreach (var (name, g) in routes)
        {
            Assert.Equal(c.X.Length, g.Length);
            for (int k = 0; k < g.Length; k++)
                Checks.Close(interpreted[k], g[k], 1e-13, Math.Max(1, Math.Abs(interpreted[k])), $"{name}[{k}] vs interpreter");
        }
    });

    [Property(MaxTest = Tests)]
    public Property Gradient_matches_finite_differences() => Prop.ForAll(GuardedLoopGenerator.Cases, c =>
    {
        var f = c.F.ToLambda();
        var fc = f.Compile();
        if (!Usable(fc(c.X))) return;
        var g = Diff.Gradient(f).CompileIL()(c.X);
        for (int k = 0; k < c.X.Length; k++)
        {
            double? fd = FiniteDifferences.Partial(fc, c.X, k, 1e-4);
            if (fd is null) continue;
            Checks.Close(fd.Value, g[k], 1e-6, Math.Max(1, Math.Abs(fd.Value)), $"gradient[{k}] vs finite differences");
        }
    });

    /// <summary>Second order: Hvp on every route, the Hessian's rows, and central differences of the gradient along v.</summary>
    [Property(MaxTest = Tests)]
    public Property Hvp_and_Hessian_agree_and_match_differences_of_the_gradient() => Prop.ForAll(GuardedLoopGenerator.Cases, c =>
    {
        var f = c.F.ToLambda();
        if (!Usable(f.Compile()(c.X))) return;
        int n = c.X.Length;
        var hvp = Diff.Hvp(f);
        var hv = hvp.Compile()(c.X, c.V);
        if (!hv.All(Usable)) return;
        var hvIl = hvp.CompileIL()(c.X, c.V);
        var hvSpan = new double[n];
        Compiled.Hvp(f)(c.X, c.V, hvSpan);
        var interpreted = InterpretedHvp(DiffProblem.Create(f, null, "test"), c.X, c.V);
        var hessian = Diff.Hessian(f).Compile()(c.X);
        var grad = Diff.Gradient(f).Compile();
        double h = 1e-6;
        var plus = grad(c.X.Zip(c.V, (a, b) => a + h * b).ToArray());
        var minus = grad(c.X.Zip(c.V, (a, b) => a - h * b).ToArray());
        for (int k = 0; k < n; k++)
        {
            Checks.Bitwise(hv[k], hvIl[k], $"Hvp[{k}]: Compile vs CompileIL");
            Checks.Bitwise(hv[k], hvSpan[k], $"Hvp[{k}]: Compile vs Compiled.Hvp");
            Checks.Close(interpreted[k], hv[k], 1e-13, Math.Max(1, Math.Abs(interpreted[k])), $"Hvp[{k}] vs interpreter");
            double row = 0, scale = 0;
            for (int j = 0; j < n; j++) { row += hessian[k, j] * c.V[j]; scale += Math.Abs(hessian[k, j] * c.V[j]); }
            Checks.Close(hv[k], row, 1e-12, Math.Max(1, scale), $"(H v)[{k}] vs Hvp");
            double fd = (plus[k] - minus[k]) / (2 * h);
            // Away from the data guards' kinks the difference is smooth; near one it jumps, and says nothing.
            if (!NearKink(c)) Checks.Close(fd, hv[k], 1e-4, Math.Max(1, Math.Abs(fd)), $"Hvp[{k}] vs differences of the gradient");
        }
    });

    /// <summary>u·(J v) = (Jᵀ u)·v for a two-output guarded program, and the Jacobian's rows are the VJPs.</summary>
    [Property(MaxTest = Tests)]
    public Property Jvp_and_Vjp_are_adjoint() => Prop.ForAll(GuardedLoopGenerator.Cases, GuardedLoopGenerator.Cases, (a, b) =>
    {
        var x = Expression.Parameter(typeof(double[]), "x");
        var F = Expression.Lambda<Func<double[], double[]>>(Expression.NewArrayInit(typeof(double), a.F.Body(x), b.F.Body(x)), x);
        var y = F.Compile()(a.X);
        if (!y.All(Usable)) return;
        var u = new[] { 0.75, -1.5 };
        var jv = Diff.Jvp(F).Compile()(a.X, a.V);
        var uj = Diff.Vjp(F).Compile()(a.X, u);
        var ujIl = Diff.Vjp(F).CompileIL()(a.X, u);
        if (!jv.All(Usable) || !uj.All(Usable)) return;
        double left = u[0] * jv[0] + u[1] * jv[1], right = 0, scale = Math.Abs(u[0] * jv[0]) + Math.Abs(u[1] * jv[1]);
        for (int k = 0; k < a.X.Length; k++)
        {
            right += uj[k] * a.V[k];
            scale += Math.Abs(uj[k] * a.V[k]);
            Checks.Bitwise(uj[k], ujIl[k], $"Vjp[{k}]: Compile vs CompileIL");
        }
        Checks.Close(left, right, 1e-12, Math.Max(1, scale), "u·(J v) vs (Jᵀ u)·v");
        var J = Diff.Jacobian(F).Compile()(a.X);
        for (int k = 0; k < a.X.Length; k++)
            Checks.Close(uj[k], u[0] * J[0, k] + u[1] * J[1, k], 1e-12, Math.Max(1, Math.Abs(uj[k])), $"Jacobian column {k} vs Vjp");
    });

    /// <summary>The reverse-mode gradient graph, as Diff.Gradient builds it, run by the reference interpreter.</summary>
    private static double[] InterpretedGradient(DiffProblem p, double[] x)
    {
        var adjoints = ReverseMode.Vjp(p.Context, [p.Function.Outputs[0]], [p.Builder.Constant(1)], p.AllWrt);
        if (adjoints.All(a => a == DerivativeContext.Zero)) return new double[x.Length];
        if (!p.HasWholeArray) return adjoints.Select(p.Materialize).Select(a => Interpreter.Evaluate(p.Builder.Build([a]), (object)x)[0]).ToArray();
        var graph = p.Builder.Build([p.GradientArray(adjoints)]);
        return (double[])Interpreter.EvaluateOutputs(graph, (object)x)[0];
    }

    /// <summary>Forward over reverse, as Diff.Hvp builds it, run by the reference interpreter.</summary>
    private static double[] InterpretedHvp(DiffProblem p, double[] x, double[] v)
    {
        var adjoints = ReverseMode.Vjp(p.Context, [p.Function.Outputs[0]], [p.Builder.Constant(1)], p.AllWrt);
        if (!p.HasWholeArray || adjoints.All(a => a == DerivativeContext.Zero)) return new double[x.Length];
        int hv = ForwardMode.Jvp(p.Context, [p.GradientArray(adjoints)], p.TangentSeeds(1))[0];
        if (hv == DerivativeContext.Zero) return new double[x.Length];
        return (double[])Interpreter.EvaluateOutputs(p.Builder.Build([hv], ["x", "v"]), x, v)[0];
    }

    // Whether some data guard's tested element is near zero, where a central difference straddles the kink.
    private static bool NearKink(GuardedCase c) => c.X.Any(v => Math.Abs(v) < 1e-3);
}
