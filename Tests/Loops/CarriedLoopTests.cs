using System.Linq.Expressions;
using ExprDiff.Tests.Support;
using Xunit;
using static System.Linq.Expressions.Expression;

namespace ExprDiff.Tests.Loops;

/// <summary>
/// Loops written with the Expression API that carry state from one iteration to the next: imported as scans,
/// differentiated in forward mode (tangent scans) and reverse mode (a recorded trajectory and an adjoint sweep),
/// never unrolled.
/// </summary>
public class CarriedLoopTests
{
    private static readonly System.Reflection.MethodInfo Sin = typeof(Math).GetMethod(nameof(Math.Sin), [typeof(double)])!;
    private static readonly System.Reflection.MethodInfo Exp = typeof(Math).GetMethod(nameof(Math.Exp), [typeof(double)])!;

    /// <summary>
    /// Explicit Euler for a damped pendulum θ'' = −(g/L)·sin θ − c·θ', dt = 0.01, as a performance-minded user writes
    /// it with the Expression API: a counted loop over two state variables; returns the final angle.
    /// </summary>
    public static Expression<Func<double, double, double, double>> Pendulum(int steps)
    {
        var theta0 = Parameter(typeof(double), "theta0");
        var omega0 = Parameter(typeof(double), "omega0");
        var damping = Parameter(typeof(double), "damping");
        var theta = Variable(typeof(double), "theta");
        var omega = Variable(typeof(double), "omega");
        var next = Variable(typeof(double), "thetaNext");
        var i = Variable(typeof(int), "i");
        var dt = Constant(0.01);
        var done = Label("done");
        var step = Block([next],
            Assign(next, Add(theta, Multiply(dt, omega))),
            AddAssign(omega, Multiply(dt, Subtract(Multiply(Constant(-9.81), Call(Sin, theta)), Multiply(damping, omega)))),
            Assign(theta, next),
            PostIncrementAssign(i));
        var loop = Loop(IfThenElse(LessThan(i, Constant(steps)), step, Break(done)), done);
        return Lambda<Func<double, double, double, double>>(
            Block([theta, omega, i], Assign(theta, theta0), Assign(omega, omega0), Assign(i, Constant(0)), loop, theta),
            theta0, omega0, damping);
    }

    private static double PendulumByHand(double theta, double omega, double damping, int steps)
    {
        for (int i = 0; i < steps; i++)
        {
            double next = theta + 0.01 * omega;
            omega += 0.01 * (-9.81 * Math.Sin(theta) - damping * omega);
            theta = next;
        }
        return theta;
    }

    [Theory]
    [InlineData(10)]
    [InlineData(1000)]
    public void Pendulum_gradient_matches_finite_differences(int steps)
    {
        var f = Pendulum(steps);
        var value = f.Compile();
        var (theta0, omega0, damping) = (0.8, 0.3, 0.25);
        Assert.Equal(PendulumByHand(theta0, omega0, damping, steps), value(theta0, omega0, damping));
        var g = Diff.Gradient(f).Compile()(theta0, omega0, damping);
        double[] expected =
        [
            FiniteDifferences.Derivative(t => value(t, omega0, damping), theta0),
            FiniteDifferences.Derivative(w => value(theta0, w, damping), omega0),
            FiniteDifferences.Derivative(c => value(theta0, omega0, c), damping),
        ];
        for (int k = 0; k < 3; k++)
            Assert.True(Math.Abs(g[k] - expected[k]) <= 1e-6 * Math.Abs(expected[k]), $"∂/∂{k}: {g[k]:R} vs FD {expected[k]:R}");
        var vg = Diff.ValueAndGradient(f).Compile();
        var buffer = new double[3];
        Assert.Equal(value(theta0, omega0, damping), vg(theta0, omega0, damping, buffer));
        Assert.Equal(g, buffer);
    }

    [Fact]
    public void Pendulum_derivative_has_the_same_size_for_10_and_1000_steps()
    {
        int Size(int steps)
        {
            int nodes = -1;
            var text = Diff.Gradient(Pendulum(steps), new DiffOptions { OnOptimized = r => nodes = r.NodesAfter }).ToCSharp();
            Assert.Contains("while (true)", text); // a loop, not 1,000 copies of the body
            return nodes;
        }
        Assert.Equal(Size(10), Size(1000));
        Assert.True(Size(1000) < 200, $"{Size(1000)} nodes");
    }

