using System.Linq.Expressions;
using System.Reflection;
using ExprDiff.Tests.Properties;
using Xunit;

namespace ExprDiff.Tests.Backends;

/// <summary>Compiles one lambda both ways and checks that the IL backend took no fallback and agrees with
/// <c>Expression.Compile()</c> bit for bit: the result, every array argument afterwards, or the exception type.</summary>
internal static class ILAgreement
{
    public static void Check(LambdaExpression lambda, params object[] arguments)
    {
        var compilation = Compile(lambda);
        Assert.True(compilation.Reason is null, $"fell back: {compilation.Reason}\n{lambda.ToCSharp()}");
        var reference = lambda.Compile();
        var a = Clone(arguments);
        var b = Clone(arguments);
        var (expected, expectedError) = Invoke(reference, a);
        var (actual, actualError) = Invoke(compilation.Delegate, b);
        Assert.Equal(expectedError?.GetType(), actualError?.GetType());
        if (expectedError is ArgumentException ea) Assert.Equal(ea.Message, ((ArgumentException)actualError!).Message);
        Same(expected, actual, "result");
        for (int i = 0; i < a.Length; i++) Same(a[i], b[i], $"argument {i} afterwards");
    }

    /// <summary>The IL compilation of <paramref name="lambda"/> through the public generic entry point.</summary>
    public static (Delegate Delegate, string? Reason) Compile(LambdaExpression lambda)
    {
        var method = typeof(ILBackend).GetMethod(nameof(ILBackend.Compile))!.MakeGenericMethod(lambda.Type);
        dynamic result = method.Invoke(null, [lambda])!;
        return ((Delegate)result.Delegate, (string?)result.FallbackReason);
    }

    private static (object? Result, Exception? Error) Invoke(Delegate d, object[] args)
    {
        try { return (d.DynamicInvoke(args), null); }
        catch (TargetInvocationException e) { return (null, e.InnerException); }
    }

    private static object[] Clone(object[] args) => args.Select(a => a is Array array ? array.Clone() : a).ToArray();

    public static void Same(object? expected, object? actual, string what)
    {
        switch (expected)
        {
            case double e: Checks.Bitwise(e, (double)actual!, what); break;
            case double[] e:
            {
                var g = (double[])actual!;
                Assert.Equal(e.Length, g.Length);
                for (int i = 0; i < e.Length; i++) Checks.Bitwise(e[i], g[i], $"{what}[{i}]");
                break;
            }
            case double[,] e:
            {
                var g = (double[,])actual!;
                Assert.Equal(e.GetLength(0), g.GetLength(0));
                Assert.Equal(e.GetLength(1), g.GetLength(1));
                for (int i = 0; i < e.GetLength(0); i++)
                    for (int j = 0; j < e.GetLength(1); j++) Checks.Bitwise(e[i, j], g[i, j], $"{what}[{i},{j}]");
                break;
            }
            default: Assert.Equal(expected, actual); break;
        }
    }
}
