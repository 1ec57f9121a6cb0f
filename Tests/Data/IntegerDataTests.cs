using System.Linq.Expressions;
using ExprDiff.Tests.Support;
using Xunit;

namespace ExprDiff.Tests.Data;

/// <summary>
/// Integer data as users hold it: element maps (<c>int[,]</c>), labels (<c>int[]</c>), sparse structure (CSR, jagged rows),
/// captured or passed as data parameters, and captured <c>double[,]</c> read with loop indices. Gradients and Hessian-vector
/// products against hand-written derivatives, finite differences and the reference interpreter, on every route.
/// </summary>
public class IntegerDataTests
{
    // A 4 × 3 grid of nodes cut into triangles; node k at (x[2k], x[2k+1]). Interior nodes belong to up to six elements.
    private static (int[,] Conn, double[] X, double[] Area0) Mesh()
    {
        const int nx = 4, ny = 3;
        var elements = new List<int[]>();
        for (int j = 0; j + 1 < ny; j++)
            for (int i = 0; i + 1 < nx; i++)
            {
                int a = j * nx + i, b = a + 1, c = a + nx, d = c + 1;
                elements.Add([a, b, d]);
                elements.Add([a, d, c]);
            }
        var conn = new int[elements.Count, 3];
        for (int e = 0; e < elements.Count; e++) for (int k = 0; k < 3; k++) conn[e, k] = elements[e][k];
        var jitter = DataCheck.Random(2 * nx * ny, 7, 0.1);
        var x = new double[2 * nx * ny];
        for (int k = 0; k < nx * ny; k++) { x[2 * k] = k % nx + jitter[2 * k]; x[2 * k + 1] = k / nx + jitter[2 * k + 1]; }
        return (conn, x, Enumerable.Range(0, elements.Count).Select(e => 0.5 + 0.05 * e % 3).ToArray());
    }

    private static double Area(int[,] conn, double[] x, int e)
    {
        int a = conn[e, 0], b = conn[e, 1], c = conn[e, 2];
        return 0.5 * ((x[2 * b] - x[2 * a]) * (x[2 * c + 1] - x[2 * a + 1]) - (x[2 * c] - x[2 * a]) * (x[2 * b + 1] - x[2 * a + 1]));
    }

    /// <summary>Hand-written: E = Σ_e (A_e − A0_e)², ∂A/∂(xa, ya, xb, yb, xc, yc) = ½(yb − yc, xc − xb, yc − ya, xa − xc, ya − yb, xb − xa).</summary>
    private static double[] AreaGradient(int[,] conn, double[] x, double[] a0)
    {
        var g = new double[x.Length];
        for (int e = 0; e < conn.GetLength(0); e++)
        {
            int a = conn[e, 0], b = conn[e, 1], c = conn[e, 2];
            double s = 2 * (Area(conn, x, e) - a0[e]) * 0.5;
            g[2 * a] += s * (x[2 * b + 1] - x[2 * c + 1]); g[2 * a + 1] += s * (x[2 * c] - x[2 * b]);
            g[2 * b] += s * (x[2 * c + 1] - x[2 * a + 1]); g[2 * b + 1] += s * (x[2 * a] - x[2 * c]);
            g[2 * c] += s * (x[2 * a + 1] - x[2 * b + 1]); g[2 * c + 1] += s * (x[2 * b] - x[2 * a]);
        }
        return g;
    }

    [Fact]
    public void Finite_element_assembly_with_a_captured_int2_element_map()
    {
        var (conn, x, a0) = Mesh();
        Expression<Func<double[], double>> f = x => Enumerable.Range(0, conn.GetLength(0)).Sum(e => Math.Pow(
            0.5 * ((x[2 * conn[e, 1]] - x[2 * conn[e, 0]]) * (x[2 * conn[e, 2] + 1] - x[2 * conn[e, 0] + 1])
                 - (x[2 * conn[e, 2]] - x[2 * conn[e, 0]]) * (x[2 * conn[e, 1] + 1] - x[2 * conn[e, 0] + 1])) - a0[e], 2));
        double expected = Enumerable.Range(0, conn.GetLength(0)).Sum(e => Math.Pow(Area(conn, x, e) - a0[e], 2));
        Assert.Equal(expected, f.Compile()(x), 12);
        DataCheck.AllRoutes(f, x, DataCheck.Random(x.Length, 8), AreaGradient(conn, x, a0), hvp: null);
    }

