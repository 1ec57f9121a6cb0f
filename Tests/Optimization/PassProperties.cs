using ExprDiff.Evaluation;
using ExprDiff.Graphs;
using ExprDiff.Optimization;
using ExprDiff.Rules;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;
using Xunit.Abstractions;

namespace ExprDiff.Tests.Optimization;

/// <summary>
/// Properties of every exact optimization pass and of the exact pipeline on random graphs
/// (<see cref="RandomGraphs"/>), 300 cases each, 8 points per case:
/// <list type="bullet">
/// <item>the result evaluates bit for bit as the input through the interpreter (any NaN equals any NaN;
/// −0.0 is not +0.0); where the input throws (Math.Clamp with crossed bounds) the result throws the same
/// exception type, or — a known deviation with its own regression test — returns;</item>
/// <item>running the pass again returns the very same instance;</item>
/// <item>the result passes <see cref="GraphVerifier.Verify"/>;</item>
/// <item>it adds no operation (fusion: one SinCos per fused pair, one PowInts per family of powers) and no node, beyond the constants that
/// strength reduction and simplification introduce (x/2 → x*0.5, c·(−x) → (−c)·x).</item>
/// </list>
/// And for fast math: agreement to a relative <see cref="FastMath.Tolerance"/> at well-conditioned ordinary
/// points, idempotence up to node count, verified results. The defects these properties found are pinned down
/// by <see cref="PassRegressionTests"/>.
/// </summary>
public sealed class PassProperties
{
    private const int Tests = 300;

    private static Graph Folding(Graph g) => new ConstantFoldingPass().Run(g);
    private static Graph Algebra(Graph g) => new AlgebraicSimplificationPass().Run(g);
    private static Graph Strength(Graph g) => new StrengthReductionPass(fastMath: false).Run(g);
    private static Graph Cse(Graph g) => new CommonSubexpressionPass().Run(g);
    private static Graph Dce(Graph g) => new DeadCodeEliminationPass().Run(g);
    private static Graph Fusion(Graph g) => new FusionPass().Run(g);
    private static Graph Exact(Graph g) => Optimizer.Optimize(g, OptimizationLevel.Exact, out _);

    // Rewrite passes re-intern every node, so they also take graphs holding duplicate nodes (which
    // GraphVerifier rejects, but CommonSubexpressionPass exists for). Dead-code elimination copies its input's
    // nodes as they are and is only ever run after CSE: hash-consed graphs only. So is fusion's idempotence:
    // it pairs Sin(a) and Cos(a) by a's index in its input, so on a graph with two copies of a it misses the
    // pair that its own re-interning then creates, and a second run fuses it.
    private static Arbitrary<GraphCase> Any => RandomGraphs.CasesWithDuplicates;
    private static Arbitrary<GraphCase> HashConsed => RandomGraphs.Cases;

    // ----- bit-for-bit values ------------------------------------------------------------------------

    [Property(MaxTest = Tests)] public Property ConstantFolding_PreservesValues() => Prop.ForAll(Any, c => PassChecks.SameValues(c, Folding(c.Graph)));
    [Property(MaxTest = Tests)] public Property AlgebraicSimplification_PreservesValues() => Prop.ForAll(Any, c => PassChecks.SameValues(c, Algebra(c.Graph)));
    [Property(MaxTest = Tests)] public Property StrengthReduction_PreservesValues() => Prop.ForAll(Any, c => PassChecks.SameValues(c, Strength(c.Graph)));
    [Property(MaxTest = Tests)] public Property CommonSubexpression_PreservesValues() => Prop.ForAll(Any, c => PassChecks.SameValues(c, Cse(c.Graph)));
    [Property(MaxTest = Tests)] public Property DeadCodeElimination_PreservesValues() => Prop.ForAll(HashConsed, c => PassChecks.SameValues(c, Dce(c.Graph)));
    [Property(MaxTest = Tests)] public Property Fusion_PreservesValues() => Prop.ForAll(Any, c => PassChecks.SameValues(c, Fusion(c.Graph)));
    [Property(MaxTest = Tests)] public Property ExactPipeline_PreservesValues() => Prop.ForAll(Any, c => PassChecks.SameValues(c, Exact(c.Graph)));

