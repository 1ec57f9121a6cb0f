using System.Globalization;
using System.Linq.Expressions;
using System.Text;
using ExprDiff.Graphs;
using ExprDiff.Optimization;
using ExprDiff.Rules;
using FsCheck;
using FsCheck.Fluent;

namespace ExprDiff.Tests.Optimization;

/// <summary>What one step of a <see cref="GraphRecipe"/> makes.</summary>
internal enum StepKind
{
    // Plain primitives.
    Constant, Unary, Binary, Fma, PowInt, PowFamily, PowConstant, Clamp, IntRoundTrip,
    Compare, BoolConstant, And, Or, Not, Select,

    // Patterns the exact passes simplify.
    TimesOne, DivOne, MinusZero, PlusNegativeZero, NegNeg, NegTimesNeg, PlusNeg, ConstTimesTwoX, SinAndCos, Share,
    DivByConstant, SelectSameBranches, SelectNot, NegativeFactor, ConstantOperands, ExposedConstant,

    // Patterns the fast-math passes rewrite.
    TimesZero, SelfMinus, PlusZero, NegOfSub, LogOfExp, GatherMul, GatherAdd, ExposedZero,
}

/// <summary>
/// One node-making step. <see cref="A"/>, <see cref="B"/>, <see cref="C"/> are references into the pool of
/// values made so far, counted back from the newest (so any step list is valid, and deleting a step while
/// shrinking keeps the rest meaningful); <see cref="Op"/> picks a primitive, an exponent or a variant.
/// </summary>
internal readonly record struct Step(StepKind Kind, int Op, int A, int B, int C, double Value);

/// <summary>
/// A random graph as the list of steps that builds it with an unsimplifying, unfolding builder
/// (<c>new GraphBuilder(names, fold: false, simplify: false)</c>), 1–3 outputs, and two knobs:
/// <see cref="KeepDead"/> keeps every pool value in the graph although only the outputs need some of them
/// (a builder's <c>Build</c> drops unreachable nodes, so they are kept by building with extra outputs and
/// then cutting those), and <see cref="Unshare"/> (nonzero: a seed) copies random nodes so the graph holds
/// structurally equal nodes, as a graph assembled by other means than a hash-consing builder may.
/// </summary>
internal sealed record GraphRecipe(Step[] Steps, int[] Outputs, bool KeepDead, int Unshare);

/// <summary>A graph and the points (x, y, z) it is evaluated at.</summary>
internal sealed class GraphCase
{
    public GraphCase(GraphRecipe recipe, double[][] points)
    {
        Recipe = recipe;
        Points = points;
        Graph = RandomGraphs.Build(recipe);
    }

    public GraphRecipe Recipe { get; }

    public double[][] Points { get; }

    public Graph Graph { get; }

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append(Graph.NodeCount).Append(" nodes")
          .Append(Recipe.KeepDead ? ", dead nodes kept" : "")
          .Append(Recipe.Unshare != 0 ? $", unshared (seed {Recipe.Unshare})" : "").Append('\n');
        sb.Append(Graph);
        foreach (var p in Points) sb.Append("at (x, y, z) = ").Append(RandomGraphs.Format(p)).Append('\n');
        return sb.ToString();
    }
}

/// <summary>
/// FsCheck generators of random graphs over scalar inputs x, y, z using every double primitive, with many
/// deliberately simplifiable patterns (x*1, x/1, x−0, x+(−0), −−x, (−a)*(−b), a+(−b), c*(2*x), Pow(x, 2.0),
/// Sin(a) with Cos(a), shared subtrees, selects with constant or negated conditions), special constants
/// (±0, NaN, ±∞, 1e308, 5e-324...) and, optionally, dead nodes and unshared duplicates.
/// </summary>
internal static class RandomGraphs
{
    public static readonly string[] Names = ["x", "y", "z"];

    // Before the arbitraries below, which read it as they are initialized.
    private static readonly double[] PowMismatchPoints = PowMismatches();

