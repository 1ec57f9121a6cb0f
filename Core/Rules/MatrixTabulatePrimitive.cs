using System.Linq.Expressions;
using ExprDiff.Evaluation;
using ExprDiff.Graphs;

namespace ExprDiff.Rules;

/// <summary>
/// A <c>double[,]</c> built one row (or, with <c>Aux</c> = 1, one column) per iteration k of [start, start + count):
/// the body returns that row as an array. Operands: start, count, the length of a row (the other dimension), then the
/// captures. How a Hessian or Jacobian of a loop program is assembled: row k is the Hessian-vector product (column k
/// the Jacobian-vector product) along the k-th unit vector, a derivative graph run as the loop's body.
/// </summary>
internal sealed class MatrixTabulatePrimitive : Primitive, IStructuredPrimitive
{
    public override bool MayFail(in Node node) => true;

    public const int Captures = 3;

    public MatrixTabulatePrimitive() : base("matrixtabulate", 0, ValueKind.Matrix) { }

    public override int FirstCapture => Captures;

    public override bool IsFoldable => false;

    public override ValueKind OperandKind(int i, in Node node) =>
        i < Captures ? ValueKind.Int32 : node.Region!.CaptureKinds[i - Captures];

    public override double Evaluate(double a, double b, double c, in Node node) =>
        throw new InvalidOperationException("matrixtabulate is evaluated structurally.");

    public void Evaluate(Evaluator e, int node)
    {
        var n = e.Graph[node];
        bool columns = n.Aux == 1;
        int start = e.Int(n.Operand(0)), count = Math.Max(0, e.Int(n.Operand(1))), other = Math.Max(0, e.Int(n.Operand(2)));
        var result = columns ? new double[other, count] : new double[count, other];
        for (int k = 0; k < count; k++)
        {
            var line = e.RunRegion(n.Region!, start + k, n, Captures).Array(n.Region!.Body.Outputs[0]);
            for (int j = 0; j < Math.Min(other, line.Length); j++)
            {
                if (columns) result[j, k] = line[j];
                else result[k, j] = line[j];
            }
        }
        e.Set(node, result);
    }

    public override int Jvp(DerivativeContext cx, int node, ReadOnlySpan<int> t) =>
        throw new ExprDiffException($"cannot differentiate a Hessian or Jacobian of a loop program again{Where(cx)}: third derivatives of loops are not supported");

    public override void Vjp(DerivativeContext cx, int node, int ct, ReadOnlySpan<bool> wanted, Span<int> contributions) =>
        throw new ExprDiffException($"cannot differentiate a Hessian or Jacobian of a loop program again{Where(cx)}: third derivatives of loops are not supported");

    private static string Where(DerivativeContext cx) => cx.FunctionText is null ? "" : $" in '{cx.FunctionText}'";

    public override Expression ToExpression(in Node node, ReadOnlySpan<Expression> operands) =>
        throw new InvalidOperationException("matrixtabulate is exported as statements.");

    public override (string Text, int Precedence) Format(in Node node, ReadOnlySpan<string> operands, Func<int, int, string>? inputName) =>
        ($"{(node.Aux == 1 ? "Columns" : "Rows")}({string.Join(", ", operands.ToArray())})", Precedence.Primary);

    public override int OperandPrecedence(int operand) => 0;
}
