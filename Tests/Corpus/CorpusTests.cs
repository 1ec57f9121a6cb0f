// Issue 13, "values unchanged": a corpus of functions with the bits of every derivative at fixed points, checked on every
// lowering. Printed forms may change; values may not.
//
// The data file is Tests/Corpus/corpus-values.txt (embedded in the test assembly). To regenerate it, after a change that
// is meant to change values (say which in the commit), run from the repository root:
//
//     EXPRDIFF_CORPUS_WRITE=1 dotnet test Tests/ExprDiff.Tests.csproj -c Release --filter "FullyQualifiedName~CorpusFileTests"
//
// It is written from Diff.X(f).Compile() (and f.Compile() for values); writing it twice on one machine gives the same bytes.
using System.Runtime.CompilerServices;
using Xunit;

namespace ExprDiff.Tests.Corpus;

/// <summary>
/// <para>Each corpus function (<see cref="CorpusRandom"/>, <see cref="CorpusBenchmarks"/>, <see cref="CorpusCurated"/>,
/// <see cref="CorpusLoopPrograms"/>) is evaluated, for every derivative kind that applies to its signature
/// (<see cref="CorpusLowerings.Kinds"/>), through every lowering that accepts it: <c>Diff.X(f).Compile()</c>,
/// <c>Diff.X(f).CompileIL()</c> (which must not fall back to Compile()), the <see cref="Compiled"/> span entry points for
/// <c>double[]</c> functions, <see cref="BatchGradient"/> (SIMD lanes and the scalar tail) for value and gradient of
/// <c>double[]</c> and two-parameter functions, and <c>Diff.X(f, Optimization = None).Compile()</c> (the optimizer changes no
/// value). Each result must equal the stored bits, and each lowering must equal <c>Compile()</c>, bit for bit (every NaN
/// counts as one value; an exception is its type's name and must be the same). <see cref="Compiled.Jacobian"/> must also equal,
/// bit for bit, the unit-vector products its docs say it is.</para>
/// <para>Stored bits of functions that call transcendental functions (which .NET takes from the C library) are compared only on
/// the platform in the file's header (OS, architecture, .NET major.minor, libc); portable functions (arithmetic, Sqrt,
/// integer powers, kinks) everywhere. The lowerings are compared with each other on every platform.</para>
/// <para>Tolerated, as documented: <see cref="Compiled.Jacobian"/> is its own kind (it may take the other mode than
/// <c>Diff.Jacobian</c>), compared with the stored bits exactly and with <c>Diff.Jacobian</c> up to the sign of a zero and NaN
/// beside an infinite partial derivative (see <see cref="CorpusCheck"/>). Disagreements found are listed, each with its
/// reason, in <see cref="CorpusCheck.Known"/>, and asserted to occur.</para>
/// <para>The cases are split over four classes so that xunit runs them in parallel.</para>
/// </summary>
public abstract class CorpusTests
{
    /// <summary>The ids that start with one of the comma-separated <paramref name="prefixes"/>.</summary>
    public static TheoryData<string> Ids(string prefixes)
    {
        var data = new TheoryData<string>();
        foreach (var c in CorpusRun.Cases.Where(c => prefixes.Split(',').Any(p => c.Id.StartsWith(p, StringComparison.Ordinal)))) data.Add(c.Id);
        return data;
    }

    protected static void Check(string id)
    {
        var c = CorpusRun.Get(id);
        var problems = CorpusCheck.Problems(c);
        var expected = CorpusCheck.Known.Where(k => k.Key.StartsWith(id + " ", StringComparison.Ordinal)).ToDictionary();
        var unexpected = problems.Where(p => !expected.ContainsKey(p.Key)).Select(p => p.Message).ToList();
        // A documented disagreement of a platform-sensitive function need not occur on another platform.
        bool here = c.Portable || CorpusCheck.StoredPlatform == CorpusFile.Platform;
        var gone = expected.Keys.Where(k => here && problems.All(p => p.Key != k)).Select(k => $"documented disagreement '{k}' no longer occurs: remove it from CorpusCheck.Known");
        var all = unexpected.Concat(gone).ToList();
        Assert.True(all.Count == 0, string.Join("\n", all.Take(20)) + (all.Count > 20 ? $"\n… and {all.Count - 20} more" : ""));
    }
}

public sealed class CorpusBenchmarkTests : CorpusTests
{
    [Theory]
    [MemberData(nameof(Ids), "bench.")]
    public void Benchmark_problem_values_are_unchanged_on_every_lowering(string id) => Check(id);
}

public sealed class CorpusCuratedTests : CorpusTests
{
    [Theory]
    [MemberData(nameof(Ids), "curated.")]
    public void Curated_function_values_are_unchanged_on_every_lowering(string id) => Check(id);
}

public sealed class CorpusRandomTreeTests : CorpusTests
{
    [Theory]
    [MemberData(nameof(Ids), "random.tree.,random.vector.,random.scalars4.,random.diagonal.")]
    public void Random_function_values_are_unchanged_on_every_lowering(string id) => Check(id);
}

public sealed class CorpusRandomLoopTests : CorpusTests
{
    [Theory]
    [MemberData(nameof(Ids), "random.loop.,random.vectorloop.,random.guarded.")]
    public void Random_loop_program_values_are_unchanged_on_every_lowering(string id) => Check(id);
}

/// <summary>The data file itself: it lists exactly the corpus's functions, for this platform's header; and with
/// <c>EXPRDIFF_CORPUS_WRITE=1</c>, this test rewrites it instead (see the top of this file).</summary>
public sealed class CorpusFileTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void Corpus_file_lists_exactly_the_corpus_functions()
    {
        if (Environment.GetEnvironmentVariable("EXPRDIFF_CORPUS_WRITE") == "1")
        {
            File.WriteAllText(DataPath(), CorpusRun.Write());
            return;
        }
        // Not a failure elsewhere, but it should be visible that platform-sensitive bits were not compared.
        output.WriteLine($"corpus made on '{CorpusCheck.StoredPlatform}', running on '{CorpusFile.Platform}': "
            + (CorpusCheck.StoredPlatform == CorpusFile.Platform ? "every stored value is compared" : "only portable functions' stored values are compared"));
        Assert.Equal(CorpusRun.Cases.Select(c => c.Id), CorpusCheck.Stored.Keys.Order(StringComparer.Ordinal));
        Assert.All(CorpusRun.Cases, c => Assert.Equal(c.Portable, CorpusCheck.Stored[c.Id].Portable));
        Assert.True(CorpusRun.Cases.Count >= 300, $"{CorpusRun.Cases.Count} functions");
        // Every case is checked by one of the four classes above.
        int covered = new[] { "bench.", "curated.", "random.tree.,random.vector.,random.scalars4.,random.diagonal.", "random.loop.,random.vectorloop.,random.guarded." }
            .Sum(p => CorpusTests.Ids(p).Count);
        Assert.Equal(CorpusRun.Cases.Count, covered);
    }

    // The source folder of this file, known at compile time: only the writer uses it.
    private static string DataPath([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "corpus-values.txt");
}