    // ----- idempotence ---------------------------------------------------------------------------------

    [Property(MaxTest = Tests)] public Property ConstantFolding_IsIdempotent() => Prop.ForAll(Any, c => PassChecks.Idempotent(c, Folding));
    [Property(MaxTest = Tests)] public Property AlgebraicSimplification_IsIdempotent() => Prop.ForAll(Any, c => PassChecks.Idempotent(c, Algebra));
    [Property(MaxTest = Tests)] public Property StrengthReduction_IsIdempotent() => Prop.ForAll(Any, c => PassChecks.Idempotent(c, Strength));
    [Property(MaxTest = Tests)] public Property CommonSubexpression_IsIdempotent() => Prop.ForAll(Any, c => PassChecks.Idempotent(c, Cse));
    [Property(MaxTest = Tests)] public Property DeadCodeElimination_IsIdempotent() => Prop.ForAll(HashConsed, c => PassChecks.Idempotent(c, Dce));
    [Property(MaxTest = Tests)] public Property Fusion_IsIdempotent() => Prop.ForAll(HashConsed, c => PassChecks.Idempotent(c, Fusion));
    [Property(MaxTest = Tests)] public Property ExactPipeline_IsIdempotent() => Prop.ForAll(Any, c => PassChecks.Idempotent(c, Exact));

    // ----- well-formed results -------------------------------------------------------------------------

    [Property(MaxTest = Tests)] public Property ConstantFolding_ResultVerifies() => Prop.ForAll(Any, c => PassChecks.Verifies(c, Folding(c.Graph)));
    [Property(MaxTest = Tests)] public Property AlgebraicSimplification_ResultVerifies() => Prop.ForAll(Any, c => PassChecks.Verifies(c, Algebra(c.Graph)));
    [Property(MaxTest = Tests)] public Property StrengthReduction_ResultVerifies() => Prop.ForAll(Any, c => PassChecks.Verifies(c, Strength(c.Graph)));
    [Property(MaxTest = Tests)] public Property CommonSubexpression_ResultVerifies() => Prop.ForAll(Any, c => PassChecks.Verifies(c, Cse(c.Graph)));
    [Property(MaxTest = Tests)] public Property DeadCodeElimination_ResultVerifies() => Prop.ForAll(HashConsed, c => PassChecks.Verifies(c, Dce(c.Graph)));
    [Property(MaxTest = Tests)] public Property Fusion_ResultVerifies() => Prop.ForAll(Any, c => PassChecks.Verifies(c, Fusion(c.Graph)));
    [Property(MaxTest = Tests)] public Property ExactPipeline_ResultVerifies() => Prop.ForAll(Any, c => PassChecks.Verifies(c, Exact(c.Graph)));

    // ----- no growth -----------------------------------------------------------------------------------

    [Property(MaxTest = Tests)] public Property ConstantFolding_DoesNotGrow() => Prop.ForAll(Any, c => PassChecks.DoesNotGrow(c, Folding(c.Graph), 0));
    [Property(MaxTest = Tests)] public Property AlgebraicSimplification_DoesNotGrow() => Prop.ForAll(Any, c => PassChecks.DoesNotGrow(c, Algebra(c.Graph), 0, newConstants: true));
    [Property(MaxTest = Tests)] public Property StrengthReduction_DoesNotGrow() => Prop.ForAll(Any, c => PassChecks.DoesNotGrow(c, Strength(c.Graph), 0, newConstants: true));
    [Property(MaxTest = Tests)] public Property CommonSubexpression_DoesNotGrow() => Prop.ForAll(Any, c => PassChecks.DoesNotGrow(c, Cse(c.Graph), 0));
    [Property(MaxTest = Tests)] public Property DeadCodeElimination_DoesNotGrow() => Prop.ForAll(HashConsed, c => PassChecks.DoesNotGrow(c, Dce(c.Graph), 0));
    [Property(MaxTest = Tests)] public Property Fusion_GrowsByAtMostOnePerFusedGroup() => Prop.ForAll(Any, c => PassChecks.DoesNotGrow(c, Fusion(c.Graph), RandomGraphs.FusedGroups(c.Graph)));
    [Property(MaxTest = Tests)] public Property ExactPipeline_DoesNotGrow() => Prop.ForAll(Any, c => PassChecks.DoesNotGrow(c, Exact(c.Graph), RandomGraphs.FusedGroups(c.Graph), newConstants: true));

