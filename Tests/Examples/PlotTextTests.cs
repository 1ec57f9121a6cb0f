using ExprDiff.Examples;
using Xunit;

namespace ExprDiff.Tests.Examples;

/// <summary>ScottPlot draws text only where it finds fonts, and says nothing when it does not: the same plot with and
/// without its title must differ where the title goes.</summary>
public sealed class PlotTextTests : IClassFixture<TempFolder>
{
    private readonly TempFolder _folder;

    public PlotTextTests(TempFolder folder) => _folder = folder;

    [Fact]
    public void A_title_adds_dark_pixels_to_the_top_band()
    {
        double[] x = [0, 1, 2, 3], y = [3, 1, 0.5, 0.2];
        string with = Plots.Save(Plots.Lines("A title that must be drawn", "x", "y", [new Series("line", x, y)]), _folder.Path, "with.png");
        string without = Plots.Save(Plots.Lines("", "x", "y", [new Series("line", x, y)]), _folder.Path, "without.png");
        int titleBand = 600 * 7 / 100;
        int darkWith = PngCheck.CountDark(with, 100, 700, 0, titleBand);
        int darkWithout = PngCheck.CountDark(without, 100, 700, 0, titleBand);
        // Without a title the data area's frame moves up into the band: what counts is the difference the title makes.
        Assert.True(darkWith >= darkWithout + 50, $"{darkWith} dark pixels in the title band with a title, {darkWithout} without; {PngCheck.NoFonts}");
        PngCheck.IsAPlot(with);
    }
}