    [Fact]
    public void Forward_and_reverse_mode_agree_through_a_carried_loop()
    {
        // s = 0; for (k = 0; k < 20; k += 1) s = s*x + 1: the polynomial 1 + x + … + x¹⁹ by Horner's rule.
        var x = Parameter(typeof(double), "x");
        var s = Variable(typeof(double), "s");
        var k = Variable(typeof(int), "k");
        var exit = Label("exit");
        var loop = Loop(Block(
            IfThen(GreaterThanOrEqual(k, Constant(20)), Break(exit)),
            Assign(s, Add(Multiply(s, x), Constant(1.0))),
            AddAssign(k, Constant(1))), exit);
        var f = Lambda<Func<double, double>>(Block([s, k], Assign(s, Constant(0.0)), Assign(k, Constant(0)), loop, s), x);
        foreach (double at in new[] { 0.7, -1.1, 0.0, 1.0 })
        {
            double d1 = 0, d2 = 0;
            for (int j = 1; j < 20; j++) d1 += j * Math.Pow(at, j - 1);
            for (int j = 2; j < 20; j++) d2 += j * (j - 1) * Math.Pow(at, j - 2);
            double forward = Diff.Derivative(f, 1).Compile()(at);
            double reverse = Diff.Gradient(f).Compile()(at)[0];
            Assert.Equal(d1, forward, 1e-12 * Math.Max(1, Math.Abs(d1)));
            Assert.Equal(forward, reverse, 1e-12 * Math.Max(1, Math.Abs(d1)));
            Assert.Equal(d2, Diff.Derivative(f, 2).Compile()(at), 1e-11 * Math.Max(1, Math.Abs(d2)));
        }
    }

    /// <summary>One loop body, every counted shape a person writes: up and down, &lt; and ≤, the test at the top as an
    /// if/else or an if-break, the step as i++, ++i, i += 1, i = i + 1 (and downwards), a bound from a parameter,
    /// and trip counts of zero.</summary>
    [Theory]
    [InlineData("up <", 0, 7)]
    [InlineData("up <=", 0, 6)]
    [InlineData("down >=", 6, 0)]
    [InlineData("down >", 6, -1)]
    [InlineData("up < empty", 5, 5)]
    [InlineData("up < negative", 5, 2)]
    [InlineData("down >= empty", -1, 0)]
    public void Counted_loop_shapes_agree_with_csharp(string shape, int first, int bound)
    {
        var x = Parameter(typeof(double), "x");
        var n = Constant(bound);
        var s = Variable(typeof(double), "s");
        var i = Variable(typeof(int), "i");
        var exit = Label("exit");
        bool up = shape.StartsWith("up", StringComparison.Ordinal);
        Expression test = shape.Split(' ')[1] switch
        {
            "<" => LessThan(i, n),
            "<=" => LessThanOrEqual(i, n),
            ">=" => GreaterThanOrEqual(i, n),
            _ => LessThan(n, i), // the bound on the left: n < i is i > n
        };
        // s = s * sin(x + i) + x * i, then the counter's step, in four spellings chosen by the shape.
        var work = Assign(s, Add(Multiply(s, Call(Sin, Add(x, Convert(i, typeof(double))))), Multiply(x, Convert(i, typeof(double)))));
        Expression stepUp = (first & 3) switch { 0 => PostIncrementAssign(i), 1 => PreIncrementAssign(i), 2 => AddAssign(i, Constant(1)), _ => Assign(i, Add(i, Constant(1))) };
        Expression stepDown = (first & 1) == 0 ? PostDecrementAssign(i) : Assign(i, Subtract(i, Constant(1)));
        var step = up ? stepUp : stepDown;
        var loop = (bound & 1) == 0
            ? Loop(IfThenElse(test, Block(work, step), Break(exit)), exit)
            : Loop(Block(IfThen(Not(test), Break(exit)), work, step), exit);
        var f = Lambda<Func<double, double>>(
            Block([s, i], Assign(s, Constant(0.5)), Assign(i, Constant(first)), loop, Add(s, Multiply(Constant(1e-3), Convert(i, typeof(double))))), x);

        double ByHand(double xv)
        {
            double sv = 0.5;
            int iv = first;
            bool Test() => shape.Split(' ')[1] switch { "<" => iv < bound, "<=" => iv <= bound, ">=" => iv >= bound, _ => iv > bound };
            while (Test())
            {
                sv = sv * Math.Sin(xv + iv) + xv * iv;
                iv += up ? 1 : -1;
            }
            return sv + 1e-3 * iv;
        }

        var value = f.Compile();
        var gradient = Diff.Gradient(f).Compile();
        foreach (double xv in new[] { 0.3, -1.7 })
        {
            Assert.Equal(ByHand(xv), value(xv));
            double fd = FiniteDifferences.Derivative(v => ByHand(v), xv);
            Assert.Equal(fd, gradient(xv)[0], 1e-7 * Math.Max(1, Math.Abs(fd)));
            Assert.Equal(gradient(xv)[0], Diff.Derivative(f, 1).Compile()(xv), 1e-12 * Math.Max(1, Math.Abs(fd)));
        }
    }

