using System.Globalization;
using System.Linq.Expressions;
using ExprDiff.Benchmarks.Problems;
using ExprDiff.Evaluation;
using ExprDiff.Tests.Properties;
using ExprDiff.Tests.Support;
using ExprDiff.Transforms;
using Xunit;

namespace ExprDiff.Tests.Optimization;

/// <summary>
/// <c>Math.Pow(x, k)</c> with a constant integer |k| ≤ 16 as plain multiplications (<see cref="IntegerPowerMode.Multiplication"/>,
/// the default): the documented chain (<see cref="Intrinsics.PowChain"/>) in the interpreter and on every route, bit for
/// bit; derivatives through the same products; sharing that changes no value; the documented error bounds.
/// </summary>
public class PowerChainTests
{
    private static readonly double[] Specials =
    [
        0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, -double.Epsilon,
        double.MaxValue, -double.MaxValue, 2.2250738585072014E-308, 1.0, -1.0, 0.5, -2.0, 1e-5, 1e5, 1e-30, 1e30,
        1.0000000000000002, 0.9999999999999999, 3.0, -7.0, 1.1, -1.21, 0.3,
    ];

    private static IEnumerable<double> Bases()
    {
        var random = new Random(5);
        foreach (double x in Specials) yield return x;
        for (int i = 0; i < 200; i++) yield return (random.Next(2) == 0 ? -1 : 1) * double.Exp2(random.NextDouble() * 80 - 40);
    }

    private static Expression<Func<double[], double>> PowerOf(int k)
    {
        var x = Expression.Parameter(typeof(double[]), "x");
        var pow = typeof(Math).GetMethod(nameof(Math.Pow))!;
        return Expression.Lambda<Func<double[], double>>(
            Expression.Call(pow, Expression.ArrayIndex(x, Expression.Constant(0)), Expression.Constant((double)k)), x);
    }

    /// <summary>The chain as the docs write it, step by step, independently of <see cref="Intrinsics.PowChain"/>.</summary>
    private static double DocumentedChain(double x, int k)
    {
        if (k == 0) return 1.0;
        double b = k < 0 ? 1.0 / x : x;
        string bits = Convert.ToString(Math.Abs(k), 2);
        double r = b;
        foreach (char bit in bits[1..])
        {
            r = r * r;
            if (bit == '1') r = r * b;
        }
        return r;
    }

    [Fact]
    public void PowChain_is_the_documented_left_to_right_chain()
    {
        Assert.Equal(BitConverter.DoubleToInt64Bits(1.1 * 1.1 * 1.1), BitConverter.DoubleToInt64Bits(Intrinsics.PowChain(1.1, 3)));
        double c = 0.7 * 0.7 * 0.7;
        Assert.Equal(BitConverter.DoubleToInt64Bits(c * c), BitConverter.DoubleToInt64Bits(Intrinsics.PowChain(0.7, 6)));
        double r = 1 / 1.3, r3 = r * r * r;
        Assert.Equal(BitConverter.DoubleToInt64Bits(r3 * r3), BitConverter.DoubleToInt64Bits(Intrinsics.PowChain(1.3, -6)));
        foreach (double x in Bases())
            for (int k = -40; k <= 40; k++)
                Checks.Bitwise(DocumentedChain(x, k), Intrinsics.PowChain(x, k), $"PowChain({x:R}, {k})");
        // Special values are Math.Pow's.
        foreach (double x in Specials)
            foreach (int k in new[] { -16, -7, -3, -2, -1, 0, 1, 2, 3, 5, 16 })
                if (double.IsNaN(x) || double.IsInfinity(x) || x == 0)
                    Checks.Bitwise(Math.Pow(x, k), Intrinsics.PowChain(x, k), $"PowChain({x:R}, {k}) vs Math.Pow");
    }

