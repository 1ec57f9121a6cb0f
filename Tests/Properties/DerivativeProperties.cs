using System.Linq.Expressions;
using ExprDiff.Evaluation;
using ExprDiff.Graphs;
using ExprDiff.Transforms;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;
using Xunit.Abstractions;

namespace ExprDiff.Tests.Properties;

/// <summary>A scalar function, a point of [−2, 2]^4 and a direction.</summary>
public sealed record ScalarCase(Tree F, double[] X, double[] V)
{
    public override string ToString() =>
        $"f = x => {F}{Environment.NewLine}x = {TreeText.Array(X)}{Environment.NewLine}v = {TreeText.Array(V)}";
}

/// <summary>A vector function, a point, an input direction v and an output direction u.</summary>
public sealed record VectorCase(VectorTree F, double[] X, double[] V, double[] U)
{
    public override string ToString() =>
        $"f = x => {F}{Environment.NewLine}x = {TreeText.Array(X)}{Environment.NewLine}v = {TreeText.Array(V)}{Environment.NewLine}u = {TreeText.Array(U)}";
}

/// <summary>Arbitraries of cases, with shrinking toward small trees and short coordinates.</summary>
public static class Cases
{
    /// <summary>Scalar cases at uniformly random points.</summary>
    public static Arbitrary<ScalarCase> Scalar { get; } = Arb.From(
        from f in ExpressionGenerator.Scalar
        from x in ExpressionGenerator.Point
        from v in ExpressionGenerator.VectorOfLength(ExpressionGenerator.Inputs)
        select new ScalarCase(f, x, v),
        Shrink);

    /// <summary>Large scalar functions (hundreds of graph nodes).</summary>
    public static Arbitrary<ScalarCase> LargeScalar { get; } = Arb.From(
        from f in ExpressionGenerator.Large
        from x in ExpressionGenerator.PointWithSpecialValues
        from v in ExpressionGenerator.VectorOfLength(ExpressionGenerator.Inputs)
        select new ScalarCase(f, x, v),
        Shrink);

    /// <summary>Scalar cases at points that often sit on kinks, ties and switch points.</summary>
    public static Arbitrary<ScalarCase> ScalarAtSpecialPoints { get; } = Arb.From(
        from f in ExpressionGenerator.Scalar
        from x in ExpressionGenerator.PointWithSpecialValues
        from v in ExpressionGenerator.VectorOfLength(ExpressionGenerator.Inputs)
        select new ScalarCase(f, x, v),
        Shrink);

    public static Arbitrary<VectorCase> VectorAtSpecialPoints { get; } = Arb.From(
        from f in ExpressionGenerator.Vector
        from x in ExpressionGenerator.PointWithSpecialValues
        from v in ExpressionGenerator.VectorOfLength(ExpressionGenerator.Inputs)
        from u in ExpressionGenerator.VectorOfLength(f.Outputs.Length)
        select new VectorCase(f, x, v, u),
        Shrink);

    public static IEnumerable<ScalarCase> Shrink(ScalarCase c) =>
        ExpressionGenerator.Shrink(c.F).Select(f => c with { F = f })
            .Concat(ExpressionGenerator.ShrinkPoint(c.X).Select(x => c with { X = x }));

    public static IEnumerable<VectorCase> Shrink(VectorCase c)
    {
        int m = c.F.Outputs.Length;
        if (m > 1)
            for (int i = 0; i < m; i++)
                yield return c with
                {
                    F = new VectorTree(c.F.Outputs.Where((_, j) => j != i).ToArray()),
                    U = c.U.Where((_, j) => j != i).ToArray(),
                };
        for (int i = 0; i < m; i++)
            foreach (var s in ExpressionGenerator.Shrink(c.F.Outputs[i]))
            {
                var outputs = (Tree[])c.F.Outputs.Clone();
                outputs[i] = s;
                yield return c with { F = new VectorTree(outputs) };
            }
        foreach (var x in ExpressionGenerator.ShrinkPoint(c.X)) yield return c with { X = x };
    }
}

/// <summary>Shared checks: what counts as a usable value, and tolerant or bitwise comparisons.</summary>
public static class Checks
{
    /// <summary>Values beyond this are skipped: they amplify rounding beyond any fixed tolerance.</summary>
    public const double Large = 1e6;