    [Fact]
    public void A_loop_over_an_array_parameter_differentiates_with_respect_to_the_array()
    {
        // Horner: s = 0; for (i = 0; i < c.Length; i++) s = s*t + c[i]. Gradient w.r.t. the coefficients c and, through a
        // second function, the point t.
        var c = Parameter(typeof(double[]), "c");
        var t = Parameter(typeof(double), "t");
        var s = Variable(typeof(double), "s");
        var i = Variable(typeof(int), "i");
        var exit = Label("exit");
        var loop = Loop(IfThenElse(LessThan(i, ArrayLength(c)),
            Block(Assign(s, Add(Multiply(s, t), ArrayIndex(c, i))), PostIncrementAssign(i)), Break(exit)), exit);
        var body = Block([s, i], Assign(s, Constant(0.0)), Assign(i, Constant(0)), loop, s);
        var f = Lambda<Func<double[], double, double>>(body, c, t);
        double[] coefficients = [0.5, -1.25, 2.0, 0.75, -0.3];
        const double at = 1.3;
        var g = Diff.Gradient(f).Compile()(coefficients, at);
        for (int k = 0; k < coefficients.Length; k++)
            Assert.Equal(Math.Pow(at, coefficients.Length - 1 - k), g[k], 1e-13);
        // d/dt against finite differences, through the same loop with t read from a differentiated array.
        var ts = Parameter(typeof(double[]), "ts");
        var ft = Lambda<Func<double[], double[], double>>(Block([t], Assign(t, ArrayIndex(ts, Constant(0))), body), ts, c);
        double dt = Diff.Gradient(ft).Compile()([at], coefficients)[0];
        Assert.Equal(FiniteDifferences.Derivative(v => f.Compile()(coefficients, v), at), dt, 1e-9);
    }

    [Fact]
    public void If_statements_and_local_state_arrays_inside_a_loop()
    {
        // state = new double[2] { x, 0 }; for (i = 0; i < 30; i++) { if (state[0] > 0) state[1] += state[0]; else state[1] -= 0.5 * state[0];
        //   state[0] = Math.Sin(state[0] + 1) * y; } return state[1];
        var x = Parameter(typeof(double), "x");
        var y = Parameter(typeof(double), "y");
        var state = Variable(typeof(double[]), "state");
        var i = Variable(typeof(int), "i");
        var exit = Label("exit");
        Expression S(int k) => ArrayAccess(state, Constant(k));
        var loop = Loop(IfThenElse(LessThan(i, Constant(30)), Block(
            IfThenElse(GreaterThan(S(0), Constant(0.0)), AddAssign(S(1), S(0)), SubtractAssign(S(1), Multiply(Constant(0.5), S(0)))),
            Assign(S(0), Multiply(Call(Sin, Add(S(0), Constant(1.0))), y)),
            PreIncrementAssign(i)), Break(exit)), exit);
        var f = Lambda<Func<double, double, double>>(Block([state, i],
            Assign(state, NewArrayBounds(typeof(double), Constant(2))), Assign(S(0), x), Assign(i, Constant(0)), loop, S(1)), x, y);

        static double ByHand(double x, double y)
        {
            var st = new[] { x, 0.0 };
            for (int i = 0; i < 30; i++)
            {
                if (st[0] > 0) st[1] += st[0]; else st[1] -= 0.5 * st[0];
                st[0] = Math.Sin(st[0] + 1) * y;
            }
            return st[1];
        }
        var value = f.Compile();
        var g = Diff.Gradient(f).Compile();
        foreach (var (xv, yv) in new[] { (0.4, 0.9), (-0.7, -1.1), (1.5, 0.2) })
        {
            Assert.Equal(ByHand(xv, yv), value(xv, yv));
            var grad = g(xv, yv);
            Assert.Equal(FiniteDifferences.Derivative(v => ByHand(v, yv), xv), grad[0], 1e-7);
            Assert.Equal(FiniteDifferences.Derivative(v => ByHand(xv, v), yv), grad[1], 1e-7);
        }
    }