    /// <summary>f(x) = Math.Pow(x[0], k) for k = −16 … 16: the reference interpreter, <c>.Compile()</c>, <c>.CompileIL()</c>
    /// and <c>Compiled.ValueAndGradient</c> all compute <see cref="Intrinsics.PowChain"/>, bit for bit, at special and
    /// random bases; the gradient is k·x^(k−1) to rounding and matches finite differences.</summary>
    [Fact]
    public void Math_Pow_is_the_chain_in_the_interpreter_and_on_every_route()
    {
        for (int k = -16; k <= 16; k++)
        {
            var f = PowerOf(k);
            var graph = DiffProblem.Create(f, null, "test").Function.ToGraph();
            var vg = Diff.ValueAndGradient(f);
            var compiled = vg.Compile();
            var il = vg.CompileIL();
            var span = Compiled.ValueAndGradient(f);
            foreach (double x in Bases())
            {
                double want = Intrinsics.PowChain(x, k);
                string at = $"Math.Pow({x:R}, {k})";
                Checks.Bitwise(want, Interpreter.Evaluate(graph, (object)new[] { x })[0], at + " interpreter");
                var g1 = new double[1];
                var g2 = new double[1];
                var g3 = new double[1];
                Checks.Bitwise(want, compiled([x], g1), at + " Compile");
                Checks.Bitwise(want, il([x], g2), at + " CompileIL");
                Checks.Bitwise(want, span([x], g3), at + " Compiled.ValueAndGradient");
                Checks.Bitwise(g1[0], g2[0], at + " gradient, Compile vs CompileIL");
                Checks.Bitwise(g1[0], g3[0], at + " gradient, Compile vs spans");
                if (k != 0 && Math.Abs(x) is > 1e-3 and < 1e3)
                {
                    // k·x^(k−1) computed as the same kind of chain: within the chains' error bounds of each other.
                    Checks.Relative(k * Intrinsics.PowInt(x, k - 1), g1[0], 64 * Math.Abs(k) * 1.2e-16, at + " gradient", floor: 0);
                    Support.FiniteDifferences.AssertClose(Support.FiniteDifferences.Derivative(t => Intrinsics.PowChain(t, k), x, 1e-5 * Math.Abs(x)), g1[0], 1e-6, 1e-9, at + " vs finite differences");
                }
            }
            // No NaN at 0 for k ≥ 2: the derivative of x·x·… there is 0.
            if (k >= 2)
            {
                var g = new double[1];
                compiled([0.0], g);
                Assert.Equal(0.0, g[0]);
            }
        }
    }