    public static bool Usable(double v) => double.IsFinite(v) && Math.Abs(v) <= Large;

    public static bool Usable(double[] v) => v.All(Usable);

    public static bool Usable(double[,] m) => m.Cast<double>().All(Usable);

    /// <summary>f(x), or NaN where the compiled function throws (Math.Sign of NaN).</summary>
    public static double Value(Func<double[], double> f, double[] x)
    {
        try { return f(x); }
        catch (ArithmeticException) { return double.NaN; }
    }

    public static double[] Value(Func<double[], double[]> f, double[] x)
    {
        try { return f(x); }
        catch (ArithmeticException) { return [double.NaN]; }
    }

    /// <summary>|a − b| ≤ tolerance · scale; NaN never passes.</summary>
    public static void Close(double expected, double actual, double tolerance, double scale, string what)
    {
        double error = Math.Abs(expected - actual);
        if (!(error <= tolerance * scale))
            throw new Xunit.Sdk.XunitException(
                $"{what}: expected {expected:R}, actual {actual:R}, |difference| {error:R} > {tolerance:R} · {scale:R}");
    }

    /// <summary>Relative closeness with a floor of <paramref name="floor"/> on the scale (so absolute below it).</summary>
    public static void Relative(double expected, double actual, double tolerance, string what, double floor = 1) =>
        Close(expected, actual, tolerance, Math.Max(floor, Math.Max(Math.Abs(expected), Math.Abs(actual))), what);

    public static bool SameBits(double a, double b) =>
        (double.IsNaN(a) && double.IsNaN(b)) || BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b);

    public static void Bitwise(double expected, double actual, string what)
    {
        if (!SameBits(expected, actual))
            throw new Xunit.Sdk.XunitException(
                $"{what}: interpreter {expected:R} (0x{BitConverter.DoubleToInt64Bits(expected):X16}), " +
                $"compiled {actual:R} (0x{BitConverter.DoubleToInt64Bits(actual):X16})");
    }

    public static double[] Column(double[,] m, int row) => Enumerable.Range(0, m.GetLength(1)).Select(j => m[row, j]).ToArray();

    /// <summary>The reverse-mode gradient graph of a scalar problem, built with the internals (as <see cref="Diff.Gradient"/> does).</summary>
    internal static Graph GradientGraph(DiffProblem p)
    {
        var grads = ReverseMode.Vjp(p.Context, [p.Function.Outputs[0]], [p.Builder.Constant(1)], p.Wrt);
        return p.Builder.Build(grads.Select(p.Materialize).ToArray());
    }

    /// <summary>The Hessian-vector product graph (forward over reverse), reading v as parameter 1.</summary>
    internal static Graph HvpGraph(DiffProblem p)
    {
        var grads = ReverseMode.Vjp(p.Context, [p.Function.Outputs[0]], [p.Builder.Constant(1)], p.Wrt).Select(p.Materialize).ToArray();
        var v = p.Positions.Select(k => p.Builder.Input(1, k)).ToArray();
        var seeds = new Dictionary<int, int>();
        for (int k = 0; k < p.Wrt.Length; k++) seeds[p.Wrt[k]] = v[k];
        var hv = ForwardMode.Jvp(p.Context, grads, seeds).Select(p.Materialize).ToArray();
        return p.Builder.Build(hv, ["x", "v"]);
    }

    /// <summary>The forward-mode JVP graph of a vector problem, reading v as parameter 1.</summary>
    internal static Graph JvpGraph(DiffProblem p)
    {
        var v = p.Positions.Select(k => p.Builder.Input(1, k)).ToArray();
        var seeds = new Dictionary<int, int>();
        for (int k = 0; k < p.Wrt.Length; k++) seeds[p.Wrt[k]] = v[k];
        var jv = ForwardMode.Jvp(p.Context, p.Function.Outputs, seeds).Select(p.Materialize).ToArray();
        return p.Builder.Build(jv, ["x", "v"]);
    }

    /// <summary>The reverse-mode VJP graph of a vector problem, reading u as parameter 1.</summary>
    internal static Graph VjpGraph(DiffProblem p)
    {
        var u = p.Function.Outputs.Select((_, r) => p.Builder.Input(1, r)).ToArray();
        var uj = ReverseMode.Vjp(p.Context, p.Function.Outputs, u, p.Wrt).Select(p.Materialize).ToArray();
        return p.Builder.Build(uj, ["x", "u"]);
    }
}

