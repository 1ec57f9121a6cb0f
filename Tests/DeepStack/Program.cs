// The gradient of the n-deep chain t = Math.Sin(t) * 0.5 + x, compiled by one route (`il`: CompileIL, `compile`:
// Expression.Compile() of what Diff returns) and called on a thread with a 1 MiB stack. Prints "ok …" and exits 0 when
// the derivative matches the chain's own recurrence; a frame that grows with depth overflows the stack and kills the
// process instead. Usage: DeepStack (il|compile) depth
using System.Diagnostics;
using System.Linq.Expressions;
using ExprDiff;

if (args.Length != 2 || args[0] is not ("il" or "compile") || !int.TryParse(args[1], out int depth) || depth < 1)
{
    Console.Error.WriteLine("usage: DeepStack (il|compile) depth");
    return 2;
}

var x = Expression.Parameter(typeof(double[]), "x");
Expression x0 = Expression.ArrayIndex(x, Expression.Constant(0));
Expression t = x0;
var sin = typeof(Math).GetMethod(nameof(Math.Sin), [typeof(double)])!;
for (int i = 0; i < depth; i++) t = Expression.Add(Expression.Multiply(Expression.Call(sin, t), Expression.Constant(0.5)), x0);
var f = Expression.Lambda<Func<double[], double>>(t, x);

var clock = Stopwatch.StartNew();
var g = Diff.Gradient(f);
var diffTime = clock.Elapsed;
clock.Restart();
Func<double[], double[]> gradient;
if (args[0] == "il")
{
    var compilation = ILBackend.Compile(g);
    if (compilation.UsedFallback)
    {
        Console.WriteLine($"FAIL CompileIL fell back: {compilation.FallbackReason}");
        return 1;
    }
    gradient = compilation.Delegate;
}
else gradient = g.Compile();
var compileTime = clock.Elapsed;

const double at = 0.3;
double[]? result = null;
Exception? error = null;
clock.Restart();
var thread = new Thread(() =>
{
    try { result = gradient([at]); }
    catch (Exception e) { error = e; }
}, maxStackSize: 1 << 20);
thread.Start();
thread.Join();
var callTime = clock.Elapsed;
if (error is not null)
{
    Console.WriteLine($"FAIL the call threw {error}");
    return 1;
}

double tt = at, dt = 1;
for (int i = 0; i < depth; i++)
{
    dt = Math.Cos(tt) * 0.5 * dt + 1;
    tt = Math.Sin(tt) * 0.5 + at;
}
double got = result![0];
if (!(Math.Abs(got - dt) <= 1e-10 * Math.Abs(dt)))
{
    Console.WriteLine($"FAIL gradient {got:R}, the recurrence gives {dt:R}");
    return 1;
}
Console.WriteLine($"ok {args[0]} depth {depth}: gradient {got:R}; Diff {diffTime.TotalSeconds:F1} s, compile {compileTime.TotalSeconds:F1} s, first call on a 1 MiB stack {callTime.TotalSeconds:F1} s");
return 0;
