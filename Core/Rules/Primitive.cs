using System.Linq.Expressions;
using ExprDiff.Graphs;

namespace ExprDiff.Rules;

/// <summary>
/// One primitive operation, written once: how it evaluates, how it prints, how it exports to a LINQ
/// expression, and its derivative. Scalar primitives state only their local partials
/// (∂y/∂operandᵢ as graph nodes); the engine derives forward mode (Σ ∂ᵢ·tᵢ) and reverse mode
/// (āᵢ += ∂ᵢ·ȳ) from them, so higher orders come from differentiating the partials again.
/// Structural primitives (select) override <see cref="Jvp"/> and <see cref="Vjp"/> instead.
/// </summary>
internal abstract class Primitive
{
    private readonly ValueKind[] _operandKinds;

    protected Primitive(string name, int arity, ValueKind resultKind, params ValueKind[] operandKinds)
    {
        Name = name;
        Arity = arity;
        ResultKind = resultKind;
        _operandKinds = operandKinds;
    }

    /// <summary>Name used in graph dumps and error messages.</summary>
    public string Name { get; }

    public int Arity { get; }

    /// <summary>Kind of the result; for kind-generic primitives (arithmetic, select) the node's own kind is used.</summary>
    public ValueKind ResultKind { get; }

    /// <summary>True when operand kinds follow the node's kind (arithmetic on double or int).</summary>
    public virtual bool IsKindGeneric => false;

    /// <summary>Kind an operand must have; for kind-generic primitives, the node's kind.</summary>
    public virtual ValueKind OperandKind(int i, in Node node) => IsKindGeneric ? node.Kind : _operandKinds[i];

    /// <summary>For a loop, the position of its first captured operand; −1 for other primitives.</summary>
    public virtual int FirstCapture => -1;

    /// <summary>True when the derivative is zero everywhere it exists (floor, sign, stop-gradient): no tangent
    /// or cotangent is ever propagated through it, and its partials are never asked for.</summary>
    public virtual bool HasZeroDerivative => false;

    /// <summary>Whether constant operands may be folded at construction (pure and deterministic).</summary>
    public virtual bool IsFoldable => true;

    /// <summary>Evaluates the primitive. Values of every kind travel as doubles (ints exactly, bools as 0/1).</summary>
    public abstract double Evaluate(double a, double b, double c, in Node node);

    /// <summary>An equal existing node (e.g. <c>x * 1 → x</c>), or −1. Only rewrites exact under IEEE 754.</summary>
    public virtual int Simplify(GraphBuilder builder, in Node node) => -1;

    /// <summary>
    /// Writes ∂y/∂operandᵢ for each operand into <paramref name="partials"/>, or <see cref="DerivativeContext.Zero"/>
    /// where the partial is structurally zero. The default is all zero: a piecewise-constant primitive.
    /// </summary>
    public virtual void Partials(DerivativeContext context, int node, Span<int> partials) => partials.Fill(DerivativeContext.Zero);

    /// <summary>Tangent of the result from the operands' tangents (Zero where absent).</summary>
    public virtual int Jvp(DerivativeContext context, int node, ReadOnlySpan<int> tangents)
    {
        Span<int> partials = stackalloc int[3];
        partials = partials[..Arity];
        bool computed = false;
        var b = context.Builder;
        int sum = DerivativeContext.Zero;
        for (int i = 0; i < Arity; i++)
        {
            if (tangents[i] == DerivativeContext.Zero) continue;
            if (!computed) { Partials(context, node, partials); computed = true; }
            if (partials[i] == DerivativeContext.Zero) continue;
            int term = b.Mul(partials[i], tangents[i]);
            sum = sum == DerivativeContext.Zero ? term : b.Add(sum, term);
        }
        return sum;
    }

    /// <summary>Cotangent contributions to each operand from the result's cotangent (Zero where none).</summary>
    public virtual void Vjp(DerivativeContext context, int node, int cotangent, ReadOnlySpan<bool> wanted, Span<int> contributions)
    {
        Span<int> partials = stackalloc int[3];
        partials = partials[..Arity];
        Partials(context, node, partials);
        for (int i = 0; i < Arity; i++)
            contributions[i] = !wanted[i] || partials[i] == DerivativeContext.Zero
                ? DerivativeContext.Zero
                : context.Builder.Mul(cotangent, partials[i]);
    }

    /// <summary>
    /// The condition under which operand <paramref name="operand"/> is used, or −1 when it is always used.
    /// Only a select has one; reverse mode uses it so that an untaken branch never leaks NaN into a gradient.
    /// </summary>
    public virtual int EdgeCondition(GraphBuilder builder, in Node node, int operand) => -1;

    /// <summary>
    /// The condition under which operand <paramref name="operand"/> is evaluated at all, as a boolean operand of the node
    /// and the value it must have, or null when the operand is always evaluated: a select's branches, and the right
    /// operand of <c>&amp;&amp;</c> and <c>||</c>. What only an untaken branch needs is never computed
    /// (<see cref="ExecutionGuards"/>), so a guard protects the reads, divisions and calls behind it.
    /// </summary>
    public virtual (int Node, bool Value)? EdgeLiteral(in Node node, int operand) => null;

    /// <summary>
    /// Whether computing the node can fail or be observed: an array access at a computed index, an integer division, a
    /// call of a user's function, a loop. Such a node must run only where its value is needed; pure arithmetic
    /// (<c>Math</c> functions included, which return NaN rather than throw) may run where it is not.
    /// </summary>
    public virtual bool MayFail(in Node node) => false;

    /// <summary>Builds the LINQ expression computing this node from its operands' expressions.</summary>
    public abstract Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands);

    /// <summary>C#-like text of this node from its operands' texts, and the precedence of that text.</summary>
    public abstract (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName);

    /// <summary>Precedence an operand's text needs in order to be printed without parentheses.</summary>
    public virtual int OperandPrecedence(int operand) => Precedence.Primary;

    public override string ToString() => Name;
}

/// <summary>C# operator precedence levels used by the printers.</summary>
internal static class Precedence
{
    public const int Conditional = 10;
    public const int OrElse = 20;
    public const int AndAlso = 30;
    public const int Equality = 40;
    public const int Relational = 50;
    public const int Additive = 60;
    public const int Multiplicative = 70;
    public const int Unary = 80;
    public const int Primary = 90;
}
