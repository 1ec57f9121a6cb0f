using System.Linq.Expressions;
using ExprDiff.Export;
using ExprDiff.Graphs;
using ExprDiff.Import;
using ExprDiff.Rules;

namespace ExprDiff.Transforms;

/// <summary>The derivative operations of <see cref="Diff"/>, each built from <see cref="ForwardMode"/> and
/// <see cref="ReverseMode"/> on one builder and exported back to a lambda.</summary>
internal static class Derivatives
{
    public static LambdaExpression Gradient(DiffProblem p, Type delegateType)
    {
        int y = p.ScalarOutput("Diff.Gradient", "Diff.Jacobian");
        if (p.HasWholeArray) return p.Export([GradientArray(p, y)], new ArrayLayout(0), p.Parameters(), delegateType);
        var grads = GradientNodes(p, y);
        var layout = new VectorLayout(p.InputExtent, grads.Select((_, k) => (p.Positions[k], k)).ToArray());
        return p.Export(grads, layout, p.Parameters(), delegateType);
    }

    public static LambdaExpression ValueAndGradient(DiffProblem p, Type delegateType)
    {
        int y = p.ScalarOutput("Diff.ValueAndGradient", "Diff.Jacobian");
        if (p.HasWholeArray)
        {
            var ps = p.Parameters("gradient");
            return p.Export([y, GradientArray(p, y)], new WriteArrayLayout(0, ps.Count - 1, p.InputExtent, 1), ps, delegateType);
        }
        var grads = GradientNodes(p, y);
        var outputs = new[] { y }.Concat(grads).ToArray();
        var parameters = p.Parameters("gradient");
        var layout = new WriteLayout(0, parameters.Count - 1, p.InputExtent,
            grads.Select((_, k) => (p.Positions[k], k + 1)).ToArray());
        return p.Export(outputs, layout, parameters, delegateType);
    }

    public static LambdaExpression Hessian(DiffProblem p, Type delegateType)
    {
        int y = p.ScalarOutput("Diff.Hessian", "Diff.Jacobian of each output");
        if (p.HasWholeArray)
        {
            // Row k is H·e_k, the Hessian-vector product along the k-th unit vector, computed by a loop over k.
            int direction = p.Function.Parameters.Count;
            var seeds = p.TangentSeeds(direction, isArgument: false);
            int row = ForwardMode.Jvp(p.Context, [GradientArray(p, y)], seeds)[0];
            int n = p.Builder.Make(Primitives.Length, p.WholeArray);
            // A function linear in x (a plain sum) has a structurally zero Hessian: rows of zeros, as Hvp returns.
            if (row == DerivativeContext.Zero) row = p.Builder.Assemble(n, [], []);
            return p.Export([LoopOverUnitVectors(p, row, direction, n, columns: false)], new ArrayLayout(0), p.Parameters(), delegateType);
        }
        var grads = GradientNodes(p, y);
        var outputs = new List<int>();
        var cells = new List<(int, int, int)>();
        for (int j = 0; j < p.Wrt.Length; j++)
        {
            // Column j of H is the JVP of the gradient along input j (forward over reverse).
            var column = ForwardMode.Jvp(p.Context, grads, Seed(p, j));
            for (int i = 0; i < column.Length; i++)
            {
                if (column[i] == DerivativeContext.Zero) continue;
                cells.Add((p.Positions[i], p.Positions[j], outputs.Count));
                outputs.Add(column[i]);
            }
        }
        var layout = new MatrixLayout(p.InputExtent, p.InputExtent, cells.ToArray());
        return p.Export(outputs.ToArray(), layout, p.Parameters(), delegateType);
    }

    public static LambdaExpression Hvp(DiffProblem p, Type delegateType)
    {
        int y = p.ScalarOutput("Diff.Hvp", "Diff.Jvp of the gradient");
        if (p.HasWholeArray)
        {
            var ps = p.Parameters("v");
            int g = GradientArray(p, y);
            int product = ForwardMode.Jvp(p.Context, [g], p.TangentSeeds(ps.Count - 1))[0];
            if (product == DerivativeContext.Zero) product = p.Builder.Assemble(p.Builder.Make(Primitives.Length, p.WholeArray), [], []);
            return p.Export([product], new ArrayLayout(0), ps, delegateType, (ps.Count - 1, p.InputLength));
        }
        var grads = GradientNodes(p, y);
        var parameters = p.Parameters("v");
        var v = p.VectorInputs(parameters.Count - 1);
        var hv = ForwardMode.Jvp(p.Context, grads, Seeds(p, v)).Select(p.Materialize).ToArray();
        var layout = new VectorLayout(p.InputExtent, hv.Select((_, k) => (p.Positions[k], k)).ToArray());
        return p.Export(hv, layout, parameters, delegateType, (parameters.Count - 1, p.InputLength));
    }

