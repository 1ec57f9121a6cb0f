using System.Linq.Expressions;
using ExprDiff.Import;
using ExprDiff.Transforms;

namespace ExprDiff;

// Derivatives that write their vector result into a caller's buffer, a last parameter named "result"; they return 0.
// The IL backend's solver entry points compile these with span parameters.
public static partial class Diff
{
    internal static LambdaExpression HvpInto(Expression<Func<double[], double>> f, DiffOptions? options) =>
        Derivatives.Hvp(Into(Problem(f, options, nameof(Hvp))), typeof(Func<double[], double[], double[]>));

    internal static LambdaExpression JvpInto(Expression<Func<double[], double[]>> f, DiffOptions? options) =>
        Derivatives.Jvp(Into(Problem(f, options, nameof(Jvp))), typeof(Func<double[], double[], double[]>));

    /// <summary>f itself, writing its result into a buffer.</summary>
    internal static LambdaExpression FunctionInto(Expression<Func<double[], double[]>> f, DiffOptions? options) =>
        Derivatives.Function(Into(Problem(f, options, "Compiled.Function")), typeof(Func<double[], double[], double>));

    internal static LambdaExpression VjpInto(Expression<Func<double[], double[]>> f, DiffOptions? options) =>
        Derivatives.Vjp(Into(Problem(f, options, nameof(Vjp))), typeof(Func<double[], double[], double[]>));

    private static DiffProblem Into(DiffProblem p)
    {
        p.ResultInto = "result";
        return p;
    }
}

public static partial class Diff
{
    /// <summary><paramref name="f"/> itself rebuilt from its graph (same delegate type, same values), or null when
    /// ExprDiff does not import it.</summary>
    internal static LambdaExpression? Rebuild(LambdaExpression f)
    {
        try
        {
            return Derivatives.Function(Problem(f, null, "CompileIL"), f.Type);
        }
        catch (Exception)
        {
            // Whatever ExprDiff cannot import is compiled as written: CompileIL never fails where Compile() works.
            return null;
        }
    }
}

public static partial class Diff
{
    /// <summary>The number of outputs of a vector function: fixed, or x.Length (null) when it has one per element of x, or
    /// computed when it runs (null, <paramref name="computed"/> set).</summary>
    internal static int? OutputCount(Expression<Func<double[], double[]>> f, DiffOptions? options, out bool computed)
    {
        var p = Problem(f, options, nameof(Jacobian));
        computed = p.Function.Shape == ResultShape.ArrayOfComputedLength;
        return !computed && p.Function.Rows.IsFixed ? p.Function.Rows.Fixed : null;
    }
}
