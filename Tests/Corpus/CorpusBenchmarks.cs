using System.Linq.Expressions;
using ExprDiff.Benchmarks.Problems;

namespace ExprDiff.Tests.Corpus;

/// <summary>
/// The benchmark problems of PROBLEMS.md (P1–P7) in the forms <c>Benchmarks/Problems</c> writes them: loops
/// (<see cref="LoopForms"/>, data as parameters for P2 and P4) and term by term (P1 long enough to be rerolled into a loop,
/// P3 with <c>Math.Pow</c>), each at its PROBLEMS.md point and at a perturbed one. Sizes are kept where the stored values
/// stay small and the derivatives fast; where they would not (P5's 4,000 and P6's 65,536 variables, P7's 256 samples, P2 and
/// P3 term by term, whose 20,000 and 6,000 terms cost seconds per derivative in Debug), the same expression or builder is
/// taken at a smaller instance, said in the id.
/// </summary>
internal static class CorpusBenchmarks
{
    // The problem's point, and that point moved by up to 1e-3 relative (Lcg(seed)), so that a value is checked away from
    // the one point every benchmark uses.
    private static CorpusPoint[] Points(double[] x, ulong seed, Func<double[], object[]>? args = null)
    {
        var r = new Lcg(seed);
        var moved = x.Select(v => v * (1 + 1e-3 * r.Sym()) + 1e-4 * r.Sym()).ToArray();
        args ??= p => [p];
        return [new CorpusPoint(args(x), seed * 16), new CorpusPoint(args(moved), seed * 16 + 1)];
    }

    public static IEnumerable<CorpusCase> All()
    {
        foreach (int n in new[] { 10, 100, 1000 })
        {
            yield return new CorpusCase($"bench.P1.loop.n{n:D4}", LoopForms.P1, Points(P1Rosenbrock.Point(n), 2101 + (ulong)n));
            yield return new CorpusCase($"bench.P1.terms.n{n:D4}", P1Rosenbrock.TermByTerm(n), Points(P1Rosenbrock.Point(n), 2201 + (ulong)n));
        }
        yield return new CorpusCase("bench.P2.loop", LoopForms.P2, Points(P2Logistic.Point(), 2301, w => [w, P2Logistic.X, P2Logistic.Y]));
        yield return new CorpusCase("bench.P2.terms.rows32", P2Terms(32), Points(P2Logistic.Point(), 2302));
        yield return new CorpusCase("bench.P3.loop", LoopForms.P3, Points(P3LennardJones.Point(), 2401));
        yield return new CorpusCase("bench.P3.loop.pow", LoopForms.P3Pow, Points(P3LennardJones.Point(), 2402));
        yield return new CorpusCase("bench.P3.terms.pow.atoms16", P3Terms(16), Points(P3LennardJones.Point()[..48], 2403));
        // Four atoms of P3's cluster: small enough for Hessians.
        yield return new CorpusCase("bench.P3.loop.atoms4", LoopForms.P3, Points(P3LennardJones.Point()[..12], 2404));
        yield return new CorpusCase("bench.P3.loop.pow.atoms4", LoopForms.P3Pow, Points(P3LennardJones.Point()[..12], 2405));
        yield return new CorpusCase("bench.P4.loop", LoopForms.P4, Points(P4Mlp.Point(), 2501, t => [t, P4Mlp.A, P4Mlp.T]));
        yield return new CorpusCase("bench.P4.loop.samples8", LoopForms.P4, Points(P4Mlp.Point(), 2502, t => [t, P4Mlp.A[..16], P4Mlp.T[..8]]));
        yield return new CorpusCase("bench.P5.loop", P5Springs.Loop(P5Springs.Instance), Points(P5Springs.Point(), 2601)[..1]);
        var (small, x) = SmallSprings(4, 3);
        yield return new CorpusCase("bench.P5.loop.grid4x3", P5Springs.Loop(small), Points(x, 2602));
        yield return new CorpusCase("bench.P6.loop.side6", P6Side6, Points(P6Phi4.Point()[..36], 2701), MaxHessian: 36);
        yield return new CorpusCase("bench.P7.samples16", P7(16), Points(P4Mlp.Point(), 2801));
    }

    /// <summary><see cref="P2Logistic.TermByTerm"/> over the first <paramref name="rows"/> rows: the same builder (X and y
    /// as constants, left-deep sums); at the full 1,000 rows each derivative costs seconds in Debug.</summary>
    private static Expression<Func<double[], double>> P2Terms(int rows)
    {
        var w = Expression.Parameter(typeof(double[]), "w");
        var terms = Enumerable.Range(0, rows).Select(i =>
        {
            var s = Sum(Enumerable.Range(0, P2Logistic.D).Select(j => (Expression)Expression.Multiply(At(w, j), Expression.Constant(P2Logistic.X[i * P2Logistic.D + j]))));
            var t = Expression.Multiply(Expression.Constant(-P2Logistic.Y[i]), s);
            return (Expression)Math1(nameof(Math.Log), Expression.Add(Expression.Constant(1.0), Math1(nameof(Math.Exp), t)));
        });
        return Expression.Lambda<Func<double[], double>>(Expression.Multiply(Expression.Constant(1.0 / rows), Sum(terms)), w);
    }

