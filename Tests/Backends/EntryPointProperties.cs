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
