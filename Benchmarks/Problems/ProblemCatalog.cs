using System.Linq.Expressions;

namespace ExprDiff.Benchmarks.Problems;

/// <summary>One benchmark problem instance: its point, its hand-written code and its term-by-term expression.</summary>
public sealed record BenchmarkProblem(
    string Name,
    double Reference,
    Func<double[]> Point,
    Func<double[], double> Value,
    Func<double[], double[], double> ValueAndGradient,
    Func<Expression<Func<double[], double>>> TermByTerm)
{
    public override string ToString() => Name;
}

/// <summary>The problems of PROBLEMS.md by name: <c>P1-10</c>, <c>P1-100</c>, <c>P1-1000</c>, <c>P1-10000</c>, <c>P2</c>, <c>P3</c>, <c>P4</c>.</summary>
public static class ProblemCatalog
{
    public static IReadOnlyList<BenchmarkProblem> All { get; } =
    [
        .. P1Rosenbrock.Sizes.Select(n => new BenchmarkProblem($"P1-{n}", P1Rosenbrock.Reference(n),
            () => P1Rosenbrock.Point(n), P1Rosenbrock.Value, P1Rosenbrock.ValueAndGradient, () => P1Rosenbrock.TermByTerm(n))),
        new BenchmarkProblem("P2", P2Logistic.Reference, P2Logistic.Point, P2Logistic.Value, P2Logistic.ValueAndGradient, P2Logistic.TermByTerm),
        new BenchmarkProblem("P3", P3LennardJones.Reference, P3LennardJones.Point, P3LennardJones.Value, P3LennardJones.ValueAndGradient, P3LennardJones.TermByTerm),
        new BenchmarkProblem("P4", P4Mlp.Reference, P4Mlp.Point, P4Mlp.Value, P4Mlp.ValueAndGradient, P4Mlp.TermByTerm),
    ];

    public static BenchmarkProblem Get(string name) =>
        All.FirstOrDefault(p => p.Name == name) ?? throw new ArgumentException($"unknown problem '{name}'; known: {string.Join(", ", All.Select(p => p.Name))}", nameof(name));
}
