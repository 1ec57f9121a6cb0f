using FsCheck;
using FsCheck.Fluent;
using Xunit;
using Xunit.Abstractions;
namespace ExprDiff.Tests.Properties;
public sealed class Scratch
{
    private readonly ITestOutputHelper _o;
    public Scratch(ITestOutputHelper o) => _o = o;
    [Fact]
    public void Soak()
    {
        int n = int.Parse(Environment.GetEnvironmentVariable("SOAK_N") ?? "2000");
        var filter = Environment.GetEnvironmentVariable("SOAK_FILTER") ?? "";
        var inst = new DerivativeProperties();
        var failures = new List<string>();
        foreach (var m in typeof(DerivativeProperties).GetMethods().Where(m => m.ReturnType == typeof(Property) && m.Name.Contains(filter)))
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                var prop = (Property)m.Invoke(inst, null)!;
                Check.One(Config.QuickThrowOnFailure.WithMaxTest(n).WithMaxRejected(n * 10).WithEndSize(100), prop);
                _o.WriteLine($"{m.Name}: OK {sw.ElapsedMilliseconds} ms");
            }
            catch (Exception e)
            {
                var msg = (e.InnerException ?? e).Message;
                _o.WriteLine($"{m.Name}: FAIL {sw.ElapsedMilliseconds} ms\n{msg}");
                failures.Add(m.Name);
            }
        }
        Assert.Empty(failures);
    }
}