/// <summary>
/// Properties of every derivative over random expression trees (all primitives, conditionals, guarded domains,
/// constants) at random points of [−2, 2]^4; most properties use points where a quarter of the coordinates are
/// special values (0, ±0.5, ±1, ...) that put primitives on their kinks, ties and switch points, where the
/// modes must still agree with each other. Cases whose value or derivatives are not finite or exceed 1e6 are
/// skipped, and so, for the finite-difference properties, are points where finite differences are unreliable
/// or a primitive sits exactly on a kink (<see cref="Kinks"/>). Mode-against-mode comparisons use a relative
/// tolerance of 1e-12 with a floor of 1 (observed worst case over 10,000 cases: 6e-15).
/// </summary>
public sealed class DerivativeProperties
{
    private const int Tests = 200;

    private static readonly DiffOptions Forward = new() { Jacobian = JacobianMode.Forward };
    private static readonly DiffOptions Reverse = new() { Jacobian = JacobianMode.Reverse };

    /// <summary>Reverse-mode gradient = forward-mode Jacobian of the one-output function = reverse-mode Jacobian.</summary>
    [Property(MaxTest = Tests)]
    public Property ReverseGradient_EqualsForwardJacobian() => Prop.ForAll(Cases.ScalarAtSpecialPoints, c =>
    {
        var f = ExpressionGenerator.ToLambda(c.F);
        double y = Checks.Value(f.Compile(), c.X);
        var g = Diff.Gradient(f).Compile()(c.X);
        var vf = ExpressionGenerator.ToVectorLambda(c.F);
        var jf = Diff.Jacobian(vf, Forward).Compile()(c.X);
        var jr = Diff.Jacobian(vf, Reverse).Compile()(c.X);
        return Prop.When(Checks.Usable(y) && Checks.Usable(g) && Checks.Usable(jf), () =>
        {
            for (int k = 0; k < g.Length; k++)
            {
                Checks.Relative(g[k], jf[0, k], 1e-12, $"∂f/∂x{k}: reverse vs forward");
                Checks.Bitwise(g[k], jr[0, k], $"∂f/∂x{k}: Gradient vs reverse Jacobian");
            }
        });
    });

    /// <summary>u·(J v) = (uᵀJ)·v for vector functions: forward and reverse mode are adjoint.</summary>
    [Property(MaxTest = Tests)]
    public Property JvpAndVjp_AreAdjoint() => Prop.ForAll(Cases.VectorAtSpecialPoints, c =>
    {
        var f = ExpressionGenerator.ToLambda(c.F);
        var y = Checks.Value(f.Compile(), c.X);
        var jv = Diff.Jvp(f).Compile()(c.X, c.V);
        var uj = Diff.Vjp(f).Compile()(c.X, c.U);
        var j = Diff.Jacobian(f).Compile()(c.X);
        return Prop.When(Checks.Usable(y) && Checks.Usable(jv) && Checks.Usable(uj) && Checks.Usable(j), () =>
        {
            double lhs = 0, rhs = 0, scale = 0;
            for (int i = 0; i < jv.Length; i++) lhs += c.U[i] * jv[i];
            for (int k = 0; k < uj.Length; k++) rhs += uj[k] * c.V[k];
            for (int i = 0; i < j.GetLength(0); i++)
                for (int k = 0; k < j.GetLength(1); k++) scale += Math.Abs(c.U[i] * j[i, k] * c.V[k]);
            Checks.Close(lhs, rhs, 1e-12, Math.Max(1, scale), "u·(Jv) vs (uᵀJ)·v");
            // Each is also the Jacobian's product.
            for (int i = 0; i < jv.Length; i++)
            {
                double jvi = 0, s = 0;
                for (int k = 0; k < j.GetLength(1); k++) { jvi += j[i, k] * c.V[k]; s += Math.Abs(j[i, k] * c.V[k]); }
                Checks.Close(jvi, jv[i], 1e-12, Math.Max(1, s), $"(Jv)[{i}] vs Jacobian·v");
            }
        });
    });

