using System.Linq.Expressions;
using FsCheck;
using FsCheck.Fluent;
using Xunit;
using Xunit.Abstractions;
namespace ExprDiff.Tests.Properties;
public sealed class Scratch
{
    private readonly ITestOutputHelper _o;
    public Scratch(ITestOutputHelper o) => _o = o;
    static double Rel(double a, double b, double floor) => Math.Abs(a - b) / Math.Max(floor, Math.Max(Math.Abs(a), Math.Abs(b)));
    [Fact]
    public void Run()
    {
        var fwd = new DiffOptions { Jacobian = JacobianMode.Forward };
        var stats = new Dictionary<string, List<(double, string)>>();
        void Add(string k, double v, string c) { if (!stats.TryGetValue(k, out var l)) stats[k] = l = new(); l.Add((v, c)); }
        int used = 0, total = 0, fdUsed = 0;
        foreach (var c in Cases.Scalar.Generator.Sample(1500))
        {
            total++;
            var f = ExpressionGenerator.ToLambda(c.F);
            double y = Checks.Value(f.Compile(), c.X);
            var g = Diff.Gradient(f).Compile()(c.X);
            var jf = Diff.Jacobian(ExpressionGenerator.ToVectorLambda(c.F), fwd).Compile()(c.X);
            if (!(Checks.Usable(y) && Checks.Usable(g) && Checks.Usable(jf))) continue;
            used++;
            double m1 = 0, m0 = 0;
            for (int k = 0; k < 4; k++) { m1 = Math.Max(m1, Rel(g[k], jf[0, k], 1)); m0 = Math.Max(m0, Rel(g[k], jf[0, k], 1e-300)); }
            Add("fwdrev floor1", m1, c.ToString()); Add("fwdrev pure", m0, c.ToString());
            var gx = Diff.Gradient(f);
            var h = Diff.Hessian(f).Compile()(c.X);
            var jg = Diff.Jacobian(gx).Compile()(c.X);
            var hv = Diff.Hvp(f).Compile()(c.X, c.V);
            if (Checks.Usable(h) && Checks.Usable(jg) && Checks.Usable(hv))
            {
                double s = 0, e = 0, hvm = 0;
                for (int i = 0; i < 4; i++) for (int k = 0; k < 4; k++) { s = Math.Max(s, Rel(h[i, k], h[k, i], 1)); e = Math.Max(e, Rel(h[i, k], jg[i, k], 1)); }
                for (int i = 0; i < 4; i++) { double sum = 0, sc = 0; for (int k = 0; k < 4; k++) { sum += h[i, k] * c.V[k]; sc += Math.Abs(h[i, k] * c.V[k]); } hvm = Math.Max(hvm, Math.Abs(sum - hv[i]) / Math.Max(sc, 1)); }
                Add("hess sym floor1", s, c.ToString()); Add("hess vs jac(grad) floor1", e, c.ToString()); Add("hvp floor1", hvm, c.ToString());
            }
            var reference = ExpressionGenerator.ToReferenceLambda(c.F).Compile();
            var x0 = (double[])c.X.Clone();
            Func<double[], double> r = x => Checks.Value(p => reference(p, x0), x);
            var fd = Enumerable.Range(0, 4).Select(k => FiniteDifferences.Partial(r, c.X, k)).ToArray();
            if (fd.All(d => d is not null))
            {
                fdUsed++;
                double m = 0; for (int k = 0; k < 4; k++) m = Math.Max(m, Math.Abs(fd[k]!.Value - g[k]) / Math.Max(1, Math.Abs(g[k])));
                Add("fd floor1", m, c.ToString());
            }
        }
        _o.WriteLine($"total {total} used {used} fd {fdUsed}");
        foreach (var (k, l) in stats)
        {
            var s = l.OrderBy(t => t.Item1).ToList();
            _o.WriteLine($"{k}: n={s.Count} p50={s[s.Count / 2].Item1:E2} p90={s[s.Count * 9 / 10].Item1:E2} p99={s[s.Count * 99 / 100].Item1:E2} max={s[^1].Item1:E2}");
            _o.WriteLine("   worst: " + s[^1].Item2.Replace("\n", " | "));
        }
        int vt = 0, vu = 0; var adj = new List<(double, string)>();
        foreach (var c in Cases.Vector.Generator.Sample(1500))
        {
            vt++;
            var f = ExpressionGenerator.ToLambda(c.F);
            var y = Checks.Value(f.Compile(), c.X);
            var jv = Diff.Jvp(f).Compile()(c.X, c.V);
            var uj = Diff.Vjp(f).Compile()(c.X, c.U);
            var j = Diff.Jacobian(f).Compile()(c.X);
            if (!(Checks.Usable(y) && Checks.Usable(jv) && Checks.Usable(uj) && Checks.Usable(j))) continue;
            vu++;
            double lhs = 0, rhs = 0, scale = 0;
            for (int i = 0; i < jv.Length; i++) lhs += c.U[i] * jv[i];
            for (int k = 0; k < uj.Length; k++) rhs += uj[k] * c.V[k];
            for (int i = 0; i < j.GetLength(0); i++) for (int k = 0; k < j.GetLength(1); k++) scale += Math.Abs(c.U[i] * j[i, k] * c.V[k]);
            adj.Add((Math.Abs(lhs - rhs) / Math.Max(1, scale), c.ToString()));
        }
        adj.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        _o.WriteLine($"vector total {vt} used {vu}: p50={adj[adj.Count / 2].Item1:E2} p99={adj[adj.Count * 99 / 100].Item1:E2} max={adj[^1].Item1:E2}");
        _o.WriteLine("   worst: " + adj[^1].Item2.Replace("\n", " | "));
    }
}