    [Fact]
    public void Nested_loops_with_carried_state()
    {
        // s = x; for (i = 0; i < 4; i++) { for (j = 0; j < 3; j++) s = s * 0.9 + Math.Exp(-s * s) * y; s = s - 0.1 * i; }
        var x = Parameter(typeof(double), "x");
        var y = Parameter(typeof(double), "y");
        var s = Variable(typeof(double), "s");
        var i = Variable(typeof(int), "i");
        var j = Variable(typeof(int), "j");
        var outerExit = Label("outer");
        var innerExit = Label("inner");
        var inner = Block(Assign(j, Constant(0)), Loop(IfThenElse(LessThan(j, Constant(3)), Block(
            Assign(s, Add(Multiply(s, Constant(0.9)), Multiply(Call(Exp, Negate(Multiply(s, s))), y))), PostIncrementAssign(j)), Break(innerExit)), innerExit));
        var outer = Loop(IfThenElse(LessThan(i, Constant(4)), Block(inner,
            Assign(s, Subtract(s, Multiply(Constant(0.1), Convert(i, typeof(double))))), PostIncrementAssign(i)), Break(outerExit)), outerExit);
        var f = Lambda<Func<double, double, double>>(Block([s, i, j], Assign(s, x), Assign(i, Constant(0)), outer, s), x, y);
        static double ByHand(double x, double y)
        {
            double s = x;
            for (int i = 0; i < 4; i++)
            {
                for (int j = 0; j < 3; j++) s = s * 0.9 + Math.Exp(-s * s) * y;
                s -= 0.1 * i;
            }
            return s;
        }
        var value = f.Compile();
        var g = Diff.Gradient(f).Compile();
        Assert.Equal(ByHand(0.3, 0.8), value(0.3, 0.8));
        var grad = g(0.3, 0.8);
        Assert.Equal(FiniteDifferences.Derivative(v => ByHand(v, 0.8), 0.3), grad[0], 1e-8);
        Assert.Equal(FiniteDifferences.Derivative(v => ByHand(0.3, v), 0.8), grad[1], 1e-8);
    }

    [Fact]
    public void Vector_outputs_of_a_loop_satisfy_the_adjoint_identity()
    {
        // r = new double[2]; integrate the pendulum of x[0], x[1] with damping x[2] for 50 steps; r = (θ, ω).
        var x = Parameter(typeof(double[]), "x");
        var theta = Variable(typeof(double), "theta");
        var omega = Variable(typeof(double), "omega");
        var next = Variable(typeof(double), "next");
        var r = Variable(typeof(double[]), "r");
        var i = Variable(typeof(int), "i");
        var exit = Label("exit");
        Expression X(int k) => ArrayIndex(x, Constant(k));
        var loop = Loop(IfThenElse(LessThan(i, Constant(50)), Block([next],
            Assign(next, Add(theta, Multiply(Constant(0.05), omega))),
            AddAssign(omega, Multiply(Constant(0.05), Subtract(Multiply(Constant(-9.81), Call(Sin, theta)), Multiply(X(2), omega)))),
            Assign(theta, next), PostIncrementAssign(i)), Break(exit)), exit);
        var f = Lambda<Func<double[], double[]>>(Block([theta, omega, r, i],
            Assign(theta, X(0)), Assign(omega, X(1)), Assign(i, Constant(0)), loop,
            Assign(r, NewArrayBounds(typeof(double), Constant(2))),
            Assign(ArrayAccess(r, Constant(0)), theta), Assign(ArrayAccess(r, Constant(1)), omega), r), x);
        double[] at = [0.6, -0.2, 0.3], v = [0.3, -1.2, 0.7], u = [1.1, -0.4];
        var jv = Diff.Jvp(f).Compile()(at, v);
        var ju = Diff.Vjp(f).Compile()(at, u);
        double left = u[0] * jv[0] + u[1] * jv[1], right = ju[0] * v[0] + ju[1] * v[1] + ju[2] * v[2];
        Assert.Equal(left, right, 1e-12 * Math.Max(1, Math.Abs(left)));
        var fd = FiniteDifferences.JacobianColumn(f.Compile(), at, 2);
        var column = Diff.Jvp(f).Compile()(at, [0, 0, 1]);
        Assert.Equal(fd[0], column[0], 1e-8);
        Assert.Equal(fd[1], column[1], 1e-8);
    }