    /// <summary>The gradient agrees with Richardson-extrapolated central differences where those are reliable.</summary>
    [Property(MaxTest = Tests)]
    public Property Gradient_MatchesFiniteDifferences() => Prop.ForAll(Cases.Scalar, c =>
    {
        var f = ExpressionGenerator.ToLambda(c.F);
        double y = Checks.Value(f.Compile(), c.X);
        var g = Diff.Gradient(f).Compile()(c.X);
        var reference = ExpressionGenerator.ToReferenceLambda(c.F).Compile();
        var x0 = (double[])c.X.Clone();
        Func<double[], double> r = x => Checks.Value(p => reference(p, x0), x);
        var fd = Enumerable.Range(0, g.Length).Select(k => FiniteDifferences.Partial(r, c.X, k)).ToArray();
        return Prop.When(Checks.Usable(y) && Checks.Usable(g) && fd.All(d => d is not null) && !Kinks.AtKink(c.F, c.X), () =>
        {
            for (int k = 0; k < g.Length; k++)
                // Rounding noise of the differences grows with |f|: eps·|f|/h ≈ 1e-12·|f| at the steps used.
                Checks.Close(fd[k]!.Value, g[k], 1e-6, Math.Max(1, Math.Max(Math.Abs(g[k]), 1e-5 * Math.Abs(y))), $"∂f/∂x{k}: finite differences vs gradient");
        });
    });

    /// <summary>The Hessian is symmetric and equals the Jacobian of the exported gradient (re-imported).</summary>
    [Property(MaxTest = Tests)]
    public Property Hessian_IsSymmetric_AndEqualsJacobianOfGradient() => Prop.ForAll(Cases.ScalarAtSpecialPoints, c =>
    {
        var f = ExpressionGenerator.ToLambda(c.F);
        double y = Checks.Value(f.Compile(), c.X);
        var g = Diff.Gradient(f);
        var gv = g.Compile()(c.X);
        var h = Diff.Hessian(f).Compile()(c.X);
        var jg = Diff.Jacobian(g).Compile()(c.X);
        return Prop.When(Checks.Usable(y) && Checks.Usable(gv) && Checks.Usable(h) && Checks.Usable(jg), () =>
        {
            int n = h.GetLength(0);
            for (int i = 0; i < n; i++)
                for (int k = 0; k < n; k++)
                {
                    Checks.Relative(h[i, k], h[k, i], 1e-12, $"H[{i},{k}] vs H[{k},{i}]");
                    Checks.Relative(h[i, k], jg[i, k], 1e-12, $"H[{i},{k}] vs Jacobian(Gradient)[{i},{k}]");
                }
        });
    });

    /// <summary>The Hessian agrees with finite differences of the gradient (of the smooth reference function, see
    /// <see cref="ExpressionGenerator.FiniteDifferenceReference"/>) where those are reliable.</summary>
    [Property(MaxTest = Tests)]
    public Property Hessian_MatchesFiniteDifferencesOfGradient() => Prop.ForAll(Cases.ScalarAtSpecialPoints, c =>
    {
        var f = ExpressionGenerator.ToLambda(c.F);
        double y = Checks.Value(f.Compile(), c.X);
        var h = Diff.Hessian(f).Compile()(c.X);
        var reference = Diff.Gradient(ExpressionGenerator.ToLambda(ExpressionGenerator.FiniteDifferenceReference(c.F, c.X))).Compile();
        int n = c.X.Length;
        var fd = new double?[n, n];
        bool reliable = Checks.Usable(y) && Checks.Usable(h) && !Kinks.AtKink(c.F, c.X);
        for (int i = 0; i < n && reliable; i++)
        {
            int row = i;
            Func<double[], double> gi = x => reference(x)[row];
            for (int k = 0; k < n && reliable; k++)
            {
                fd[i, k] = FiniteDifferences.Partial(gi, c.X, k);
                reliable = fd[i, k] is not null;
            }
        }
        return Prop.When(reliable, () =>
        {
            for (int i = 0; i < n; i++)
                for (int k = 0; k < n; k++)
                    Checks.Close(fd[i, k]!.Value, h[i, k], 1e-6, Math.Max(1, Math.Abs(h[i, k])), $"H[{i},{k}]: finite differences of the gradient vs Hessian");
        });
    });

