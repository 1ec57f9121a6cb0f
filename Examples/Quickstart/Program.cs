// Quickstart: differentiate a few functions, print the derivative expressions, evaluate them, and
// check every derivative against central finite differences.
using System.Linq.Expressions;
using ExprDiff;

int failures = 0;

Section("1. A scalar function: f(t) = exp(-t²)·sin(3t)");
Expression<Func<double, double>> f = t => Math.Exp(-t * t) * Math.Sin(3 * t);
var df = Diff.Derivative(f);
var d2f = Diff.Derivative(f, order: 2);
Console.WriteLine("f'  = " + df.ToCSharp());
var (fc, dfc, d2fc) = (f.Compile(), df.Compile(), d2f.Compile());
foreach (double t in new[] { -1.0, 0.25, 2.0 })
{
    Check($"f'({t})", dfc(t), Central(fc, t));
    Check($"f''({t})", d2fc(t), Central(dfc, t));
}

Section("2. Rosenbrock: gradient, value-and-gradient, Hessian");
Expression<Func<double[], double>> rosen = x => 100 * Math.Pow(x[1] - x[0] * x[0], 2) + Math.Pow(1 - x[0], 2);
var grad = Diff.Gradient(rosen);
Console.WriteLine("∇f = " + grad.ToCSharp());
var point = new[] { -1.2, 1.0 };
var g = grad.Compile()(point);
var fr = rosen.Compile();
for (int i = 0; i < 2; i++)
    Check($"∂f/∂x[{i}]", g[i], Central(s => fr(With(point, i, s)), point[i]));
var buffer = new double[2];
double value = Diff.ValueAndGradient(rosen).Compile()(point, buffer);
Check("f(x) from ValueAndGradient", value, fr(point));
var H = Diff.Hessian(rosen).Compile()(point);
var gc = grad.Compile();
for (int i = 0; i < 2; i++)
    for (int j = 0; j < 2; j++)
        Check($"H[{i},{j}]", H[i, j], Central(s => gc(With(point, j, s))[i], point[j]));

Section("3. A vector function F(x) = (x0·x1, sin x0): Jacobian, J·v and uᵀ·J");
Expression<Func<double[], double[]>> F = x => new[] { x[0] * x[1], Math.Sin(x[0]) };
var J = Diff.Jacobian(F).Compile()(point);
Console.WriteLine("J·v = " + Diff.Jvp(F).ToCSharp());
var Fc = F.Compile();
for (int r = 0; r < 2; r++)
    for (int c = 0; c < 2; c++)
        Check($"J[{r},{c}]", J[r, c], Central(s => Fc(With(point, c, s))[r], point[c]));
var v = new[] { 0.5, -2.0 };
var u = new[] { 1.5, 0.25 };
var jv = Diff.Jvp(F).Compile()(point, v);
var uj = Diff.Vjp(F).Compile()(point, u);
Check("u·(J v) = (uᵀJ)·v", u[0] * jv[0] + u[1] * jv[1], uj[0] * v[0] + uj[1] * v[1]);

Section("4. A conditional never leaks NaN from the branch not taken");
Expression<Func<double, double>> safeLog = x => x > 0 ? Math.Log(x) : 0;
var dsafe = Diff.Derivative(safeLog).Compile();
Check("d/dx at x = 0", dsafe(0), 0);
Check("d/dx at x = 2", dsafe(2), 0.5);

Section("5. Loops: one derivative for every length, and a loop that carries state");
Expression<Func<double[], double>> rosenbrockN =
    x => Enumerable.Range(0, x.Length - 1).Sum(i => 100 * Math.Pow(x[i + 1] - x[i] * x[i], 2) + Math.Pow(1 - x[i], 2));
var gN = Diff.Gradient(rosenbrockN).Compile();
var fN = rosenbrockN.Compile();
foreach (int n in new[] { 3, 1000 })
{
    var xN = Enumerable.Range(0, n).Select(i => i % 2 == 0 ? -1.2 : 1.0).ToArray();
    Check($"n = {n}: ∂f/∂x[1]", gN(xN)[1], Central(s => fN(With(xN, 1, s)), xN[1]));
}
// Compound interest with a rate that decays each year, as a loop written with the Expression API:
// balance = principal; for (year = 0; year < 30; year++) { balance += balance * rate; rate *= 0.97; }
var principal = Expression.Parameter(typeof(double), "principal");
var rate0 = Expression.Parameter(typeof(double), "rate0");
var balance = Expression.Variable(typeof(double), "balance");
var rate = Expression.Variable(typeof(double), "rate");
var year = Expression.Variable(typeof(int), "year");
var done = Expression.Label("done");
var loop = Expression.Loop(Expression.IfThenElse(Expression.LessThan(year, Expression.Constant(30)),
    Expression.Block(
        Expression.AddAssign(balance, Expression.Multiply(balance, rate)),
        Expression.MultiplyAssign(rate, Expression.Constant(0.97)),
        Expression.PostIncrementAssign(year)),
    Expression.Break(done)), done);
