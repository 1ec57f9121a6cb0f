using System;
using System.Linq.Expressions;
using ExprDiff.Import;
using ExprDiff.Rules;
using ExprDiff.Transforms;
using Xunit;

namespace ExprDiff.Tests.Semantics;

/// <summary>A user library with a function nobody registered a rule for.</summary>
internal static class ErrorTestLib
{
    public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));
}

/// <summary>
/// Every kind of input ExprDiff rejects, with its full message: the message must quote the offending
/// sub-expression and the function, say why, and say what to do instead.
/// </summary>
public sealed class ErrorMessageTests
{
    private static string ImportError(Action action) => Assert.Throws<ExprDiffException>(action).Message;

    // ------------------------------------------------------------------------------------------------
    // Unsupported input, found when the function is imported or differentiated.
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public void Math_method_without_a_derivative_rule()
    {
        Assert.Equal(
            "cannot differentiate 'Math.BitIncrement(x)' in 'x => Math.BitIncrement(x)': it has no derivative rule; " +
            "register one with RuleSet.With(...) and pass it in DiffOptions.Rules, or wrap it in Diff.StopGradient",
            ImportError(() => Diff.Gradient((double x) => Math.BitIncrement(x))));
    }

    [Fact]
    public void Math_method_returning_int()
    {
        Assert.Equal(
            "cannot import 'Math.ILogB(x)' in 'x => (double)Math.ILogB(x)': Math.ILogB(double) cannot be evaluated or differentiated: it does not return double; " +
            "use Math functions of double arguments; only static methods of 1 to 3 double arguments returning double can be registered (RuleSet.With)",
            ImportError(() => Diff.Gradient((double x) => (double)Math.ILogB(x))));
    }

    [Fact]
    public void Static_method_of_a_string()
    {
        Assert.Equal(
            "cannot import 'double.Parse(\"1.5\")' in 'x => double.Parse(\"1.5\") * x': Double.Parse(string) cannot be evaluated or differentiated: its arguments are not all double; " +
            "use Math functions of double arguments; only static methods of 1 to 3 double arguments returning double can be registered (RuleSet.With)",
            ImportError(() => Diff.Gradient((double x) => double.Parse("1.5") * x)));
    }

    [Fact]
    public void Instance_method_call()
    {
        Assert.Equal(
            "cannot import 'x.CompareTo(1.0)' in 'x => (double)x.CompareTo(1.0)': 'CompareTo' is an instance method of double; " +
            "call static methods of double arguments (Math.*), or compute the value outside the lambda and capture it",
            ImportError(() => Diff.Gradient((double x) => (double)x.CompareTo(1.0))));
    }

    [Fact]
    public void Member_of_an_instance_method_result()
    {
        Assert.Equal(
            "cannot import 'x.ToString().Length' in 'x => (double)x.ToString().Length * x': 'Length' is read from " +
            "'x.ToString()', which is computed inside the function; compute it outside the lambda and capture the result",
            ImportError(() => Diff.Gradient((double x) => x.ToString().Length * x)));
    }

    [Fact]
    public void User_static_function_without_a_rule()
    {
        Assert.Equal(
            "cannot differentiate 'ErrorTestLib.Softplus(x)' in 'x => ErrorTestLib.Softplus(x) * 2.0': it has no derivative rule; " +
            "register one with RuleSet.With(...) and pass it in DiffOptions.Rules, or wrap it in Diff.StopGradient",
            ImportError(() => Diff.Gradient((double x) => ErrorTestLib.Softplus(x) * 2)));
        Assert.Equal(
            "cannot differentiate 'ErrorTestLib.Softplus(x[0])' in 'x => ErrorTestLib.Softplus(x[0]) * x[1]': it has no derivative rule; " +
            "register one with RuleSet.With(...) and pass it in DiffOptions.Rules, or wrap it in Diff.StopGradient",
            ImportError(() => Diff.Gradient((double[] x) => ErrorTestLib.Softplus(x[0]) * x[1])));

        // Both remedies the message names work.
        var stopped = Diff.Gradient((double x) => Diff.StopGradient(ErrorTestLib.Softplus(x)) * x).Compile();
        Assert.Equal([ErrorTestLib.Softplus(0.5)], stopped(0.5));
        var rules = RuleSet.Default.With(x => ErrorTestLib.Softplus(x), x => 1 / (1 + Math.Exp(-x)));
        var registered = Diff.Gradient((double x) => ErrorTestLib.Softplus(x) * 2, new DiffOptions { Rules = rules }).Compile();
        Assert.Equal(2 / (1 + Math.Exp(-0.5)), registered(0.5)[0], 15);
    }