    // ----- fast math -----------------------------------------------------------------------------------

    private static Graph FastPipeline(Graph g) => Optimizer.Optimize(g, OptimizationLevel.FastMath, out _);
    private static Graph FastAlgebra(Graph g) => new FastMathPass().Run(g);
    private static Graph FastStrength(Graph g) => new StrengthReductionPass(fastMath: true).Run(g);

    [Property(MaxTest = Tests)] public Property FastMathPipeline_AgreesWithinTolerance() => Prop.ForAll(RandomGraphs.SafeCases, c => FastMath.Agrees(c, FastPipeline(c.Graph)));
    [Property(MaxTest = Tests)] public Property FastMathPass_AgreesWithinTolerance() => Prop.ForAll(RandomGraphs.SafeCases, c => FastMath.Agrees(c, FastAlgebra(c.Graph)));
    [Property(MaxTest = Tests)] public Property FastStrengthReduction_AgreesWithinTolerance() => Prop.ForAll(RandomGraphs.SafeCases, c => FastMath.Agrees(c, FastStrength(c.Graph)));

    [Property(MaxTest = Tests)] public Property FastMathPipeline_IsIdempotentUpToNodeCount() => Prop.ForAll(Any, c => PassChecks.IdempotentUpToCount(c, FastPipeline));
    [Property(MaxTest = Tests)] public Property FastMathPass_IsIdempotentUpToNodeCount() => Prop.ForAll(Any, c => PassChecks.IdempotentUpToCount(c, FastAlgebra));
    [Property(MaxTest = Tests)] public Property FastStrengthReduction_IsIdempotentUpToNodeCount() => Prop.ForAll(Any, c => PassChecks.IdempotentUpToCount(c, FastStrength));

    [Property(MaxTest = Tests)] public Property FastMath_ResultVerifies() => Prop.ForAll(Any, c =>
    {
        PassChecks.Verifies(c, FastPipeline(c.Graph));
        PassChecks.Verifies(c, FastAlgebra(c.Graph));
        PassChecks.Verifies(c, FastStrength(c.Graph));
    });

    // ----- the report ----------------------------------------------------------------------------------

    [Property(MaxTest = 100)]
    public Property Report_ListsEveryPassWithChainedCounts() => Prop.ForAll(Any, c =>
    {
        foreach (var level in new[] { OptimizationLevel.None, OptimizationLevel.Exact, OptimizationLevel.FastMath })
            PassChecks.Report(c.Graph, level);
    });

    [Fact]
    public void Report_of_a_small_graph()
    {
        var b = new GraphBuilder(RandomGraphs.Names, fold: false, simplify: false);
        int x = b.Input(0, -1);
        int y = b.Add(b.Mul(x, b.Constant(1)), b.Mul(b.Unary(Primitives.Sin, x), b.Unary(Primitives.Cos, x)));
        var g = b.Build([y]);
        foreach (var level in new[] { OptimizationLevel.None, OptimizationLevel.Exact, OptimizationLevel.FastMath })
            PassChecks.Report(g, level);
        var optimized = Optimizer.Optimize(g, OptimizationLevel.Exact, out var report);
        Assert.Equal(g.NodeCount, report.NodesBefore);
        Assert.Equal(optimized.NodeCount, report.NodesAfter);
    }

    // ----- the fusion pass's premise -------------------------------------------------------------------

