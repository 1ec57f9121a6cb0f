namespace ExprDiff.Graphs;

/// <summary>The type of a value in a graph. Every value is stored as a <see cref="double"/> at run time
/// in the interpreter; the kind says how it is to be read.</summary>
internal enum ValueKind : byte
{
    /// <summary>An IEEE 754 binary64 number; the only differentiable kind.</summary>
    Double,
    /// <summary>A 32-bit signed integer (C# <c>int</c>), stored exactly.</summary>
    Int32,
    /// <summary>A truth value, stored as 0 or 1.</summary>
    Boolean,
    /// <summary>The (sin, cos) pair of one argument, made only by fusion just before export. The interpreter
    /// stores the argument; each half recomputes its part with <c>Math.SinCos</c>.</summary>
    Pair,
    /// <summary>Four integer powers of one base (<see cref="IntPowers"/>), made only by fusion just before export.
    /// The interpreter stores the base; each power recomputes itself with <c>Intrinsics.PowInt</c>.</summary>
    Powers,
    /// <summary>A <c>double[]</c>: an array parameter, captured by a loop body, or an array-valued adjoint.
    /// Immutable in the graph; the exporter writes it in place where nothing else reads it.</summary>
    Array,
    /// <summary>A <c>double[,]</c> data parameter (read with computed indices, never differentiated).</summary>
    Matrix,
    /// <summary>An <c>int[]</c> of data (element maps, labels, sparse structure): read with computed indices, never differentiated.</summary>
    IntArray,
    /// <summary>An <c>int[,]</c> of data (a finite-element connectivity table).</summary>
    IntMatrix,
    /// <summary>An <c>int[][]</c> of data (adjacency lists); a row is an <see cref="IntArray"/>.</summary>
    IntJagged,
}

/// <summary>The CLR types of the value kinds.</summary>
internal static class ValueKinds
{
    /// <summary>The CLR type a value of <paramref name="kind"/> has in exported code.</summary>
    public static Type ClrType(ValueKind kind) => kind switch
    {
        ValueKind.Array => typeof(double[]),
        ValueKind.Matrix => typeof(double[,]),
        ValueKind.IntArray => typeof(int[]),
        ValueKind.IntMatrix => typeof(int[,]),
        ValueKind.IntJagged => typeof(int[][]),
        ValueKind.Int32 => typeof(int),
        ValueKind.Boolean => typeof(bool),
        ValueKind.Pair => typeof(ValueTuple<double, double>),
        ValueKind.Powers => typeof(IntPowers),
        _ => typeof(double),
    };

    /// <summary>The kind of integer data a CLR type is (int[], int[,], int[][]), if it is one.</summary>
    public static ValueKind? IntDataKind(Type t) =>
        t == typeof(int[]) ? ValueKind.IntArray : t == typeof(int[,]) ? ValueKind.IntMatrix : t == typeof(int[][]) ? ValueKind.IntJagged : null;

    /// <summary>Whether values of the kind are held as objects (arrays), not as numbers.</summary>
    public static bool IsObject(ValueKind kind) => kind is ValueKind.Array or ValueKind.Matrix or ValueKind.IntArray or ValueKind.IntMatrix or ValueKind.IntJagged;
}
