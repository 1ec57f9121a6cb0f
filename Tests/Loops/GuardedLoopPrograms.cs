using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using FsCheck;
using FsCheck.Fluent;

namespace ExprDiff.Tests.Loops;

/// <summary>A loop body expression whose neighbour reads are guarded as boundary conditions are written.</summary>
public abstract record GNode;

public sealed record GConst(double Value) : GNode;

/// <summary><c>x[i]</c>.</summary>
public sealed record GItem : GNode;

/// <summary>How a neighbour read is guarded.</summary>
public enum GGuard
{
    /// <summary>Only on the side that can leave the array: <c>i &gt;= 2 ? x[i - 2] : f</c>, <c>i + 2 &lt; x.Length ? x[i + 2] : f</c>.</summary>
    OneSided,
    /// <summary><c>i + d &gt;= 0 &amp;&amp; i + d &lt; x.Length ? x[i + d] : f</c>.</summary>
    BothSides,
    /// <summary>The guard in the other branch: <c>i + d &lt; 0 || i + d &gt;= x.Length ? f : x[i + d]</c>.</summary>
    Negated,
}

/// <summary><c>x[i + Offset]</c> where it exists, <c>Fallback</c> elsewhere.</summary>
public sealed record GRead(int Offset, double Fallback, GGuard Guard) : GNode;

/// <summary>A guard on data behind a guard on the counter: <c>(i + d in range) &amp;&amp; x[i + d] &gt; 0 ? Then : Else</c>.</summary>
public sealed record GDataGuard(int Offset, GNode Then, GNode Else) : GNode;

public enum GUnary { Sin, ExpTanh, Square, Neg }

public sealed record GUn(GUnary Op, GNode A) : GNode;

public enum GBinary { Add, Sub, Mul }

public sealed record GBin(GBinary Op, GNode A, GNode B) : GNode;

public enum GForm { RangeSum, SelectSum, Aggregate }

/// <summary>A scalar program: the sum of loop terms over every i &lt; x.Length.</summary>
public sealed record GuardedProgram((GForm Form, GNode Body)[] Terms)
{
    private static readonly MethodInfo Sin = typeof(Math).GetMethod(nameof(Math.Sin))!;
    private static readonly MethodInfo Exp = typeof(Math).GetMethod(nameof(Math.Exp))!;
    private static readonly MethodInfo Tanh = typeof(Math).GetMethod(nameof(Math.Tanh))!;
    private static readonly MethodInfo Range = typeof(Enumerable).GetMethod(nameof(Enumerable.Range))!;
    private static readonly MethodInfo SumInt = typeof(Enumerable).GetMethods()
        .Single(m => m.Name == nameof(Enumerable.Sum) && m.GetParameters().Length == 2 && m.GetParameters()[1].ParameterType.GetGenericArguments() is [_, var r] && r == typeof(double))
        .MakeGenericMethod(typeof(int));
    private static readonly MethodInfo SelectIndexed = typeof(Enumerable).GetMethods()
        .Single(m => m.Name == nameof(Enumerable.Select) && m.GetParameters()[1].ParameterType.GetGenericArguments().Length == 3)
        .MakeGenericMethod(typeof(double), typeof(double));
    private static readonly MethodInfo SumDoubles = typeof(Enumerable).GetMethods()
        .Single(m => m.Name == nameof(Enumerable.Sum) && m.GetParameters().Length == 1 && m.GetParameters()[0].ParameterType == typeof(IEnumerable<double>));
    private static readonly MethodInfo Aggregate = typeof(Enumerable).GetMethods()
        .Single(m => m.Name == nameof(Enumerable.Aggregate) && m.GetParameters().Length == 3 && m.GetGenericArguments().Length == 2)
        .MakeGenericMethod(typeof(int), typeof(double));

    public override string ToString() => "x => " + string.Join(" + ", Terms.Select(t => Print(t.Form, t.Body)));

    public Expression<Func<double[], double>> ToLambda()
    {
        var x = Expression.Parameter(typeof(double[]), "x");
        return Expression.Lambda<Func<double[], double>>(Body(x), x);
    }

