using ExprDiff.Tests.Loops;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ExprDiff.Tests.Backends;

/// <summary>Every derivative of a random loop program (sums, averages, nested sums, Aggregate, intermediate arrays) runs
/// through every entry point that accepts its signature, with the same numbers bit for bit (see <see cref="EntryPointChecks"/>).</summary>
public class EntryPointProperties
{
    private const int Tests = 60;

    [Property(MaxTest = Tests)]
    public Property Every_route_of_a_scalar_loop_program_agrees_bit_for_bit() => Prop.ForAll(LoopProgramGenerator.Scalar, c =>
    {
        EntryPointChecks.Scalar(c.F.ToLambda(), c.X, c.V);
    });

    [Property(MaxTest = Tests)]
    public Property Every_route_of_a_vector_loop_program_agrees_bit_for_bit() => Prop.ForAll(LoopProgramGenerator.Vector, c =>
    {
        EntryPointChecks.Vector(c.F.ToLambda(), c.X, c.V, c.U);
    });
}

/// <summary>The same for random straight-line functions of x[0..] (every primitive, conditionals, guards).</summary>
public class StraightLineEntryPointProperties
{
    private const int Tests = 60;

    private static bool Runs(Func<double> f)
    {
        try { return double.IsFinite(f()); }
        catch (ArithmeticException) { return false; }
    }

    [Property(MaxTest = Tests)]
    public Property Every_route_of_a_scalar_function_agrees_bit_for_bit() => Prop.ForAll(Properties.Cases.Scalar, c =>
    {
        var f = Properties.ExpressionGenerator.ToLambda(c.F);
        if (!Runs(() => f.Compile()(c.X))) return;
        EntryPointChecks.Scalar(f, c.X, c.V);
    });

    private static Arbitrary<Properties.VectorCase> Vector { get; } = Arb.From(
        from f in Properties.ExpressionGenerator.Vector
        from x in Properties.ExpressionGenerator.Point
        from v in Properties.ExpressionGenerator.VectorOfLength(Properties.ExpressionGenerator.Inputs)
        from u in Properties.ExpressionGenerator.VectorOfLength(f.Outputs.Length)
        select new Properties.VectorCase(f, x, v, u),
        Properties.Cases.Shrink);

    [Property(MaxTest = Tests)]
    public Property Every_route_of_a_vector_function_agrees_bit_for_bit() => Prop.ForAll(Vector, c =>
    {
        var f = Properties.ExpressionGenerator.ToLambda(c.F);
        if (!Runs(() => f.Compile()(c.X).Sum())) return;
        EntryPointChecks.Vector(f, c.X, c.V, c.U);
    });
}
