using ExprDiff.Tests.Loops;
using ExprDiff.Tests.Properties;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ExprDiff.Tests.Backends;

/// <summary>Over random functions and random loop programs, the IL backend compiles every derivative without falling
/// back and agrees with <c>Expression.Compile()</c> bit for bit (results, buffers, exceptions).</summary>
public class ILProperties
{
    [Property(MaxTest = 100)]
    public Property Random_function_derivatives_agree_with_Compile() => Prop.ForAll(Cases.Scalar, c =>
    {
        var f = ExpressionGenerator.ToLambda(c.F);
        ILAgreement.Check(f, c.X);
        ILAgreement.Check(Diff.Gradient(f), c.X);
        ILAgreement.Check(Diff.ValueAndGradient(f), c.X, new double[c.X.Length]);
        ILAgreement.Check(Diff.Hvp(f), c.X, c.V);
    });

    [Property(MaxTest = 60)]
    public Property Random_loop_program_derivatives_agree_with_Compile() => Prop.ForAll(LoopProgramGenerator.Scalar, c =>
    {
        var f = c.F.ToLambda();
        var v = c.X.Select((t, i) => Math.Sin(3 * i + t)).ToArray();
        ILAgreement.Check(Diff.Gradient(f), c.X);
        ILAgreement.Check(Diff.ValueAndGradient(f), c.X, new double[c.X.Length + 1]);
        ILAgreement.Check(Diff.Hvp(f), c.X, v);
    });
}