    public Expression Body(ParameterExpression x)
    {
        Expression total = Expression.Constant(0.0);
        foreach (var (form, body) in Terms)
        {
            var i = Expression.Parameter(typeof(int), "i");
            Expression term;
            switch (form)
            {
                case GForm.RangeSum:
                    term = Expression.Call(SumInt, Expression.Call(Range, Expression.Constant(0), Expression.ArrayLength(x)),
                        Expression.Lambda<Func<int, double>>(Build(body, x, i, null), i));
                    break;
                case GForm.SelectSum:
                {
                    var v = Expression.Parameter(typeof(double), "v");
                    term = Expression.Call(SumDoubles, Expression.Call(SelectIndexed, x,
                        Expression.Lambda<Func<double, int, double>>(Build(body, x, i, v), v, i)));
                    break;
                }
                default:
                {
                    var acc = Expression.Parameter(typeof(double), "acc");
                    term = Expression.Call(Aggregate, Expression.Call(Range, Expression.Constant(0), Expression.ArrayLength(x)), Expression.Constant(0.25),
                        Expression.Lambda<Func<double, int, double>>(Expression.Add(Expression.Multiply(Expression.Constant(0.5), acc), Build(body, x, i, null)), acc, i));
                    break;
                }
            }
            total = Expression.Add(total, term);
        }
        return total;
    }

    private static Expression InRange(ParameterExpression x, ParameterExpression i, int d) => Expression.AndAlso(
        Expression.GreaterThanOrEqual(Expression.Add(i, Expression.Constant(d)), Expression.Constant(0)),
        Expression.LessThan(Expression.Add(i, Expression.Constant(d)), Expression.ArrayLength(x)));

    private static Expression Build(GNode n, ParameterExpression x, ParameterExpression i, ParameterExpression? v)
    {
        // An explicit stack would be overkill: generated bodies are a few levels deep.
        Expression At(int d) => d == 0 && v is not null ? v : Expression.ArrayIndex(x, d == 0 ? i : Expression.Add(i, Expression.Constant(d)));
        switch (n)
        {
            case GConst c: return Expression.Constant(c.Value);
            case GItem: return At(0);
            case GRead r:
            {
                var fallback = Expression.Constant(r.Fallback);
                var shifted = Expression.Add(i, Expression.Constant(r.Offset));
                return r.Guard switch
                {
                    GGuard.OneSided => Expression.Condition(r.Offset < 0
                        ? Expression.GreaterThanOrEqual(i, Expression.Constant(-r.Offset))
                        : Expression.LessThan(shifted, Expression.ArrayLength(x)), At(r.Offset), fallback),
                    GGuard.BothSides => Expression.Condition(InRange(x, i, r.Offset), At(r.Offset), fallback),
                    _ => Expression.Condition(Expression.Not(InRange(x, i, r.Offset)), fallback, At(r.Offset)),
                };
            }
            case GDataGuard g:
                return Expression.Condition(Expression.AndAlso(InRange(x, i, g.Offset), Expression.GreaterThan(At(g.Offset), Expression.Constant(0.0))),
                    Build(g.Then, x, i, v), Build(g.Else, x, i, v));
            case GUn u:
            {
                var a = Build(u.A, x, i, v);
                return u.Op switch
                {
                    GUnary.Sin => Expression.Call(Sin, a),
                    GUnary.ExpTanh => Expression.Call(Exp, Expression.Call(Tanh, a)),
                    GUnary.Square => Expression.Multiply(a, a),
                    _ => Expression.Negate(a),
                };
            }
            case GBin b:
            {
                var l = Build(b.A, x, i, v);
                var r = Build(b.B, x, i, v);
                return b.Op switch
                {
                    GBinary.Add => Expression.Add(l, r),
                    GBinary.Sub => Expression.Subtract(l, r),
                    _ => Expression.Multiply(l, r),
                };
            }
            default: throw new ArgumentException(n.GetType().Name);
        }
    }

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Print(GForm form, GNode body) => form switch
    {
        GForm.RangeSum => $"Enumerable.Range(0, x.Length).Sum(i => {Print(body)})",
        GForm.SelectSum => $"x.Select((v, i) => {Print(body)}).Sum()",
        _ => $"Enumerable.Range(0, x.Length).Aggregate(0.25, (acc, i) => 0.5 * acc + {Print(body)})",
    };