    [Fact]
    public void Captured_array_index_out_of_range_throws_when_run_as_f_does()
    {
        // Captured variables are read when the derivative runs, as f reads them: the index is checked then.
        double[] weights = [1, 2];
        Expression<Func<double[], double>> f = x => weights[5] * x[0];
        var g = Diff.Gradient(f);
        Assert.Throws<IndexOutOfRangeException>(() => f.Compile()([1.0]));
        Assert.Throws<IndexOutOfRangeException>(() => g.Compile()([1.0]));
        Assert.Throws<IndexOutOfRangeException>(() => g.CompileIL()([1.0]));
        weights = [1, 2, 3, 4, 5, 6];
        Assert.Equal([6.0], g.Compile()([1.0]));
        Assert.Equal([6.0], g.CompileIL()([1.0]));
    }

    [Fact]
    public void Captured_null_array_is_read_when_run()
    {
        double[]? weights = null;
        Expression<Func<double[], double>> f = x => weights![0] * x[0];
        var g = Diff.Gradient(f);
        Assert.Throws<NullReferenceException>(() => f.Compile()([1.0]));
        Assert.Throws<NullReferenceException>(() => g.Compile()([1.0]));
        Assert.Throws<NullReferenceException>(() => g.CompileIL()([1.0]));
        weights = [3];
        Assert.Equal([3.0], g.Compile()([2.0]));
        Assert.Equal([3.0], g.CompileIL()([2.0]));
    }

    [Fact]
    public void Parameter_of_unsupported_type()
    {
        var n = Expression.Parameter(typeof(long), "n");
        var lambda = Expression.Lambda<Func<long, double>>(Expression.Convert(n, typeof(double)), n);
        Assert.Equal(
            "cannot import 'n' in 'n => (double)n': parameter 'n' has type long; write the function over double, int, double[], double[,], int[], int[,] and int[][] parameters",
            ImportError(() => ExpressionImporter.Import(lambda, RuleSet.Default)));
    }

    [Fact]
    public void Mixed_scalar_and_array_parameters()
    {
        // The public overloads' types rule this out; the check behind them still has a message.
        var d = Expression.Parameter(typeof(double), "d");
        var a = Expression.Parameter(typeof(double[]), "a");
        var lambda = Expression.Lambda<Func<double, double[], double>>(Expression.Add(d, Expression.ArrayIndex(a, Expression.Constant(0))), d, a);
        Assert.Equal(
            "wrong shape in '(d, a) => d + a[0]': Diff.Gradient differentiates functions of 1 to 8 double parameters, or of a double[] " +
            "(the first parameter) followed by data parameters (double, int, double[], double[,], int[], int[,] or int[][]); name the parameters to " +
            "differentiate (the overloads that take wrt) for other signatures",
            ImportError(() => DiffProblem.Create(lambda, null, "Diff.Gradient")));
    }

    [Fact]
    public void Gradient_or_Hessian_of_a_vector_function()
    {
        // Not reachable through Diff's overloads (a Gradient overload's lambda returns double); the
        // operations behind them still reject a vector function with a message naming the alternative.
        Expression<Func<double, double[]>> f = x => new[] { x, x * x };
        Assert.Equal(
            "wrong shape in 'x => new double[] { x, x * x }': Diff.Gradient needs a function returning double but this one returns an array; use Diff.Jacobian",
            ImportError(() => Derivatives.Gradient(DiffProblem.Create(f, null, "Diff.Gradient"), typeof(Func<double, double[]>))));
        Assert.Equal(
            "wrong shape in 'x => new double[] { x, x * x }': Diff.Hessian needs a function returning double but this one returns an array; use Diff.Jacobian of each output",
            ImportError(() => Derivatives.Hessian(DiffProblem.Create(f, null, "Diff.Hessian"), typeof(Func<double, double[,]>))));
    }