    /// <summary>FusionPass turns Sin(a), Cos(a) into one Math.SinCos(a) in exact mode: that is only exact if
    /// SinCos returns Sin's and Cos's bits. 10 million log-uniform magnitudes in [1e-300, 1e300] with random
    /// signs, 2 million uniform in [−10, 10], and the special values.</summary>
    [Fact]
    public void SinCos_equals_Sin_and_Cos_bit_for_bit()
    {
        const int LogUniform = 10_000_000, Uniform = 2_000_000, Chunks = 64;
        var mismatches = new System.Collections.Concurrent.ConcurrentQueue<double>();
        Parallel.For(0, Chunks, chunk =>
        {
            var random = new Random(12345 + chunk);
            int count = (LogUniform + Uniform) / Chunks;
            for (int i = 0; i < count; i++)
            {
                double x = i < LogUniform / Chunks
                    ? (random.Next(2) == 0 ? -1 : 1) * Math.Pow(10, random.NextDouble() * 600 - 300)
                    : random.NextDouble() * 20 - 10;
                if (!SinCosAgrees(x)) mismatches.Enqueue(x);
            }
        });
        double[] specials =
        [
            0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, -double.Epsilon,
            double.MaxValue, double.MinValue, 2.2250738585072014E-308, Math.PI, Math.PI / 2, -Math.PI / 2, 2 * Math.PI,
            1e22, 1e300, 6381956970095103.0 * Math.ScaleB(1, 797), 5.319372648326541e+255, 0.5, 1.0,
        ];
        foreach (var x in specials)
            if (!SinCosAgrees(x)) mismatches.Enqueue(x);
        Assert.True(mismatches.IsEmpty,
            $"{mismatches.Count} mismatches, e.g. {string.Join(", ", mismatches.Take(5).Select(RandomGraphs.Describe))}");
    }

    private static bool SinCosAgrees(double x)
    {
        var (s, c) = Math.SinCos(x);
        return PassChecks.SameBits(s, Math.Sin(x)) && PassChecks.SameBits(c, Math.Cos(x));
    }
}