    private static string Range_(int d) => $"i + {d} >= 0 && i + {d} < x.Length";

    private static string Print(GNode n) => n switch
    {
        GConst c => Num(c.Value),
        GItem => "x[i]",
        GRead { Guard: GGuard.OneSided } r => r.Offset < 0 ? $"(i >= {-r.Offset} ? x[i + {r.Offset}] : {Num(r.Fallback)})" : $"(i + {r.Offset} < x.Length ? x[i + {r.Offset}] : {Num(r.Fallback)})",
        GRead { Guard: GGuard.BothSides } r => $"({Range_(r.Offset)} ? x[i + {r.Offset}] : {Num(r.Fallback)})",
        GRead r => $"(!({Range_(r.Offset)}) ? {Num(r.Fallback)} : x[i + {r.Offset}])",
        GDataGuard g => $"({Range_(g.Offset)} && x[i + {g.Offset}] > 0 ? {Print(g.Then)} : {Print(g.Else)})",
        GUn { Op: GUnary.Square } u => $"({Print(u.A)} * {Print(u.A)})",
        GUn { Op: GUnary.Neg } u => $"-({Print(u.A)})",
        GUn { Op: GUnary.Sin } u => $"Math.Sin({Print(u.A)})",
        GUn u => $"Math.Exp(Math.Tanh({Print(u.A)}))",
        GBin b => $"({Print(b.A)} {(b.Op == GBinary.Add ? "+" : b.Op == GBinary.Sub ? "-" : "*")} {Print(b.B)})",
        _ => n.GetType().Name,
    };
}

/// <summary>A guarded program, a point of length 1–8 and a direction.</summary>
public sealed record GuardedCase(GuardedProgram F, double[] X, double[] V)
{
    public override string ToString() =>
        $"f = {F}\nx = new[] {{ {string.Join(", ", X.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))} }}";
}

public static class GuardedLoopGenerator
{
    private static readonly int[] Offsets = [-3, -2, -1, 1, 2, 3];

    private static Gen<GNode> Node(int size)
    {
        var leaf = Gen.OneOf(
            Gen.Elements(0.5, -1.25, 2.0).Select(c => (GNode)new GConst(c)),
            Gen.Constant((GNode)new GItem()),
            from d in Gen.Elements(Offsets)
            from f in Gen.Elements(0.0, 1.0, -0.5)
            from g in Gen.Elements(GGuard.OneSided, GGuard.BothSides, GGuard.Negated)
            select (GNode)new GRead(d, f, g));
        if (size <= 1) return leaf;
        var smaller = Node(size / 2);
        return Gen.OneOf(
            leaf,
            leaf,
            from op in Gen.Elements(GUnary.Sin, GUnary.ExpTanh, GUnary.Square, GUnary.Neg)
            from a in smaller
            select (GNode)new GUn(op, a),
            from op in Gen.Elements(GBinary.Add, GBinary.Sub, GBinary.Mul)
            from a in smaller
            from b in smaller
            select (GNode)new GBin(op, a, b),
            from d in Gen.Elements(-2, -1, 0, 1, 2)
            from t in smaller
            from e in smaller
            select (GNode)new GDataGuard(d, t, e));
    }

    private static Gen<GuardedProgram> Program =>
        from count in Gen.Choose(1, 2)
        from terms in (from form in Gen.Elements(GForm.RangeSum, GForm.SelectSum, GForm.Aggregate)
                       from body in Gen.Sized(s => Node(Math.Min(s, 12) + 2))
                       select (form, body)).ArrayOf(count)
        select new GuardedProgram(terms);

    private static Gen<double[]> Vector(int n) => Gen.Choose(-1000, 1000).Select(k => k / 700.0).ArrayOf(n);

    public static Arbitrary<GuardedCase> Cases => Arb.From(
        from f in Program
        from n in Gen.Choose(1, 8)
        from x in Vector(n)
        from v in Vector(n)
        select new GuardedCase(f, x, v));
}
