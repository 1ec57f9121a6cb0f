using ExprDiff.Graphs;

namespace ExprDiff.Rules;

/// <summary>What a derivative rule may use: the builder it writes nodes into and the rule set in force.</summary>
internal sealed class DerivativeContext
{
    /// <summary>A structurally zero tangent or cotangent. Not <c>Constant(0)</c>: work on it is skipped, so
    /// an infinite partial times a zero tangent never becomes NaN.</summary>
    public const int Zero = -1;

    public DerivativeContext(GraphBuilder builder, RuleSet rules, string? functionText, IDerivativeEngine? engine = null,
        IntegerPowerMode powers = IntegerPowerMode.Multiplication)
    {
        Builder = builder;
        Rules = rules;
        FunctionText = functionText;
        Engine = engine;
        Powers = powers;
    }

    /// <summary>How <c>Math.Pow(x, k)</c> in a user's derivative rule imports: as in the function itself.</summary>
    public IntegerPowerMode Powers { get; }

    /// <summary>Forward and reverse mode, for rules that differentiate a loop body (a graph of its own).</summary>
    public IDerivativeEngine? Engine { get; }

    /// <summary>A context for a loop body's builder, with the same rules and engine.</summary>
    public DerivativeContext For(GraphBuilder builder) => new(builder, Rules, FunctionText, Engine, Powers);

    public GraphBuilder Builder { get; }

    public RuleSet Rules { get; }

    /// <summary>The user's function as text, quoted in errors.</summary>
    public string? FunctionText { get; }

    public int Const(double v) => Builder.Constant(v);
}

/// <summary>The differentiation engine as the rules of structured primitives see it (it lives in the compiler).</summary>
internal interface IDerivativeEngine
{
    /// <summary>Tangents of <paramref name="outputs"/> given the tangent of each seed node.</summary>
    int[] Jvp(DerivativeContext context, ReadOnlySpan<int> outputs, IReadOnlyDictionary<int, int> seeds);

    /// <summary>Cotangents of the <paramref name="wrt"/> nodes given each output's cotangent.</summary>
    int[] Vjp(DerivativeContext context, ReadOnlySpan<int> outputs, ReadOnlySpan<int> cotangents, ReadOnlySpan<int> wrt);
}
