using ExprDiff.Benchmarks;
using Xunit;

namespace ExprDiff.Tests.Benchmarks;

/// <summary>Every benchmark class's variants compute the same thing (Superpower's habit: a Verify per class).</summary>
public class BenchmarkVerifyTests
{
    [Theory]
    [InlineData("P1-10")]
    [InlineData("P1-100")]
    [InlineData("P1-1000")]
    [InlineData("P1-10000")]
    [InlineData("P2")]
    [InlineData("P3")]
    [InlineData("P4")]
    public void GradientBenchmarks_variants_agree(string problem)
    {
        var b = new GradientBenchmarks { Problem = problem };
        b.Setup();
        AssertAgree(b.Verify(), b.Scale(), 1e-9);
        AssertAgree(b.VerifyFastMath(), b.Scale(), 1e-9);
    }

    // Central differences with h = ∛ε·max(1, |x|) carry truncation and rounding error of order 1e-10..1e-8
    // relative, so they are held to 1e-6, not the 1e-9 of exact methods.
    [Theory]
    [InlineData("P1-10")]
    [InlineData("P1-100")]
    [InlineData("P2")]
    [InlineData("P3")]
    public void FiniteDifferenceGradientBenchmarks_variants_agree(string problem)
    {
        var b = new FiniteDifferenceGradientBenchmarks { Problem = problem };
        b.Setup();
        AssertAgree(b.Verify(), b.Scale(), 1e-6);
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(1_000_000)]
    public void LoopGradientBenchmarks_variants_agree(int n)
    {
        var b = new LoopGradientBenchmarks { N = n };
        b.Setup();
        AssertAgree(b.Verify(), b.Scale(), 1e-12);
    }

    [Fact]
    public void GradientCompileTimeBenchmarks_variants_agree()
    {
        var b = new GradientCompileTimeBenchmarks();
        b.Setup();
        AssertAgree(b.Verify(), b.Scale(), 1e-9);
    }

    [Theory]
    [InlineData("P1-1000 loop")]
    [InlineData("P1-10000 loop")]
    [InlineData("P2 loop")]
    [InlineData("P3 loop")]
    [InlineData("P3 pow loop")]
    [InlineData("P4 loop")]
    [InlineData("P1-1000 terms")]
    [InlineData("P3 terms")]
    public void ILGradientBenchmarks_variants_agree(string @case)
    {
        var b = new ILGradientBenchmarks { Case = @case };
        b.Setup();
        AssertAgree(b.Verify(), b.Scale(), 1e-12);
    }

    [Theory]
    [InlineData("P1-1000 loop")]
    [InlineData("P2 loop")]
    [InlineData("P3 loop")]
    [InlineData("P4 loop")]
    public void ILFiniteDifferenceBenchmarks_variants_agree(string @case)
    {
        var b = new ILFiniteDifferenceBenchmarks { Case = @case };
        b.Setup();
        AssertAgree(b.Verify(), b.Scale(), 1e-6);
    }

    [Fact]
    public void ILCompileTimeBenchmarks_variants_agree()
    {
        var b = new ILCompileTimeBenchmarks { N = 1_000 };
        b.Setup();
        AssertAgree(b.Verify(), b.Scale(), 1e-12);
    }

    [Theory]
    [InlineData(4096)]
    [InlineData(10_001)]
    public void BatchBenchmarks_variants_agree(int points)
    {
        var b = new BatchBenchmarks { Points = points };
        b.Setup();
        AssertAgree(b.Verify(), b.Scale(), 1e-14);
    }

    private static void AssertAgree(double maxAbsDifference, double scale, double relative) =>
        Assert.True(maxAbsDifference <= relative * scale,
            $"variants differ by {maxAbsDifference:E3}, more than {relative:E0} × {scale:G6}");
}