    public static LambdaExpression Jvp(DiffProblem p, Type delegateType)
    {
        var (outputs, rows) = p.VectorOutputs("Diff.Jvp");
        var parameters = p.Parameters("v");
        if (p.Function.Shape == ResultShape.ArrayOfComputedLength)
        {
            int t = ForwardMode.Jvp(p.Context, outputs, p.TangentSeeds(parameters.Count - 1))[0];
            if (t == DerivativeContext.Zero) t = p.Builder.Assemble(p.ResultLength(), [], []);
            return p.Export([t], new ArrayLayout(0, OwnLength: true), parameters, delegateType, (parameters.Count - 1, p.InputLength));
        }
        var jv = ForwardMode.Jvp(p.Context, outputs, p.TangentSeeds(parameters.Count - 1)).Select(p.Materialize).ToArray();
        var layout = new VectorLayout(rows, jv.Select((_, r) => (r, r)).ToArray());
        return p.Export(jv, layout, parameters, delegateType, (parameters.Count - 1, p.InputLength));
    }

    public static LambdaExpression Vjp(DiffProblem p, Type delegateType)
    {
        var (outputs, _) = p.VectorOutputs("Diff.Vjp");
        var parameters = p.Parameters("u");
        int uParam = parameters.Count - 1;
        var u = p.Function.Shape == ResultShape.ArrayOfComputedLength
            ? [p.Builder.Make(Primitives.CheckedLength, p.Builder.Input(uParam, -1, ValueKind.Array), p.ResultLength())]
            : outputs.Select((_, r) => p.Builder.Input(uParam, r)).ToArray();
        // A result of computed length checks u's length where it is known (CheckedLength); here only that it exists.
        int uLength = p.Function.Shape == ResultShape.ArrayOfComputedLength ? 0 : outputs.Length;
        if (p.HasWholeArray)
        {
            int array = p.GradientArray(ReverseMode.Vjp(p.Context, outputs, u, p.AllWrt));
            return p.Export([array], new ArrayLayout(0), parameters, delegateType, (uParam, uLength));
        }
        var uj = ReverseMode.Vjp(p.Context, outputs, u, p.Wrt).Select(p.Materialize).ToArray();
        var layout = new VectorLayout(p.InputExtent, uj.Select((_, k) => (p.Positions[k], k)).ToArray());
        return p.Export(uj, layout, parameters, delegateType, (uParam, uLength));
    }

    public static LambdaExpression Jacobian(DiffProblem p, Type delegateType, JacobianMode mode)
    {
        var (outputs, rows) = p.VectorOutputs("Diff.Jacobian");
        if (p.HasWholeArray)
        {
            // Column k is J·e_k, the Jacobian-vector product along the k-th unit vector, computed by a loop over k.
            int direction = p.Function.Parameters.Count;
            var tangents = ForwardMode.Jvp(p.Context, outputs, p.TangentSeeds(direction, isArgument: false));
            var b = p.Builder;
            int column;
            int m;
            if (p.Function.Shape == ResultShape.ArrayOfComputedLength)
            {
                m = p.ResultLength();
                column = tangents[0] == DerivativeContext.Zero ? b.Assemble(m, [], []) : tangents[0];
            }
            else
            {
                m = b.Constant(outputs.Length, ValueKind.Int32);
                var pairs = new List<(int, int)>();
                for (int r = 0; r < outputs.Length; r++)
                    if (tangents[r] != DerivativeContext.Zero) pairs.Add((b.Constant(r, ValueKind.Int32), tangents[r]));
                column = b.Assemble(m, pairs, []);
            }
            int matrix = LoopOverUnitVectors(p, column, direction, m, columns: true);
            return p.Export([matrix], new ArrayLayout(0), p.Parameters(), delegateType);
        }
        if (p.Function.Shape == ResultShape.ArrayOfComputedLength)
        {
            // Column by column (forward mode): the number of rows is known only when the function runs.
            var columns = new List<(int, int)>();
            var arrays = new List<int> { p.ResultLength() };
            for (int k = 0; k < p.Wrt.Length; k++)
            {
                int column = ForwardMode.Jvp(p.Context, outputs, Seed(p, k))[0];
                if (column == DerivativeContext.Zero) continue;
                columns.Add((p.Positions[k], arrays.Count));
                arrays.Add(column);
            }
            return p.Export(arrays.ToArray(), new ColumnsLayout(0, p.InputExtent, columns.ToArray()), p.Parameters(), delegateType);
        }
        bool forward = mode == JacobianMode.Forward || (mode == JacobianMode.Auto && p.Wrt.Length <= outputs.Length);
        var nodes = new List<int>();
        var cells = new List<(int, int, int)>();
        void Add(int r, int k, int node)
        {
            if (node == DerivativeContext.Zero) return;
            cells.Add((r, p.Positions[k], nodes.Count));
            nodes.Add(node);
        }
        if (forward)
        {
            for (int k = 0; k < p.Wrt.Length; k++)
            {
                var column = ForwardMode.Jvp(p.Context, outputs, Seed(p, k));
                for (int r = 0; r < column.Length; r++) Add(r, k, column[r]);
            }
        }
        else
        {
            int one = p.Builder.Constant(1);
            for (int r = 0; r < outputs.Length; r++)
            {
                var row = ReverseMode.Vjp(p.Context, [outputs[r]], [one], p.Wrt);
                for (int k = 0; k < row.Length; k++) Add(r, k, row[k]);
            }
        }
        var layout = new MatrixLayout(rows, p.InputExtent, cells.ToArray());
        return p.Export(nodes.ToArray(), layout, p.Parameters(), delegateType);
    }

