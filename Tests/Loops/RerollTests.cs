using System.Linq.Expressions;
using ExprDiff.Benchmarks.Problems;
using ExprDiff.Tests.Properties;
using Xunit;
using static System.Linq.Expressions.Expression;

namespace ExprDiff.Tests.Loops;

/// <summary>
/// Sums written out term by term become loops when their terms are one expression over elements that move by a fixed
/// stride: the derivative is then the loop form's (small, and the same whatever the number of terms), with the same
/// values bit for bit, and anything else is left as written.
/// </summary>
public class RerollTests
{
    private static readonly System.Reflection.MethodInfo Sin = typeof(Math).GetMethod(nameof(Math.Sin), [typeof(double)])!;

    /// <summary>Σ term(k) for k &lt; count, left-deep, optionally starting from a 0.0 constant.</summary>
    private static Expression<Func<double[], double>> Written(int count, Func<ParameterExpression, int, Expression> term, bool fromZero = false)
    {
        var x = Parameter(typeof(double[]), "x");
        Expression? sum = fromZero ? Constant(0.0) : null;
        for (int k = 0; k < count; k++) sum = sum is null ? term(x, k) : Add(sum, term(x, k));
        return Lambda<Func<double[], double>>(sum!, x);
    }

    private static Expression At(ParameterExpression x, int i) => ArrayIndex(x, Constant(i));

    public static TheoryData<string> Cases => new(Programs.Keys);

    private static readonly Dictionary<string, (Expression<Func<double[], double>> F, int Length, bool Rerolled)> Programs = new()
    {
        ["rosenbrock"] = (P1Rosenbrock.TermByTerm(120), 120, true),
        ["from a zero"] = (Written(150, (x, k) => Multiply(At(x, 2 * k + 1), Call(Sin, At(x, 2 * k))), fromZero: true), 300, true),
        // Each term negative zero at x = 0: the loop must start from −0.0 to give −0.0 back.
        ["negative zeros"] = (Written(150, (x, k) => Multiply(At(x, k), Subtract(At(x, k + 3), Constant(1.0)))), 153, true),
        ["stride three"] = (Written(110, (x, k) => Multiply(Subtract(At(x, 3 * k), At(x, 3 * k + 2)), At(x, 3 * k + 1))), 330, true),
        // A different constant in one term: left as written.
        ["one term differs"] = (Written(150, (x, k) => Multiply(Constant(k == 75 ? 2.0 : 1.0), Multiply(At(x, k), At(x, k)))), 150, false),
        // Indices not affine in the term's position (k²).
        ["not affine"] = (Written(120, (x, k) => Multiply(At(x, k * k), At(x, k))), 119 * 119 + 1, false),
        // Few terms: straight-line code is small enough for the JIT to optimize, and faster than a loop.
        ["small sum"] = (Written(30, (x, k) => Multiply(At(x, k), At(x, k))), 30, false),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rerolled_or_not_the_derivatives_are_those_of_the_written_sum(string name)
    {
        var (f, n, rerolled) = Programs[name];
        var vg = Diff.ValueAndGradient(f);
        var none = Diff.ValueAndGradient(f, new DiffOptions { Optimization = OptimizationLevel.None }).Compile();
        Assert.Equal(rerolled, vg.ToCSharp().Contains("while (true)", StringComparison.Ordinal));
        var run = vg.Compile();
        var il = vg.CompileIL();
        foreach (var x in new[]
        {
            Enumerable.Range(0, n).Select(i => Math.Sin(0.9 * i + 0.2)).ToArray(),
            new double[n],
            Enumerable.Range(0, n + 3).Select(i => 1.0 / (i + 1)).ToArray(),
        })
        {
            var g = new double[x.Length];
            var gIL = new double[x.Length];
            var gNone = new double[x.Length];
            double value = run(x, g);
            Checks.Bitwise(none(x, gNone), value, $"{name}: value");
            Checks.Bitwise(value, il(x, gIL), $"{name}: IL value");
            for (int k = 0; k < x.Length; k++)
            {
                Checks.Bitwise(g[k], gIL[k], $"{name}: IL gradient [{k}]");
                Assert.True(Math.Abs(g[k] - gNone[k]) <= 1e-12 * Math.Max(1, Math.Abs(gNone[k])), $"{name}: gradient [{k}] {g[k]:R} vs {gNone[k]:R}");
            }
        }
        // The elements the terms read are still required up front, by name.
        var ex = Assert.Throws<ArgumentException>(() => run(new double[n - 1], new double[n - 1]));
        Assert.Contains("'x'", ex.Message);
    }

    /// <summary>P1 written out for 10,000 terms differentiates to the loop form's code: a few hundred bytes of IL.</summary>
    [Fact]
    public void Ten_thousand_terms_become_one_loop()
    {
        var vg = Diff.ValueAndGradient(P1Rosenbrock.TermByTerm(10_000));
        var compiled = ILBackend.Compile(vg);
        Assert.False(compiled.UsedFallback);
        Assert.True(compiled.ILBytes < 4_000, $"{compiled.ILBytes} bytes of IL");
        var x = Enumerable.Range(0, 10_000).Select(i => i % 2 == 0 ? -1.2 : 1.0).ToArray();
        var g = new double[x.Length];
        var loop = Diff.ValueAndGradient(LoopForms.P1).Compile();
        var gLoop = new double[x.Length];
        Checks.Bitwise(loop(x, gLoop), ((Func<double[], double[], double>)compiled.Delegate)(x, g), "value");
        for (int k = 0; k < x.Length; k++) Checks.Bitwise(gLoop[k], g[k], $"gradient [{k}]");
    }
}