/// <summary>The assertions behind <see cref="PassProperties"/>.</summary>
internal static class PassChecks
{
    /// <summary>Equal bits, except that any NaN equals any NaN. −0.0 is not +0.0.</summary>
    public static bool SameBits(double a, double b) =>
        double.IsNaN(a) ? double.IsNaN(b) : BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b);

    /// <summary>The outputs at a point, or the type of the exception evaluation threw.</summary>
    public static (double[]? Values, Type? Thrown) Evaluate(Graph g, double[] p)
    {
        try
        {
            return (Interpreter.Evaluate(g, p[0], p[1], p[2]), null);
        }
        catch (Exception e)
        {
            return (null, e.GetType());
        }
    }

    /// <summary>
    /// The graph without the nodes its outputs do not need (a plain copy, not the pass under test). The
    /// interpreter evaluates every node, so a dead <c>Math.Clamp</c> whose bounds cross would make the
    /// original throw where the program the graph stands for (and its optimized form) would not.
    /// </summary>
    public static Graph LiveOnly(Graph g)
    {
        var live = FastMath.Live(g);
        var map = new int[g.NodeCount];
        var nodes = new List<Node>();
        for (int i = 0; i < g.NodeCount; i++)
        {
            if (!live[i]) continue;
            var n = g[i];
            map[i] = nodes.Count;
            nodes.Add(new Node(n.Op, n.Kind, n.A >= 0 ? map[n.A] : -1, n.B >= 0 ? map[n.B] : -1, n.C >= 0 ? map[n.C] : -1,
                n.Aux, n.Aux2, n.Value));
        }
        var outputs = new int[g.OutputCount];
        for (int k = 0; k < outputs.Length; k++) outputs[k] = map[g.Outputs[k]];
        return new Graph([.. nodes], outputs, g.ParameterNames);
    }

    public static void SameValues(GraphCase c, Graph optimized)
    {
        var original = LiveOnly(c.Graph);
        var result = LiveOnly(optimized);
        foreach (var p in c.Points)
        {
            var (expected, expectedThrown) = Evaluate(original, p);
            var (actual, actualThrown) = Evaluate(result, p);
            // Exact simplification drops an operand it proves irrelevant (select(c, a, a) → a, x⁰ → 1) even
            // where evaluating it throws (Math.Clamp with crossed bounds): a known deviation, pinned down by
            // PassRegressionTests.Exact_simplification_keeps_the_exception_of_a_clamp_it_discards. The
            // optimizer must never make a graph throw that did not, nor change which exception is thrown.
            if (expectedThrown is not null && actualThrown is null) continue;
            if (expectedThrown != actualThrown)
                Assert.Fail($"at {RandomGraphs.Format(p)} the original {(expectedThrown is null ? "returned" : "threw " + expectedThrown.Name)} " +
                            $"but the optimized graph {(actualThrown is null ? "returned" : "threw " + actualThrown.Name)}\n" +
                            $"optimized:\n{optimized}");
            if (expected is null || actual is null) continue;
            Assert.Equal(expected.Length, actual.Length);
            for (int k = 0; k < expected.Length; k++)
                if (!SameBits(expected[k], actual[k]))
                    Assert.Fail($"output {k} at {RandomGraphs.Format(p)}: original {RandomGraphs.Describe(expected[k])}, " +
                                $"optimized {RandomGraphs.Describe(actual[k])}\noptimized:\n{optimized}");
        }
    }

    public static void Idempotent(GraphCase c, Func<Graph, Graph> run)
    {
        var once = run(c.Graph);
        var twice = run(once);
        if (ReferenceEquals(once, twice)) return;
        string how = SameNodes(once, twice) ? "an equal copy (same nodes), not the same instance" : "a different graph";
        Assert.Fail($"running again gave {how}\nonce:\n{once}\ntwice:\n{twice}");
    }

    public static void IdempotentUpToCount(GraphCase c, Func<Graph, Graph> run)
    {
        var once = run(c.Graph);
        var twice = run(once);
        if (once.NodeCount != twice.NodeCount)
            Assert.Fail($"running again changed the node count {once.NodeCount} → {twice.NodeCount}\nonce:\n{once}\ntwice:\n{twice}");
    }

    public static bool SameNodes(Graph a, Graph b)
    {
        if (a.NodeCount != b.NodeCount || !a.Outputs.SequenceEqual(b.Outputs)) return false;
        for (int i = 0; i < a.NodeCount; i++)
            if (NodeKey.Of(a[i]) != NodeKey.Of(b[i])) return false;
        return true;
    }

    public static void Verifies(GraphCase c, Graph optimized)
    {
        try
        {
            GraphVerifier.Verify(optimized);
        }
        catch (InvalidOperationException e)
        {
            Assert.Fail($"{e.Message}\noptimized:\n{optimized}");
        }
        Assert.Equal(c.Graph.OutputCount, optimized.OutputCount);
    }

    /// <summary>
    /// The pass adds no node, beyond <paramref name="allowance"/> (fusion: one SinCos node per fused pair, one PowInts per family) and,
    /// where <paramref name="newConstants"/>, the constants it introduces (strength reduction writes x/2 as
    /// x*0.5 and x⁻¹ as 1/x; a constant is a literal in the exported code, so it costs nothing at run time
    /// — but operations are never allowed to grow).
    /// </summary>
    public static void DoesNotGrow(GraphCase c, Graph optimized, int allowance, bool newConstants = false)
    {
        int added = newConstants ? NewConstants(c.Graph, optimized) : 0;
        int before = Operations(c.Graph), after = Operations(optimized);
        if (after > before + allowance)
            Assert.Fail($"{before} operations became {after} (allowed: +{allowance})\noptimized:\n{optimized}");
        if (optimized.NodeCount > c.Graph.NodeCount + allowance + added)
            Assert.Fail($"{c.Graph.NodeCount} nodes became {optimized.NodeCount} (allowed: +{allowance}, new constants: {added})\noptimized:\n{optimized}");
    }

    /// <summary>Nodes that compute something: neither constants nor inputs.</summary>
    public static int Operations(Graph g)
    {
        int count = 0;
        foreach (var n in g.Nodes)
            if (!ReferenceEquals(n.Op, Primitives.Constant) && !ReferenceEquals(n.Op, Primitives.Input)) count++;
        return count;
    }

    /// <summary>Constants of <paramref name="after"/> that <paramref name="before"/> does not have.</summary>
    public static int NewConstants(Graph before, Graph after)
    {
        var had = new HashSet<NodeKey>();
        foreach (var n in before.Nodes)
            if (ReferenceEquals(n.Op, Primitives.Constant)) had.Add(NodeKey.Of(n));
        int count = 0;
        foreach (var n in after.Nodes)
            if (ReferenceEquals(n.Op, Primitives.Constant) && !had.Contains(NodeKey.Of(n))) count++;
        return count;
    }

    public static void Report(Graph graph, OptimizationLevel level)
    {
        var result = Optimizer.Optimize(graph, level, out var report);
        var expected = Optimizer.Pipeline(level).Select(p => p.Name).ToArray();
        Assert.Equal(level, report.Level);
        Assert.Equal(expected, report.Passes.Select(p => p.Pass).ToArray());
        if (report.Passes.Count == 0)
        {
            Assert.Same(graph, result);
            return;
        }
        Assert.Equal(graph.NodeCount, report.Passes[0].NodesBefore);
        for (int i = 0; i + 1 < report.Passes.Count; i++)
            Assert.Equal(report.Passes[i].NodesAfter, report.Passes[i + 1].NodesBefore);
        Assert.Equal(result.NodeCount, report.Passes[^1].NodesAfter);
        Assert.Equal(report.Passes[0].NodesBefore, report.NodesBefore);
        Assert.Equal(report.Passes[^1].NodesAfter, report.NodesAfter);
        string text = report.ToString();
        foreach (var name in expected) Assert.Contains(name, text);
    }
}

