using System.Reflection;

namespace ExprDiff.Backends.IL;

/// <summary>
/// Span versions of the library calls derivatives make on their array parameters (argument checks, clearing the tail
/// of a gradient buffer, copying a result into it), found by name and argument types.
/// </summary>
internal static class SpanCalls
{
    public static MethodInfo? Replacement(MethodInfo method, Type[] argumentTypes) =>
        typeof(SpanCalls).GetMethod(method.Name, BindingFlags.Public | BindingFlags.Static, argumentTypes);

    public static void RequireLength(ReadOnlySpan<double> array, int minimumLength, string parameterName)
    {
        if (array.Length < minimumLength) Intrinsics.ThrowTooShort(array.Length, minimumLength, parameterName);
    }

    public static void RequireLength(Span<double> array, int minimumLength, string parameterName) =>
        RequireLength((ReadOnlySpan<double>)array, minimumLength, parameterName);

    public static void RequireLengthOf(ReadOnlySpan<double> array, int length, string parameterName, string unit)
    {
        if (array.Length < length) Intrinsics.ThrowNotAsLong(array.Length, length, parameterName, unit);
    }

    public static void RequireLengthOf(Span<double> array, int length, string parameterName, string unit) =>
        RequireLengthOf((ReadOnlySpan<double>)array, length, parameterName, unit);

    public static void Clear(Span<double> array, int index, int length) => array.Slice(index, length).Clear();

    public static void Copy(double[] source, Span<double> destination, int length) => source.AsSpan(0, length).CopyTo(destination);

    // A source that is a span too: a variable the exporter reused for an array and for the caller's buffer.
    public static void Copy(ReadOnlySpan<double> source, Span<double> destination, int length) => source[..length].CopyTo(destination);

    public static void Copy(Span<double> source, Span<double> destination, int length) => source[..length].CopyTo(destination);

    public static void CopyResult(double[] source, Span<double> target, string parameterName)
    {
        RequireLengthOf(target, source.Length, parameterName, "element of the result");
        source.CopyTo(target);
        target[source.Length..].Clear();
    }

    public static void CopyResult(ReadOnlySpan<double> source, Span<double> target, string parameterName)
    {
        RequireLengthOf(target, source.Length, parameterName, "element of the result");
        source.CopyTo(target);
        target[source.Length..].Clear();
    }

    public static void CopyResult(Span<double> source, Span<double> target, string parameterName) =>
        CopyResult((ReadOnlySpan<double>)source, target, parameterName);

    public static ReadOnlySpan<double> CheckedLength(ReadOnlySpan<double> array, int length, string parameterName, string unit)
    {
        RequireLengthOf(array, length, parameterName, unit);
        return array;
    }

    public static Span<double> CheckedLength(Span<double> array, int length, string parameterName, string unit)
    {
        RequireLengthOf(array, length, parameterName, unit);
        return array;
    }

    /// <summary><see cref="Intrinsics.RequireDistinct"/> over spans: any shared element is an overlap (a slice of x too).</summary>
    public static void RequireDistinct(Span<double> output, ReadOnlySpan<double> other, string outputName, string otherName)
    {
        if (output.Overlaps(other)) Intrinsics.ThrowOverlap(outputName, otherName);
    }

    public static void RequireDistinct(Span<double> output, Span<double> other, string outputName, string otherName) =>
        RequireDistinct(output, (ReadOnlySpan<double>)other, outputName, otherName);
}
