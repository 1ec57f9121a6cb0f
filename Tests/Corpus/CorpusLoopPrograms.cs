using System.Linq.Expressions;
using ExprDiff.Tests.Loops;
using static System.Linq.Expressions.Expression;

namespace ExprDiff.Tests.Corpus;

/// <summary>
/// Blocks and counted loops written with the Expression API, as README's "loops with carried state" describes them:
/// carried double variables (a scan), <c>if</c> statements in and outside loops, compound assignments, nested loops,
/// a small local array, and writes at computed indices into a <c>new double[n]</c> (a prefix sum whose trajectory the
/// scatter reads; a scatter-add).
/// </summary>
internal static class CorpusLoopPrograms
{
    private static readonly System.Reflection.MethodInfo Sin = typeof(Math).GetMethod(nameof(Math.Sin), [typeof(double)])!;
    private static readonly System.Reflection.MethodInfo Exp = typeof(Math).GetMethod(nameof(Math.Exp), [typeof(double)])!;

    private static object[] S(params double[] args) => args.Cast<object>().ToArray();

    private static object[] X(params double[] x) => [x];

    public static IEnumerable<CorpusCase> All()
    {
        yield return CorpusCurated.Case("curated.block.pendulum10", CarriedLoopTests.Pendulum(10), S(0.8, 0.3, 0.25), S(-0.4, 1.2, 0.0));
        yield return CorpusCurated.Case("curated.block.pendulum200", CarriedLoopTests.Pendulum(200), S(0.8, 0.3, 0.25), S(-0.4, 1.2, 0.0));
        yield return CorpusCurated.Case("curated.block.horner", Horner(), S(0.7), S(-1.1), S(1.0));
        yield return CorpusCurated.Case("curated.block.ifstatements", IfStatements(), S(2.5), S(0.4), S(-3.0));
        yield return CorpusCurated.Case("curated.block.sinloop", SinLoop(), S(0.7), S(-2.0));
        yield return CorpusCurated.Case("curated.block.nestedcarried", NestedCarried(), X(0.3, -0.5, 0.9, 1.2), X(-1.0, 0.25, 0.5, 0.0));
        yield return CorpusCurated.Case("curated.block.localarray", LocalArray(), X(0.3, -0.5, 0.9, 1.2), X(-1.0, 0.25, 0.5, 0.0));
        yield return CorpusCurated.Case("curated.block.prefixsum", PrefixSum(), X(0.3, -0.5, 0.9, 1.2, 0.1), X(-1.0, 0.25, 0.5, 0.0, 2.0));
        yield return CorpusCurated.Case("curated.block.scatter", Scatter(), X(0.3, -0.5, 0.9, 1.2, 0.1), X(-1.0, 0.25, 0.5, 0.0, 2.0));
    }

    // for (i = 0; i < n; i++) { body }, with the test at the top as C# compiles a for loop.
    private static Expression For(ParameterExpression i, Expression count, params Expression[] body)
    {
        var exit = Label("exit" + i.Name);
        return Block(Assign(i, Constant(0)),
            Loop(IfThenElse(LessThan(i, count), Block(body.Append(PostIncrementAssign(i))), Break(exit)), exit));
    }

    /// <summary>s = 0; 20 times s = s·x + 1: 1 + x + … + x¹⁹ by Horner's rule.</summary>
    private static Expression<Func<double, double>> Horner()
    {
        var x = Parameter(typeof(double), "x");
        var s = Variable(typeof(double), "s");
        var k = Variable(typeof(int), "k");
        return Lambda<Func<double, double>>(Block([s, k], Assign(s, Constant(0.0)),
            For(k, Constant(20), Assign(s, Add(Multiply(s, x), Constant(1.0)))), s), x);
    }

    private static Expression<Func<double, double>> IfStatements()
    {
        var x = Parameter(typeof(double), "x");
        var a = Variable(typeof(double), "a");
        return Lambda<Func<double, double>>(Block([a],
            Assign(a, Multiply(x, x)),
            IfThenElse(GreaterThan(x, Constant(1.0)), Assign(a, Call(Sin, x)), AddAssign(a, x)),
            IfThen(LessThan(x, Constant(-2.0)), MultiplyAssign(a, Constant(3.0))),
            a), x);
    }

