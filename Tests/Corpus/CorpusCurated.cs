using System.Linq.Expressions;
using ExprDiff.Tests.Semantics;
using ExprDiff.Tests.Solvers.Mgh;

namespace ExprDiff.Tests.Corpus;

/// <summary>
/// Functions from the test suite and the README, chosen so that every feature appears: <c>Math.*</c> calls, kinks and
/// ties, conditionals and guarded neighbour reads, LINQ Sum/Select/Average/Max/Min/Aggregate, intermediate arrays,
/// captured <c>double[]</c>, <c>double[,]</c>, <c>int[]</c>, <c>int[,]</c> and <c>int[][]</c>, data parameters, integer
/// powers, <c>checked</c> arithmetic (with points where it overflows), vector functions (the 35 Moré–Garbow–Hillstrom
/// residuals and objectives), scalar-parameter lambdas and <c>Diff.StopGradient</c>. Loops written with the Expression API
/// are in <see cref="CorpusLoopPrograms"/>.
/// </summary>
internal static class CorpusCurated
{
    /// <summary>A case whose direction seeds come from its id (FNV-1a, stable across runs and machines).</summary>
    public static CorpusCase Case(string id, LambdaExpression f, params object[][] points)
    {
        ulong h = 14695981039346656037UL;
        foreach (char ch in id) h = unchecked((h ^ ch) * 1099511628211UL);
        return new CorpusCase(id, f, points.Select((p, i) => new CorpusPoint(p, h + (ulong)i)).ToArray());
    }

    private static object[] X(params double[] x) => [x];

    private static object[] S(params double[] args) => args.Cast<object>().ToArray();

    private static double[] Ramp(int n, double scale = 0.3) => Enumerable.Range(0, n).Select(i => scale * Math.Sin(1.7 * i + 0.4) + 0.05 * i).ToArray();

    public static IEnumerable<CorpusCase> All() => Scalar().Concat(Reductions()).Concat(Data()).Concat(Checked()).Concat(Mgh())
        .Concat(CorpusLoopPrograms.All());