    [Fact]
    public void Unsupported_loops_fail_with_a_message_that_says_what_to_write() // and one that is supported to any order
    {
        var x = Parameter(typeof(double), "x");
        var s = Variable(typeof(double), "s");
        var i = Variable(typeof(int), "i");
        var exit = Label("exit");
        Expression<Func<double, double>> Make(Expression loop) =>
            Lambda<Func<double, double>>(Block([s, i], Assign(s, x), Assign(i, Constant(0)), loop, s), x);

        // A while loop on a double: its trip count depends on the values.
        var whileLoop = Make(Loop(IfThenElse(LessThan(s, Constant(10.0)), Assign(s, Multiply(s, Constant(2.0))), Break(exit)), exit));
        var e1 = Assert.Throws<ExprDiffException>(() => Diff.Gradient(whileLoop));
        Assert.Contains("does not compare an int counter with a bound", e1.Message);
        Assert.Contains("i = start; loop { if (i < n)", e1.Message);

        // A break in the middle of the body.
        var early = Make(Loop(IfThenElse(LessThan(i, Constant(10)), Block(
            IfThen(GreaterThan(s, Constant(5.0)), Break(exit)), Assign(s, Multiply(s, Constant(2.0))), PostIncrementAssign(i)), Break(exit)), exit));
        var e2 = Assert.Throws<ExprDiffException>(() => Diff.Gradient(early));
        Assert.Contains("break, continue, return and goto are supported only as a loop's exit test at its top", e2.Message);

        // No step at the end.
        var noStep = Make(Loop(IfThenElse(LessThan(i, Constant(10)), Assign(s, Multiply(s, Constant(2.0))), Break(exit)), exit));
        Assert.Contains("does not end with ++ of the counter 'i'", Assert.Throws<ExprDiffException>(() => Diff.Gradient(noStep)).Message);

        // Forward mode nests to any order: the third derivative is the derivative of the second.
        var ok = Make(Loop(IfThenElse(LessThan(i, Constant(10)), Block(Assign(s, Call(Sin, s)), PostIncrementAssign(i)), Break(exit)), exit));
        var second = Diff.Derivative(ok, 2).Compile();
        Assert.Equal(FiniteDifferences.Derivative(second, 0.7), Diff.Derivative(ok, 3).Compile()(0.7), 1e-8);
    }

    [Fact]
    public void If_statements_outside_loops_merge_the_assigned_variables()
    {
        var x = Parameter(typeof(double), "x");
        var a = Variable(typeof(double), "a");
        var f = Lambda<Func<double, double>>(Block([a],
            Assign(a, Multiply(x, x)),
            IfThenElse(GreaterThan(x, Constant(1.0)), Assign(a, Call(Sin, x)), AddAssign(a, x)),
            IfThen(LessThan(x, Constant(-2.0)), MultiplyAssign(a, Constant(3.0))),
            a), x);
        static double ByHand(double x)
        {
            double a = x * x;
            if (x > 1) a = Math.Sin(x); else a += x;
            if (x < -2) a *= 3;
            return a;
        }
        var value = f.Compile();
        var g = Diff.Gradient(f).Compile();
        foreach (double at in new[] { 2.5, 0.4, -3.0 })
        {
            Assert.Equal(ByHand(at), value(at));
            Assert.Equal(FiniteDifferences.Derivative(ByHand, at), g(at)[0], 1e-9);
        }
    }