    [Fact]
    public void Finite_element_assembly_with_the_element_map_as_a_data_parameter()
    {
        var (conn, x, a0) = Mesh();
        Expression<Func<double[], int[,], double[], double>> f = (x, conn, a0) => Enumerable.Range(0, conn.GetLength(0)).Sum(e => Math.Pow(
            0.5 * ((x[2 * conn[e, 1]] - x[2 * conn[e, 0]]) * (x[2 * conn[e, 2] + 1] - x[2 * conn[e, 0] + 1])
                 - (x[2 * conn[e, 2]] - x[2 * conn[e, 0]]) * (x[2 * conn[e, 1] + 1] - x[2 * conn[e, 0] + 1])) - a0[e], 2));
        var expected = AreaGradient(conn, x, a0);
        var g = Diff.Gradient(f);
        FiniteDifferences.AssertClose(expected, g.Compile()(x, conn, a0), 1e-10, 1e-12, "Compile");
        FiniteDifferences.AssertClose(expected, g.CompileIL()(x, conn, a0), 1e-10, 1e-12, "CompileIL");
        FiniteDifferences.AssertClose(expected, DataCheck.InterpretedGradient(f, x, conn, a0), 1e-10, 1e-12, "interpreter");
        var v = DataCheck.Random(x.Length, 9);
        var gc = g.Compile();
        const double h = 1e-6;
        var gp = gc(x.Select((xi, i) => xi + h * v[i]).ToArray(), conn, a0);
        var gm = gc(x.Select((xi, i) => xi - h * v[i]).ToArray(), conn, a0);
        var hv = Diff.Hvp(f);
        FiniteDifferences.AssertClose(gp.Select((a, i) => (a - gm[i]) / (2 * h)).ToArray(), hv.Compile()(x, conn, a0, v), 1e-5, 1e-6, "Hvp");
        FiniteDifferences.AssertClose(hv.Compile()(x, conn, a0, v), hv.CompileIL()(x, conn, a0, v), 1e-13, 1e-14, "Hvp CompileIL");
        // Other data, same derivative: the element map is read when the derivative runs.
        var (conn2, x2, a02) = Mesh();
        conn2[0, 0] = conn2[1, 2];
        FiniteDifferences.AssertClose(AreaGradient(conn2, x2, a02), g.CompileIL()(x2, conn2, a02), 1e-10, 1e-12, "other map");
    }

    private const int Samples = 7, Features = 3, Classes = 4;

    private static (double[,] X, int[] Y, double[] W) Classification()
    {
        var r = DataCheck.Random(Samples * Features, 11);
        var X = new double[Samples, Features];
        for (int n = 0; n < Samples; n++) for (int d = 0; d < Features; d++) X[n, d] = r[n * Features + d];
        int[] y = [0, 3, 1, 1, 2, 3, 0];
        return (X, y, DataCheck.Random(Classes * Features, 12));
    }

    /// <summary>Hand-written: ∂L/∂W[c, d] = Σ_n (p_nc − [c = y_n])·X[n, d].</summary>
    private static double[] SoftmaxGradient(double[,] X, int[] y, double[] w)
    {
        var g = new double[w.Length];
        for (int n = 0; n < Samples; n++)
        {
            var z = Enumerable.Range(0, Classes).Select(c => Enumerable.Range(0, Features).Sum(d => w[c * Features + d] * X[n, d])).ToArray();
            double total = z.Sum(Math.Exp);
            for (int c = 0; c < Classes; c++)
                for (int d = 0; d < Features; d++)
                    g[c * Features + d] += (Math.Exp(z[c]) / total - (c == y[n] ? 1 : 0)) * X[n, d];
        }
        return g;
    }

