using System.Diagnostics;
using ExprDiff.Evaluation;
using ExprDiff.Graphs;
using ExprDiff.Optimization;
using ExprDiff.Rules;
using Xunit;

namespace ExprDiff.Tests.Optimization;

/// <summary>
/// Minimal regressions for the library defects that <see cref="PassProperties"/> found, each named after what
/// broke, with its cause and fix. The stack overflow would kill the test
/// process if it came back, so its scenarios run in child test processes.
/// </summary>
public sealed class PassRegressionTests
{
    private const string ProbeVariable = "EXPRDIFF_CRASH_PROBE";

    /// <summary>(−2)·3 with unfolded constants: what the algebraic simplification pass meets after a select
    /// with a constant condition, or in any graph that was not folded first.</summary>
    private static Graph NegativeTimesPositiveConstant()
    {
        var b = new GraphBuilder(RandomGraphs.Names, fold: false, simplify: false);
        return b.Build([b.Mul(b.Constant(-2), b.Constant(3))]);
    }

    /// <summary>(true ? −2 : x) * 3: folding leaves it (x is not constant); simplification then meets (−2)·3.</summary>
    private static Graph SelectOfNegativeConstantTimesConstant()
    {
        var b = new GraphBuilder(RandomGraphs.Names, fold: false, simplify: false);
        int x = b.Input(0, -1);
        return b.Build([b.Mul(b.Select(b.True, b.Constant(-2), x), b.Constant(3))]);
    }

    private static readonly Dictionary<string, Action> Scenarios = new()
    {
        ["builder"] = () =>
        {
            var b = new GraphBuilder(RandomGraphs.Names, fold: false, simplify: true);
            int product = b.Mul(b.Constant(-2), b.Constant(3));
            Assert.True(product >= 0);
        },
        ["algebraic-simplification"] = () => AssertSameValue(NegativeTimesPositiveConstant(), new AlgebraicSimplificationPass().Run),
        ["fast-math"] = () => AssertSameValue(NegativeTimesPositiveConstant(), new FastMathPass().Run),
        ["exact-pipeline"] = () => AssertSameValue(SelectOfNegativeConstantTimesConstant(), g => Optimizer.Optimize(g, OptimizationLevel.Exact, out _)),
    };

    private static void AssertSameValue(Graph graph, Func<Graph, Graph> pass)
    {
        var optimized = pass(graph);
        Assert.Equal(Interpreter.Evaluate(graph, 1.0, 2.0, 3.0), Interpreter.Evaluate(optimized, 1.0, 2.0, 3.0));
    }

    private static GraphBuilder Builder() => new(RandomGraphs.Names, fold: false, simplify: false);

    /// <summary>
    /// <c>MulPrimitive.Simplify</c> and <c>DivPrimitive.Simplify</c> took a negative constant for a negation
    /// (<c>GraphBuilder.NegatedOperand</c> returns |c| for a constant c &lt; 0), so the rule (−a)·b → −(a·b)
    /// turned y·(−2) into −(2·y) and y/(−1.919) into −(y/1.919): one operation became two, where the sign was
    /// free in the literal. (Fixed: those rules now take only <c>Neg</c> nodes, <c>GraphBuilder.NegationOf</c>.)
    /// </summary>
    [Fact]
    public void Algebraic_simplification_keeps_a_negative_constant_factor()
    {
        var b = Builder();
        int y = b.Input(1, -1);
        var product = b.Build([b.Mul(y, b.Constant(-2))]);
        var quotient = b.Build([b.Div(y, b.Constant(-1.919))]);
        foreach (var g in new[] { product, quotient })
        {
            var simplified = new AlgebraicSimplificationPass().Run(g);
            Assert.True(PassChecks.Operations(simplified) <= PassChecks.Operations(g), $"{g}became\n{simplified}");
        }
    }

