// A gradient in a NativeAOT executable: `dotnet publish -c Release -r linux-x64 Examples/NativeAot`, then run the
// executable. Without dynamic code, CompileIL and the span entry points use Expression.Compile() (which interprets) and
// report it; the numbers are those of the JIT build. Exits non-zero if a value is off.
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using ExprDiff;

Expression<Func<double[], double>> f = x => 100 * Math.Pow(x[1] - x[0] * x[0], 2) + Math.Pow(1 - x[0], 2);
double[] at = [-1.2, 1.0];
var compilation = ILBackend.Compile(Diff.Gradient(f));
var gradient = compilation.Delegate(at);
var buffer = new double[2];
double value = Compiled.ValueAndGradient(f)(at, buffer);
Console.WriteLine($"dynamic code supported: {RuntimeFeature.IsDynamicCodeSupported}");
Console.WriteLine($"f = {value}, ∇f = ({gradient[0]}, {gradient[1]}), through spans ({buffer[0]}, {buffer[1]})");
Console.WriteLine($"CompileIL: {compilation.FallbackReason ?? "emitted IL"}");
// ∂f/∂x0 = −400·x0·(x1 − x0²) − 2(1 − x0) = −215.6, ∂f/∂x1 = 200(x1 − x0²) = −88, f = 24.2 at (−1.2, 1).
bool ok = Math.Abs(gradient[0] + 215.6) < 1e-9 && Math.Abs(gradient[1] + 88) < 1e-9 && Math.Abs(value - 24.2) < 1e-9
    && buffer[0] == gradient[0] && buffer[1] == gradient[1];
return ok ? 0 : 1;
