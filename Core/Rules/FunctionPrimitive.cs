using System.Linq.Expressions;
using System.Reflection;
using ExprDiff.Graphs;
using ExprDiff.Import;

namespace ExprDiff.Rules;

/// <summary>
/// A user's static method of 1–3 double arguments, with optional partial derivatives written as lambdas
/// over the same arguments. The partials are imported where they are needed, so they may call the
/// function itself or other registered functions, and differentiate again for higher orders.
/// </summary>
internal sealed class FunctionPrimitive : MethodPrimitive
{
    private readonly Delegate _delegate;
    private readonly LambdaExpression[]? _partials;

    public override bool MayFail(in Node node) => true;

    public FunctionPrimitive(MethodInfo method, LambdaExpression[]? partials)
        : base(method.Name, method, method.GetParameters().Length, Enumerable.Repeat(ValueKind.Double, method.GetParameters().Length).ToArray())
    {
        _partials = partials;
        _delegate = Arity switch
        {
            1 => method.CreateDelegate<Func<double, double>>(),
            2 => method.CreateDelegate<Func<double, double, double>>(),
            _ => method.CreateDelegate<Func<double, double, double, double>>(),
        };
    }

    public bool HasDerivative => _partials is not null;

    // A user's method may be impure or slow; never call it at construction time.
    public override bool IsFoldable => false;

    public override double Evaluate(double a, double b, double c, in Node node) => _delegate switch
    {
        Func<double, double> f => f(a),
        Func<double, double, double> f => f(a, b),
        Func<double, double, double, double> f => f(a, b, c),
        _ => throw new InvalidOperationException(),
    };

    public override void Partials(DerivativeContext cx, int node, Span<int> p)
    {
        var g = cx.Builder;
        var n = g[node];
        if (_partials is null)
            throw Error.NoDerivative(GraphPrinter.Inline(g, node, Error.QuoteLength), cx.FunctionText);
        Span<int> args = stackalloc int[3] { n.A, n.B, n.C };
        for (int i = 0; i < Arity; i++)
            p[i] = ExpressionImporter.ImportInline(_partials[i], g, args[..Arity], cx.Rules, cx.Powers);
    }

    /// <summary>Checks that <paramref name="method"/> can be a function primitive; the reason when not.</summary>
    public static string? Unsuitable(MethodInfo method)
    {
        if (!method.IsStatic) return "it is not a static method";
        if (method.ReturnType != typeof(double)) return "it does not return double";
        var ps = method.GetParameters();
        if (ps.Length is < 1 or > 3) return "only functions of 1 to 3 double arguments can be registered";
        if (ps.Any(p => p.ParameterType != typeof(double))) return "its arguments are not all double";
        if (method.ContainsGenericParameters) return "it is an open generic method";
        return null;
    }
}