    [Fact]
    public void Softmax_cross_entropy_with_int_labels_as_data_parameters()
    {
        var (X, y, w) = Classification();
        Expression<Func<double[], double[,], int[], double>> loss = (w, X, y) => Enumerable.Range(0, y.Length).Sum(n =>
            Math.Log(Enumerable.Range(0, w.Length / X.GetLength(1)).Sum(c => Math.Exp(Enumerable.Range(0, X.GetLength(1)).Sum(d => w[c * X.GetLength(1) + d] * X[n, d]))))
            - Enumerable.Range(0, X.GetLength(1)).Sum(d => w[y[n] * X.GetLength(1) + d] * X[n, d]));
        var expected = SoftmaxGradient(X, y, w);
        var g = Diff.Gradient(loss);
        FiniteDifferences.AssertClose(expected, g.Compile()(w, X, y), 1e-10, 1e-12, "Compile");
        FiniteDifferences.AssertClose(expected, g.CompileIL()(w, X, y), 1e-10, 1e-12, "CompileIL");
        FiniteDifferences.AssertClose(expected, DataCheck.InterpretedGradient(loss, w, X, y), 1e-10, 1e-12, "interpreter");
        var vg = Diff.ValueAndGradient(loss).CompileIL();
        var buffer = new double[w.Length];
        Assert.Equal(loss.Compile()(w, X, y), vg(w, X, y, buffer), 12);
        FiniteDifferences.AssertClose(expected, buffer, 1e-10, 1e-12, "value+gradient");
    }

    [Fact]
    public void Softmax_cross_entropy_with_captured_labels_and_features()
    {
        var (X, y, w0) = Classification();
        Expression<Func<double[], double>> loss = w => Enumerable.Range(0, y.Length).Sum(n =>
            Math.Log(Enumerable.Range(0, Classes).Sum(c => Math.Exp(Enumerable.Range(0, Features).Sum(d => w[c * Features + d] * X[n, d]))))
            - Enumerable.Range(0, Features).Sum(d => w[y[n] * Features + d] * X[n, d]));
        DataCheck.AllRoutes(loss, w0, DataCheck.Random(w0.Length, 13), SoftmaxGradient(X, y, w0), hvp: null);
    }

    [Fact]
    public void Softmax_cross_entropy_written_as_a_select_over_the_labels()
    {
        var (X, y, w0) = Classification();
        Expression<Func<double[], double>> loss = w => y.Select((label, n) =>
            Math.Log(Enumerable.Range(0, Classes).Sum(c => Math.Exp(Enumerable.Range(0, Features).Sum(d => w[c * Features + d] * X[n, d]))))
            - Enumerable.Range(0, Features).Sum(d => w[label * Features + d] * X[n, d])).Sum();
        var expected = SoftmaxGradient(X, y, w0);
        FiniteDifferences.AssertClose(expected, Diff.Gradient(loss).Compile()(w0), 1e-10, 1e-12, "Compile");
        FiniteDifferences.AssertClose(expected, Diff.Gradient(loss).CompileIL()(w0), 1e-10, 1e-12, "CompileIL");
        FiniteDifferences.AssertClose(expected, DataCheck.InterpretedGradient(loss, w0), 1e-10, 1e-12, "interpreter");
    }

    // A 5 × 6 sparse matrix in CSR form, with a repeated column in one row and an empty row.
    private static readonly int[] RowPtr = [0, 3, 3, 5, 9, 11];
    private static readonly int[] Col = [0, 2, 5, 1, 1, 0, 3, 4, 5, 2, 2];
    private static readonly double[] Val = [1.5, -2, 0.5, 3, 1, -1, 2, 0.25, 1, 4, -0.5];
    private static readonly double[] B = [1, 0, -1, 2, 0.5];

    private static double[] Multiply(double[] x)
    {
        var y = new double[RowPtr.Length - 1];
        for (int r = 0; r < y.Length; r++) for (int k = RowPtr[r]; k < RowPtr[r + 1]; k++) y[r] += Val[k] * x[Col[k]];
        return y;
    }

    private static double[] MultiplyTransposed(double[] u)
    {
        var y = new double[6];
        for (int r = 0; r < u.Length; r++) for (int k = RowPtr[r]; k < RowPtr[r + 1]; k++) y[Col[k]] += Val[k] * u[r];
        return y;
    }