    [Fact]
    public void Aggregate_is_a_loop_carrying_its_accumulator()
    {
        Expression<Func<double[], double>> overRange = x => Enumerable.Range(0, x.Length).Aggregate(1.0, (acc, i) => acc * Math.Cos(x[i]) + x[i] * x[i]);
        Expression<Func<double[], double>> overArray = x => x.Select(v => v * 0.5).Aggregate(0.25, (acc, v) => 0.5 * acc + Math.Sin(v + acc));
        foreach (var f in new[] { overRange, overArray })
        {
            var value = f.Compile();
            var gradient = Diff.Gradient(f).Compile();
            var jvp = Diff.Jvp(Lambda<Func<double[], double[]>>(NewArrayInit(typeof(double), f.Body), f.Parameters)).Compile();
            for (int n = 0; n <= 9; n += 3)
            {
                var x = Enumerable.Range(0, n).Select(k => Math.Sin(1.7 * k + 0.3)).ToArray();
                var g = gradient(x);
                Assert.Equal(n, g.Length);
                var fd = FiniteDifferences.Gradient(value, x);
                for (int k = 0; k < n; k++) Assert.True(Math.Abs(fd[k] - g[k]) <= 1e-8 * Math.Max(1, Math.Abs(fd[k])), $"n={n} [{k}]: {g[k]:R} vs {fd[k]:R}");
                // Forward mode agrees with reverse mode: J·v = ∇f·v.
                var v = Enumerable.Range(0, n).Select(k => Math.Cos(0.9 * k)).ToArray();
                double dot = g.Zip(v, (a, b) => a * b).Sum();
                Assert.Equal(dot, jvp(x, v)[0], 1e-12 * Math.Max(1, Math.Abs(dot)));
            }
        }
    }

    [Fact]
    public void Loops_that_write_arrays_at_computed_indices()
    {
        // y = new double[x.Length - 1]; for (i = 0; i < y.Length; i++) y[i] = x[i + 1] * x[i] - Math.Sin(x[i]);
        // g = new double[x.Length]; for (i …) { g[i] += y[i]; g[i + 1] += 2 * y[i]; } return g;
        var x = Parameter(typeof(double[]), "x");
        var y = Variable(typeof(double[]), "y");
        var g = Variable(typeof(double[]), "g");
        var i = Variable(typeof(int), "i");
        var exit1 = Label("exit1");
        var exit2 = Label("exit2");
        Expression X(Expression k) => ArrayIndex(x, k);
        var map = Loop(IfThenElse(LessThan(i, ArrayLength(y)), Block(
            Assign(ArrayAccess(y, i), Subtract(Multiply(X(Add(i, Constant(1))), X(i)), Call(Sin, X(i)))), PostIncrementAssign(i)), Break(exit1)), exit1);
        var scatter = Loop(IfThenElse(LessThan(i, ArrayLength(y)), Block(
            AddAssign(ArrayAccess(g, i), ArrayIndex(y, i)), AddAssign(ArrayAccess(g, Add(i, Constant(1))), Multiply(Constant(2.0), ArrayIndex(y, i))),
            PostIncrementAssign(i)), Break(exit2)), exit2);
        var f = Lambda<Func<double[], double[]>>(Block([y, g, i],
            Assign(y, NewArrayBounds(typeof(double), Subtract(ArrayLength(x), Constant(1)))), Assign(i, Constant(0)), map,
            Assign(g, NewArrayBounds(typeof(double), ArrayLength(x))), Assign(i, Constant(0)), scatter, g), x);
        static double[] ByHand(double[] x)
        {
            var y = new double[x.Length - 1];
            for (int i = 0; i < y.Length; i++) y[i] = x[i + 1] * x[i] - Math.Sin(x[i]);
            var g = new double[x.Length];
            for (int i = 0; i < y.Length; i++) { g[i] += y[i]; g[i + 1] += 2 * y[i]; }
            return g;
        }
        double[] at = [0.4, -1.2, 0.9, 2.0, -0.3];
        Assert.Equal(ByHand(at), f.Compile()(at));
        var jacobian = Diff.Jacobian(f).Compile()(at);
        for (int k = 0; k < at.Length; k++)
        {
            var column = FiniteDifferences.JacobianColumn(ByHand, at, k);
            for (int r = 0; r < at.Length; r++) Assert.Equal(column[r], jacobian[r, k], 1e-8);
        }
        double[] u = [1.0, -0.5, 0.25, 2.0, 0.3], v = [0.2, 0.1, -0.7, 1.1, 0.6];
        var jv = Diff.Jvp(f).Compile()(at, v);
        var ju = Diff.Vjp(f).Compile()(at, u);
        Assert.Equal(u.Zip(jv, (a, b) => a * b).Sum(), ju.Zip(v, (a, b) => a * b).Sum(), 1e-12);
    }

