using System.Linq.Expressions;
using Xunit;

namespace ExprDiff.Tests.Import;

/// <summary>A lambda cast to its delegate type and invoked inside the expression (<c>((Func&lt;…&gt;)(h => …))(args)</c>, which
/// C# writes as Invoke(Convert(Lambda))) binds a value once, as a local variable would: it imports as its body.</summary>
public sealed class InvokedLambdaTests
{
    [Fact]
    public void A_cast_lambda_invoked_on_a_computed_array_differentiates()
    {
        // A layer computed once per evaluation and used twice: h = tanh(W x), f = Σ h² + h₀h₁.
        Expression<Func<double[], double>> f = w => ((Func<double[], double>)(h => h.Sum(v => v * v) + h[0] * h[1]))(
            Enumerable.Range(0, 2).Select(j => Math.Tanh(w[2 * j] * 0.5 + w[2 * j + 1] * -1.5)).ToArray());
        double[] at = [0.3, -0.2, 1.1, 0.4];
        var expected = Tests.Support.FiniteDifferences.Gradient(f.Compile(), at);
        var g = Diff.Gradient(f).Compile()(at);
        Tests.Support.FiniteDifferences.AssertClose(expected, g, 1e-7, 1e-9, "gradient");
        var il = Diff.Gradient(f).CompileIL()(at);
        Assert.Equal(g, il);
    }

    [Fact]
    public void A_scalar_binding_through_a_cast_lambda_matches_the_inlined_form()
    {
        Expression<Func<double, double>> bound = x => ((Func<double, double>)(s => s * s + Math.Sin(s)))(x * x + 1);
        Expression<Func<double, double>> inlined = x => (x * x + 1) * (x * x + 1) + Math.Sin(x * x + 1);
        Assert.Equal(Diff.Derivative(inlined).Compile()(0.7), Diff.Derivative(bound).Compile()(0.7));
    }
}
