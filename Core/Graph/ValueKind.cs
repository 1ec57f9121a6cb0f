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
}
