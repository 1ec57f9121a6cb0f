using System.Linq.Expressions;
using ExprDiff.Tests.Loops;
using ExprDiff.Tests.Properties;
using FsCheck;
using FsCheck.Fluent;

namespace ExprDiff.Tests.Corpus;

/// <summary>
/// Fixed-seed samples of the test suite's random generators: expression trees over every differentiable primitive
/// (<see cref="ExpressionGenerator"/>; as array, vector, four-parameter and one-parameter lambdas), loop programs
/// (<see cref="LoopProgramGenerator"/>: sums, averages, Aggregate, nested sums, intermediate arrays) and guarded loop
/// programs (<see cref="GuardedLoopGenerator"/>). Each case keeps the generator's printed text, which the data file
/// stores: if a generator changes, the test says so instead of reporting changed values.
/// </summary>
internal static class CorpusRandom
{
    private const int Size = 30;

    // FsCheck 3's Sample(numberOfSamples, seed, size).
    private static T[] Sample<T>(Gen<T> gen, ulong seed, int count) => gen.Sample(count, new Rnd(seed), Size);

    public static IEnumerable<CorpusCase> All() =>
        Trees().Concat(VectorTrees()).Concat(Loops()).Concat(VectorLoops()).Concat(Guarded());

    private static IEnumerable<CorpusCase> Trees()
    {
        var trees = Sample(ExpressionGenerator.Scalar, 1301, 100);
        var plain = Sample(ExpressionGenerator.Point, 1302, 2 * trees.Length);
        var special = Sample(ExpressionGenerator.PointWithSpecialValues, 1303, trees.Length);
        for (int k = 0; k < trees.Length; k++)
        {
            var t = trees[k];
            double[][] xs = [plain[2 * k], plain[2 * k + 1], special[k]];
            ulong s = 1300_000UL + (ulong)k * 8;
            string text = TreeText.Print(t);
            // The first 60 as array lambdas; then 20 over four double parameters and 20 on the diagonal t => f(t, t, t, t).
            if (k < 60)
                yield return new CorpusCase($"random.tree.{k:D3}", ExpressionGenerator.ToLambda(t),
                    xs.Select((x, i) => new CorpusPoint([x], s + (ulong)i)).ToArray(), text);
            else if (k < 80)
                yield return new CorpusCase($"random.scalars4.{k:D3}", ExpressionGenerator.ToScalarParameterLambda(t),
                    xs.Select((x, i) => new CorpusPoint(x.Cast<object>().ToArray(), s + (ulong)i)).ToArray(), text);
            else
                yield return new CorpusCase($"random.diagonal.{k:D3}", ExpressionGenerator.ToDiagonalLambda(t),
                    xs.Select((x, i) => new CorpusPoint([x[0]], s + (ulong)i)).ToArray(), text);
        }
    }

    private static IEnumerable<CorpusCase> VectorTrees()
    {
        var trees = Sample(ExpressionGenerator.Vector, 1401, 30);
        var points = Sample(ExpressionGenerator.PointWithSpecialValues, 1402, 2 * trees.Length);
        for (int k = 0; k < trees.Length; k++)
            yield return new CorpusCase($"random.vector.{k:D3}", ExpressionGenerator.ToLambda(trees[k]),
                [new CorpusPoint([points[2 * k]], 1400_000UL + (ulong)k * 8), new CorpusPoint([points[2 * k + 1]], 1400_001UL + (ulong)k * 8)],
                trees[k].ToString());
    }

    private static IEnumerable<CorpusCase> Loops()
    {
        var cases = Sample(LoopProgramGenerator.Scalar.Generator, 1501, 60);
        for (int k = 0; k < cases.Length; k++)
        {
            var c = cases[k];
            var second = Sample(LoopProgramGenerator.VectorOfLength(c.X.Length), 1502 + (ulong)k, 1)[0];
            yield return new CorpusCase($"random.loop.{k:D3}", c.F.ToLambda(),
                [new CorpusPoint([c.X], 1500_000UL + (ulong)k * 8), new CorpusPoint([second], 1500_001UL + (ulong)k * 8)], c.F.ToString());
        }
    }

    private static IEnumerable<CorpusCase> VectorLoops()
    {
        var cases = Sample(LoopProgramGenerator.Vector.Generator, 1601, 20);
        for (int k = 0; k < cases.Length; k++)
        {
            var c = cases[k];
            var second = Sample(LoopProgramGenerator.VectorOfLength(c.X.Length), 1602 + (ulong)k, 1)[0];
            yield return new CorpusCase($"random.vectorloop.{k:D3}", c.F.ToLambda(),
                [new CorpusPoint([c.X], 1600_000UL + (ulong)k * 8), new CorpusPoint([second], 1600_001UL + (ulong)k * 8)], c.F.ToString());
        }
    }

    private static IEnumerable<CorpusCase> Guarded()
    {
        var cases = Sample(GuardedLoopGenerator.Cases.Generator, 1701, 30);
        for (int k = 0; k < cases.Length; k++)
        {
            var c = cases[k];
            // The same program at its own length and at length 8, where fewer guards fail.
            var longer = Sample(LoopProgramGenerator.VectorOfLength(8), 1702 + (ulong)k, 1)[0];
            yield return new CorpusCase($"random.guarded.{k:D3}", c.F.ToLambda(),
                [new CorpusPoint([c.X], 1700_000UL + (ulong)k * 8), new CorpusPoint([longer], 1700_001UL + (ulong)k * 8)], c.F.ToString());
        }
    }
}