    /// <summary>Hvp(f)(x, v) = H(x)·v.</summary>
    [Property(MaxTest = Tests)]
    public Property Hvp_EqualsHessianTimesV() => Prop.ForAll(Cases.ScalarAtSpecialPoints, c =>
    {
        var f = ExpressionGenerator.ToLambda(c.F);
        double y = Checks.Value(f.Compile(), c.X);
        var hv = Diff.Hvp(f).Compile()(c.X, c.V);
        var h = Diff.Hessian(f).Compile()(c.X);
        return Prop.When(Checks.Usable(y) && Checks.Usable(hv) && Checks.Usable(h), () =>
        {
            for (int i = 0; i < hv.Length; i++)
            {
                double sum = 0, scale = 0;
                for (int k = 0; k < hv.Length; k++) { sum += h[i, k] * c.V[k]; scale += Math.Abs(h[i, k] * c.V[k]); }
                Checks.Close(sum, hv[i], 1e-12, Math.Max(1, scale), $"(Hv)[{i}] vs H·v");
            }
        });
    });

    /// <summary>ValueAndGradient returns f(x) and writes the gradient, bit for bit as Gradient and the function,
    /// clearing whatever the gradient array held.</summary>
    [Property(MaxTest = Tests)]
    public Property ValueAndGradient_AgreesWithGradientAndFunction() => Prop.ForAll(Cases.ScalarAtSpecialPoints, c =>
    {
        var f = ExpressionGenerator.ToLambda(c.F);
        var p = DiffProblem.Create(f, null, "test");
        double interpretedValue = Interpreter.Evaluate(p.Function.ToGraph(), (object)c.X)[0];
        var g = Diff.Gradient(f).Compile()(c.X);
        var buffer = Enumerable.Repeat(double.NaN, c.X.Length).ToArray();
        double y = Diff.ValueAndGradient(f).Compile()(c.X, buffer);
        Checks.Bitwise(interpretedValue, y, "value");
        for (int k = 0; k < g.Length; k++) Checks.Bitwise(g[k], buffer[k], $"gradient[{k}]");
    });

    /// <summary>The overloads over four double parameters give the array version's gradient and Hvp, bit for bit.</summary>
    [Property(MaxTest = Tests)]
    public Property ScalarParameterOverloads_EqualArrayVersion() => Prop.ForAll(Cases.ScalarAtSpecialPoints, c =>
    {
        var f = ExpressionGenerator.ToLambda(c.F);
        var fs = ExpressionGenerator.ToScalarParameterLambda(c.F);
        double[] x = c.X;
        var g = Diff.Gradient(f).Compile()(x);
        var gs = Diff.Gradient(fs).Compile()(x[0], x[1], x[2], x[3]);
        var hv = Diff.Hvp(f).Compile()(x, c.V);
        var hvs = Diff.Hvp(fs).Compile()(x[0], x[1], x[2], x[3], c.V);
        Assert.Equal(g.Length, gs.Length);
        for (int k = 0; k < g.Length; k++)
        {
            Checks.Bitwise(g[k], gs[k], $"∂f/∂x{k}");
            Checks.Bitwise(hv[k], hvs[k], $"(Hv)[{k}]");
        }
    });

    /// <summary>On the diagonal t ↦ f(t, t, t, t), Derivative of order 1 and 2 (repeated forward mode) equal
    /// the sums of the gradient and of the Hessian.</summary>
    [Property(MaxTest = Tests)]
    public Property Derivative_OnDiagonal_EqualsSumsOfGradientAndHessian() => Prop.ForAll(Cases.ScalarAtSpecialPoints, c =>
    {
        double t = c.X[0];
        var x = new[] { t, t, t, t };
        var f = ExpressionGenerator.ToLambda(c.F);
        var d = ExpressionGenerator.ToDiagonalLambda(c.F);
        double y = Checks.Value(f.Compile(), x);
        var g = Diff.Gradient(f).Compile()(x);
        var h = Diff.Hessian(f).Compile()(x);
        double d1 = Diff.Derivative(d, 1).Compile()(t);
        double d2 = Diff.Derivative(d, 2).Compile()(t);
        double d0 = Diff.Derivative(d, 0).Compile()(t);
        return Prop.When(Checks.Usable(y) && Checks.Usable(g) && Checks.Usable(h) && Checks.Usable(d1) && Checks.Usable(d2), () =>
        {
            Checks.Relative(y, d0, 1e-12, "order 0 vs f");
            Checks.Close(g.Sum(), d1, 1e-12, Math.Max(1, g.Sum(Math.Abs)), "f' vs Σ gradient");
            double sum = h.Cast<double>().Sum(), scale = h.Cast<double>().Sum(Math.Abs);
            Checks.Close(sum, d2, 1e-12, Math.Max(1, scale), "f'' vs Σ Hessian");
        });
    });

