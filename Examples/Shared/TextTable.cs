namespace ExprDiff.Examples;

/// <summary>A plain-text table with aligned columns, as the examples print their results.</summary>
public static class TextTable
{
    /// <summary>Formats <paramref name="rows"/> under <paramref name="headers"/>: the first column left-aligned, the others
    /// right-aligned (numbers), a rule under the headers.</summary>
    /// <param name="headers">The column headers.</param>
    /// <param name="rows">The cells, one array per row, as many as there are headers.</param>
    /// <exception cref="ArgumentException">A row has a different number of cells.</exception>
    public static string Format(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        foreach (var row in rows)
        {
            if (row.Count != headers.Count) throw new ArgumentException($"a row has {row.Count} cells for {headers.Count} columns", nameof(rows));
            all.Add(row);
        }
        var widths = Enumerable.Range(0, headers.Count).Select(c => all.Max(r => r[c].Length)).ToArray();
        var text = new System.Text.StringBuilder();
        for (int r = 0; r < all.Count; r++)
        {
            text.AppendJoin("  ", all[r].Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).AppendLine();
            if (r == 0) text.AppendJoin("  ", widths.Select(w => new string('-', w))).AppendLine();
        }
        return text.ToString();
    }
}