    /// <summary>
    /// Several powers of one base (Lennard-Jones' r⁻⁶ and r⁻³; a power, its derivative and powers whose chains meet): the
    /// optimized derivatives (gradient, value and gradient, Hessian-vector product) on every route equal the reference
    /// interpreter on the derivative graphs the rules build, unoptimized and unfused, bit for bit.
    /// </summary>
    [Fact]
    public void Sharing_powers_of_one_base_changes_no_value()
    {
        var functions = new Expression<Func<double[], double>>[]
        {
            x => 4 * (Math.Pow(x[0] * x[0] + x[1] * x[1] + x[2] * x[2], -6) - Math.Pow(x[0] * x[0] + x[1] * x[1] + x[2] * x[2], -3)),
            x => Math.Pow(x[0] * x[1] + 1.5, 7) / Math.Pow(x[0] * x[1] + 1.5, 4) + Math.Pow(x[0] - x[1], -5) + Math.Pow(x[0] - x[1], 12),
            x => Math.Pow(x[0], 16) - 3 * Math.Pow(x[0], 8) + Math.Pow(x[0], 3) * Math.Pow(x[1], -2) + Math.Pow(x[1], -13) * Math.Pow(x[2], 9),
        };
        var none = new DiffOptions { Optimization = OptimizationLevel.None };
        var random = new Random(11);
        foreach (var f in functions)
        {
            var p = DiffProblem.Create(f, none, "test");
            var gradientGraph = Checks.GradientGraph(p);
            var hvpGraph = Checks.HvpGraph(DiffProblem.Create(f, none, "test"));
            var gradient = Diff.Gradient(f).Compile();
            var gradientIL = Diff.Gradient(f).CompileIL();
            var vg = Compiled.ValueAndGradient(f);
            var hvp = Diff.Hvp(f).Compile();
            var hvpIL = Diff.Hvp(f).CompileIL();
            var hvpSpan = Compiled.Hvp(f);
            for (int trial = 0; trial < 200; trial++)
            {
                double[] x = [random.NextDouble() * 3 - 1.5, random.NextDouble() * 3 - 1.5, random.NextDouble() * 3 - 1.5];
                double[] v = [random.NextDouble() - 0.5, random.NextDouble() - 0.5, random.NextDouble() - 0.5];
                var wantG = Interpreter.Evaluate(gradientGraph, (object)x);
                var wantHv = Interpreter.Evaluate(hvpGraph, x, v);
                var g = gradient(x);
                var gIL = gradientIL(x);
                var gSpan = new double[3];
                Checks.Bitwise(Interpreter.Evaluate(p.Function.ToGraph(), (object)x)[0], vg(x, gSpan), $"{f} value at {x[0]:R}");
                var hv = hvp(x, v);
                var hvIL = hvpIL(x, v);
                var hvSpan = new double[3];
                hvpSpan(x, v, hvSpan);
                for (int k = 0; k < p.Positions.Length; k++)
                {
                    int at = p.Positions[k];
                    Checks.Bitwise(wantG[k], g[at], $"{f}: ∂{at} Compile");
                    Checks.Bitwise(wantG[k], gIL[at], $"{f}: ∂{at} CompileIL");
                    Checks.Bitwise(wantG[k], gSpan[at], $"{f}: ∂{at} spans");
                    Checks.Bitwise(wantHv[k], hv[at], $"{f}: (Hv){at} Compile");
                    Checks.Bitwise(wantHv[k], hvIL[at], $"{f}: (Hv){at} CompileIL");
                    Checks.Bitwise(wantHv[k], hvSpan[at], $"{f}: (Hv){at} spans");
                }
            }
        }
    }

    /// <summary>Lennard-Jones written with <c>Math.Pow(r2, −6)</c> and <c>Math.Pow(r2, −3)</c> differentiates to exactly the
    /// code of the canonical form <c>i2 = 1/r²; i6 = i2·i2·i2; 4·(i6·i6 − i6)</c>: one division per pair, r⁻³ shared.</summary>
    [Fact]
    public void Lennard_Jones_with_powers_differentiates_to_the_canonical_form()
    {
        Assert.Equal(Diff.ValueAndGradient(LoopForms.P3).ToCSharp(), Diff.ValueAndGradient(LoopForms.P3Pow).ToCSharp());
        Expression<Func<double, double, double>> pair = (x, y) => Math.Pow(x * x + y * y, -6.0) - Math.Pow(x * x + y * y, -3.0);
        Expression<Func<double, double, double>> canonical = (x, y) => 1 / (x * x + y * y) * (1 / (x * x + y * y)) * (1 / (x * x + y * y))
            * (1 / (x * x + y * y) * (1 / (x * x + y * y)) * (1 / (x * x + y * y))) - 1 / (x * x + y * y) * (1 / (x * x + y * y)) * (1 / (x * x + y * y));
        Assert.Equal(Diff.Gradient(canonical).ToCSharp(), Diff.Gradient(pair).ToCSharp());
        Assert.DoesNotContain("Pow", Diff.Gradient(pair).ToCSharp());
    }

