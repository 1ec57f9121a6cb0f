using System.Linq.Expressions;
using ExprDiff.Tests.Support;
using Xunit;

namespace ExprDiff.Tests.Loops;

/// <summary>
/// Two reductions of the same range whose derivatives scatter into the same array: the exporter runs one sum inside a
/// later scatter's loop (deferred) and hoists the other scatter's scalar operands to the other sum. A hoisted value that
/// read the deferred sum once read it before it existed (found on Moré–Garbow–Hillstrom's variably dimensioned function:
/// <c>Math.Pow(s, 2) + Math.Pow(s, 4)</c> with s a sum threw at export).
/// </summary>
public sealed class DeferredSumHoistTests
{
    public static TheoryData<string> Shapes => new()
    {
        "pow 2 and 4", "pow 2 and 3", "pow 2 and 6", "square by hand and pow 4", "sum, its square and exp", "weighted sums", "two ranges",
    };

    private static Expression<Func<double[], double>> Shape(string name) => name switch
    {
        "pow 2 and 4" => x => Math.Pow(x.Sum(), 2) + Math.Pow(x.Sum(), 4),
        "pow 2 and 3" => x => Math.Pow(x.Sum(), 2) + Math.Pow(x.Sum(), 3),
        "pow 2 and 6" => x => Math.Pow(x.Sum(), 2) + Math.Pow(x.Sum(), 6),
        "square by hand and pow 4" => x => Enumerable.Range(0, x.Length).Sum(i => x[i]) * Enumerable.Range(0, x.Length).Sum(i => x[i])
                                           + Math.Pow(Enumerable.Range(0, x.Length).Sum(i => x[i]), 4),
        "sum, its square and exp" => x => x.Sum() + Math.Pow(x.Sum(), 2) + Math.Exp(0.1 * x.Sum()),
        // MGH 25's shape: the sum of (i + 1)·(x_i − 1), squared and to the fourth.
        "weighted sums" => x => Enumerable.Range(0, x.Length).Sum(i => (x[i] - 1) * (x[i] - 1))
                                + Math.Pow(Enumerable.Range(0, x.Length).Sum(i => (i + 1) * (x[i] - 1)), 2)
                                + Math.Pow(Enumerable.Range(0, x.Length).Sum(i => (i + 1) * (x[i] - 1)), 4),
        _ => x => Math.Pow(Enumerable.Range(0, x.Length).Sum(i => x[i] * x[i]), 2) * Enumerable.Range(0, x.Length - 1).Sum(i => x[i] * x[i + 1]),
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Gradients_and_Hvp_agree_with_finite_differences_on_every_route(string name)
    {
        var f = Shape(name);
        var fc = f.Compile();
        var x = new[] { 0.3, -0.2, 0.5, 0.1, -0.4 };
        var expected = FiniteDifferences.Gradient(fc, x);
        double scale = Math.Max(1, expected.Max(Math.Abs));
        FiniteDifferences.AssertClose(expected, Diff.Gradient(f).Compile()(x), 1e-6, 1e-7 * scale, $"{name}: Compile");
        FiniteDifferences.AssertClose(expected, Diff.Gradient(f).CompileIL()(x), 1e-6, 1e-7 * scale, $"{name}: CompileIL");
        var g = new double[x.Length];
        Compiled.ValueAndGradient(f)(x, g);
        FiniteDifferences.AssertClose(expected, g, 1e-6, 1e-7 * scale, $"{name}: Compiled.ValueAndGradient");

        var gradient = Diff.Gradient(f).Compile();
        var v = new[] { 1.0, -0.5, 0.25, 2.0, -1.0 };
        var hv = new double[x.Length];
        Compiled.Hvp(f)(x, v, hv);
        var hvExpected = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            int k = i;
            hvExpected[i] = FiniteDifferences.Derivative(t => gradient(x.Select((xj, j) => xj + t * v[j]).ToArray())[k], 0);
        }
        FiniteDifferences.AssertClose(hvExpected, hv, 1e-5, 1e-6 * Math.Max(1, hvExpected.Max(Math.Abs)), $"{name}: Compiled.Hvp");
    }
}