    /// <summary>
    /// The exported, compiled derivatives equal the reference interpreter on the derivative graphs, bit for bit
    /// (NaN = NaN), and so does the function itself; unread positions of a gradient are +0.
    /// </summary>
    [Property(MaxTest = Tests)]
    public Property Compiled_EqualsInterpreter_BitForBit() => Prop.ForAll(Cases.ScalarAtSpecialPoints, c =>
    {
        var f = ExpressionGenerator.ToLambda(c.F);
        var p = DiffProblem.Create(f, null, "test");
        // Math.Pow(x, k) with a small integer k is the multiplication chain wherever ExprDiff computes it.
        double compiledValue = Checks.Value(Support.PowersAsImported.Rewrite(f).Compile(), c.X);
        double interpretedValue = Interpreter.Evaluate(p.Function.ToGraph(), (object)c.X)[0];

        var gradientGraph = Checks.GradientGraph(p);
        var interpreted = Interpreter.Evaluate(gradientGraph, (object)c.X);
        var compiled = Diff.Gradient(f).Compile()(c.X);

        var hvpGraph = Checks.HvpGraph(p);
        var interpretedHv = Interpreter.Evaluate(hvpGraph, c.X, c.V);
        var compiledHv = Diff.Hvp(f).Compile()(c.X, c.V);

        // Math.Sign(NaN) throws in compiled C# where the graph gives NaN: nothing to compare then.
        if (!double.IsNaN(compiledValue) || double.IsNaN(interpretedValue))
            Checks.Bitwise(interpretedValue, compiledValue, "f(x)");
        var read = new HashSet<int>(p.Positions);
        for (int k = 0; k < compiled.Length; k++)
            if (!read.Contains(k)) Checks.Bitwise(0.0, compiled[k], $"∂f/∂x{k} (x{k} unread)");
        for (int k = 0; k < p.Positions.Length; k++)
        {
            Checks.Bitwise(interpreted[k], compiled[p.Positions[k]], $"∂f/∂x{p.Positions[k]}");
            Checks.Bitwise(interpretedHv[k], compiledHv[p.Positions[k]], $"(Hv)[{p.Positions[k]}]");
        }
    });

    /// <summary>The same bitwise agreement for large functions, whose exported derivatives reuse variables heavily,
    /// through the gradient and the Hessian (forward over reverse).</summary>
    [Property(MaxTest = 25)]
    public Property LargeFunctions_CompiledEqualsInterpreter_BitForBit() => Prop.ForAll(Cases.LargeScalar, c =>
    {
        var f = ExpressionGenerator.ToLambda(c.F);
        var p = DiffProblem.Create(f, null, "test");
        var interpreted = Interpreter.Evaluate(Checks.GradientGraph(p), (object)c.X);
        var compiled = Diff.Gradient(f).Compile()(c.X);
        var interpretedHv = Interpreter.Evaluate(Checks.HvpGraph(p), c.X, c.V);
        var compiledHv = Diff.Hvp(f).Compile()(c.X, c.V);
        for (int k = 0; k < p.Positions.Length; k++)
        {
            Checks.Bitwise(interpreted[k], compiled[p.Positions[k]], $"∂f/∂x{p.Positions[k]}");
            Checks.Bitwise(interpretedHv[k], compiledHv[p.Positions[k]], $"(Hv)[{p.Positions[k]}]");
        }
    });