    /// <summary>s = x; ten times s = sin(s): forward mode nests to any order through it.</summary>
    private static Expression<Func<double, double>> SinLoop()
    {
        var x = Parameter(typeof(double), "x");
        var s = Variable(typeof(double), "s");
        var i = Variable(typeof(int), "i");
        return Lambda<Func<double, double>>(Block([s, i], Assign(s, x), For(i, Constant(10), Assign(s, Call(Sin, s))), s), x);
    }

    /// <summary>Two carried variables, an inner loop and an if statement in the body.</summary>
    private static Expression<Func<double[], double>> NestedCarried()
    {
        var x = Parameter(typeof(double[]), "x");
        var (s, t) = (Variable(typeof(double), "s"), Variable(typeof(double), "t"));
        var (i, j) = (Variable(typeof(int), "i"), Variable(typeof(int), "j"));
        return Lambda<Func<double[], double>>(Block([s, t, i, j], Assign(s, Constant(0.5)), Assign(t, Constant(1.0)),
            For(i, ArrayLength(x),
                Assign(s, Add(Multiply(Constant(0.5), s), Multiply(t, ArrayIndex(x, i)))),
                IfThen(GreaterThan(ArrayIndex(x, i), Constant(0.0)), MultiplyAssign(t, Constant(0.9))),
                For(j, ArrayLength(x), AddAssign(s, Multiply(Constant(0.01), Multiply(ArrayIndex(x, i), ArrayIndex(x, j)))))),
            Add(s, Multiply(t, t))), x);
    }

    /// <summary>A local array of three doubles carried through the loop (a tiny state vector).</summary>
    private static Expression<Func<double[], double>> LocalArray()
    {
        var x = Parameter(typeof(double[]), "x");
        var a = Variable(typeof(double[]), "a");
        var i = Variable(typeof(int), "i");
        Expression A(int k) => ArrayAccess(a, Constant(k));
        return Lambda<Func<double[], double>>(Block([a, i],
            Assign(a, NewArrayBounds(typeof(double), Constant(3))),
            Assign(A(0), Constant(1.0)),
            For(i, ArrayLength(x),
                Assign(A(2), Add(A(1), Multiply(Constant(0.5), A(0)))),
                Assign(A(1), Multiply(A(0), ArrayIndex(x, i))),
                Assign(A(0), Call(Exp, Multiply(Constant(0.1), A(2))))),
            Add(Add(A(0), A(1)), A(2))), x);
    }

    /// <summary>y[i] = s after s += x[i]·x[i]: a vector result written at computed indices by a loop carrying state.</summary>
    private static Expression<Func<double[], double[]>> PrefixSum()
    {
        var x = Parameter(typeof(double[]), "x");
        var y = Variable(typeof(double[]), "y");
        var s = Variable(typeof(double), "s");
        var i = Variable(typeof(int), "i");
        return Lambda<Func<double[], double[]>>(Block([y, s, i],
            Assign(y, NewArrayBounds(typeof(double), ArrayLength(x))), Assign(s, Constant(0.0)),
            For(i, ArrayLength(x), AddAssign(s, Multiply(ArrayIndex(x, i), ArrayIndex(x, i))), Assign(ArrayAccess(y, i), Call(Sin, s))),
            y), x);
    }

    /// <summary>g[(2i) % n] += x[i]·x[(i+1) % n]: a scatter-add where indices repeat.</summary>
    private static Expression<Func<double[], double[]>> Scatter()
    {
        var x = Parameter(typeof(double[]), "x");
        var g = Variable(typeof(double[]), "g");
        var i = Variable(typeof(int), "i");
        var n = ArrayLength(x);
        return Lambda<Func<double[], double[]>>(Block([g, i],
            Assign(g, NewArrayBounds(typeof(double), n)),
            For(i, n, AddAssign(ArrayAccess(g, Modulo(Multiply(Constant(2), i), n)),
                Multiply(ArrayIndex(x, i), ArrayIndex(x, Modulo(Add(i, Constant(1)), n))))),
            g), x);
    }
}