    /// <summary>
    /// The rule (−a)·b → −(a·b) also fired when the negation −a is used elsewhere too: n = −(y − x) and n·z
    /// became −(y − x) and −(z·(y − x)), two negations where there was one. (Fixed: the rule is gone; only
    /// (−a)·c → a·(−c) for a constant c and (−a)·(−b) → a·b remain, which never add an operation.)
    /// </summary>
    [Fact]
    public void Algebraic_simplification_does_not_duplicate_a_shared_negation()
    {
        var b = Builder();
        int x = b.Input(0, -1), y = b.Input(1, -1), z = b.Input(2, -1);
        int n = b.Neg(b.Sub(y, x));
        var g = b.Build([n, b.Mul(n, z)]);
        var simplified = new AlgebraicSimplificationPass().Run(g);
        Assert.True(PassChecks.Operations(simplified) <= PassChecks.Operations(g), $"{g}became\n{simplified}");
    }

    /// <summary>
    /// The exact pipeline folded constants only in its first pass; a constant that simplification reveals
    /// later (a select with a constant condition; Pow(x, 0.0) → 1 while Pow had that rule) left
    /// Math.Exp(1.0) unfolded, and a second run of the pipeline changed the graph. Likewise the fast-math
    /// pipeline with a zero that fast math reveals after its last folding. (Fixed: the simplifying, fast-math
    /// and strength-reduction passes now fold too; folding is exact.)
    /// </summary>
    [Fact]
    public void Pipelines_fold_the_constants_that_simplification_reveals()
    {
        var b = Builder();
        int x = b.Input(0, -1), y = b.Input(1, -1);
        var exact = b.Build([b.Unary(Primitives.Exp, b.Select(b.True, b.Constant(1.0), x))]);
        var optimized = Optimizer.Optimize(exact, OptimizationLevel.Exact, out _);
        var failures = new List<string>();
        if (PassChecks.Operations(optimized) != 0) failures.Add($"exact pipeline left\n{optimized}");

        int zero = b.Make(Primitives.IntToDouble, b.Make(Primitives.DoubleToInt, b.Mul(x, b.Constant(0.0))));
        var fast = b.Build([b.Unary(Primitives.Exp, b.Mul(zero, y))]);
        var fastOptimized = Optimizer.Optimize(fast, OptimizationLevel.FastMath, out _);
        if (PassChecks.Operations(fastOptimized) != 0) failures.Add($"fast-math pipeline left\n{fastOptimized}");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>
    /// <see cref="FastMathPass"/> applied its rules to the node it was given, not to what the builder's exact
    /// simplification made of it: y + (−y) became y − y (a + (−b) → a − b) but not 0, and z − (−(x·0))
    /// became z + 0 but not z; a second run finished the job. (Fixed: the rules are now applied again to what
    /// the builder returns, until nothing changes.)
    /// </summary>
    [Fact]
    public void Fast_math_pass_applies_its_rules_to_what_simplification_makes()
    {
        var b = Builder();
        int x = b.Input(0, -1), y = b.Input(1, -1), z = b.Input(2, -1);
        var sum = b.Build([b.Add(y, b.Neg(y))]);
        var difference = b.Build([b.Sub(z, b.Neg(b.Mul(x, b.Constant(0.0))))]);
        foreach (var g in new[] { sum, difference })
        {
            var once = new FastMathPass().Run(g);
            var twice = new FastMathPass().Run(once);
            Assert.True(ReferenceEquals(once, twice), $"once:\n{once}twice:\n{twice}");
        }
    }

    /// <summary>
    /// <see cref="StrengthReductionPass"/> wrote x⁻¹ as 1/x without looking at x: for a power-of-two
    /// constant x, 1/x is itself a division by a power of two that the next run turned into 1·(1/x). Only
    /// unfolded graphs have PowInt of a constant, so this was harmless in the pipelines, but broke
    /// idempotence. (Fixed: the pass now folds, so PowInt of a constant becomes a constant.)
    /// </summary>
    [Fact]
    public void Strength_reduction_of_the_reciprocal_of_a_power_of_two_is_idempotent()
    {
        var b = Builder();
        var g = b.Build([b.PowInt(b.Constant(-1), -1)]);
        var once = new StrengthReductionPass(fastMath: false).Run(g);
        var twice = new StrengthReductionPass(fastMath: false).Run(once);
        Assert.True(ReferenceEquals(once, twice), $"once:\n{once}twice:\n{twice}");
    }

    /// <summary>
    /// Exact simplification drops an operand it proves irrelevant (select(c, a, a) → a, PowInt(x, 0) → 1),
    /// even where evaluating that operand throws (<c>Math.Clamp(x, 2, 1)</c> throws ArgumentException). The
    /// contract, documented on <see cref="OptimizationLevel.Exact"/>, is about values: an exception that no
    /// output's value depends on may disappear, as dead code does in any compiler. The value, when the
    /// original returns one, never changes; this test pins the documented behaviour.
    /// </summary>
    [Fact]
    public void Exact_simplification_may_drop_an_exception_no_value_depends_on()
    {
        var b = Builder();
        int x = b.Input(0, -1);
        int clamp = b.Make(Primitives.Clamp, x, b.Constant(2), b.Constant(1));
        var power = b.Build([b.PowInt(clamp, 0)]);
        var select = b.Build([b.Select(b.Compare(System.Linq.Expressions.ExpressionType.LessThan, clamp, x), x, x)]);
        foreach (var (g, expected) in new[] { (power, 1.0), (select, 0.5) })
        {
            Assert.Throws<ArgumentException>(() => Interpreter.Evaluate(g, 0.5, 0.0, 0.0));
            var optimized = Optimizer.Optimize(g, OptimizationLevel.Exact, out _);
            Assert.Equal(expected, Interpreter.Evaluate(optimized, 0.5, 0.0, 0.0)[0]);
        }
    }

    /// <summary>
    /// <c>PowPrimitive.Simplify</c> (Core/Rules/MathPrimitives.cs) rewrote <c>Math.Pow(x, k)</c> for a constant
    /// integer |k| ≤ 8 as <c>Intrinsics.PowInt(x, k)</c> (x·x for k = 2, 1/x for k = −1) in every simplifying
    /// builder, the exact algebraic simplification pass included. Its own comment said why that is not exact:
    /// the platform's pow is not correctly rounded (glibc's differs from the correctly rounded PowInt by one
    /// ulp for about one x in 1200 of [−3, 3], e.g. Math.Pow(−0.928135, 2)), so at
    /// <see cref="OptimizationLevel.Exact"/> the result was not bit for bit what the graph computed. (Fixed:
    /// the importer makes that choice once, on import; no pass rewrites a Math.Pow.)
    /// </summary>
    [Fact]
    public void Exact_simplification_keeps_Math_Pow_with_a_constant_integer_exponent_bit_for_bit()
    {
        var failures = new List<string>();
        foreach (int k in new[] { 2, 3, -1, -2 })
        {
            double? witness = null;
            var random = new Random(k + 100);
            for (int i = 0; i < 1_000_000 && witness is null; i++)
            {
                double x = random.NextDouble() * 6 - 3;
                if (!PassChecks.SameBits(Math.Pow(x, k), Intrinsics.PowInt(x, k))) witness = x;
            }
            if (witness is not double w) continue; // this platform's pow agrees: the rewrite is exact here
            var b = Builder();
            var g = b.Build([b.Binary(Primitives.Pow, b.Input(0, -1), b.Constant(k))]);
            foreach (var (name, run) in new (string, Func<Graph, Graph>)[]
            {
                ("algebraic simplification", new AlgebraicSimplificationPass().Run),
                ("exact pipeline", h => Optimizer.Optimize(h, OptimizationLevel.Exact, out _)),
            })
            {
                double expected = Interpreter.Evaluate(g, w, 0.0, 0.0)[0], actual = Interpreter.Evaluate(run(g), w, 0.0, 0.0)[0];
                if (!PassChecks.SameBits(expected, actual))
                    failures.Add($"{name}: Math.Pow({RandomGraphs.Describe(w)}, {k}) = {RandomGraphs.Describe(expected)}, optimized {RandomGraphs.Describe(actual)}");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>
    /// <c>MulPrimitive.Simplify</c> (Core/Rules/ArithmeticPrimitives.cs) recursed forever on a product of two
    /// double constants of which exactly one is negative (sign bit set, not NaN: −2, −0.0, −∞), in a builder
    /// that simplifies without folding — then the builders of <see cref="AlgebraicSimplificationPass"/> and
    /// <see cref="FastMathPass"/>. For <c>(−2)·3</c>: <c>GraphBuilder.NegatedOperand(−2)</c> is the constant 2,
    /// so "(−a)·c → a·(−c)" made <c>2·(−3)</c>; there <c>NegatedOperand(−3)</c> is 3 and "c·(−b) → (−c)·b"
    /// made <c>(−2)·3</c> again, until the stack overflowed and the process died. Graphs reached it when
    /// simplification revealed a constant after folding: <c>(true ? −2 : x) * 3</c> crashed the exact
    /// pipeline. (Fixed: the sign rules take only <c>Neg</c> nodes, and the passes fold.) Each scenario runs
    /// in a child test process (<see cref="CrashProbe"/>), so that a relapse fails this test instead of
    /// killing the test run.
    /// </summary>
    [Fact]
    public void Product_of_opposite_signed_constants_is_simplified_without_recursing_forever()
    {
        var results = Scenarios.Keys.AsParallel().Select(name => (Name: name, Result: RunProbe(name))).ToList();
        var crashed = results.Where(r => r.Result.ExitCode != 0).ToList();
        Assert.True(crashed.Count == 0,
            string.Join("\n\n", crashed.Select(r => $"scenario '{r.Name}' failed (exit code {r.Result.ExitCode}):\n{r.Result.Output}")));
    }

    /// <summary>Runs one scenario when the child process asks for it; does nothing in a normal test run.</summary>
    [Fact]
    public void CrashProbe()
    {
        var name = Environment.GetEnvironmentVariable(ProbeVariable);
        if (string.IsNullOrEmpty(name)) return;
        Scenarios[name]();
    }

    private static (int ExitCode, string Output) RunProbe(string name)
    {
        string assembly = typeof(PassRegressionTests).Assembly.Location;
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
        };
        foreach (var arg in new[] { "test", assembly, "--filter", $"FullyQualifiedName={typeof(PassRegressionTests).FullName}.{nameof(CrashProbe)}" })
            start.ArgumentList.Add(arg);
        start.Environment[ProbeVariable] = name;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out");
        }
        string output = stdout.Result + stderr.Result;
        var lines = output.Split('\n');
        // The first lines of the child's report name the failure; a stack overflow repeats one frame thousands of times.
        string summary = string.Join("\n", lines.Where(l => !l.TrimStart().StartsWith("at ", StringComparison.Ordinal)).Take(25))
            + "\n" + string.Join("\n", lines.Where(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal)).Take(8));
        return (process.ExitCode, summary);
    }

    /// <summary>Fast-math rewrote whatever a node simplified into, reading three operands even of a loop (x·1.0 → the sum).</summary>
    [Fact]
    public void Fast_math_leaves_a_loop_a_product_simplified_into_alone()
    {
        System.Linq.Expressions.Expression<Func<double[], double>> f = x => Enumerable.Range(0, x.Length).Sum(i => x[i] * x[i]) * 1.0;
        var g = Diff.Gradient(f, new DiffOptions { Optimization = OptimizationLevel.FastMath }).Compile()([1.5, -2.0]);
        Assert.Equal(new[] { 3.0, -4.0 }, g);
    }
}