    /// <summary>Powers vectorize as plain products in batches, every lane equal to the scalar code bit for bit.</summary>
    [Fact]
    public void Batches_vectorize_powers_as_products()
    {
        Expression<Func<double, double, double>> f = (x, y) => Math.Pow(x, 5) * Math.Pow(y, -3) + Math.Pow(x * y, 12) - Math.Pow(x - y, -2);
        var batch = BatchGradient.Create(f);
        Assert.Null(batch.NotVectorizedReason);
        const int count = 37;
        var random = new Random(3);
        var points = new double[2 * count];
        for (int i = 0; i < points.Length; i++) points[i] = random.NextDouble() * 4 - 2;
        var values = new double[count];
        var gradients = new double[2 * count];
        batch.Evaluate(points, values, gradients);
        var vg = Diff.ValueAndGradient(f).Compile();
        for (int p = 0; p < count; p++)
        {
            var g = new double[2];
            double x = points[p], y = points[count + p];
            Checks.Bitwise(vg(x, y, g), values[p], $"f({x:R}, {y:R})");
            Checks.Bitwise(Intrinsics.PowChain(x, 5) * Intrinsics.PowChain(y, -3) + Intrinsics.PowChain(x * y, 12) - Intrinsics.PowChain(x - y, -2),
                values[p], $"f({x:R}, {y:R}) as chains");
            Checks.Bitwise(g[0], gradients[p], "∂x");
            Checks.Bitwise(g[1], gradients[count + p], "∂y");
        }
    }

    /// <summary><see cref="IntegerPowerMode.CorrectlyRounded"/> keeps <see cref="Intrinsics.PowInt"/>; FastMath turns
    /// <c>Intrinsics.PowInt</c> into the same chain as the default.</summary>
    [Fact]
    public void Correctly_rounded_powers_stay_available_and_fast_math_uses_the_same_chain()
    {
        var correctly = new DiffOptions { IntegerPowers = IntegerPowerMode.CorrectlyRounded };
        var fast = new DiffOptions { Optimization = OptimizationLevel.FastMath };
        var random = new Random(9);
        foreach (int k in new[] { -16, -7, -3, -2, 3, 5, 7, 13, 16 })
        {
            var f = PowerOf(k);
            var x = Expression.Parameter(typeof(double[]), "x");
            var powInt = Expression.Lambda<Func<double[], double>>(Expression.Call(
                typeof(Intrinsics).GetMethod(nameof(Intrinsics.PowInt))!, Expression.ArrayIndex(x, Expression.Constant(0)), Expression.Constant(k)), x);
            var rounded = Diff.ValueAndGradient(f, correctly).CompileIL();
            var fastChain = Diff.ValueAndGradient(powInt, fast).CompileIL();
            Assert.Contains("PowInt", Diff.ValueAndGradient(f, correctly).ToCSharp());
            for (int i = 0; i < 100; i++)
            {
                double b = (random.Next(2) == 0 ? -1 : 1) * double.Exp2(random.NextDouble() * 20 - 10);
                var g = new double[1];
                Checks.Bitwise(Intrinsics.PowInt(b, k), rounded([b], g), $"correctly rounded {b:R}^{k}");
                Checks.Relative(k * Intrinsics.PowInt(b, k - 1), g[0], 1e-15, $"correctly rounded d/dx {b:R}^{k}", floor: 0);
                Checks.Bitwise(Intrinsics.PowChain(b, k), fastChain([b], g), $"FastMath PowInt({b:R}, {k})");
            }
        }
    }

    /// <summary>x⁴ as a user's function, for <see cref="A_users_derivative_rule_reads_powers_as_the_function_does"/>.</summary>
    public static double Quartic(double x) => x * x * (x * x);