    [Fact]
    public void Array_writes_that_cannot_be_a_scatter_are_refused()
    {
        var x = Parameter(typeof(double[]), "x");
        var a = Variable(typeof(double[]), "a");
        var i = Variable(typeof(int), "i");
        var exit = Label("exit");
        Expression<Func<double[], double[]>> Make(params Expression[] work) => Lambda<Func<double[], double[]>>(Block([a, i],
            Assign(a, NewArrayBounds(typeof(double), ArrayLength(x))), Assign(i, Constant(0)),
            Loop(IfThenElse(LessThan(i, ArrayLength(x)), Block(work.Append(PostIncrementAssign(i))), Break(exit)), exit), a), x);
        // Reading what the loop writes.
        var reads = Make(AddAssign(ArrayAccess(a, i), Add(ArrayIndex(x, i), ArrayIndex(a, Constant(0)))));
        Assert.Contains("the loop reads 'a', which it also writes at computed indices", Assert.Throws<ExprDiffException>(() => Diff.Jvp(reads)).Message);
        // Assigning an element that more than one iteration writes.
        var repeats = Make(Assign(ArrayAccess(a, Constant(0)), ArrayIndex(x, i)));
        Assert.Contains("the loop assigns elements of 'a' at an index that may repeat", Assert.Throws<ExprDiffException>(() => Diff.Jvp(repeats)).Message);
    }

    [Fact]
    public void Second_derivatives_through_carried_loops()
    {
        // Forward over reverse through the recorded trajectory and the adjoint sweep.
        var f = Pendulum(200);
        var hessian = Diff.Hessian(f).Compile()(0.8, 0.3, 0.25);
        var gradient = Diff.Gradient(f).Compile();
        double[] at = [0.8, 0.3, 0.25];
        for (int k = 0; k < 3; k++)
        {
            int kk = k;
            for (int r = 0; r < 3; r++)
            {
                int rr = r;
                double fd = FiniteDifferences.Derivative(t =>
                {
                    var p = (double[])at.Clone();
                    p[kk] = t;
                    return gradient(p[0], p[1], p[2])[rr];
                }, at[k]);
                Assert.True(Math.Abs(fd - hessian[r, k]) <= 1e-6 * Math.Max(1, Math.Abs(fd)), $"H[{r},{k}] = {hessian[r, k]:R}, FD {fd:R}");
            }
        }
        for (int r = 0; r < 3; r++)
            for (int k = 0; k < r; k++) Assert.Equal(hessian[r, k], hessian[k, r], 1e-9);
    }