    private static IEnumerable<CorpusCase> Scalar()
    {
        yield return Case("curated.readme.rosenbrock2", (Expression<Func<double[], double>>)(x => 100 * Math.Pow(x[1] - x[0] * x[0], 2) + Math.Pow(1 - x[0], 2)),
            X(-1.2, 1.0), X(1.0, 1.0), X(0.3, -0.7));
        yield return Case("curated.readme.vector", (Expression<Func<double[], double[]>>)(x => new[] { x[0] * x[1], Math.Sin(x[0]) }), X(0.5, -1.5), X(2.0, 0.25));
        yield return Case("curated.readme.gaussian3", (Expression<Func<double, double>>)(t => Math.Exp(-t * t)), S(0.5), S(-1.25), S(0.0));
        yield return Case("curated.math.unary", (Expression<Func<double[], double>>)(x => Math.Sin(x[0]) * Math.Cos(x[1]) + Math.Tan(0.3 * x[2])
            + Math.Asin(0.5 * Math.Tanh(x[0])) + Math.Acos(0.4 * Math.Tanh(x[1])) + Math.Atan(x[2]) + Math.Sinh(0.5 * x[0]) + Math.Cosh(0.5 * x[1])
            + Math.Asinh(x[2]) + Math.Acosh(1.5 + x[0] * x[0]) + Math.Atanh(0.5 * Math.Tanh(x[2])) + Math.Exp(0.3 * x[1]) + Math.Log(1 + x[2] * x[2])
            + Math.Log10(2 + x[0] * x[0]) + Math.Log2(3 + x[1] * x[1]) + Math.Sqrt(1 + x[2] * x[2]) + Math.Cbrt(x[0] - 0.1)),
            X(0.3, -0.7, 1.1), X(-1.2, 0.4, -0.5), X(0.1, 0.0, 2.0));
        yield return Case("curated.math.binary", (Expression<Func<double[], double>>)(x => Math.Atan2(x[0], x[1]) + Math.Pow(1.5 + x[0] * x[0], x[1])
            + Math.Log(2 + x[1] * x[1], 1.5 + x[0] * x[0]) + Math.FusedMultiplyAdd(x[0], x[1], x[2]) + Math.Clamp(x[2], -0.5, 0.5) + x[0] % (1 + x[1] * x[1])),
            X(0.3, -0.7, 1.1), X(-1.2, 0.4, -0.5), X(0.5, 0.0, 0.5));
        yield return Case("curated.math.kinks", (Expression<Func<double[], double>>)(x => Math.Abs(x[0]) + Math.Max(x[0], x[1]) * Math.Min(x[1], x[2])
            + Math.Sign(x[2]) * x[0] + Math.Floor(x[0]) * x[1] + Math.Ceiling(x[1]) * x[2] + Math.Round(x[2]) * x[0] + Math.Truncate(x[0]) + Math.Sqrt(x[1] * x[1])),
            X(0.0, 0.0, 0.0), X(1.0, 1.0, 0.5), X(-0.7, 2.5, -0.5));
        yield return Case("curated.math.powers", (Expression<Func<double[], double>>)(x => Math.Pow(x[0], 3) + Math.Pow(x[1], -2) + Math.Pow(x[0] * x[1], 6)
            + Math.Pow(x[2], 12) + Math.Pow(x[2], -16) + Math.Pow(x[0], 16) + Math.Pow(x[1], 0) + Math.Pow(x[2], 1) + Math.Pow(x[0], 0.5 + x[1] * x[1] * 0)),
            X(1.1, -0.9, 0.8), X(0.7, 1.3, -1.05), X(0.0, 1.0, 1.0));
        yield return Case("curated.math.floatcast.stopgradient", (Expression<Func<double[], double>>)(x => (double)(float)(x[0] * x[1]) + Diff.StopGradient(x[0] * x[0]) * x[1]
            + (int)x[0] * x[1] + (double)(int)(3 * x[1]) * x[0]),
            X(1.1, -0.9), X(2.7, 1.3));
        yield return Case("curated.cond.logic", (Expression<Func<double[], double>>)(x => (x[0] > 0 && x[1] < 1 || !(x[2] >= 0.5) ? x[0] * x[1] : Math.Exp(x[2]))
            + (x[0] == x[1] ? 1.0 : x[0] != 0.5 ? x[1] * x[1] : x[2]) + (x[0] > 0 ? Math.Log(x[0]) : 0) + (x[1] > 0.25 ? Math.Sqrt(x[1] - 0.25) : x[1])),
            X(0.5, 0.5, 0.7), X(-1.0, 2.0, 0.2), X(0.0, 0.25, 0.5));
        yield return Case("curated.kink.sinc", (Expression<Func<double, double>>)(x => x == 0 ? 0 : x * Math.Sin(1 / x)), S(0.0), S(0.37), S(-2.0));
        yield return Case("curated.kink.sqrtguard", (Expression<Func<double[], double>>)(x => (x[0] > 0 ? Math.Sqrt(x[0]) : x[0]) + 2 * x[0]), X(0.0), X(0.25), X(-1.0));
        yield return Case("curated.invoke", Invoke(), X(0.5, -0.25), X(1.5, 2.0));
        yield return Case("curated.scalars.rosenbrock", (Expression<Func<double, double, double>>)((x, y) => 100 * Math.Pow(y - x * x, 2) + Math.Pow(1 - x, 2)),
            S(-1.2, 1.0), S(0.5, 0.5), S(1.0, 1.0));
        yield return Case("curated.scalars.terms2", (Expression<Func<double, double, double>>)((x, y) => Math.Exp(x * y) + (y > 0 ? Math.Sin(y) : y * y) + Math.Max(x, y) / (1 + y * y)),
            S(0.3, -1.1), S(0.7, 0.7), S(-2.0, 0.4));
        yield return Case("curated.scalars.three", (Expression<Func<double, double, double, double>>)((a, b, c) => a * Math.Sin(b) * Math.Exp(-c * c) + Math.Pow(a - b, 4)),
            S(0.3, -1.1, 0.5), S(2.0, 1.0, -0.25));
        yield return Case("curated.scalars.eight", (Expression<Func<double, double, double, double, double, double, double, double, double>>)(
            (a, b, c, d, e, f, g, h) => a * b + c * d - e * f * g + Math.Sqrt(1 + h * h) * a + Math.Pow(b - c, 3) / (2 + d * d)),
            S(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8), S(-1, 2, -3, 0.5, 1.5, -0.25, 1, 2));
        yield return Case("curated.scalars.vector", (Expression<Func<double, double, double[]>>)((a, b) => Enumerable.Range(0, 6).Select(i => Math.Sin(a * i) + b * b * i).ToArray()),
            S(0.3, -1.1), S(1.25, 0.5));
        yield return Case("curated.scalars.newarray", (Expression<Func<double, double, double, double[]>>)((a, b, c) => new[] { a * b * c, a - c, Math.Atan2(b, c) }),
            S(0.3, -1.1, 0.5), S(1.25, 0.5, -2));
        yield return Case("curated.scalar.polynomial", (Expression<Func<double, double>>)(t => ((0.5 * t - 1.5) * t + 2) * t - 7 + Math.Pow(t, 5)), S(0.3), S(-2.5), S(1.0));
        yield return Case("curated.scalar.transcendental", (Expression<Func<double, double>>)(t => Math.Log(1 + Math.Exp(t)) * Math.Atan(t) / Math.Cosh(t)), S(0.3), S(-2.5), S(4.0));
    }