var savings = Expression.Lambda<Func<double, double, double>>(Expression.Block([balance, rate, year],
    Expression.Assign(balance, principal), Expression.Assign(rate, rate0), Expression.Assign(year, Expression.Constant(0)), loop, balance),
    principal, rate0);
Console.WriteLine(Diff.Gradient(savings).ToCSharp());
var gs = Diff.Gradient(savings).Compile()(1000, 0.05);
var fs = savings.Compile();
Check("∂balance/∂principal", gs[0], Central(p => fs(p, 0.05), 1000));
Check("∂balance/∂rate0", gs[1], Central(r => fs(1000, r), 0.05));

Section("6. The IL backend: same delegates, compiled without closures; solver entry points; batches");
// CompileIL() is a drop-in for Compile(): the same delegate type and the same numbers.
var vgIL = Diff.ValueAndGradient(rosenbrockN).CompileIL();
var xL = Enumerable.Range(0, 1000).Select(i => i % 2 == 0 ? -1.2 : 1.0).ToArray();
var gIL = new double[1000];
double vIL = vgIL(xL, gIL);
Check("CompileIL value = f(x)", vIL, fN(xL));
Check("CompileIL ∂f/∂x[1]", gIL[1], Central(s => fN(With(xL, 1, s)), xL[1]));
// Spans in, the gradient into the caller's buffer: nothing allocated per call (what an optimizer's inner loop wants).
GradientFunction solverGradient = Compiled.ValueAndGradient(rosenbrockN);
Span<double> gSpan = stackalloc double[1000];
Check("Compiled.ValueAndGradient", solverGradient(xL, gSpan), vIL);
Check("  its ∂f/∂x[1]", gSpan[1], gIL[1]);
// Many points at once: four per Vector256, blocks on every core. Coordinates are stored coordinate-major.
var batch = BatchGradient.Create((x, y) => 100 * Math.Pow(y - x * x, 2) + Math.Pow(1 - x, 2));
int count = 100_000;
var points = new double[2 * count];
for (int p = 0; p < count; p++) (points[p], points[count + p]) = (-1.5 + 3.0 * p / count, 0.5);
var values = new double[count];
var gradients = new double[2 * count];
batch.Evaluate(points, values, gradients);
Console.WriteLine($"  {count:N0} points, vectorized: {batch.IsVectorized}");
var one = Diff.ValueAndGradient((Expression<Func<double, double, double>>)((x, y) => 100 * Math.Pow(y - x * x, 2) + Math.Pow(1 - x, 2))).CompileIL();
var g2 = new double[2];
Check("batch value at point 12345", values[12345], one(points[12345], points[count + 12345], g2));
Check("batch ∂f/∂x at point 12345", gradients[12345], g2[0]);

Console.WriteLine();
Console.WriteLine(failures == 0 ? "All derivatives agree with finite differences." : $"{failures} check(s) FAILED.");
return failures == 0 ? 0 : 1;

void Section(string title) => Console.WriteLine($"\n== {title}");

void Check(string what, double actual, double expected)
{
    bool ok = Math.Abs(actual - expected) <= 1e-6 * Math.Max(1, Math.Abs(expected));
    if (!ok) failures++;
    Console.WriteLine($"  {(ok ? "ok  " : "FAIL")} {what,-28} = {actual,22:R}   (finite differences: {expected:G10})");
}

// Central difference with a Richardson step, good to ~1e-10 on smooth functions.
static double Central(Func<double, double> h, double x)
{
    double step = 1e-3 * Math.Max(1, Math.Abs(x));
    double D(double s) => (h(x + s) - h(x - s)) / (2 * s);
    return (4 * D(step / 2) - D(step)) / 3;
}

static double[] With(double[] x, int i, double value)
{
    var y = (double[])x.Clone();
    y[i] = value;
    return y;
}