/// <summary>
/// Fast-math agreement. Fast math changes the rounding of the nodes it rewrites by a few ulps and the
/// special values (signed zeros, ∞, NaN) it meets, so it can only agree with the exact graph where the
/// exact graph is insensitive to those: at a point where every live value of the original graph is finite
/// and moderate (zero or 1e-200 ≤ |v| ≤ 1e200), where negating any computed zero (one at a time) moves no
/// output, and where perturbing every computed value by a random relative 1e-15 (about 4.5 ulp), and every
/// zero by a random sign, moves no output by more than a relative <see cref="Conditioning"/> (six trials),
/// and where no comparison compares nearly equal values and no floor, ceiling, round or truncation sits
/// nearly on a jump. There the fast-math result must agree to <see cref="Tolerance"/>.
/// Elsewhere (cancellation, a floor or comparison on the edge, a signed zero that matters) no fixed
/// relative tolerance holds: see <see cref="FastMathToleranceSurvey"/>.
/// </summary>
internal static class FastMath
{
    public const double Tolerance = 1e-9;
    public const double Conditioning = 1e-12;
    public const double Perturbation = 1e-15;
    private const int Trials = 6;

    public enum Verdict { Thrown, NotOrdinary, IllConditioned, Agrees, Disagrees }

    public static void Agrees(GraphCase c, Graph fast)
    {
        Assert.False(RandomGraphs.HasSpecialConstant(c.Graph), "the generator made a special constant");
        int seed = 17;
        foreach (var p in c.Points)
        {
            var (verdict, error, _) = Compare(c.Graph, fast, p, seed++);
            if (verdict == Verdict.Disagrees)
                Assert.Fail($"at {RandomGraphs.Format(p)} fast math is off by a relative {error:E3} > {Tolerance:E0}\nfast:\n{fast}");
        }
    }