    [Fact]
    public void Csr_matrix_vector_product_with_row_bounds_read_from_an_int_array()
    {
        int[] rowPtr = RowPtr, col = Col;
        double[] val = Val, b = B;
        // ½‖Ax − b‖²: ∇ = Aᵀ(Ax − b), H·v = Aᵀ(A·v).
        Expression<Func<double[], double>> f = x => 0.5 * Enumerable.Range(0, rowPtr.Length - 1).Sum(r => Math.Pow(
            Enumerable.Range(rowPtr[r], rowPtr[r + 1] - rowPtr[r]).Sum(k => val[k] * x[col[k]]) - b[r], 2));
        var x = DataCheck.Random(6, 14);
        var v = DataCheck.Random(6, 15);
        var residual = Multiply(x).Select((a, r) => a - B[r]).ToArray();
        DataCheck.AllRoutes(f, x, v, MultiplyTransposed(residual), MultiplyTransposed(Multiply(v)));
    }

    [Fact]
    public void Csr_rows_as_a_jagged_int_array_data_parameter()
    {
        var rows = Enumerable.Range(0, RowPtr.Length - 1).Select(r => Col[RowPtr[r]..RowPtr[r + 1]]).ToArray();
        var vals = Enumerable.Range(0, RowPtr.Length - 1).Select(r => Val[RowPtr[r]..RowPtr[r + 1]]).ToArray();
        var flatVal = Val;
        Expression<Func<double[], int[][], int[], double>> f = (x, rows, start) => 0.5 * Enumerable.Range(0, rows.Length).Sum(r => Math.Pow(
            Enumerable.Range(0, rows[r].Length).Sum(k => flatVal[start[r] + k] * x[rows[r][k]]) - B[r], 2));
        var x = DataCheck.Random(6, 16);
        var residual = Multiply(x).Select((a, r) => a - B[r]).ToArray();
        var g = Diff.Gradient(f);
        var start = RowPtr[..^1];
        FiniteDifferences.AssertClose(MultiplyTransposed(residual), g.Compile()(x, rows, start), 1e-12, 1e-13, "Compile");
        FiniteDifferences.AssertClose(MultiplyTransposed(residual), g.CompileIL()(x, rows, start), 1e-12, 1e-13, "CompileIL");
        FiniteDifferences.AssertClose(MultiplyTransposed(residual), DataCheck.InterpretedGradient(f, x, rows, start), 1e-12, 1e-13, "interpreter");
        var v = DataCheck.Random(6, 17);
        FiniteDifferences.AssertClose(MultiplyTransposed(Multiply(v)), Diff.Hvp(f).CompileIL()(x, rows, start, v), 1e-12, 1e-13, "Hvp");
        Assert.NotNull(vals);
    }

