using System.Runtime.CompilerServices;

namespace ExprDiff.Backends.IL;

/// <summary>
/// Whether this process can emit IL. Under NativeAOT (or with the runtime's <c>IsDynamicCodeSupported</c> feature switch
/// off) a <see cref="System.Reflection.Emit.DynamicMethod"/> throws; the IL backend, the span entry points and the batch
/// kernels then take the paths that work there — <see cref="System.Linq.Expressions.LambdaExpression.Compile()"/>, which
/// interprets the expression in such a process — and say so, instead of throwing.
/// </summary>
internal static class DynamicCode
{
    /// <summary>Why IL cannot be emitted here, or null where it can.</summary>
    public static string? Unavailable => RuntimeFeature.IsDynamicCodeSupported ? null : Reason;

    /// <summary>The fallback's reason, as <see cref="ILCompilation{TDelegate}.FallbackReason"/> and the batch's
    /// <c>NotVectorizedReason</c> report it.</summary>
    public const string Reason = "dynamic code is not supported in this process (NativeAOT, or the IsDynamicCodeSupported " +
        "feature switch is off): compiled by Expression.Compile(), which interprets the expression here";
}