    /// <summary>The same for vector functions, through forward (JVP) and reverse (VJP) mode.</summary>
    [Property(MaxTest = Tests)]
    public Property CompiledJvpVjp_EqualInterpreter_BitForBit() => Prop.ForAll(Cases.VectorAtSpecialPoints, c =>
    {
        var f = ExpressionGenerator.ToLambda(c.F);
        var p = DiffProblem.Create(f, null, "test");
        var interpretedJv = Interpreter.Evaluate(Checks.JvpGraph(p), c.X, c.V);
        var compiledJv = Diff.Jvp(f).Compile()(c.X, c.V);
        var interpretedUj = Interpreter.Evaluate(Checks.VjpGraph(p), c.X, c.U);
        var compiledUj = Diff.Vjp(f).Compile()(c.X, c.U);
        for (int i = 0; i < interpretedJv.Length; i++) Checks.Bitwise(interpretedJv[i], compiledJv[i], $"(Jv)[{i}]");
        for (int k = 0; k < p.Positions.Length; k++)
            Checks.Bitwise(interpretedUj[k], compiledUj[p.Positions[k]], $"(uᵀJ)[{p.Positions[k]}]");
    });

    /// <summary>Every derivative graph (gradient, Hessian-vector product, JVP, VJP) keeps the graph invariants.</summary>
    [Property(MaxTest = Tests)]
    public Property DerivativeGraphs_PassVerifier() => Prop.ForAll(Cases.VectorAtSpecialPoints, c =>
    {
        var scalar = DiffProblem.Create(ExpressionGenerator.ToLambda(c.F.Outputs[0]), null, "test");
        GraphVerifier.Verify(scalar.Function.ToGraph());
        GraphVerifier.Verify(Checks.GradientGraph(scalar));
        GraphVerifier.Verify(Checks.HvpGraph(scalar));
        var vector = DiffProblem.Create(ExpressionGenerator.ToLambda(c.F), null, "test");
        GraphVerifier.Verify(vector.Function.ToGraph());
        GraphVerifier.Verify(Checks.JvpGraph(vector));
        GraphVerifier.Verify(Checks.VjpGraph(vector));
    });
}

/// <summary>The generator itself: coverage of every primitive, and well-formed output.</summary>
public sealed class ExpressionGeneratorTests
{
    private readonly ITestOutputHelper _output;

    public ExpressionGeneratorTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Ops_CoverEveryPrimitiveOfTheRegistry()
    {
        var mapped = ExpressionGenerator.PrimitiveOf.Values.ToHashSet();
        var registry = ExprDiff.Rules.Primitives.Functions.ToHashSet();
        Assert.Equal(registry.Count, Enum.GetValues<Op>().Length);
        Assert.True(registry.SetEquals(mapped),
            "not generated: " + string.Join(", ", registry.Except(mapped).Select(p => p.Name)));
    }

    [Fact]
    public void ThousandTrees_UseEveryPrimitiveAtLeast50Times()
    {
        var trees = ExpressionGenerator.Scalar.Sample(1000);
        var counts = new Dictionary<string, int>();
        foreach (var t in trees) ExpressionGenerator.CountPrimitives(t, counts);
        _output.WriteLine($"1,000 trees: mean size {trees.Average(ExpressionGenerator.Size):F1} nodes, " +
            $"max depth {trees.Max(ExpressionGenerator.Depth)}, mean depth {trees.Average(ExpressionGenerator.Depth):F2}");
        foreach (var (name, n) in counts.OrderByDescending(kv => kv.Value)) _output.WriteLine($"{name,-20} {n,6}");
        foreach (var p in ExprDiff.Rules.Primitives.Functions)
        {
            var ops = ExpressionGenerator.PrimitiveOf.Where(kv => ReferenceEquals(kv.Value, p)).Select(kv => kv.Key.ToString()).ToArray();
            int n = ops.Sum(o => counts.GetValueOrDefault(o));
            Assert.True(n >= 50, $"{p.Name} ({string.Join(", ", ops)}) appears {n} times in 1,000 trees");
        }
        Assert.All(trees, t => Assert.InRange(ExpressionGenerator.Depth(t), 1, ExpressionGenerator.MaxDepth));
    }

    [Fact]
    public void GeneratedTrees_CompileAndPrintAsCSharp()
    {
        foreach (var t in ExpressionGenerator.Scalar.Sample(200))
        {
            var f = ExpressionGenerator.ToLambda(t).Compile();
            _ = Checks.Value(f, [0.5, -1.25, 1.5, 0.25]);
            Assert.NotEmpty(t.ToString());
        }
        foreach (var v in ExpressionGenerator.Vector.Sample(100))
        {
            var y = ExpressionGenerator.ToLambda(v).Compile();
            Assert.InRange(Checks.Value(y, [0.5, -1.25, 1.5, 0.25]).Length, 1, 4);
        }
    }
}