    private static Expression<Func<double[], double>> Invoke()
    {
        Expression<Func<double, double, double>> g = (a, b) => a * Math.Exp(b) - b * b;
        var x = Expression.Parameter(typeof(double[]), "x");
        var body = Expression.Add(Expression.Invoke(g, Expression.ArrayIndex(x, Expression.Constant(0)), Expression.ArrayIndex(x, Expression.Constant(1))),
            Expression.Invoke(g, Expression.ArrayIndex(x, Expression.Constant(1)), Expression.ArrayIndex(x, Expression.Constant(0))));
        return Expression.Lambda<Func<double[], double>>(body, x);
    }

    private static IEnumerable<CorpusCase> Reductions()
    {
        double[] weights = [0.5, -1.0, 2.0, 0.25, 1.5, -0.75];
        var points = new[] { X(Ramp(6)), X(Ramp(6, -1.1)), X(Ramp(6, 0.05)) };
        yield return Case("curated.linq.selectsum", (Expression<Func<double[], double>>)(x => x.Sum() + x.Select(v => v * v).Sum() + x.Select((v, i) => i * Math.Sin(v)).Sum()), points);
        yield return Case("curated.linq.average", (Expression<Func<double[], double>>)(x => x.Average() + Enumerable.Range(0, x.Length).Average(i => x[i] * x[i])), points);
        yield return Case("curated.linq.maxmin", (Expression<Func<double[], double>>)(x => x.Max() + Enumerable.Range(0, x.Length).Min(i => Math.Sin(x[i]) * (i + 1))), points);
        yield return Case("curated.linq.pairs", (Expression<Func<double[], double>>)(x => x.Sum() * x.Sum() + Enumerable.Range(0, x.Length).Sum(i => Enumerable.Range(0, i).Sum(j => x[i] * x[j]))), points);
        yield return Case("curated.linq.window", (Expression<Func<double[], double>>)(x => x.Select(v => v * v * v).Sum() + Enumerable.Range(0, x.Length - 1).Sum(i => x[i] * Math.Sin(x[i + 1]))), points);
        yield return Case("curated.linq.capturedweights", (Expression<Func<double[], double>>)(x => Enumerable.Range(0, x.Length).Sum(i => weights[i] * x[i] * x[i]) + weights.Sum() * x[0]), points);
        yield return Case("curated.linq.guardedlog", (Expression<Func<double[], double>>)(x => Enumerable.Range(0, x.Length).Sum(i => x[i] > 0 ? Math.Log(x[i]) : 0)), points);
        yield return Case("curated.linq.aggregate", (Expression<Func<double[], double>>)(x => Enumerable.Range(0, x.Length).Aggregate(1.0, (acc, i) => acc * Math.Cos(x[i]) + x[i] * x[i])), points);
        yield return Case("curated.linq.aggregateselect", (Expression<Func<double[], double>>)(x => x.Select(v => v * 0.5).Aggregate(0.25, (acc, v) => 0.5 * acc + Math.Sin(v + acc))), points);
        yield return Case("curated.linq.tabulate", (Expression<Func<double[], double>>)(x => Enumerable.Range(0, x.Length - 1).Select(i => x[i + 1] - x[i]).ToArray().Select(d => d * d).Sum()), points);
        yield return Case("curated.guard.left", (Expression<Func<double[], double>>)(x => Enumerable.Range(0, x.Length).Sum(i => i > 0 ? x[i - 1] * x[i] : 0)), points);
        yield return Case("curated.guard.laplacian", (Expression<Func<double[], double>>)(x => Enumerable.Range(0, x.Length).Sum(i =>
            x[i] * ((i > 0 ? x[i - 1] : 0) - 2 * x[i] + (i + 1 < x.Length ? x[i + 1] : 0)))), points);
        yield return Case("curated.guard.data", (Expression<Func<double[], double>>)(x => Enumerable.Range(0, x.Length).Sum(i => i >= 2 && x[i - 2] > 0 ? x[i - 2] * Math.Exp(x[i]) : x[i] * x[i])), points);
        yield return Case("curated.vector.guarded", (Expression<Func<double[], double[]>>)(x => x.Select((xi, i) => xi * xi - (i > 0 ? x[i - 1] : 1.0)).ToArray()), points);
        yield return Case("curated.vector.moments", (Expression<Func<double[], double[]>>)(x => new[] { x.Sum(), x.Select(v => v * v).Sum(), x.Max() }), points);
        yield return Case("curated.vector.residuals", (Expression<Func<double[], double[]>>)(x => Enumerable.Range(0, x.Length - 1).Select(i => 10 * (x[i + 1] - x[i] * x[i])).ToArray()), points);
    }

