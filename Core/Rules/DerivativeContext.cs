using ExprDiff.Graphs;

namespace ExprDiff.Rules;

/// <summary>What a derivative rule may use: the builder it writes nodes into and the rule set in force.</summary>
internal sealed class DerivativeContext
{
    /// <summary>A structurally zero tangent or cotangent. Not <c>Constant(0)</c>: work on it is skipped, so
    /// an infinite partial times a zero tangent never becomes NaN.</summary>
    public const int Zero = -1;

    public DerivativeContext(GraphBuilder builder, RuleSet rules, string? functionText)
    {
        Builder = builder;
        Rules = rules;
        FunctionText = functionText;
    }

    public GraphBuilder Builder { get; }

    public RuleSet Rules { get; }

    /// <summary>The user's function as text, quoted in errors.</summary>
    public string? FunctionText { get; }

    public int Const(double v) => Builder.Constant(v);
}