    public static readonly Primitive[] UnaryOps =
    [
        Primitives.Neg, Primitives.Sin, Primitives.Cos, Primitives.Tan, Primitives.Asin, Primitives.Acos, Primitives.Atan,
        Primitives.Sinh, Primitives.Cosh, Primitives.Tanh, Primitives.Asinh, Primitives.Acosh, Primitives.Atanh,
        Primitives.Exp, Primitives.Log, Primitives.Log10, Primitives.Log2, Primitives.Sqrt, Primitives.Cbrt, Primitives.Abs,
        Primitives.Floor, Primitives.Ceiling, Primitives.Round, Primitives.Truncate, Primitives.Sign,
        Primitives.StopGradient, Primitives.DoubleToFloat,
    ];

    public static readonly Primitive[] BinaryOps =
    [
        Primitives.Add, Primitives.Sub, Primitives.Mul, Primitives.Div, Primitives.Rem, Primitives.Pow,
        Primitives.Atan2, Primitives.LogBase, Primitives.Max, Primitives.Min,
    ];

    public static readonly ExpressionType[] Comparisons =
    [
        ExpressionType.LessThan, ExpressionType.LessThanOrEqual, ExpressionType.GreaterThan,
        ExpressionType.GreaterThanOrEqual, ExpressionType.Equal, ExpressionType.NotEqual,
    ];

    /// <summary>Constants of every flavour, special values included.</summary>
    public static readonly double[] SpecialConstants =
    [
        0.0, -0.0, 1.0, -1.0, 2.0, 0.5, 4.0, 100.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity,
        1e308, -1e308, 5e-324, -5e-324, 3.0, -2.0, 0.25, 0.1, -0.5, 2.2250738585072014E-308, double.MaxValue,
    ];

    /// <summary>Constants without NaN, infinities, huge or subnormal values: for fast-math comparisons.</summary>
    public static readonly double[] SafeConstants = [0.0, -0.0, 1.0, -1.0, 2.0, 0.5, 4.0, 100.0, 3.0, -2.0, 0.25, 0.1, -0.5, 10.0];

    /// <summary>Exponents of <c>Math.Pow(a, k)</c> with a constant k. Small integers are the interesting ones: a
    /// pass that turned Math.Pow into an integer power would change bits (see <see cref="PowMismatches"/>).</summary>
    public static readonly double[] PowExponents = [2.0, 2.0, 2.0, 3.0, -1.0, 0.5, -0.5, 3.0, 0.0, -0.0, -2.0, 8.0, -8.0, 9.0, 1.5, 1.0, 1e10, 4.0];

    /// <summary>Divisors of <see cref="StepKind.DivByConstant"/>: powers of two (exact reciprocals), their
    /// edges (subnormal or overflowing reciprocals) and others.</summary>
    public static readonly double[] Divisors =
    [
        2.0, 4.0, 0.5, -2.0, 0.25, 1024.0, -0.125, Math.ScaleB(1, -1022), Math.ScaleB(1, 1023), Math.ScaleB(1, 1022),
        Math.ScaleB(1, -1024), 3.0, 100.0, 0.1, -1.0, 1.0,
    ];

    /// <summary>Factors of the inner product in <c>c*(p*x)</c>.</summary>
    public static readonly double[] InnerFactors = [2.0, 4.0, 0.5, 8.0, -2.0, 3.0, 1024.0];

    /// <summary>Point coordinates that are special: signed zeros, NaN, infinities, huge, tiny, subnormal,
    /// range edges of exp and of the integer conversion, ties of Math.Round.</summary>
    public static readonly double[] SpecialPoints =
    [
        0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e308, -1e308, double.MaxValue,
        5e-324, -5e-324, 1e-300, -1e-300, 2.2250738585072014E-308, 1e200, -1e200, 1e16, 4503599627370497.0,
        709.0, 710.0, -745.0, 2147483648.0, -2147483649.0, 0.5, -0.5, 1.5, 2.5, -2.5, 1.0, -1.0, 2.0, 3.0,
        Math.PI, -Math.PI / 2,
    ];

    /// <summary>A few x in [−3, 3] where <c>Math.Pow(x, k)</c> and <c>Intrinsics.PowInt(x, k)</c> (x·x for k = 2)
    /// differ, for k = 2, 3, −1, 4 and −2: the platform's pow is not correctly rounded (glibc's differs for about one
    /// x in 1200). Empty where they always agree.</summary>
    public static double[] PowMismatches()
    {
        var random = new Random(20240607);
        var found = new List<double>();
        foreach (int k in new[] { 2, 2, 2, 3, 3, -1, 4, -2 })
        {
            for (int i = 0; i < 200_000; i++)
            {
                double x = Math.Round(random.NextDouble() * 6 - 3, 6);
                if (BitConverter.DoubleToInt64Bits(Math.Pow(x, k)) != BitConverter.DoubleToInt64Bits(Intrinsics.PowInt(x, k)))
                {
                    found.Add(x);
                    break;
                }
            }
        }
        return [.. found];
    }

