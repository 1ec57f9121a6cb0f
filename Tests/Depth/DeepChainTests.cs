using System.Linq.Expressions;
using ExprDiff.Evaluation;
using ExprDiff.Rules;
using ExprDiff.Transforms;
using Xunit;

namespace ExprDiff.Tests.Depth;

/// <summary>A million-deep chain must import, differentiate and evaluate without a stack overflow,
/// which would kill the test process. Everything on the user's depth is iterative.</summary>
public class DeepChainTests
{
    private const int Depth = 1_000_000;

    // t = Math.Sin(t) * 0.5 + x, repeated: dt/dx = cos(t_prev)·0.5·dt_prev/dx + 1.
    private static Expression<Func<double[], double>> Chain(int depth)
    {
        var x = Expression.Parameter(typeof(double[]), "x");
        Expression x0 = Expression.ArrayIndex(x, Expression.Constant(0));
        Expression t = x0;
        var sin = typeof(Math).GetMethod(nameof(Math.Sin))!;
        for (int i = 0; i < depth; i++)
            t = Expression.Add(Expression.Multiply(Expression.Call(sin, t), Expression.Constant(0.5)), x0);
        return Expression.Lambda<Func<double[], double>>(t, x);
    }

    private static (double Value, double Derivative) Reference(double x, int depth)
    {
        double t = x, dt = 1;
        for (int i = 0; i < depth; i++)
        {
            dt = Math.Cos(t) * 0.5 * dt + 1;
            t = Math.Sin(t) * 0.5 + x;
        }
        return (t, dt);
    }

    [Fact]
    public void Million_deep_chain_imports_differentiates_in_both_modes_and_interprets()
    {
        var f = Chain(Depth);
        var p = DiffProblem.Create(f, null, "test");
        var b = p.Builder;
        int y = p.Function.Outputs[0];

        var reverse = ReverseMode.Vjp(p.Context, [y], [b.Constant(1)], p.Wrt);
        var forward = ForwardMode.Jvp(p.Context, [y], new Dictionary<int, int> { [p.Wrt[0]] = b.Constant(1) });
        var graph = b.Build([y, reverse[0], forward[0]]);

        const double x = 0.3;
        var values = Interpreter.Evaluate(graph, (object)new[] { x });
        var (value, derivative) = Reference(x, Depth);
        Assert.Equal(value, values[0], 12);
        Assert.Equal(derivative, values[1], 10);
        Assert.Equal(derivative, values[2], 10);
    }

    [Fact]
    public void Deep_chain_gradient_allocates_a_bounded_amount_per_link_at_every_depth()
    {
        // Depth once cost ten times more per node than width: every structure copied millions of 72-byte nodes with four
        // references and hashed them into dictionaries of 90-byte entries, about 14 KB allocated per link of this chain
        // at 10⁵ (Benchmarks/results/depth.md). Bytes allocated on this thread measure that work without timing it, and
        // do not depend on the machine or on other tests running.
        static long PerLink(int depth)
        {
            var f = Chain(depth);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var g = Diff.Gradient(f);
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            GC.KeepAlive(g);
            return bytes / depth;
        }
        long shallow = PerLink(10_000), deep = PerLink(80_000);
        Assert.InRange(deep, 1, 6_000);
        // Linear: the deep chain costs no more per link than the shallow one (fixed costs make the shallow one dearer).
        Assert.InRange(deep, 1, shallow * 11 / 10);
    }

    [Fact]
    public void Deep_chain_gradient_exports_and_compiles()
    {
        // Export and Expression.Compile of the whole million-deep derivative take long but must not crash;
        // a tenth of the depth exercises the same code paths (inline depth capped, variables reused).
        const int depth = 100_000;
        var g = Diff.Gradient(Chain(depth)).Compile();
        var (_, derivative) = Reference(0.3, depth);
        Assert.Equal(derivative, g([0.3])[0], 10);
    }
}
