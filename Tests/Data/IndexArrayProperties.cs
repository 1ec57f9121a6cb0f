using System.Linq.Expressions;
using ExprDiff.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ExprDiff.Tests.Data;

/// <summary>
/// Random networks (edges between random nodes, repeats and self-loops included) through one derivative compiled once:
/// the data are parameters, read when the derivative runs, so every network must get its own exact gradient and
/// Hessian-vector product. E = Σ_s w[s]·(x[I[s]] − x[J[s]])⁴ / 4.
/// </summary>
public class IndexArrayProperties
{
    private static readonly Expression<Func<double[], int[], int[], double[], double>> Energy = (x, I, J, w) =>
        Enumerable.Range(0, I.Length).Sum(s => w[s] * Math.Pow(x[I[s]] - x[J[s]], 4) / 4);

    private static readonly Func<double[], int[], int[], double[], double[]> GradientIL = Diff.Gradient(Energy).CompileIL();
    private static readonly Func<double[], int[], int[], double[], double[]> GradientCompiled = Diff.Gradient(Energy).Compile();
    private static readonly Func<double[], int[], int[], double[], double[], double[]> HvpIL = Diff.Hvp(Energy).CompileIL();

    public sealed record Network(double[] X, double[] V, int[] I, int[] J, double[] W);

    private static Network Make(int seed)
    {
        var r = new Random(seed);
        int n = r.Next(1, 7), m = r.Next(0, 15);
        double[] Doubles(int k) => Enumerable.Range(0, k).Select(_ => 2 * r.NextDouble() - 1).ToArray();
        int[] Ints() => Enumerable.Range(0, m).Select(_ => r.Next(n)).ToArray();
        return new Network(Doubles(n), Doubles(n), Ints(), Ints(), Doubles(m));
    }

    private static readonly Arbitrary<Network> Networks = Arb.From(ArbMap.Default.GeneratorFor<int>().Select(Make));

    [Property(MaxTest = 200)]
    public Property Gradient_and_hvp_are_the_hand_written_scatter_adds() => Prop.ForAll(Networks, c =>
    {
        var g = new double[c.X.Length];
        var hv = new double[c.X.Length];
        for (int s = 0; s < c.I.Length; s++)
        {
            double d = c.X[c.I[s]] - c.X[c.J[s]], dv = c.V[c.I[s]] - c.V[c.J[s]];
            g[c.I[s]] += c.W[s] * d * d * d;
            g[c.J[s]] -= c.W[s] * d * d * d;
            hv[c.I[s]] += 3 * c.W[s] * d * d * dv;
            hv[c.J[s]] -= 3 * c.W[s] * d * d * dv;
        }
        FiniteDifferences.AssertClose(g, GradientIL(c.X, c.I, c.J, c.W), 1e-12, 1e-14, "gradient IL");
        FiniteDifferences.AssertClose(g, GradientCompiled(c.X, c.I, c.J, c.W), 1e-12, 1e-14, "gradient Compile");
        FiniteDifferences.AssertClose(g, DataCheck.InterpretedGradient(Energy, c.X, c.I, c.J, c.W), 1e-12, 1e-14, "interpreter");
        FiniteDifferences.AssertClose(hv, HvpIL(c.X, c.I, c.J, c.W, c.V), 1e-12, 1e-14, "Hvp IL");
    });

    [Property(MaxTest = 100)]
    public Property A_node_out_of_range_throws_on_every_route() => Prop.ForAll(Networks, c =>
    {
        if (c.I.Length == 0) return;
        var bad = (int[])c.I.Clone();
        bad[^1] = c.X.Length; // one past the end, in the last spring
        Xunit.Assert.Throws<IndexOutOfRangeException>(() => Energy.Compile()(c.X, bad, c.J, c.W));
        Xunit.Assert.Throws<IndexOutOfRangeException>(() => GradientIL(c.X, bad, c.J, c.W));
        Xunit.Assert.Throws<IndexOutOfRangeException>(() => GradientCompiled(c.X, bad, c.J, c.W));
        var vg = Diff.ValueAndGradient(Energy).CompileIL();
        var buffer = new double[c.X.Length];
        Xunit.Assert.Throws<IndexOutOfRangeException>(() => vg(c.X, bad, c.J, c.W, buffer));
    });
}