    /// <summary>Compares at one point: the verdict, the relative error and the measured sensitivity.</summary>
    public static (Verdict Verdict, double Error, double Sensitivity) Compare(Graph original, Graph fast, double[] p, int seed)
    {
        double[] all;
        try
        {
            all = Interpreter.EvaluateAll(original, p[0], p[1], p[2]);
        }
        catch (Exception)
        {
            return (Verdict.Thrown, 0, 0);
        }
        var live = Live(original);
        for (int i = 0; i < original.NodeCount; i++)
            if (live[i] && original[i].Kind == ValueKind.Double && !Ordinary(all[i]))
                return (Verdict.NotOrdinary, 0, 0);

        var y = new double[original.OutputCount];
        for (int k = 0; k < y.Length; k++) y[k] = all[original.Outputs[k]];

        var random = new Random(seed);
        double sensitivity = OnEdge(original, all, live) ? double.PositiveInfinity : 0;
        // The sign of each zero, one at a time: where it matters (Atan2(±0, x), 1/±0...) fast math may differ.
        for (int i = 0; i < original.NodeCount && sensitivity <= Conditioning; i++)
        {
            if (!live[i] || original[i].Kind != ValueKind.Double || all[i] != 0 || ReferenceEquals(original[i].Op, Primitives.Input)) continue;
            double[] flipped;
            try
            {
                flipped = Perturbed(original, p, null, i);
            }
            catch (ArgumentException)
            {
                sensitivity = double.PositiveInfinity;
                break;
            }
            for (int k = 0; k < y.Length; k++) sensitivity = Math.Max(sensitivity, Relative(flipped[k], y[k]));
        }
        for (int t = 0; t < Trials && sensitivity <= Conditioning; t++)
        {
            double[] perturbed;
            try
            {
                perturbed = Perturbed(original, p, random, -1);
            }
            catch (ArgumentException)
            {
                // A clamp whose perturbed bounds cross: the point sits on an edge.
                sensitivity = double.PositiveInfinity;
                break;
            }
            for (int k = 0; k < y.Length; k++) sensitivity = Math.Max(sensitivity, Relative(perturbed[k], y[k]));
        }

        double[] f = Interpreter.Evaluate(fast, p[0], p[1], p[2]); // must not throw where the original does not
        double error = 0;
        for (int k = 0; k < y.Length; k++) error = Math.Max(error, Relative(f[k], y[k]));
        if (!(sensitivity <= Conditioning)) return (Verdict.IllConditioned, error, sensitivity);
        return (error <= Tolerance ? Verdict.Agrees : Verdict.Disagrees, error, sensitivity);
    }

    /// <summary>Whether a live comparison compares (nearly) equal doubles, or a live rounding function's
    /// argument (nearly) sits on a jump: a change of an ulp or two there, which fast math may make, flips
    /// the result, and random perturbation finds that only by chance.</summary>
    private static bool OnEdge(Graph g, double[] v, bool[] live)
    {
        const double Near = 1e-12;
        for (int i = 0; i < g.NodeCount; i++)
        {
            if (!live[i]) continue;
            var n = g[i];
            if (n.Op is ComparisonPrimitive && g[n.A].Kind == ValueKind.Double && n.A != n.B)
            {
                double a = v[n.A], b = v[n.B];
                if (Math.Abs(a - b) <= Near * Math.Max(Math.Abs(a), Math.Abs(b))) return true;
            }
            else if (ReferenceEquals(n.Op, Primitives.Floor) || ReferenceEquals(n.Op, Primitives.Ceiling)
                || ReferenceEquals(n.Op, Primitives.Truncate) || ReferenceEquals(n.Op, Primitives.DoubleToInt)
                || ReferenceEquals(n.Op, Primitives.Round))
            {
                double a = v[n.A];
                double jump = ReferenceEquals(n.Op, Primitives.Round) ? Math.Floor(a) + 0.5 : Math.Round(a);
                if (Math.Abs(a - jump) <= Near * Math.Max(1, Math.Abs(a))) return true;
            }
        }
        return false;
    }

    private static bool Ordinary(double v) => v == 0 || (Math.Abs(v) >= 1e-200 && Math.Abs(v) <= 1e200);

    /// <summary>|a − b| / |b|; 0 when both are zero (of either sign), ∞ when only b is.</summary>
    public static double Relative(double a, double b)
    {
        if (b == 0) return a == 0 ? 0 : double.PositiveInfinity;
        double r = Math.Abs(a - b) / Math.Abs(b);
        return double.IsNaN(r) ? double.PositiveInfinity : r;
    }

    public static bool[] Live(Graph g)
    {
        var live = new bool[g.NodeCount];
        foreach (int o in g.Outputs) live[o] = true;
        for (int i = g.NodeCount - 1; i >= 0; i--)
        {
            if (!live[i]) continue;
            var n = g[i];
            for (int j = 0; j < n.Arity; j++) live[n.Operand(j)] = true;
        }
        return live;
    }