    /// <summary><see cref="P3LennardJones.TermByTerm"/> for the first <paramref name="atoms"/> atoms: the same builder,
    /// <c>4·(Math.Pow(r², −6) − Math.Pow(r², −3))</c> per pair with r² written out in both places.</summary>
    private static Expression<Func<double[], double>> P3Terms(int atoms)
    {
        var x = Expression.Parameter(typeof(double[]), "x");
        var pow = typeof(Math).GetMethod(nameof(Math.Pow), [typeof(double), typeof(double)])!;
        Expression R2(int i, int j) => Sum(Enumerable.Range(0, 3).Select(c => (Expression)Expression.Multiply(
            Expression.Subtract(At(x, 3 * i + c), At(x, 3 * j + c)), Expression.Subtract(At(x, 3 * i + c), At(x, 3 * j + c)))));
        var pairs = new List<Expression>();
        for (int i = 0; i < atoms; i++)
            for (int j = i + 1; j < atoms; j++)
                pairs.Add(Expression.Multiply(Expression.Constant(4.0), Expression.Subtract(
                    Expression.Call(pow, R2(i, j), Expression.Constant(-6.0)), Expression.Call(pow, R2(i, j), Expression.Constant(-3.0)))));
        return Expression.Lambda<Func<double[], double>>(Sum(pairs), x);
    }

    // As Benchmarks/Problems/Terms: a left-deep sum, x[index] fresh at each use, Math calls.
    private static Expression Sum(IEnumerable<Expression> terms) => terms.Aggregate(Expression.Add);

    private static Expression At(ParameterExpression x, int index) => Expression.ArrayIndex(x, Expression.Constant(index));

    private static Expression Math1(string name, Expression a) => Expression.Call(typeof(Math).GetMethod(name, [typeof(double)])!, a);

    /// <summary>P5's springs among the nodes of its first <paramref name="columns"/> × <paramref name="rows"/> corner,
    /// renumbered densely, with their rest lengths, stiffnesses and positions.</summary>
    private static (P5Springs.Data Data, double[] X) SmallSprings(int columns, int rows)
    {
        var d = P5Springs.Instance;
        int Compact(int k) => k % P5Springs.Columns < columns && k / P5Springs.Columns < rows ? k / P5Springs.Columns * columns + k % P5Springs.Columns : -1;
        var keep = Enumerable.Range(0, d.I.Length).Where(s => Compact(d.I[s]) >= 0 && Compact(d.J[s]) >= 0).ToArray();
        var x = new double[2 * columns * rows];
        for (int k = 0; k < P5Springs.Nodes; k++)
            if (Compact(k) is var c and >= 0) (x[2 * c], x[2 * c + 1]) = (d.X[2 * k], d.X[2 * k + 1]);
        var data = new P5Springs.Data(keep.Select(s => Compact(d.I[s])).ToArray(), keep.Select(s => Compact(d.J[s])).ToArray(),
            keep.Select(s => d.L[s]).ToArray(), keep.Select(s => d.K[s]).ToArray(), x);
        return (data, x);
    }

    /// <summary>P6's expression (<see cref="P6Phi4.Loop"/>) with side 6 for 256.</summary>
    private static readonly Expression<Func<double[], double>> P6Side6 = u => Enumerable.Range(0, 6).Sum(i => Enumerable.Range(0, 6).Sum(j =>
        0.5 * (i + 1 < 6 ? (u[(i + 1) * 6 + j] - u[i * 6 + j]) * (u[(i + 1) * 6 + j] - u[i * 6 + j]) : 0)
        + 0.5 * (j + 1 < 6 ? (u[i * 6 + j + 1] - u[i * 6 + j]) * (u[i * 6 + j + 1] - u[i * 6 + j]) : 0)
        + 0.25 * (u[i * 6 + j] * u[i * 6 + j] - 1) * (u[i * 6 + j] * u[i * 6 + j] - 1)));

    /// <summary>P7: P4's network as one expression lambda over θ with the data captured (no locals: the first layer is
    /// written inside the second's sum and the second inside the output's, p twice), over the first
    /// <paramref name="samples"/> samples (the full 256 costs seconds per derivative in Debug).</summary>
    private static Expression<Func<double[], double>> P7(int samples)
    {
        double[] a = P4Mlp.A, t = P4Mlp.T;
        int b = samples;
        return th => -(1.0 / b) * Enumerable.Range(0, b).Sum(k =>
            t[k] * Math.Log(1 / (1 + Math.Exp(-(Enumerable.Range(0, 16).Sum(i => th[320 + i] * Math.Tanh(Enumerable.Range(0, 16).Sum(j =>
                th[48 + 16 * i + j] * Math.Tanh(th[2 * j] * a[2 * k] + th[2 * j + 1] * a[2 * k + 1] + th[32 + j])) + th[304 + i])) + th[336]))))
            + (1 - t[k]) * Math.Log(1 - 1 / (1 + Math.Exp(-(Enumerable.Range(0, 16).Sum(i => th[320 + i] * Math.Tanh(Enumerable.Range(0, 16).Sum(j =>
                th[48 + 16 * i + j] * Math.Tanh(th[2 * j] * a[2 * k] + th[2 * j + 1] * a[2 * k + 1] + th[32 + j])) + th[304 + i])) + th[336])))));
    }
}