    [Fact]
    public void A_loop_that_assigns_keeps_negative_zeros()
    {
        // y[i] = -x[i] * 0.0 is −0.0 for positive x[i]: an assignment, not an addition into zeros, keeps the sign.
        var x = Parameter(typeof(double[]), "x");
        var y = Variable(typeof(double[]), "y");
        var i = Variable(typeof(int), "i");
        var exit = Label("exit");
        var f = Lambda<Func<double[], double[]>>(Block([y, i],
            Assign(y, NewArrayBounds(typeof(double), ArrayLength(x))), Assign(i, Constant(0)),
            Loop(IfThenElse(LessThan(i, ArrayLength(x)), Block(
                Assign(ArrayAccess(y, i), Multiply(Negate(ArrayIndex(x, i)), Constant(0.0))), PostIncrementAssign(i)), Break(exit)), exit), y), x);
        double[] at = [2.0, -3.0];
        var expected = f.Compile()(at);
        var jvp = Diff.Jvp(f);
        var graph = ExprDiff.Import.ExpressionImporter.Import(f, ExprDiff.RuleSet.Default).ToGraph();
        var value = (double[])ExprDiff.Evaluation.Interpreter.EvaluateOutputs(graph, (object)at)[0];
        Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), value.Select(BitConverter.DoubleToInt64Bits));
        Assert.True(double.IsNegative(value[0]));
        Assert.Equal([0.0, 0.0], jvp.Compile()(at, [1.0, 1.0]).Select(Math.Abs));
    }

    [Fact]
    public void A_loop_that_carries_state_and_writes_its_trajectory()
    {
        // s = 0.2; for (i = 0; i < x.Length; i++) { s = 0.9 * Math.Sin(s) + x[i]; y[i] = s * s; } return y;
        // The state's trajectory is recorded; y's elements read it. Every mode and second derivatives through it.
        var x = Parameter(typeof(double[]), "x");
        var y = Variable(typeof(double[]), "y");
        var s = Variable(typeof(double), "s");
        var i = Variable(typeof(int), "i");
        var exit = Label("exit");
        var loop = Loop(IfThenElse(LessThan(i, ArrayLength(x)), Block(
            Assign(s, Add(Multiply(Constant(0.9), Call(Sin, s)), ArrayIndex(x, i))), Assign(ArrayAccess(y, i), Multiply(s, s)), PostIncrementAssign(i)),
            Break(exit)), exit);
        var f = Lambda<Func<double[], double[]>>(Block([y, s, i],
            Assign(y, NewArrayBounds(typeof(double), ArrayLength(x))), Assign(s, Constant(0.2)), Assign(i, Constant(0)), loop, y), x);
        static double[] ByHand(double[] x)
        {
            var y = new double[x.Length];
            double s = 0.2;
            for (int i = 0; i < x.Length; i++) { s = 0.9 * Math.Sin(s) + x[i]; y[i] = s * s; }
            return y;
        }
        double[] at = [0.5, -1.0, 2.0, 0.3], v = [0.3, 1.0, -2.0, 0.5], u = [1.0, -0.5, 0.25, 2.0];
        Assert.Equal(ByHand(at), f.Compile()(at));
        var jv = Diff.Jvp(f).Compile()(at, v);
        var ju = Diff.Vjp(f).Compile()(at, u);
        Assert.Equal(u.Zip(jv, (a, b) => a * b).Sum(), ju.Zip(v, (a, b) => a * b).Sum(), 1e-12);
        var jacobian = Diff.Jacobian(f).Compile()(at);
        for (int k = 0; k < at.Length; k++)
        {
            var column = FiniteDifferences.JacobianColumn(ByHand, at, k);
            for (int r = 0; r < at.Length; r++) Assert.Equal(column[r], jacobian[r, k], 1e-8);
        }
        // The sum of y: gradient and Hessian-vector product against differences.
        var sum = typeof(Enumerable).GetMethod(nameof(Enumerable.Sum), [typeof(IEnumerable<double>)])!;
        var g = Lambda<Func<double[], double>>(Call(sum, f.Body), x);
        var gradient = Diff.Gradient(g).Compile();
        var fd = FiniteDifferences.Gradient(z => ByHand(z).Sum(), at);
        var grad = gradient(at);
        for (int k = 0; k < at.Length; k++) Assert.Equal(fd[k], grad[k], 1e-8);
        var hv = Diff.Hvp(g).Compile()(at, v);
        for (int k = 0; k < at.Length; k++)
            Assert.Equal(FiniteDifferences.Derivative(t => gradient(at.Zip(v, (a, b) => a + t * b).ToArray())[k], 0.0), hv[k], 1e-7);
    }

    [Fact]
    public void Value_and_gradient_run_the_forward_loop_once()
    {
        // The value reads the final state from the trajectory reverse mode records: one forward loop, not two.
        var f = Pendulum(100);
        string text = Diff.ValueAndGradient(f).ToCSharp();
        Assert.Equal(1, text.Split("Math.Sin(").Length - 1);
        var buffer = new double[3];
        Assert.Equal(f.Compile()(0.8, 0.3, 0.25), Diff.ValueAndGradient(f).Compile()(0.8, 0.3, 0.25, buffer));
        Assert.Equal(Diff.Gradient(f).Compile()(0.8, 0.3, 0.25), buffer);
    }
}
