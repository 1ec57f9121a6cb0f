using ScottPlot;

namespace ExprDiff.Examples;

/// <summary>One line of a line chart: its legend text and its points.</summary>
/// <param name="Label">The legend text.</param>
/// <param name="X">Abscissas.</param>
/// <param name="Y">Ordinates; NaN and infinities are left out (a log of 0, a value a solver never reached).</param>
public sealed record Series(string Label, double[] X, double[] Y);

/// <summary>
/// The plots the examples save, in one style: line charts (loss and convergence curves) and a heatmap with points
/// (a classifier's output). Every figure has a title and axis labels, which the tests look for in the PNG: ScottPlot
/// draws no text, silently, on a machine without fonts.
/// </summary>
public static class Plots
{
    /// <summary>The default size of a saved PNG, in pixels.</summary>
    public const int Width = 800, Height = 600;

    /// <summary>A line chart with a legend.</summary>
    /// <param name="title">The title, drawn centred above the data area.</param>
    /// <param name="xLabel">The horizontal axis's label.</param>
    /// <param name="yLabel">The vertical axis's label.</param>
    /// <param name="series">The lines, in legend order.</param>
    public static Plot Lines(string title, string xLabel, string yLabel, IEnumerable<Series> series)
    {
        var plot = new Plot();
        foreach (var s in series)
        {
            var (xs, ys) = Finite(s.X, s.Y);
            if (xs.Length == 0) continue;
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = s.Label;
            line.LineWidth = 2;
            line.MarkerSize = xs.Length <= 60 ? 5 : 0;
        }
        Label(plot, title, xLabel, yLabel);
        // Decreasing curves (losses, convergence) leave the lower left empty.
        plot.ShowLegend(Alignment.LowerLeft);
        return plot;
    }

    /// <summary>A heatmap of <paramref name="values"/> over a rectangle, values[row, column] with row 0 at the bottom
    /// (the smallest y), as a function sampled on a grid is usually stored.</summary>
    /// <param name="title">The title.</param>
    /// <param name="xLabel">The horizontal axis's label.</param>
    /// <param name="yLabel">The vertical axis's label.</param>
    /// <param name="values">The samples.</param>
    /// <param name="xMin">The left edge.</param>
    /// <param name="xMax">The right edge.</param>
    /// <param name="yMin">The bottom edge.</param>
    /// <param name="yMax">The top edge.</param>
    /// <param name="opacity">From 0 (invisible) to 1; below 1 lets points drawn over the map stand out.</param>
    public static Plot Heatmap(string title, string xLabel, string yLabel, double[,] values, double xMin, double xMax, double yMin, double yMax,
        double opacity = 1)
    {
        var plot = new Plot();
        // ScottPlot draws row 0 at the top: flip so that row 0 is the bottom.
        int rows = values.GetLength(0), columns = values.GetLength(1);
        var flipped = new double[rows, columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                flipped[rows - 1 - r, c] = values[r, c];
        var map = plot.Add.Heatmap(flipped);
        map.Extent = new CoordinateRect(xMin, xMax, yMin, yMax);
        map.Colormap = new ScottPlot.Colormaps.Balance();
        map.Opacity = opacity;
        plot.Add.ColorBar(map);
        Label(plot, title, xLabel, yLabel);
        plot.Axes.SetLimits(xMin, xMax, yMin, yMax);
        return plot;
    }

    /// <summary>Adds points of one class to <paramref name="plot"/>, with a legend entry.</summary>
    /// <param name="plot">The plot.</param>
    /// <param name="label">The legend text.</param>
    /// <param name="x">Abscissas.</param>
    /// <param name="y">Ordinates.</param>
    /// <param name="color">The markers' fill, as #RRGGBB.</param>
    /// <param name="shape">The markers' shape.</param>
    public static void Points(Plot plot, string label, double[] x, double[] y, string color, MarkerShape shape = MarkerShape.FilledCircle)
    {
        var markers = plot.Add.Markers(x, y, shape, 6, Color.FromHex(color));
        markers.LegendText = label;
        plot.ShowLegend(Alignment.UpperRight);
    }

    /// <summary>Writes <paramref name="plot"/> as a PNG, creating the folder if needed; returns the path.</summary>
    /// <param name="plot">The plot.</param>
    /// <param name="directory">The output folder.</param>
    /// <param name="fileName">The file's name, ending in .png.</param>
    public static string Save(Plot plot, string directory, string fileName)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, fileName);
        plot.SavePng(path, Width, Height);
        return path;
    }

    private static void Label(Plot plot, string title, string xLabel, string yLabel)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
    }

    private static (double[] X, double[] Y) Finite(double[] x, double[] y)
    {
        if (x.Length != y.Length) throw new ArgumentException($"a series has {x.Length} abscissas and {y.Length} ordinates");
        var keep = Enumerable.Range(0, x.Length).Where(i => double.IsFinite(x[i]) && double.IsFinite(y[i])).ToArray();
        return (keep.Select(i => x[i]).ToArray(), keep.Select(i => y[i]).ToArray());
    }
}