    /// <summary><c>Math.Pow</c> in a user's derivative rule follows <see cref="DiffOptions.IntegerPowers"/> as the function does.</summary>
    [Fact]
    public void A_users_derivative_rule_reads_powers_as_the_function_does()
    {
        var rules = RuleSet.Default.With(x => Quartic(x), x => 4 * Math.Pow(x, 3));
        Expression<Func<double, double>> f = x => Quartic(x) + Math.Pow(x, 5);
        string multiplication = Diff.Derivative(f, options: new DiffOptions { Rules = rules }).ToCSharp();
        string rounded = Diff.Derivative(f, options: new DiffOptions { Rules = rules, IntegerPowers = IntegerPowerMode.CorrectlyRounded }).ToCSharp();
        Assert.DoesNotContain("PowInt", multiplication);
        // x³ from the rule and x⁴ from d(x⁵)/dx, fused into one correctly rounded call.
        Assert.Contains("Intrinsics.PowInts(x, 4, 3", rounded);
        var d = Diff.Derivative(f, options: new DiffOptions { Rules = rules }).Compile();
        Checks.Bitwise(4 * Intrinsics.PowChain(1.3, 3) + (double)Diff.Derivative((double x) => Math.Pow(x, 5)).Compile()(1.3), d(1.3), "d/dx at 1.3");
    }

    /// <summary>
    /// The bounds the README documents (max ulps from the correctly rounded power per k, measured on 10⁷ bases by the
    /// <c>powers</c> benchmark command) hold on a fresh sample of 2·10⁵ bases per k from the same distribution, and the
    /// API docs quote the same figures: the docs cannot go stale silently.
    /// </summary>
    [Fact]
    public void Documented_error_bounds_hold()
    {
        var (positive, negative) = ReadmeBounds();
        Assert.Equal(16, positive.Length);
        Assert.Equal(16, negative.Length);
        string source = File.ReadAllText(Path.Combine(RepositoryRoot(), "Core", "IntrinsicsPowerChain.cs"));
        Assert.Contains($"k = 1…16: {string.Join(", ", positive)}.", source);
        Assert.Contains($"k = −1…−16: {string.Join(", ", negative)}.", source);
        string diff = File.ReadAllText(Path.Combine(RepositoryRoot(), "Compiler", "Diff.cs"));
        Assert.Contains($"{string.Join(", ", positive)} ulps", diff.Replace("\n///", "", StringComparison.Ordinal));
        Assert.Contains($"{string.Join(", ", negative)} ulps", diff.Replace("\n///", "", StringComparison.Ordinal));

        Parallel.For(1, 17, m =>
        {
            foreach (int k in new[] { m, -m })
            {
                var random = new Random(424242 + k);
                long worst = 0;
                for (int i = 0; i < 200_000; i++)
                {
                    double magnitude = double.Exp2(random.NextDouble() * 40 - 20);
                    double x = random.Next(2) == 0 ? magnitude : -magnitude;
                    long d = Math.Abs(BitConverter.DoubleToInt64Bits(Intrinsics.PowChain(x, k)) - BitConverter.DoubleToInt64Bits(Intrinsics.PowInt(x, k)));
                    worst = Math.Max(worst, d);
                }
                int documented = k > 0 ? positive[k - 1] : negative[-k - 1];
                Assert.True(worst <= documented, $"Math.Pow(x, {k}): {worst} ulps on a sample, the README says at most {documented}");
                // A bound far above what even a small sample reaches would be stale too.
                Assert.True(worst >= documented / 2, $"Math.Pow(x, {k}): at most {worst} ulps on a sample, the README says {documented}");
            }
        });
    }

    private static (int[] Positive, int[] Negative) ReadmeBounds()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "README.md"));
        static int[] Row(string line) => line.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[1..]
            .Select(c => int.Parse(c, CultureInfo.InvariantCulture)).ToArray();
        return (Row(lines.Single(l => l.TrimStart().StartsWith("| max ulps of x^k |", StringComparison.Ordinal))),
            Row(lines.Single(l => l.TrimStart().StartsWith("| max ulps of x^−k |", StringComparison.Ordinal))));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ExprDiff.sln"))) return dir.FullName;
        throw new InvalidOperationException("the repository root (ExprDiff.sln) was not found above " + AppContext.BaseDirectory);
    }
}
