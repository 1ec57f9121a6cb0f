using System.Linq.Expressions;
using ExprDiff.Printing;

namespace ExprDiff;

/// <summary>Every user-facing error message, in one place so their wording stays consistent and tested.</summary>
internal static class Error
{
    /// <summary>Quotes are capped so a message stays readable for a huge tree.</summary>
    public const int QuoteLength = 200;

    public static string Quote(Expression e) => ExpressionPrinter.ToCSharp(e, QuoteLength);

    private static string In(string? function) => function is null ? "" : $" in '{function}'";

    public static ExprDiffException Unsupported(Expression node, string? function, string why, string fix) =>
        new($"cannot import '{Quote(node)}'{In(function)}: {why}; {fix}");

    public static ExprDiffException NoDerivative(string call, string? function) =>
        new($"cannot differentiate '{call}'{In(function)}: it has no derivative rule; register one with " +
            "RuleSet.With(...) and pass it in DiffOptions.Rules, or wrap it in Diff.StopGradient");

    public static ArgumentNullException Null(string parameter) =>
        new(parameter, $"{parameter} is null; pass the lambda expression to differentiate.");

    public static ExprDiffException Shape(string? function, string why) => new($"wrong shape{In(function)}: {why}");
}
