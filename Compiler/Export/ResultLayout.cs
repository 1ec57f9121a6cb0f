using ExprDiff.Import;

namespace ExprDiff.Export;

/// <summary>How the outputs of a graph become the result of an exported lambda. Output numbers are
/// positions in the graph's output list.</summary>
internal abstract record ResultLayout;

/// <summary>Returns one output.</summary>
internal sealed record ScalarLayout(int Output) : ResultLayout;

/// <summary>Returns a new <c>double[]</c> of <paramref name="Length"/>; elements not listed are zero.</summary>
internal sealed record VectorLayout(Extent Length, (int Index, int Output)[] Elements) : ResultLayout;

/// <summary>Returns a new <c>double[,]</c>; cells not listed are zero.</summary>
internal sealed record MatrixLayout(Extent Rows, Extent Columns, (int Row, int Column, int Output)[] Cells) : ResultLayout;

/// <summary>Writes a vector into the array parameter <paramref name="Target"/> (of length
/// <paramref name="Length"/>) and returns one output: <c>(x, gradient) => f(x)</c>.</summary>
internal sealed record WriteLayout(int Value, int Target, Extent Length, (int Index, int Output)[] Elements) : ResultLayout;

/// <summary>Returns an array-valued output as it is (a gradient computed by loops).</summary>
/// <param name="OwnLength">Whether the array's length is its own, computed when the function runs, rather than x's
/// (a Jacobian-vector product of a result of computed length, against a gradient): it decides how the array is
/// written into a caller's buffer.</param>
internal sealed record ArrayLayout(int Output, bool OwnLength = false) : ResultLayout;

/// <summary>Copies an array-valued output into the array parameter <paramref name="Target"/> (of length
/// <paramref name="Length"/>, or null for the array's own length, known only once it is computed) and returns the scalar
/// output <paramref name="Value"/>.</summary>
internal sealed record WriteArrayLayout(int Value, int Target, Extent? Length, int ArrayOutput) : ResultLayout;

/// <summary>Returns a new <c>double[,]</c> of <c>output RowsOutput</c> (an int) rows and <paramref name="Columns"/> columns,
/// whose listed columns are array-valued outputs (a Jacobian of a result of computed length, column by column).</summary>
internal sealed record ColumnsLayout(int RowsOutput, Extent Columns, (int Column, int Output)[] Arrays) : ResultLayout;
