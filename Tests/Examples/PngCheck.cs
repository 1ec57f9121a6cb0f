using SkiaSharp;
using Xunit;

namespace ExprDiff.Tests.Examples;

/// <summary>
/// Checks on the PNGs the examples save (800 × 600, <c>Plots</c>' layout): that something was plotted, and that text
/// was drawn. ScottPlot draws no text, without an error, on a machine without fonts; these checks are what notice.
/// </summary>
internal static class PngCheck
{
    public const string NoFonts = "no text was drawn: ScottPlot found no fonts on this machine (Debian: apt-get install fonts-dejavu-core; .ci/run does it)";

    /// <summary>The title is drawn above the data area's frame, where nothing else is: dark pixels there.</summary>
    /// <remarks>Located from the frame rather than at fixed pixels: without fonts ScottPlot reserves no room for text, the
    /// frame moves to the image's edge, and a fixed band would then count the frame itself.</remarks>
    public static void HasTitle(string path)
    {
        using var image = Load(path);
        int top = FrameTop(image);
        int dark = Count(image, 0, image.Width, 0, Math.Max(0, top - 2), IsDark);
        Assert.True(dark >= 30, $"{Path.GetFileName(path)}: {dark} dark pixels above the frame (row {top}), where the title goes; {NoFonts}");
    }

    /// <summary>The left axis's tick labels and label lie left of the frame, beyond the tick marks: dark pixels there.</summary>
    public static void HasTickLabels(string path)
    {
        using var image = Load(path);
        int left = FrameLeft(image);
        const int tickMarks = 8;
        int dark = Count(image, 0, Math.Max(0, left - tickMarks), image.Height / 10, image.Height * 9 / 10, IsDark);
        Assert.True(dark >= 30, $"{Path.GetFileName(path)}: {dark} dark pixels left of the frame (column {left}), where the axis's labels go; {NoFonts}");
    }

    // The first row from the top with a dark run across 40% of the width: the data area's top edge.
    private static int FrameTop(SKBitmap image)
    {
        for (int y = 0; y < image.Height; y++)
            if (LongestRun(image.Width, x => IsDark(image.GetPixel(x, y))) >= image.Width * 2 / 5) return y;
        throw new InvalidDataException("no frame around the data area");
    }

    // The first column from the left with a dark run down 40% of the height: the data area's left edge.
    private static int FrameLeft(SKBitmap image)
    {
        for (int x = 0; x < image.Width; x++)
            if (LongestRun(image.Height, y => IsDark(image.GetPixel(x, y))) >= image.Height * 2 / 5) return x;
        throw new InvalidDataException("no frame around the data area");
    }

    private static int LongestRun(int length, Func<int, bool> dark)
    {
        int longest = 0, run = 0;
        for (int i = 0; i < length; i++)
        {
            run = dark(i) ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }
        return longest;
    }

    /// <summary>The middle of the data area has coloured pixels (lines, a colour map): more than the grey grid of an
    /// empty plot.</summary>
    public static void HasData(string path, double minimumFraction = 0.005)
    {
        using var image = Load(path);
        int x0 = image.Width / 5, x1 = image.Width * 4 / 5, y0 = image.Height / 5, y1 = image.Height * 4 / 5;
        int coloured = Count(image, x0, x1, y0, y1, c => Math.Max(c.Red, Math.Max(c.Green, c.Blue)) - Math.Min(c.Red, Math.Min(c.Green, c.Blue)) > 60);
        double fraction = (double)coloured / ((x1 - x0) * (y1 - y0));
        Assert.True(fraction >= minimumFraction, $"{Path.GetFileName(path)}: only {fraction:P2} of the data area is coloured: nothing plotted?");
    }

    /// <summary>All three.</summary>
    public static void IsAPlot(string path)
    {
        Assert.True(File.Exists(path), $"{path} was not written");
        HasData(path);
        HasTitle(path);
        HasTickLabels(path);
    }

    public static int CountDark(string path, int x0, int x1, int y0, int y1)
    {
        using var image = Load(path);
        return Count(image, x0, x1, y0, y1, IsDark);
    }

    private static bool IsDark(SKColor c) => c.Red < 100 && c.Green < 100 && c.Blue < 100;

    private static SKBitmap Load(string path)
    {
        var image = SKBitmap.Decode(path) ?? throw new InvalidDataException($"{path} is not an image");
        Assert.Equal((800, 600), (image.Width, image.Height));
        return image;
    }

    private static int Count(SKBitmap image, int x0, int x1, int y0, int y1, Func<SKColor, bool> test)
    {
        int count = 0;
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
                if (test(image.GetPixel(x, y))) count++;
        return count;
    }
}