    private static IEnumerable<CorpusCase> Data()
    {
        double[,] q = { { 2, 0.5, 0 }, { 0.5, 1, -0.25 }, { 0, -0.25, 3 } };
        int[,] conn = { { 0, 1, 2 }, { 1, 3, 2 }, { 2, 3, 4 } };
        int[] I = [0, 1, 2, 3, 0], J = [1, 2, 3, 4, 4];
        double[] L = [1.0, 1.1, 0.9, 1.2, 1.5];
        int[] rowPtr = [0, 2, 3, 5], col = [0, 2, 1, 0, 2];
        double[] val = [1.5, -0.5, 2.0, 0.25, 1.0], b = [0.5, -1.0, 2.0];
        int[][] neighbours = [[1, 2], [0], [0, 1, 3], [2]];
        int[] label = [0, 2, 1, 2];
        var x3 = new[] { X(0.3, -1.1, 0.7), X(1.5, 0.25, -0.5) };
        var x5 = new[] { X(0.0, 0.1, 1.0, 1.2, 0.5, 0.3, 0.9, 1.1, 2.0, 0.0), X(Ramp(10, 1.2)) };
        yield return Case("curated.data.quadratic2d", (Expression<Func<double[], double>>)(x => 0.5 * Enumerable.Range(0, x.Length).Sum(i => Enumerable.Range(0, x.Length).Sum(j => x[i] * q[i, j] * x[j]))), x3);
        yield return Case("curated.data.fe.intmatrix", (Expression<Func<double[], double>>)(x => Enumerable.Range(0, conn.GetLength(0)).Sum(e => Math.Pow(
            (x[2 * conn[e, 1]] - x[2 * conn[e, 0]]) * (x[2 * conn[e, 2] + 1] - x[2 * conn[e, 0] + 1]) - (x[2 * conn[e, 2]] - x[2 * conn[e, 0]]) * (x[2 * conn[e, 1] + 1] - x[2 * conn[e, 0] + 1]) - 0.5, 2))), x5);
        yield return Case("curated.data.springs.intarrays", (Expression<Func<double[], double>>)(x => Enumerable.Range(0, I.Length).Sum(s =>
            Math.Pow(Math.Sqrt(Math.Pow(x[2 * I[s]] - x[2 * J[s]], 2) + Math.Pow(x[2 * I[s] + 1] - x[2 * J[s] + 1], 2)) - L[s], 2))), x5);
        yield return Case("curated.data.csr", (Expression<Func<double[], double>>)(x => 0.5 * Enumerable.Range(0, rowPtr.Length - 1).Sum(r => Math.Pow(
            Enumerable.Range(rowPtr[r], rowPtr[r + 1] - rowPtr[r]).Sum(k => val[k] * x[col[k]]) - b[r], 2))), x3);
        yield return Case("curated.data.jagged", (Expression<Func<double[], double>>)(x => Enumerable.Range(0, neighbours.Length).Sum(i =>
            (label[i] == 2 ? 3.0 : 1.0) * Enumerable.Range(0, neighbours[i].Length).Sum(k => x[i] * x[neighbours[i][k]] + (neighbours[i][k] > i ? x[(label[i] + neighbours[i][k]) % 4] : 0)))),
            X(0.3, -1.1, 0.7, 2.0), X(1.5, 0.25, -0.5, -1.0));
        yield return Case("curated.data.vector.gather", (Expression<Func<double[], double[]>>)(x => Enumerable.Range(0, I.Length).Select(s => x[I[s]] * x[J[s]] - L[s]).ToArray()), x5);
        yield return Case("curated.data.params.softmax", (Expression<Func<double[], double[,], int[], double>>)((w, Xd, y) => Enumerable.Range(0, y.Length).Sum(n =>
            Math.Log(Enumerable.Range(0, w.Length / Xd.GetLength(1)).Sum(c => Math.Exp(Enumerable.Range(0, Xd.GetLength(1)).Sum(d => w[c * Xd.GetLength(1) + d] * Xd[n, d]))))
            - Enumerable.Range(0, Xd.GetLength(1)).Sum(d => w[y[n] * Xd.GetLength(1) + d] * Xd[n, d]))),
            [Ramp(6), new double[,] { { 1, 0.5 }, { -0.3, 2 }, { 0.7, -1 }, { 0.1, 0.2 } }, new[] { 0, 2, 1, 2 }],
            [Ramp(6, -0.8), new double[,] { { 1, 0.5 }, { -0.3, 2 }, { 0.7, -1 }, { 0.1, 0.2 } }, new[] { 1, 1, 0, 2 }]);
        yield return Case("curated.data.params.intmatrix", (Expression<Func<double[], int[,], double[], double>>)((x, c, a0) => Enumerable.Range(0, c.GetLength(0)).Sum(e => Math.Pow(
            x[c[e, 0]] * x[c[e, 1]] - x[c[e, 2]] - a0[e], 2))), [Ramp(5), conn, new[] { 0.5, 0.25, -0.5 }], [Ramp(5, 1.3), conn, new[] { 1.0, 0.0, 2.0 }]);
        yield return Case("curated.data.params.jagged", (Expression<Func<double[], int[][], int[], double>>)((x, rows, start) => 0.5 * Enumerable.Range(0, rows.Length).Sum(r => Math.Pow(
            Enumerable.Range(0, rows[r].Length).Sum(k => val[start[r] + k] * x[rows[r][k]]) - b[r], 2))), [Ramp(3), new[] { new[] { 0, 2 }, new[] { 1 }, new[] { 0, 2 } }, new[] { 0, 2, 3 }],
            [Ramp(3, 2), new[] { new[] { 0, 2 }, new[] { 1 }, new[] { 0, 2 } }, new[] { 0, 2, 3 }]);
        yield return Case("curated.data.params.scalarint", (Expression<Func<double[], int, double>>)((x, k) => k > 0 ? x[k - 1] * x[k] : x[k] * 2), [Ramp(4), 2], [Ramp(4), 0]);
        yield return Case("curated.data.params.double", (Expression<Func<double[], double, double[], double>>)((w, lambda, y) =>
            Enumerable.Range(0, y.Length).Sum(i => Math.Pow(w[0] + w[1] * i - y[i], 2)) + lambda * (w[0] * w[0] + w[1] * w[1])), [new[] { 0.5, -0.25 }, 0.1, Ramp(7)], [new[] { 2.0, 1.0 }, 0.0, Ramp(7, 2)]);
    }

    private static IEnumerable<CorpusCase> Checked()
    {
        for (int k = 0; k < CheckedArithmeticTests.Cases.Length; k++)
        {
            var c = CheckedArithmeticTests.Cases[k];
            // Where it overflows every lowering must throw OverflowException (stored as one line); elsewhere, values.
            yield return Case($"curated.checked.{k}", c.Checked, [X(c.Overflowing), .. c.Fine.Select(x => X(x))]);
        }
    }

    private static IEnumerable<CorpusCase> Mgh()
    {
        foreach (var p in MghCatalog.All)
        {
            var moved = p.X0.Select((v, i) => v + 0.1 * (i % 2 == 0 ? 1 : -1) * (1 + Math.Abs(v))).ToArray();
            yield return Case($"curated.mgh.{p.Number:D2}.residuals", p.Residuals, X(p.X0), X(moved));
            yield return Case($"curated.mgh.{p.Number:D2}.objective", p.Objective, X(p.X0), X(moved));
        }
    }
}