    /// <summary>The interpreter's loop, with every computed double scaled by 1 + u·1e-15 (u uniform in
    /// [−1, 1]) and every computed zero given a random sign; or, without <paramref name="random"/>, only the
    /// value of node <paramref name="negate"/> negated.</summary>
    private static double[] Perturbed(Graph g, double[] p, Random? random, int negate)
    {
        var v = new double[g.NodeCount];
        for (int i = 0; i < g.NodeCount; i++)
        {
            var n = g[i];
            if (ReferenceEquals(n.Op, Primitives.Input)) { v[i] = p[n.Aux]; continue; }
            double r = n.Op.Evaluate(n.A >= 0 ? v[n.A] : 0, n.B >= 0 ? v[n.B] : 0, n.C >= 0 ? v[n.C] : 0, n);
            if (random is null)
            {
                if (i == negate) r = -r;
            }
            else if (n.Kind == ValueKind.Double && !ReferenceEquals(n.Op, Primitives.Constant))
            {
                r = r == 0 ? (random.Next(2) == 0 ? 0.0 : -0.0) : r * (1 + Perturbation * (2 * random.NextDouble() - 1));
            }
            v[i] = r;
        }
        var outputs = new double[g.OutputCount];
        for (int k = 0; k < outputs.Length; k++) outputs[k] = v[g.Outputs[k]];
        return outputs;
    }
}

/// <summary>Measures how far fast math strays from the exact graph on many random graphs, well- and
/// ill-conditioned points apart, and prints the worst cases.</summary>
public sealed class FastMathToleranceSurvey
{
    private readonly ITestOutputHelper _output;

    public FastMathToleranceSurvey(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Fast_math_error_at_well_conditioned_points_is_within_tolerance()
    {
        var transforms = new (string Name, Func<Graph, Graph> Run)[]
        {
            ("FastMath pipeline", g => Optimizer.Optimize(g, OptimizationLevel.FastMath, out _)),
            ("FastMathPass", g => new FastMathPass().Run(g)),
            ("StrengthReductionPass(fast)", g => new StrengthReductionPass(fastMath: true).Run(g)),
        };
        // FASTMATH_SURVEY_SCALE=n samples n times as many graphs (for a longer look than a test run affords).
        int scale = int.TryParse(Environment.GetEnvironmentVariable("FASTMATH_SURVEY_SCALE"), out int s) && s > 0 ? s : 1;
        var sampled = new List<GraphCase>();
        for (int size = 5; size <= 100; size += 5)
            for (int round = 0; round < scale; round++)
                sampled.AddRange(RandomGraphs.CaseGen(safe: true, unshare: false, RandomGraphs.OrdinaryPoint)
                    .Sample(100, new Rnd((ulong)(size * 7919 + round * 104729)), size));
        var cases = sampled;
        _output.WriteLine($"{cases.Count} graphs, {cases.Count * 8} points");

        var failures = new List<string>();
        foreach (var (name, run) in transforms)
        {
            var counts = new Dictionary<FastMath.Verdict, int>();
            double worstGood = 0, worstBad = 0;
            string? worstGoodCase = null, worstBadCase = null;
            int seed = 1;
            foreach (var c in cases)
            {
                var fast = run(c.Graph);
                foreach (var p in c.Points)
                {
                    var (verdict, error, sensitivity) = FastMath.Compare(c.Graph, fast, p, seed++);
                    counts[verdict] = counts.GetValueOrDefault(verdict) + 1;
                    string Describe() => $"error {error:E3}, sensitivity {sensitivity:E3} at {RandomGraphs.Format(p)}\n{c.Graph}fast:\n{fast}";
                    if (verdict is FastMath.Verdict.Agrees or FastMath.Verdict.Disagrees && error > worstGood)
                    {
                        worstGood = error;
                        worstGoodCase = Describe();
                    }
                    if (verdict == FastMath.Verdict.IllConditioned && error > worstBad && double.IsFinite(error))
                    {
                        worstBad = error;
                        worstBadCase = Describe();
                    }
                    if (verdict == FastMath.Verdict.Disagrees) failures.Add($"{name}: {Describe()}");
                }
            }
            _output.WriteLine($"{name}: {string.Join(", ", counts.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}"))}");
            _output.WriteLine($"  worst relative error at well-conditioned points: {worstGood:E3}");
            if (worstGoodCase is not null) _output.WriteLine(worstGoodCase);
            _output.WriteLine($"  worst finite relative error at ill-conditioned points: {worstBad:E3}");
            if (worstBadCase is not null) _output.WriteLine(worstBadCase);
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(3)));
    }
}