    public static string Format(double[] p) =>
        "(" + string.Join(", ", p.Select(v => ConstantPrimitive.FormatDouble(v))) + ")";

    // ---------------------------------------------------------------------------------------------------
    // Generators

    /// <summary>Hash-consed graphs (as a builder makes them), with or without dead nodes, at mixed points.</summary>
    public static Arbitrary<GraphCase> Cases { get; } = Arb.From(CaseGen(safe: false, unshare: false, MixedPoint), Shrink);

    /// <summary>As <see cref="Cases"/>, a quarter of them unshared (holding structurally equal nodes).</summary>
    public static Arbitrary<GraphCase> CasesWithDuplicates { get; } = Arb.From(CaseGen(safe: false, unshare: true, MixedPoint), Shrink);

    /// <summary>Graphs without NaN, infinite, huge or tiny constants, at ordinary points of [−3, 3]³.</summary>
    public static Arbitrary<GraphCase> SafeCases { get; } = Arb.From(CaseGen(safe: true, unshare: false, OrdinaryPoint), Shrink);

    public static Gen<GraphCase> CaseGen(bool safe, bool unshare, Gen<double[]> point) =>
        from recipe in RecipeGen(safe, unshare)
        from points in Gen.CollectToArray(Enumerable.Range(0, 8).Select(_ => point))
        select new GraphCase(recipe, points);