    [Fact]
    public void Invoked_closure_delegate()
    {
        Func<double, double> h = t => t * t;
        Assert.Equal(
            "cannot import 'h(x)' in 'x => h(x)': the invoked delegate is compiled code ExprDiff cannot look into; " +
            "invoke an Expression<...> (Expression.Invoke(lambda, ...)) instead of a compiled delegate",
            ImportError(() => Diff.Gradient((double x) => h(x))));

        // The remedy works.
        Expression<Func<double, double>> inner = t => t * t;
        var x = Expression.Parameter(typeof(double), "x");
        var f = Expression.Lambda<Func<double, double>>(Expression.Invoke(inner, x), x);
        Assert.Equal([6.0], Diff.Gradient(f).Compile()(3.0));
    }

    [Fact]
    public void Unsupported_conversion()
    {
        Assert.Equal(
            "cannot import '(decimal)x' in 'x => (double)(decimal)x': the conversion from double to decimal is not supported; " +
            "convert only between int, float and double",
            ImportError(() => Diff.Gradient((double x) => (double)(decimal)x)));
    }

    [Fact]
    public void Unsupported_operator()
    {
        Assert.Equal(
            "cannot import '(int)x << 2' in 'x => (double)((int)x << 2)': the operator LeftShift on int is not supported; " +
            "use + - * / %, comparisons, && || and ! on bool",
            ImportError(() => Diff.Gradient((double x) => (double)((int)x << 2))));
    }

    [Fact]
    public void Unsupported_expression_kind()
    {
        var x = Expression.Parameter(typeof(double), "x");
        var exit = Expression.Label(typeof(double));
        var f = Expression.Lambda<Func<double, double>>(Expression.Loop(Expression.Break(exit, x), exit), x);
        Assert.Equal(
            "cannot import 'while (true)\n{\n    break;\n}' in 'x =>\n{\n    while (true)\n    {\n        break;\n    }\n}': " +
            "the loop does not test its counter at the top; write it as a counted loop: i = start; loop { if (i < n) { ...; i++; } else break; }, " +
            "with an int counter changed only by the i++ (or i--) at the end and a bound the body does not change",
            ImportError(() => Diff.Gradient(f)).ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Registering_something_other_than_a_static_call()
    {
        var e = Assert.Throws<ArgumentException>(() => RuleSet.Default.With(x => ErrorTestLib.Softplus(x) + 1, x => 1));
        Assert.Equal("function", e.ParamName);
        Assert.Equal(
            "cannot register 'x => ErrorTestLib.Softplus(x) + 1.0': write the function as a lambda that only calls one static method " +
            "with its parameters in order, e.g. x => MyLib.Gamma(x). (Parameter 'function')",
            e.Message);
    }

    // ------------------------------------------------------------------------------------------------
    // Bad arguments to Diff itself.
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public void Null_lambda()
    {
        var e = Assert.Throws<ArgumentNullException>(() => Diff.Gradient((Expression<Func<double[], double>>)null!));
        Assert.Equal("f", e.ParamName);
        Assert.Equal("f is null; pass the lambda expression to differentiate. (Parameter 'f')", e.Message);

        var scalar = Assert.Throws<ArgumentNullException>(() => Diff.Hessian((Expression<Func<double, double, double>>)null!));
        Assert.Equal("f", scalar.ParamName);
        Assert.Equal("f is null; pass the lambda expression to differentiate. (Parameter 'f')", scalar.Message);

        Assert.Equal("f", Assert.Throws<ArgumentNullException>(() => Diff.Derivative(null!)).ParamName);
        Assert.Equal("f", Assert.Throws<ArgumentNullException>(() => Diff.Jacobian((Expression<Func<double[], double[]>>)null!)).ParamName);
    }

    [Fact]
    public void Negative_derivative_order()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Diff.Derivative(x => x, -1));
        Assert.Equal("order", e.ParamName);
    }

    // ------------------------------------------------------------------------------------------------
    // Bad arguments to the compiled derivatives.
    // ------------------------------------------------------------------------------------------------

