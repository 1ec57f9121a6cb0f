using ExprDiff.Examples;
using Xunit;

namespace ExprDiff.Tests.Examples;

public sealed class ExampleArgsTests
{
    [Fact]
    public void Reads_quick_and_a_directory_in_either_order_and_defaults_under_the_current_directory()
    {
        Assert.Equal(new ExampleArgs(true, "out"), ExampleArgs.Parse(["--quick", "out"], "demo"));
        Assert.Equal(new ExampleArgs(true, "out"), ExampleArgs.Parse(["out", "--quick"], "demo"));
        Assert.Equal(new ExampleArgs(false, Path.Combine(Directory.GetCurrentDirectory(), "demo-output")), ExampleArgs.Parse([], "demo"));
    }

    [Fact]
    public void Refuses_an_unknown_flag_and_a_second_directory()
    {
        var unknown = Assert.Throws<ArgumentException>(() => ExampleArgs.Parse(["--quik"], "demo"));
        Assert.StartsWith("unknown option '--quik'; usage: [--quick] [output-directory]", unknown.Message);
        var second = Assert.Throws<ArgumentException>(() => ExampleArgs.Parse(["a", "b"], "demo"));
        Assert.StartsWith("a second output directory 'b'", second.Message);
    }
}