    /// <summary>The function itself, imported, optimized and exported again: its loops become real loops and its
    /// nested LINQ lambdas disappear (what the IL backend compiles for a user's own function).</summary>
    public static LambdaExpression Function(DiffProblem p, Type delegateType)
    {
        var f = p.Function;
        var parameters = p.Parameters();
        return f.Shape switch
        {
            ResultShape.Scalar => p.Export([f.Outputs[0]], new ScalarLayout(0), parameters, delegateType),
            ResultShape.Vector => p.Export(f.Outputs, new VectorLayout(f.Rows, f.Outputs.Select((_, r) => (r, r)).ToArray()), parameters, delegateType),
            ResultShape.ArrayOfComputedLength => p.Export([f.Outputs[0]], new ArrayLayout(0, OwnLength: true), parameters, delegateType),
            _ => throw new NotSupportedException("a function returning a matrix is not rebuilt"),
        };
    }

    public static LambdaExpression Derivative(DiffProblem p, int order, Type delegateType)
    {
        int y = p.ScalarOutput("Diff.Derivative", "Diff.Jacobian");
        int d = y;
        for (int k = 0; k < order && d != DerivativeContext.Zero; k++)
            d = ForwardMode.Jvp(p.Context, [d], Seed(p, 0))[0];
        d = p.Materialize(d);
        return p.Export([d], new ScalarLayout(0), p.Parameters(), delegateType);
    }

    /// <summary>
    /// A matrix whose line k (a row, or a column) is <paramref name="line"/> with the direction parameter
    /// <paramref name="direction"/> set to the k-th unit vector, for k over the differentiated array's length: the
    /// derivative graph becomes the body of a loop, so its size does not depend on n.
    /// </summary>
    private static int LoopOverUnitVectors(DiffProblem p, int line, int direction, int other, bool columns)
    {
        var b = p.Builder;
        var shapes = p.Function.Parameters;
        var names = new List<string> { "k" };
        var kinds = new List<ValueKind>();
        var captures = new List<int>();
        for (int q = 0; q < shapes.Count; q++)
        {
            var kind = shapes[q] switch
            {
                ParameterShape.Array => ValueKind.Array, ParameterShape.Matrix => ValueKind.Matrix,
                ParameterShape.Integer => ValueKind.Int32, ParameterShape.IntArray => ValueKind.IntArray,
                ParameterShape.IntMatrix => ValueKind.IntMatrix, ParameterShape.IntJagged => ValueKind.IntJagged, _ => ValueKind.Double,
            };
            names.Add(p.Function.Source.Parameters[q].Name ?? $"p{q}");
            kinds.Add(kind);
            captures.Add(b.Input(q, -1, kind));
        }
        var graph = b.Build([line], [.. p.Function.Source.Parameters.Select((q, i) => q.Name ?? $"p{i}"), "direction"]);
        var rb = new GraphBuilder(names, b.Folds, b.Simplifies);
        int k = rb.Input(0, -1, ValueKind.Int32);
        int array = rb.Input(1 + p.ArrayParameter, -1, ValueKind.Array);
        var map = GraphCopier.Copy(graph, rb, (q, index, kind) =>
            q == direction
                ? index < 0 ? rb.Make(Primitives.UnitVector, rb.Make(Primitives.Length, array), k)
                    : rb.Select(rb.Compare(ExpressionType.Equal, k, rb.Constant(index, ValueKind.Int32)), rb.Constant(1), rb.Constant(0))
                : index < 0 ? rb.Input(1 + q, -1, kind) : rb.Make(Primitives.Read, rb.Input(1 + q, -1, ValueKind.Array), rb.Constant(index, ValueKind.Int32)));
        var region = new Region(rb.Build([map[graph.Outputs[0]]], names), kinds);
        var args = new List<int> { b.Constant(0, ValueKind.Int32), b.Make(Primitives.Length, p.WholeArray), other };
        args.AddRange(captures);
        return b.MakeStructured(Primitives.MatrixTabulate, ValueKind.Matrix, args.ToArray(), region, columns ? 1 : 0);
    }

    private static int GradientArray(DiffProblem p, int y) =>
        p.GradientArray(ReverseMode.Vjp(p.Context, [y], [p.Builder.Constant(1)], p.AllWrt));

    private static int[] GradientNodes(DiffProblem p, int y) =>
        ReverseMode.Vjp(p.Context, [y], [p.Builder.Constant(1)], p.Wrt).Select(p.Materialize).ToArray();

    private static Dictionary<int, int> Seed(DiffProblem p, int k) => new() { [p.Wrt[k]] = p.Builder.Constant(1) };

    private static Dictionary<int, int> Seeds(DiffProblem p, int[] tangents)
    {
        var seeds = new Dictionary<int, int>();
        for (int k = 0; k < p.Wrt.Length; k++) seeds[p.Wrt[k]] = tangents[k];
        return seeds;
    }
}