    [Fact]
    public void Input_array_too_short()
    {
        var g = Diff.Gradient(x => x[0] * x[1]).Compile();
        var e = Assert.Throws<ArgumentException>(() => g(new double[1]));
        Assert.Equal("x", e.ParamName);
        Assert.Equal("the function reads x[1], so 'x' needs at least 2 elements but has 1. (Parameter 'x')", e.Message);

        var n = Assert.Throws<ArgumentNullException>(() => g(null!));
        Assert.Equal("x", n.ParamName);
    }

    // The same check when the derivative itself does not read the last element (f is linear in it): the
    // compiled derivative must still reject a too-short x with the ArgumentException, not index out of range.
    private const string ReadsX1 = "the function reads x[1], so 'x' needs at least 2 elements but has 1. (Parameter 'x')";

    [Fact]
    public void Input_array_too_short_for_a_constant_gradient()
    {
        var gradient = Diff.Gradient(x => x[0] + x[1]).Compile();
        Assert.Equal(ReadsX1, Assert.Throws<ArgumentException>(() => gradient(new double[1])).Message);
        Assert.Equal("x", Assert.Throws<ArgumentNullException>(() => gradient(null!)).ParamName);
    }

    [Fact]
    public void Input_array_too_short_for_a_constant_hessian()
    {
        var hessian = Diff.Hessian(x => x[0] * x[1]).Compile();
        Assert.Equal(ReadsX1, Assert.Throws<ArgumentException>(() => hessian(new double[1])).Message);
    }

    [Fact]
    public void Input_array_too_short_for_an_hvp_that_reads_only_v()
    {
        var hvp = Diff.Hvp(x => x[0] * x[1]).Compile();
        Assert.Equal(ReadsX1, Assert.Throws<ArgumentException>(() => hvp(new double[1], new double[2])).Message);
    }

    [Fact]
    public void Input_array_too_short_for_a_constant_jacobian()
    {
        var jacobian = Diff.Jacobian(x => new[] { x[0] + x[1] }).Compile();
        Assert.Equal(ReadsX1, Assert.Throws<ArgumentException>(() => jacobian(new double[1])).Message);
    }

    [Fact]
    public void Input_array_too_short_for_a_vjp_that_reads_only_u()
    {
        var vjp = Diff.Vjp(x => new[] { x[0] + x[1] }).Compile();
        Assert.Equal(ReadsX1, Assert.Throws<ArgumentException>(() => vjp(new double[1], new double[1])).Message);
    }

    [Fact]
    public void Gradient_buffer_too_short()
    {
        var vg = Diff.ValueAndGradient(x => x[0] * x[1]).Compile();
        var e = Assert.Throws<ArgumentException>(() => vg(new double[3], new double[2]));
        Assert.Equal("gradient", e.ParamName);
        Assert.Equal("'gradient' needs 3 elements (one per element of 'x') but has 2. (Parameter 'gradient')", e.Message);
        Assert.Equal("gradient", Assert.Throws<ArgumentNullException>(() => vg(new double[3], null!)).ParamName);
    }

    [Fact]
    public void Gradient_buffer_too_short_for_scalar_parameters()
    {
        var vg = Diff.ValueAndGradient((double a, double b) => a * b).Compile();
        var e = Assert.Throws<ArgumentException>(() => vg(1, 2, new double[1]));
        Assert.Equal("gradient", e.ParamName);
        Assert.Equal("'gradient' needs 2 elements (one per parameter) but has 1. (Parameter 'gradient')", e.Message);
    }

    [Fact]
    public void Direction_vector_too_short()
    {
        var hvp = Diff.Hvp(x => x[0] * x[1]).Compile();
        var e = Assert.Throws<ArgumentException>(() => hvp(new double[2], new double[1]));
        Assert.Equal("v", e.ParamName);
        Assert.Equal("the function reads v[1], so 'v' needs at least 2 elements but has 1. (Parameter 'v')", e.Message);

        var vjp = Diff.Vjp(x => new[] { x[0] * x[1], x[0] }).Compile();
        var u = Assert.Throws<ArgumentException>(() => vjp(new double[2], new double[1]));
        Assert.Equal("u", u.ParamName);
        Assert.Equal("the function reads u[1], so 'u' needs at least 2 elements but has 1. (Parameter 'u')", u.Message);
    }
}