    public static Gen<GraphRecipe> RecipeGen(bool safe, bool unshare) => Gen.Sized(size =>
        from n in Gen.Choose(1, 4 + Math.Min(size, 100) / 3)
        from steps in Gen.CollectToArray(Enumerable.Range(0, n).Select(_ => StepGen(safe)))
        from outputCount in Gen.Choose(1, 3)
        from outputs in Gen.CollectToArray(Enumerable.Range(0, outputCount).Select(_ => Reference))
        from keepDead in Gen.Elements(false, true)
        from seed in unshare ? Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(1, int.MaxValue))) : Gen.Constant(0)
        select new GraphRecipe(steps, outputs, keepDead, seed));

    /// <summary>A reference into the pool, counted back from the newest value: mostly recent (deep graphs),
    /// sometimes anywhere (wide graphs and shared values).</summary>
    private static Gen<int> Reference => Gen.Frequency((5, Gen.Choose(0, 2)), (3, Gen.Choose(0, 60)));

    private static Gen<double> ConstantGen(bool safe) => Gen.Frequency(
        (3, Gen.Elements(safe ? SafeConstants : SpecialConstants)),
        (1, Gen.Choose(-3000, 3000).Select(i => i / 1000.0)));

    private static readonly (int, StepKind)[] Weights =
    [
        (6, StepKind.Constant), (14, StepKind.Unary), (14, StepKind.Binary), (2, StepKind.Fma), (4, StepKind.PowInt), (3, StepKind.PowFamily),
        (5, StepKind.PowConstant), (3, StepKind.Clamp), (1, StepKind.IntRoundTrip), (4, StepKind.Compare),
        (1, StepKind.BoolConstant), (2, StepKind.And), (2, StepKind.Or), (2, StepKind.Not), (5, StepKind.Select),
        (2, StepKind.TimesOne), (2, StepKind.DivOne), (2, StepKind.MinusZero), (2, StepKind.PlusNegativeZero),
        (2, StepKind.NegNeg), (2, StepKind.NegTimesNeg), (2, StepKind.PlusNeg), (3, StepKind.ConstTimesTwoX),
        (3, StepKind.SinAndCos), (3, StepKind.Share), (3, StepKind.DivByConstant), (1, StepKind.SelectSameBranches),
        (1, StepKind.SelectNot), (2, StepKind.TimesZero), (2, StepKind.SelfMinus), (2, StepKind.PlusZero),
        (2, StepKind.NegOfSub), (2, StepKind.LogOfExp), (2, StepKind.GatherMul), (2, StepKind.GatherAdd),
        (2, StepKind.NegativeFactor), (3, StepKind.ConstantOperands), (2, StepKind.ExposedConstant), (1, StepKind.ExposedZero),
    ];

    private static Gen<Step> StepGen(bool safe) =>
        from kind in Gen.Frequency(Weights.Select(w => (w.Item1, Gen.Constant(w.Item2))))
        from op in Gen.Choose(0, 9999)
        from a in Reference
        from b in Reference
        from c in Reference
        from value in ConstantGen(safe)
        // Fast-math comparisons want no huge or tiny constants: divide by the step's own (safe) constant.
        select new Step(kind, safe && kind == StepKind.DivByConstant ? op | 1 : op, a, b, c, value);

    /// <summary>Ordinary values of [−3, 3] mixed with special ones.</summary>
    public static Gen<double> MixedCoordinate => Gen.Frequency(
        (5, Gen.Choose(-3_000_000, 3_000_000).Select(i => i / 1e6)),
        (1, Gen.Choose(-30, 30).Select(i => i / 10.0)),
        (4, Gen.Elements(SpecialPoints)));

    public static Gen<double> OrdinaryCoordinate => Gen.Frequency(
        (6, Gen.Choose(-3_000_000, 3_000_000).Select(i => i / 1e6)),
        (1, Gen.Choose(-30, 30).Select(i => i / 10.0)));

    /// <summary>Mostly mixed coordinates; sometimes all three where Math.Pow is not correctly rounded.</summary>
    public static Gen<double[]> MixedPoint => PowMismatchPoints.Length == 0
        ? Gen.CollectToArray(Enumerable.Range(0, 3).Select(_ => MixedCoordinate))
        : Gen.Frequency(
            (3, Gen.CollectToArray(Enumerable.Range(0, 3).Select(_ => MixedCoordinate))),
            (1, Gen.CollectToArray(Enumerable.Range(0, 3).Select(_ => Gen.Elements(PowMismatchPoints)))));

    public static Gen<double[]> OrdinaryPoint => Gen.CollectToArray(Enumerable.Range(0, 3).Select(_ => OrdinaryCoordinate));

    /// <summary>Shrinks by dropping a step, then an output, then the knobs.</summary>
    public static IEnumerable<GraphCase> Shrink(GraphCase c)
    {
        var r = c.Recipe;
        for (int i = 0; i < r.Steps.Length; i++)
            yield return new GraphCase(r with { Steps = [.. r.Steps[..i], .. r.Steps[(i + 1)..]] }, c.Points);
        for (int i = 0; r.Outputs.Length > 1 && i < r.Outputs.Length; i++)
            yield return new GraphCase(r with { Outputs = [.. r.Outputs[..i], .. r.Outputs[(i + 1)..]] }, c.Points);
        if (r.KeepDead) yield return new GraphCase(r with { KeepDead = false }, c.Points);
        if (r.Unshare != 0) yield return new GraphCase(r with { Unshare = 0 }, c.Points);
    }

    // ---------------------------------------------------------------------------------------------------
    // Building

    /// <summary>The graph a recipe describes.</summary>
    public static Graph Build(GraphRecipe recipe)
    {
        var b = new GraphBuilder(Names, fold: false, simplify: false);
        var doubles = new List<int> { b.Input(0, -1), b.Input(1, -1), b.Input(2, -1) };
        var bools = new List<int>();
        foreach (var step in recipe.Steps) Apply(b, doubles, bools, step);

        var outputs = recipe.Outputs.Select(r => Pick(doubles, r)).ToArray();
        Graph graph;
        if (recipe.KeepDead)
        {
            // Build with every pool value as an extra output, then cut the extras: they stay as dead nodes.
            var all = b.Build([.. outputs, .. doubles, .. bools]);
            graph = new Graph(all.Nodes.ToArray(), all.Outputs[..outputs.Length].ToArray(), all.ParameterNames);
        }
        else
        {
            graph = b.Build(outputs);
        }
        return recipe.Unshare != 0 ? Unshare(graph, recipe.Unshare) : graph;
    }

    private static int Pick(List<int> pool, int reference) => pool[pool.Count - 1 - reference % pool.Count];

    private static void Apply(GraphBuilder b, List<int> d, List<int> bools, Step s)
    {
        int A() => Pick(d, s.A);
        int B() => Pick(d, s.B);
        int C() => Pick(d, s.C);
        int Condition(int r) => bools.Count == 0
            ? b.Compare(Comparisons[s.Op % Comparisons.Length], A(), B())
            : Pick(bools, r);
        int K(double v) => b.Constant(v);
        int variant = s.Op % 2;

        switch (s.Kind)
        {
            case StepKind.Constant: d.Add(K(s.Value)); break;
            case StepKind.Unary: d.Add(b.Make(UnaryOps[s.Op % UnaryOps.Length], A())); break;
            case StepKind.Binary: d.Add(b.Make(BinaryOps[s.Op % BinaryOps.Length], A(), B())); break;
            case StepKind.Fma: d.Add(b.Make(Primitives.Fma, A(), B(), C())); break;
            case StepKind.PowInt: d.Add(b.PowInt(A(), s.Op % 17 - 8)); break;
            case StepKind.PowFamily:
                // Two to five powers of one base, as a power and its derivatives make them: what fusion shares.
                int x = A();
                int sum = b.PowInt(x, s.Op % 29 - 14);
                for (int k = 1; k <= 1 + s.Op / 29 % 4; k++) sum = b.Add(sum, b.PowInt(x, (s.Op / (7 * k) % 29) - 14));
                d.Add(sum);
                break;
            case StepKind.PowConstant:
                // Often of an input directly, so that the points where Math.Pow is not correctly rounded reach it.
                d.Add(b.Binary(Primitives.Pow, s.Op / 16 % 2 == 0 ? d[s.A % 3] : A(), K(PowExponents[s.Op % PowExponents.Length])));
                break;
            case StepKind.Clamp:
                int v = A();
                d.Add((s.Op % 16) switch
                {
                    < 10 => b.Make(Primitives.Clamp, v, b.Binary(Primitives.Min, B(), C()), b.Binary(Primitives.Max, B(), C())),
                    10 => b.Make(Primitives.Clamp, v, K(-1), K(2)),
                    11 => b.Make(Primitives.Clamp, v, K(0.5), K(0.5)),
                    12 => b.Make(Primitives.Clamp, v, K(-0.0), K(0.0)),
                    13 or 14 => b.Make(Primitives.Clamp, v, B(), C()), // throws where B() > C()
                    _ => b.Make(Primitives.Clamp, v, K(2), K(1)),      // always throws
                });
                break;
            case StepKind.IntRoundTrip: d.Add(b.Make(Primitives.IntToDouble, b.Make(Primitives.DoubleToInt, A()))); break;
            case StepKind.Compare: bools.Add(b.Compare(Comparisons[s.Op % Comparisons.Length], A(), B())); break;
            case StepKind.BoolConstant: bools.Add(variant == 0 ? b.True : b.False); break;
            case StepKind.And: bools.Add(b.And(Condition(s.A), Condition(s.B))); break;
            case StepKind.Or: bools.Add(b.Or(Condition(s.A), Condition(s.B))); break;
            case StepKind.Not: bools.Add(b.Not(Condition(s.A))); break;
            case StepKind.Select: d.Add(b.Select(Condition(s.C), A(), B())); break;

            case StepKind.TimesOne: d.Add(variant == 0 ? b.Mul(A(), K(1)) : b.Mul(K(1), A())); break;
            case StepKind.DivOne: d.Add(b.Div(A(), K(1))); break;
            case StepKind.MinusZero: d.Add(b.Sub(A(), K(0.0))); break;
            case StepKind.PlusNegativeZero: d.Add(variant == 0 ? b.Add(A(), K(-0.0)) : b.Add(K(-0.0), A())); break;
            case StepKind.NegNeg: d.Add(b.Neg(b.Neg(A()))); break;
            case StepKind.NegTimesNeg:
                d.Add((s.Op % 4) switch
                {
                    0 => b.Mul(b.Neg(A()), b.Neg(B())),
                    1 => b.Mul(b.Neg(A()), B()),
                    2 => b.Div(b.Neg(A()), b.Neg(B())),
                    _ => b.Mul(K(s.Value), b.Neg(A())),
                });
                break;
            case StepKind.PlusNeg:
                d.Add((s.Op % 3) switch
                {
                    0 => b.Add(A(), b.Neg(B())),
                    1 => b.Add(b.Neg(A()), B()),
                    _ => b.Sub(A(), b.Neg(B())),
                });
                break;
            case StepKind.ConstTimesTwoX:
            {
                int inner = variant == 0 ? b.Mul(K(InnerFactors[s.Op / 2 % InnerFactors.Length]), A()) : b.Mul(A(), K(2));
                d.Add(s.Op / 16 % 2 == 0 ? b.Mul(K(s.Value), inner) : b.Mul(inner, K(s.Value)));
                break;
            }
            case StepKind.SinAndCos:
            {
                int a = A();
                d.Add(b.Unary(Primitives.Sin, a));
                d.Add(b.Unary(Primitives.Cos, a));
                break;
            }
            case StepKind.Share:
            {
                // A value used twice by one node, and the same subtree built twice (hash-consing shares it).
                int a = A(), c = B();
                int first = b.Unary(Primitives.Exp, b.Mul(a, c));
                int second = b.Unary(Primitives.Exp, b.Mul(a, c));
                d.Add(variant == 0 ? b.Add(first, second) : b.Mul(first, a));
                break;
            }
            case StepKind.DivByConstant: d.Add(b.Div(A(), K(variant == 0 ? Divisors[s.Op / 2 % Divisors.Length] : s.Value))); break;
            case StepKind.SelectSameBranches: { int a = A(); d.Add(b.Select(Condition(s.C), a, a)); break; }
            case StepKind.SelectNot: d.Add(b.Select(b.Not(Condition(s.C)), A(), B())); break;

            case StepKind.NegativeFactor:
            {
                int factor = K(-Math.Abs(s.Value));
                d.Add((s.Op % 3) switch { 0 => b.Mul(factor, A()), 1 => b.Mul(A(), factor), _ => b.Div(A(), factor) });
                break;
            }
            case StepKind.ConstantOperands:
            {
                // An operation of constants only: what constant folding is for.
                int k1 = K(s.Value), k2 = K(SafeConstants[s.Op / 4 % SafeConstants.Length]);
                d.Add((s.Op % 4) switch
                {
                    0 => b.Make(UnaryOps[s.Op / 4 % UnaryOps.Length], k1),
                    1 => b.Make(BinaryOps[s.Op / 4 % BinaryOps.Length], k1, k2),
                    2 => b.PowInt(k1, s.Op / 4 % 17 - 8),
                    _ => b.PowInt(k2, -1),
                });
                break;
            }
            case StepKind.ExposedConstant:
            {
                // A constant only simplification reveals (a select with a constant condition; Pow(a, 0) = 1,
                // should a rule make it so), under an operation that folding would then evaluate.
                int hidden = variant == 0
                    ? b.Binary(Primitives.Pow, A(), K(s.Op / 2 % 2 == 0 ? 0.0 : -0.0))
                    : b.Select(s.Op / 2 % 2 == 0 ? b.True : b.False, K(s.Value), K(SafeConstants[s.Op / 4 % SafeConstants.Length]));
                d.Add(b.Make(UnaryOps[s.Op / 8 % UnaryOps.Length], hidden));
                break;
            }
            case StepKind.TimesZero: d.Add(variant == 0 ? b.Mul(A(), K(0.0)) : b.Mul(K(s.Op / 2 % 2 == 0 ? 0.0 : -0.0), A())); break;
            case StepKind.SelfMinus: { int a = A(); d.Add(b.Sub(a, a)); break; }
            case StepKind.PlusZero: d.Add(variant == 0 ? b.Add(A(), K(0.0)) : b.Add(K(0.0), A())); break;
            case StepKind.NegOfSub: d.Add(b.Neg(b.Sub(A(), B()))); break;
            case StepKind.LogOfExp: d.Add(b.Unary(Primitives.Log, b.Unary(Primitives.Exp, A()))); break;
            case StepKind.GatherMul:
                d.Add(variant == 0 ? b.Mul(K(s.Value), b.Mul(K(InnerFactors[s.Op / 2 % InnerFactors.Length]), A()))
                                   : b.Mul(b.Mul(A(), K(s.Value)), K(3)));
                break;
            case StepKind.GatherAdd:
                d.Add(variant == 0 ? b.Add(K(s.Value), b.Add(K(InnerFactors[s.Op / 2 % InnerFactors.Length]), A()))
                                   : b.Add(b.Add(A(), K(s.Value)), K(-1)));
                break;
            case StepKind.ExposedZero:
            {
                // A zero fast math reveals only after folding (x*0 inside a conversion), under an operation.
                int zero = b.Make(Primitives.IntToDouble, b.Make(Primitives.DoubleToInt, b.Mul(A(), K(0.0))));
                d.Add(b.Unary(Primitives.Exp, b.Mul(zero, B())));
                break;
            }
            default: throw new InvalidOperationException(s.Kind.ToString());
        }
    }

    /// <summary>
    /// Copies random nodes of <paramref name="graph"/> so that it holds structurally equal nodes: each copy
    /// sits right after its original; the copy's operands are the copies of the original's operands where
    /// those exist (so whole subtrees are duplicated), and every other user picks the original or the copy
    /// at random. Such a graph fails <see cref="GraphVerifier"/> (duplicate nodes) but evaluates the same.
    /// </summary>
    public static Graph Unshare(Graph graph, int seed)
    {
        var random = new Random(seed);
        var nodes = new List<Node>();
        var map = new int[graph.NodeCount];
        var copy = new int[graph.NodeCount];
        Span<int> ops = stackalloc int[3];
        for (int i = 0; i < graph.NodeCount; i++)
        {
            var n = graph[i];
            for (int j = 0; j < 3; j++)
            {
                int o = n.Operand(j);
                ops[j] = o < 0 ? -1 : copy[o] >= 0 && random.Next(2) == 0 ? copy[o] : map[o];
            }
            map[i] = nodes.Count;
            nodes.Add(new Node(n.Op, n.Kind, ops[0], ops[1], ops[2], n.Aux, n.Aux2, n.Value));
            copy[i] = -1;
            if (random.Next(3) == 0)
            {
                for (int j = 0; j < 3; j++)
                {
                    int o = n.Operand(j);
                    ops[j] = o < 0 ? -1 : copy[o] >= 0 ? copy[o] : map[o];
                }
                copy[i] = nodes.Count;
                nodes.Add(new Node(n.Op, n.Kind, ops[0], ops[1], ops[2], n.Aux, n.Aux2, n.Value));
            }
        }
        var outputs = new int[graph.OutputCount];
        for (int k = 0; k < outputs.Length; k++)
        {
            int o = graph.Outputs[k];
            outputs[k] = copy[o] >= 0 && random.Next(2) == 0 ? copy[o] : map[o];
        }
        return new Graph([.. nodes], outputs, graph.ParameterNames);
    }

    /// <summary>The nodes fusion may add: one SinCos per distinct argument a of the graph's nodes that has both a
    /// Sin(a) and a Cos(a) node, and one PowInts per family of powers of one base.</summary>
    /// <remarks>Counted on the graph with equal nodes merged, as the exact pipeline's CSE merges them before fusion: in an
    /// unshared graph Sin(x) and Cos(x′) of two copies of x fuse only after that.</remarks>
    public static int FusedGroups(Graph graph)
    {
        var b = new GraphBuilder(graph.ParameterNames, fold: false, simplify: false);
        var map = GraphCopier.Copy(graph, b, (p, index, kind) => b.Input(p, index, kind));
        var merged = b.Build(graph.Outputs.ToArray().Select(o => map[o]).ToArray());
        return FusionPass.BothSinAndCos(merged).Count + FusionPass.PowerFamilies(merged).Select(kv => (kv.Key.Base, kv.Value.Packed)).Distinct().Count();
    }

    /// <summary>Whether any node of the graph is a NaN, infinite, huge (|c| ≥ 1e300) or tiny (0 &lt; |c| ≤ 1e-300)
    /// double constant.</summary>
    public static bool HasSpecialConstant(Graph graph)
    {
        foreach (var n in graph.Nodes)
            if (ReferenceEquals(n.Op, Primitives.Constant) && n.Kind == ValueKind.Double
                && (!double.IsFinite(n.Value) || Math.Abs(n.Value) >= 1e300 || n.Value != 0 && Math.Abs(n.Value) <= 1e-300))
                return true;
        return false;
    }

    public static string Describe(double v) => ConstantPrimitive.FormatDouble(v) +
        (v == 0 || !double.IsFinite(v) ? "" : $" (0x{BitConverter.DoubleToInt64Bits(v).ToString("X16", CultureInfo.InvariantCulture)})");
}
