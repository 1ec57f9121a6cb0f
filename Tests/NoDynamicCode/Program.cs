// Every compiled route of ExprDiff in a process that cannot emit IL: each must work (through Expression.Compile(), which
// interprets here) with the values of the interpreted Diff expressions, and say why it fell back. Prints one line per
// check ("ok …" or "FAIL …") and exits with the number of failures.
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using ExprDiff;
using ExprDiff.Solvers;

int failures = 0;
void Check(string name, bool ok, string detail = "")
{
    Console.WriteLine(ok ? $"ok {name}" : $"FAIL {name}: {detail}");
    if (!ok) failures++;
}
void Same(string name, double[] expected, ReadOnlySpan<double> actual) =>
    Check(name, expected.AsSpan().SequenceEqual(actual), $"[{string.Join(", ", expected)}] vs [{string.Join(", ", actual.ToArray())}]");

Check("dynamic code is off", !RuntimeFeature.IsDynamicCodeSupported, "the feature switch did not take effect");

double[] t = [0.5, 1, 2, 3];
Expression<Func<double[], double>> f = x => Enumerable.Range(0, x.Length - 1).Sum(i => 100 * Math.Pow(x[i + 1] - x[i] * x[i], 2) + Math.Pow(1 - x[i], 2))
    + Math.Sin(x[0]) * Math.Exp(-x[1]);
Expression<Func<double[], double[]>> r = x => t.Select((ti, i) => x[0] * Math.Exp(-x[1] * ti) - (i + 1)).ToArray();
double[] p = [-1.2, 1, 0.7], v = [0.3, -0.5, 2], u = [1, -1, 0.5, 2];

try
{
    var compilation = ILBackend.Compile(Diff.Gradient(f));
    Check("ILBackend.Compile says why", compilation.FallbackReason?.Contains("dynamic code is not supported") == true, compilation.FallbackReason ?? "no reason");
    var gradient = Diff.Gradient(f).Compile()(p);
    Same("CompileIL gradient", gradient, Diff.Gradient(f).CompileIL()(p));
    Check("CompileIL value", f.Compile()(p) == f.CompileIL()(p));

    var g = new double[3];
    double value = Compiled.ValueAndGradient(f)(p, g);
    Check("Compiled.ValueAndGradient value", value == f.Compile()(p));
    Same("Compiled.ValueAndGradient gradient", gradient, g);
    Check("Compiled.Value", Compiled.Value(f)(p) == f.Compile()(p));
    var hv = new double[3];
    Compiled.Hvp(f)(p, v, hv);
    Same("Compiled.Hvp", Diff.Hvp(f).Compile()(p, v), hv);
    var jv = new double[t.Length];
    Compiled.Jvp(r)(p[..2], v[..2], jv);
    Same("Compiled.Jvp", Diff.Jvp(r).Compile()(p[..2], v[..2]), jv);
    var uj = new double[2];
    Compiled.Vjp(r)(p[..2], u, uj);
    Same("Compiled.Vjp", Diff.Vjp(r).Compile()(p[..2], u), uj);
    var rv = new double[t.Length];
    Compiled.Function(r)(p[..2], rv);
    Same("Compiled.Function", r.Compile()(p[..2]), rv);
    var j = new double[t.Length * 2];
    Compiled.Jacobian(r)(p[..2], j);
    var jExpected = Diff.Jacobian(r).Compile()(p[..2]);
    Check("Compiled.Jacobian", Enumerable.Range(0, j.Length).All(k => Math.Abs(j[k] - jExpected[k / 2, k % 2]) <= 1e-15 * Math.Abs(jExpected[k / 2, k % 2])));

    var batch = BatchGradient.Create(f, 3);
    Check("BatchGradient is not vectorized and says why", !batch.IsVectorized && batch.NotVectorizedReason?.Contains("dynamic code") == true, batch.NotVectorizedReason ?? "no reason");
    int count = 5;
    var points = new double[3 * count];
    for (int k = 0; k < count; k++) for (int c = 0; c < 3; c++) points[c * count + k] = p[c] + 0.1 * k;
    var values = new double[count];
    var gradients = new double[3 * count];
    batch.Evaluate(points, values, gradients);
    bool batchOk = true;
    for (int k = 0; k < count; k++)
    {
        var at = new[] { points[k], points[count + k], points[2 * count + k] };
        var gk = Diff.Gradient(f).Compile()(at);
        batchOk &= values[k] == f.Compile()(at) && gk[0] == gradients[k] && gk[1] == gradients[count + k] && gk[2] == gradients[2 * count + k];
    }
    Check("BatchGradient values", batchOk);

    var solved = new Lbfgs().Minimize(x => 100 * Math.Pow(x[1] - x[0] * x[0], 2) + Math.Pow(1 - x[0], 2), [-1.2, 1.0]);
    Check("L-BFGS on Rosenbrock", solved.Converged && Math.Abs(solved.X[0] - 1) < 1e-6, solved.Message);
}
catch (Exception e)
{
    Check("no exception", false, e.ToString());
}
return failures;
