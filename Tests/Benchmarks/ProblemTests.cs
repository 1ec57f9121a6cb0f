using System.Diagnostics;
using ExprDiff.Benchmarks.Problems;
using Xunit;
using Xunit.Abstractions;

namespace ExprDiff.Tests.Benchmarks;

/// <summary>
/// The benchmark problems' data, hand-written code and term-by-term expressions, checked against PROBLEMS.md's
/// reference values and against ExprDiff.
/// </summary>
public class ProblemTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(10)]
    [InlineData(100)]
    [InlineData(1000)]
    [InlineData(10000)]
    public void P1_handwritten_f_equals_the_reference(int n)
    {
        var x = P1Rosenbrock.Point(n);
        AssertRelative(P1Rosenbrock.Reference(n), P1Rosenbrock.Value(x), 1e-12);
        AssertRelative(P1Rosenbrock.Reference(n), P1Rosenbrock.ValueAndGradient(x, new double[n]), 1e-12);
    }

    [Fact]
    public void P1_point_for_a_smaller_n_is_a_prefix_of_the_larger()
    {
        Assert.Equal(P1Rosenbrock.Point(10), P1Rosenbrock.Point(100)[..10]);
    }

    [Fact]
    public void P2_handwritten_f_equals_the_reference()
    {
        var w = P2Logistic.Point();
        AssertRelative(P2Logistic.Reference, P2Logistic.Value(w), 1e-12);
        AssertRelative(P2Logistic.Reference, P2Logistic.ValueAndGradient(w, new double[P2Logistic.D]), 1e-12);
    }

    [Fact]
    public void P3_handwritten_f_equals_the_reference()
    {
        var x = P3LennardJones.Point();
        AssertRelative(P3LennardJones.Reference, P3LennardJones.Value(x), 1e-12);
        AssertRelative(P3LennardJones.Reference, P3LennardJones.ValueAndGradient(x, new double[P3LennardJones.N]), 1e-12);
    }

    [Fact]
    public void P4_handwritten_f_equals_the_reference()
    {
        var theta = P4Mlp.Point();
        AssertRelative(P4Mlp.Reference, P4Mlp.Value(theta), 1e-12);
        AssertRelative(P4Mlp.Reference, P4Mlp.ValueAndGradient(theta, new double[P4Mlp.N]), 1e-12);
    }

    [Theory]
    [InlineData("P1-100")]
    [InlineData("P2")]
    [InlineData("P3")]
    [InlineData("P4")]
    public void Handwritten_gradient_matches_ExprDiff_on_the_term_by_term_expression(string name)
    {
        var p = ProblemCatalog.Get(name);
        var x = p.Point();
        var sw = Stopwatch.StartNew();
        var f = p.TermByTerm();
        double buildMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var gradient = Diff.Gradient(f);
        double diffMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var compiled = gradient.Compile();
        double compileMs = sw.Elapsed.TotalMilliseconds;
        sw.Restart();
        var expected = new double[x.Length];
        p.ValueAndGradient(x, expected);
        var actual = compiled(x);
        double callMs = sw.Elapsed.TotalMilliseconds;
        output.WriteLine($"{name}: build {buildMs:F0} ms, Diff.Gradient {diffMs:F0} ms, Compile {compileMs:F0} ms, first call {callMs:F0} ms");
        AssertRelative(expected, actual, 1e-10);
    }

    [Theory]
    [InlineData("P1-100")]
    [InlineData("P1-10000")]
    [InlineData("P2")]
    [InlineData("P3")]
    public void Term_by_term_expression_compiled_equals_the_reference(string name)
    {
        var p = ProblemCatalog.Get(name);
        AssertRelative(p.Reference, p.TermByTerm().Compile()(p.Point()), 1e-12);
    }

    // P4's expression is a DAG (each hidden unit is one object used 16 times); Compile() would write it out as a
    // tree millions of nodes big, so its value is checked through ExprDiff, which reads the DAG as a graph.
    [Theory]
    [InlineData("P1-100")]
    [InlineData("P2")]
    [InlineData("P3")]
    [InlineData("P4")]
    public void Term_by_term_expression_through_ValueAndGradient_equals_the_reference(string name)
    {
        var p = ProblemCatalog.Get(name);
        var x = p.Point();
        double value = Diff.ValueAndGradient(p.TermByTerm()).Compile()(x, new double[x.Length]);
        AssertRelative(p.Reference, value, 1e-12);
    }

    [Fact]
    public void P1_handwritten_Hvp_matches_ExprDiff_at_n_1000()
    {
        const int n = 1000;
        var x = P1Rosenbrock.Point(n);
        var v = P1Rosenbrock.Direction(n);
        var expected = new double[n];
        P1Rosenbrock.Hvp(x, v, expected);
        var actual = Diff.Hvp(P1Rosenbrock.TermByTerm(n)).Compile()(x, v);
        AssertRelative(expected, actual, 1e-10);
    }

    [Fact]
    public void Lcg_matches_its_definition()
    {
        var r = new Lcg(7);
        ulong state = 7;
        for (int i = 0; i < 5; i++)
        {
            state = unchecked(state * 6364136223846793005UL + 1442695040888963407UL);
            Assert.Equal((state >> 11) * Math.Pow(2, -53), r.Next());
        }
        state = unchecked(state * 6364136223846793005UL + 1442695040888963407UL);
        Assert.Equal(2.0 * ((state >> 11) * Math.Pow(2, -53)) - 1.0, r.Sym());
    }

    internal static void AssertRelative(double expected, double actual, double tolerance)
    {
        double error = Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), double.Epsilon);
        Assert.True(error <= tolerance, $"expected {expected:R}, got {actual:R} (relative error {error:E2} > {tolerance:E0})");
    }

    /// <summary>Normwise: max |a − e| ≤ tolerance · max |e|.</summary>
    internal static void AssertRelative(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0, error = 0;
        int worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            scale = Math.Max(scale, Math.Abs(expected[i]));
            double d = Math.Abs(actual[i] - expected[i]);
            if (!(d <= error)) { error = d; worst = i; }
        }
        Assert.True(error <= tolerance * scale,
            $"element {worst}: expected {expected[worst]:R}, got {actual[worst]:R} (error {error:E2} > {tolerance:E0} × {scale:G4})");
    }
}
