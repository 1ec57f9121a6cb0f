using System.Linq.Expressions;
using ExprDiff.Benchmarks.Problems;
using ExprDiff.Evaluation;
using ExprDiff.Tests.Properties;
using ExprDiff.Transforms;
using Xunit;

namespace ExprDiff.Tests.Loops;

/// <summary>
/// Inner loops' gradients added straight into the enclosing gradient (no array per outer iteration) give what the
/// reference interpreter gives on the derivative graph, bit for bit: with pairs beside them (added first), several of
/// them in one body (in order), nested ones (a dense layer's weights), and where the run-time checks send the loop to
/// the array path (strides whose elements meet, an invariant element inside a nested block).
/// </summary>
public class AbsorptionTests
{
    public static TheoryData<string> Programs => new(Cases.Keys);

    private static readonly Dictionary<string, Expression<Func<double[], double>>> Cases = new()
    {
        // Strides 1 and 2 over the same elements: checked at run time, built as arrays.
        ["meeting strides"] = x => Enumerable.Range(0, 3).Sum(k => Enumerable.Range(0, x.Length / 2).Sum(o => x[o] * x[2 * o] * (k + 1.5))),
        // Strides 1 and 2 on disjoint elements: added as they go.
        ["disjoint strides"] = x => Enumerable.Range(0, 3).Sum(k => Enumerable.Range(0, 4).Sum(o => x[o] * x[8 + 2 * o] * (k + 1.5))),
        // x[0] is also in the first block of the nested loop's elements.
        ["invariant in a block"] = x => Enumerable.Range(0, 2).Sum(k =>
            Enumerable.Range(0, 3).Sum(o => x[0] * Math.Sin(Enumerable.Range(0, 4).Sum(i => x[4 * o + i] * (k + 1.0))))),
        // The same, x[0] outside the blocks.
        ["invariant beside blocks"] = x => Enumerable.Range(0, 2).Sum(k =>
            Enumerable.Range(0, 3).Sum(o => x[0] * Math.Sin(Enumerable.Range(0, 4).Sum(i => x[1 + 4 * o + i] * (k + 1.0))))),
        // Blocks of 4 every 2 elements overlap: not absorbed.
        ["overlapping blocks"] = x => Enumerable.Range(0, 2).Sum(k =>
            Enumerable.Range(0, 3).Sum(o => Math.Sin(Enumerable.Range(0, 4).Sum(i => x[2 * o + i] * (k + 1.0))))),
        // A dense layer: the weights' gradient nested in the layer's, beside the bias pair and the input's layer.
        ["dense layer"] = x => Enumerable.Range(0, 3).Sum(k =>
            Enumerable.Range(0, 4).Select(o => Math.Tanh(Enumerable.Range(0, 3).Sum(i => x[3 * o + i] * (i + k + 0.5)) + x[12 + o])).ToArray()
                .Select((h, o) => h * x[16 + o]).Sum()),
    };

    [Theory]
    [MemberData(nameof(Programs))]
    public void Gradient_equals_the_interpreter_bit_for_bit(string name)
    {
        var f = Cases[name];
        var gradient = Diff.Gradient(f);
        var compiled = gradient.Compile();
        var il = gradient.CompileIL();
        var p = DiffProblem.Create(f, null, "test");
        var adjoints = ReverseMode.Vjp(p.Context, [p.Function.Outputs[0]], [p.Builder.Constant(1)], p.AllWrt);
        var graph = p.Builder.Build([p.Materialize(p.GradientArray(adjoints))]);
        foreach (int n in new[] { 8, 13, 16, 20, 24 })
        {
            var x = Enumerable.Range(0, n).Select(k => Math.Sin(0.7 * k + 0.1 * n)).ToArray();
            double[] expected;
            try { expected = (double[])Interpreter.EvaluateOutputs(graph, x)[0]; }
            catch (IndexOutOfRangeException)
            {
                Assert.Throws<IndexOutOfRangeException>(() => compiled(x));
                Assert.Throws<IndexOutOfRangeException>(() => il(x));
                continue;
            }
            var a = compiled(x);
            var b = il(x);
            Assert.Equal(expected.Length, a.Length);
            for (int k = 0; k < n; k++)
            {
                Checks.Bitwise(expected[k], a[k], $"{name}, n = {n}: Compile() [{k}]");
                Checks.Bitwise(expected[k], b[k], $"{name}, n = {n}: CompileIL() [{k}]");
            }
        }
    }

    /// <summary>P4's gradient (loop form) is the interpreter's, bit for bit.</summary>
    [Fact]
    public void Mlp_gradient_equals_the_interpreter_bit_for_bit()
    {
        var f = LoopForms.P4;
        var p = DiffProblem.Create(f, null, "test");
        var adjoints = ReverseMode.Vjp(p.Context, [p.Function.Outputs[0]], [p.Builder.Constant(1)], p.AllWrt);
        var graph = p.Builder.Build([p.Materialize(p.GradientArray(adjoints))]);
        var theta = P4Mlp.Point();
        var expected = (double[])Interpreter.EvaluateOutputs(graph, theta, P4Mlp.A, P4Mlp.T)[0];
        var vg = Diff.ValueAndGradient(f);
        foreach (var run in new[] { vg.Compile(), vg.CompileIL() })
        {
            var g = new double[theta.Length];
            run(theta, P4Mlp.A, P4Mlp.T, g);
            for (int k = 0; k < g.Length; k++) Checks.Bitwise(expected[k], g[k], $"P4 gradient [{k}]");
        }
    }
}
