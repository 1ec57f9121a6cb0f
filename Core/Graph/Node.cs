using ExprDiff.Rules;

namespace ExprDiff.Graphs;

/// <summary>
/// One operation in a <see cref="Graph"/>. Operands are indices of earlier nodes (−1 when absent), so a
/// graph is topologically ordered by construction and every pass is a loop over an array.
/// </summary>
internal readonly struct Node
{
    public Node(Primitive op, ValueKind kind, int a, int b, int c, int aux, int aux2, double value)
    {
        Op = op; Kind = kind; A = a; B = b; C = c; Aux = aux; Aux2 = aux2; Value = value;
    }

    public readonly Primitive Op;
    public readonly ValueKind Kind;
    public readonly int A, B, C;
    /// <summary>Integer attribute: parameter position of an input, exponent of an integer power.</summary>
    public readonly int Aux;
    /// <summary>Second integer attribute: element index of an array input.</summary>
    public readonly int Aux2;
    /// <summary>Value of a constant.</summary>
    public readonly double Value;

    public int Arity => Op.Arity;

    public int Operand(int i) => i switch { 0 => A, 1 => B, 2 => C, _ => -1 };
}
