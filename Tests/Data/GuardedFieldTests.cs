using ExprDiff.Benchmarks;
using ExprDiff.Benchmarks.Problems;
using ExprDiff.Tests.Support;
using Xunit;

namespace ExprDiff.Tests.Data;

/// <summary>P6: a φ⁴ field whose boundary terms are guarded (<c>i + 1 &lt; 256 ? … : 0</c>). Its derivatives need the
/// guard to protect the scatter's index too (issue 11, point 1): until that lands, the tests marked so below fail with
/// <see cref="IndexOutOfRangeException"/>.</summary>
public class GuardedFieldTests
{
    [Fact]
    public void P6_reference_value_hand_written_and_as_users_write_it()
    {
        var u = P6Phi4.Point();
        AssertRelative(P6Phi4.Reference, P6Phi4.Value(u), 1e-12);
        AssertRelative(P6Phi4.Reference, P6Phi4.ValueAndGradient(u, new double[u.Length]), 1e-12);
        AssertRelative(P6Phi4.Reference, P6Phi4.Loop.Compile()(u), 1e-12);
    }

    [Fact]
    public void P6_value_through_the_IL_backend() // needs issue 11 point 1: CompileIL imports f, and the guarded read is not yet kept under its guard
    {
        AssertRelative(P6Phi4.Reference, P6Phi4.Loop.CompileIL()(P6Phi4.Point()), 1e-12);
    }

    [Fact]
    public void P6_hand_written_gradient_against_finite_differences()
    {
        var u = P6Phi4.Point();
        var g = new double[u.Length];
        P6Phi4.ValueAndGradient(u, g);
        foreach (int k in new[] { 0, 1, 255, 256, 257, 1000, 65279, 65280, 65535 })
            Assert.Equal(FiniteDifferences.Partial(P6Phi4.Value, u, k), g[k], 5);
    }

    [Fact]
    public void P6_gradient_equals_the_hand_written_one() // needs issue 11 point 1 (guarded scatter indices)
    {
        var u = P6Phi4.Point();
        var expected = new double[u.Length];
        double e = P6Phi4.ValueAndGradient(u, expected);
        var vg = Diff.ValueAndGradient(P6Phi4.Loop);
        foreach (var route in new[] { vg.Compile(), vg.CompileIL() })
        {
            var g = new double[u.Length];
            AssertRelative(e, route(u, g), 1e-12);
            FiniteDifferences.AssertClose(expected, g, 1e-12, 1e-13, "P6 gradient");
        }
    }

    [Fact]
    public void DataGradientBenchmarks_P6_variants_agree() // needs issue 11 point 1
    {
        var b = new DataGradientBenchmarks { Problem = "P6" };
        b.Setup();
        Assert.True(b.Verify() <= 1e-9 * b.Scale(), $"max difference {b.Verify():R} at scale {b.Scale():R}");
    }

    [Fact]
    public void DataGradientBenchmarks_P5_variants_agree()
    {
        var b = new DataGradientBenchmarks { Problem = "P5" };
        b.Setup();
        Assert.True(b.Verify() <= 1e-9 * b.Scale(), $"max difference {b.Verify():R} at scale {b.Scale():R}");
    }

    private static void AssertRelative(double expected, double actual, double rel) =>
        Assert.True(Math.Abs(expected - actual) <= rel * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");
}