    [Fact]
    public void Quadratic_form_with_a_captured_double2_read_with_loop_indices()
    {
        const int n = 5;
        var q = new double[n, n];
        var r = DataCheck.Random(n * n, 18);
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) q[i, j] = r[i * n + j];
        // ½ xᵀQx with Q not symmetric: ∇ = ½(Q + Qᵀ)x, H = ½(Q + Qᵀ).
        Expression<Func<double[], double>> f = x => 0.5 * Enumerable.Range(0, x.Length).Sum(i => Enumerable.Range(0, x.Length).Sum(j => x[i] * q[i, j] * x[j]));
        var x = DataCheck.Random(n, 19);
        var v = DataCheck.Random(n, 20);
        double[] Sym(double[] y) => Enumerable.Range(0, n).Select(i => Enumerable.Range(0, n).Sum(j => 0.5 * (q[i, j] + q[j, i]) * y[j])).ToArray();
        DataCheck.AllRoutes(f, x, v, Sym(x), Sym(v));
        var hessian = Diff.Hessian(f).CompileIL()(x);
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) Assert.Equal(0.5 * (q[i, j] + q[j, i]), hessian[i, j], 12);
    }

    [Fact]
    public void Jvp_vjp_and_jacobian_of_residuals_through_index_arrays()
    {
        int[] I = [0, 1, 2, 0, 3, 3];
        int[] J = [1, 2, 3, 2, 0, 1];
        double[] L = [1, 2, 0.5, 1.5, -1, 0.25];
        Expression<Func<double[], double[]>> F = x => Enumerable.Range(0, I.Length).Select(s => x[I[s]] * x[J[s]] - L[s]).ToArray();
        var x = DataCheck.Random(4, 21);
        var jacobian = new double[I.Length, 4];
        for (int s = 0; s < I.Length; s++) { jacobian[s, I[s]] += x[J[s]]; jacobian[s, J[s]] += x[I[s]]; }
        FiniteDifferences.AssertClose(jacobian, Diff.Jacobian(F).Compile()(x), 1e-12, 1e-13, "Jacobian");
        FiniteDifferences.AssertClose(jacobian, Diff.Jacobian(F).CompileIL()(x), 1e-12, 1e-13, "Jacobian IL");
        var v = DataCheck.Random(4, 22);
        var u = DataCheck.Random(I.Length, 23);
        var jv = Enumerable.Range(0, I.Length).Select(s => Enumerable.Range(0, 4).Sum(k => jacobian[s, k] * v[k])).ToArray();
        var uj = Enumerable.Range(0, 4).Select(k => Enumerable.Range(0, I.Length).Sum(s => u[s] * jacobian[s, k])).ToArray();
        FiniteDifferences.AssertClose(jv, Diff.Jvp(F).CompileIL()(x, v), 1e-12, 1e-13, "Jvp");
        FiniteDifferences.AssertClose(uj, Diff.Vjp(F).CompileIL()(x, u), 1e-12, 1e-13, "Vjp");
        // Compiled.Jvp needs a result of fixed length; this one's length is I.Length, known when it runs.
    }

    /// <summary>The span entry points that take products. Until issue 11's point 3 lands these refuse derivatives whose
    /// scatter result is assigned to a span ("'v4' (a span) assigned from something other than a span").</summary>
    [Fact]
    public void Span_product_entry_points_on_integer_data_programs()
    {
        var (conn, xm, a0) = Mesh();
        Expression<Func<double[], double>> fe = x => Enumerable.Range(0, conn.GetLength(0)).Sum(e => Math.Pow(
            0.5 * ((x[2 * conn[e, 1]] - x[2 * conn[e, 0]]) * (x[2 * conn[e, 2] + 1] - x[2 * conn[e, 0] + 1])
                 - (x[2 * conn[e, 2]] - x[2 * conn[e, 0]]) * (x[2 * conn[e, 1] + 1] - x[2 * conn[e, 0] + 1])) - a0[e], 2));
        DataCheck.SpanHvp(fe, xm, DataCheck.Random(xm.Length, 30));
        int[] rowPtr = RowPtr, col = Col;
        double[] val = Val, b = B;
        Expression<Func<double[], double>> csr = x => 0.5 * Enumerable.Range(0, rowPtr.Length - 1).Sum(r => Math.Pow(
            Enumerable.Range(rowPtr[r], rowPtr[r + 1] - rowPtr[r]).Sum(k => val[k] * x[col[k]]) - b[r], 2));
        DataCheck.SpanHvp(csr, DataCheck.Random(6, 31), DataCheck.Random(6, 32));
        int[] I = [0, 1, 2, 0, 3, 3];
        int[] J = [1, 2, 3, 2, 0, 1];
        Expression<Func<double[], double[]>> F = x => Enumerable.Range(0, I.Length).Select(s => x[I[s]] * x[J[s]]).ToArray();
        var xs = DataCheck.Random(4, 33);
        var u = DataCheck.Random(I.Length, 34);
        var spanUj = new double[4];
        Compiled.Vjp(F)(xs, u, spanUj);
        FiniteDifferences.AssertClose(Diff.Vjp(F).CompileIL()(xs, u), spanUj, 1e-13, 1e-14, "Compiled.Vjp");
    }

    [Fact]
    public void An_index_out_of_range_throws_as_f_does_on_every_route()
    {
        int[] I = [0, 1, 9];
        Expression<Func<double[], double>> f = x => Enumerable.Range(0, I.Length).Sum(s => x[I[s]] * x[I[s]]);
        var x = new double[] { 1, 2, 3 };
        Assert.Throws<IndexOutOfRangeException>(() => f.Compile()(x));
        Assert.Throws<IndexOutOfRangeException>(() => Diff.Gradient(f).Compile()(x));
        Assert.Throws<IndexOutOfRangeException>(() => Diff.Gradient(f).CompileIL()(x));
        Assert.Throws<IndexOutOfRangeException>(() => Diff.ValueAndGradient(f).CompileIL()(x, new double[3]));
        Assert.Throws<IndexOutOfRangeException>(() => Diff.Hvp(f).CompileIL()(x, x));
        Assert.Throws<IndexOutOfRangeException>(() => Compiled.ValueAndGradient(f)(x, new double[3]));
        Assert.Throws<IndexOutOfRangeException>(() => DataCheck.InterpretedGradient(f, x));
        // An index into the int array itself out of range.
        int[] J = [0, 1];
        Expression<Func<double[], double>> g = x => Enumerable.Range(0, 3).Sum(s => x[J[s]]);
        Assert.Throws<IndexOutOfRangeException>(() => Diff.Gradient(g).CompileIL()(x));
        Assert.Throws<IndexOutOfRangeException>(() => Diff.Gradient(g).Compile()(x));
        I[2] = 2;
        Assert.Equal([2.0, 4.0, 6.0], Diff.Gradient(f).CompileIL()(x));
    }

    [Fact]
    public void Repeated_indices_add_up_in_the_scatter()
    {
        int[] I = [1, 1, 1, 0, 1];
        Expression<Func<double[], double>> f = x => Enumerable.Range(0, I.Length).Sum(s => (s + 1) * x[I[s]] * x[I[s]]);
        var x = new double[] { 0.5, 2 };
        // ∂/∂x1 = 2·(1 + 2 + 3 + 5)·x1, ∂/∂x0 = 2·4·x0
        double[] expected = [4.0, 44.0];
        Assert.Equal(expected, Diff.Gradient(f).Compile()(x));
        Assert.Equal(expected, Diff.Gradient(f).CompileIL()(x));
        Assert.Equal(expected, DataCheck.InterpretedGradient(f, x));
    }

    [Fact]
    public void Int_data_in_comparisons_index_arithmetic_and_lengths()
    {
        int[] label = [2, 0, 1, 2];
        int[][] neighbours = [[1, 2], [], [0, 3, 1], [2]];
        Expression<Func<double[], double>> f = x => Enumerable.Range(0, neighbours.Length).Sum(i =>
            (label[i] == 2 ? 3.0 : 1.0) * Enumerable.Range(0, neighbours[i].Length).Sum(k => x[i] * x[neighbours[i][k]] + (neighbours[i][k] > i ? x[(label[i] + neighbours[i][k]) % 4] : 0)));
        var x = DataCheck.Random(4, 24);
        var fc = f.Compile();
        var fd = FiniteDifferences.Gradient(fc, x);
        FiniteDifferences.AssertClose(fd, Diff.Gradient(f).Compile()(x), 1e-6, 1e-8, "Compile");
        FiniteDifferences.AssertClose(fd, Diff.Gradient(f).CompileIL()(x), 1e-6, 1e-8, "CompileIL");
        FiniteDifferences.AssertClose(Diff.Gradient(f).Compile()(x), DataCheck.InterpretedGradient(f, x), 1e-14, 1e-15, "interpreter");
    }

    [Fact]
    public void Batch_gradient_with_captured_int_data_is_right_and_says_why_it_is_not_vectorized()
    {
        int[] I = [0, 1, 2];
        int[] J = [1, 2, 0];
        Expression<Func<double[], double>> f = x => Enumerable.Range(0, I.Length).Sum(s => (x[I[s]] - x[J[s]]) * (x[I[s]] - x[J[s]]));
        var batch = BatchGradient.Create(f, 3);
        Assert.False(batch.IsVectorized);
        Assert.False(string.IsNullOrEmpty(batch.NotVectorizedReason));
        const int count = 9;
        var points = DataCheck.Random(3 * count, 25);
        var values = new double[count];
        var gradients = new double[3 * count];
        batch.Evaluate(points, values, gradients);
        var vg = Diff.ValueAndGradient(f).Compile();
        for (int p = 0; p < count; p++)
        {
            var x = Enumerable.Range(0, 3).Select(j => points[j * count + p]).ToArray();
            var g = new double[3];
            Assert.Equal(vg(x, g), values[p]);
            for (int j = 0; j < 3; j++) Assert.Equal(g[j], gradients[j * count + p]);
        }
    }
}
