using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using FsCheck;
using FsCheck.Fluent;

namespace ExprDiff.Tests.Loops;

// ------------------------------------------------------------------------------------------
// Syntax of generated loop programs
// ------------------------------------------------------------------------------------------

/// <summary>A scalar expression inside (or outside) a reduction body.</summary>
public abstract record LNode
{
    public sealed override string ToString() => LoopText.Print(this, LoopScope.Outer);
}

public sealed record LConst(double Value) : LNode;

/// <summary><c>x[Index]</c> with a constant index (0 or 1: every generated array has n ≥ 2).</summary>
public sealed record LOuter(int Index) : LNode;

/// <summary><c>x[i + Offset]</c> for the loop variable i (<c>v</c> in an indexed Select when Offset is 0).</summary>
public sealed record LItem(int Offset) : LNode;

/// <summary><c>(double)i</c>.</summary>
public sealed record LIndex : LNode;

/// <summary><c>x[j]</c>, the item of a nested reduction.</summary>
public sealed record LInner : LNode;

public enum LUnary { Sin, Cos, ExpTanh, LogOnePlusSquare, SqrtSquarePlus, Square, Atan, Neg }

public sealed record LUn(LUnary Op, LNode A) : LNode;

public enum LBinary { Add, Sub, Mul }

public sealed record LBin(LBinary Op, LNode A, LNode B) : LNode;

/// <summary><c>Left &gt; Right ? IfTrue : IfFalse</c>.</summary>
public sealed record LCond(LNode Left, LNode Right, LNode IfTrue, LNode IfFalse) : LNode;

/// <summary><c>Enumerable.Range(i + 1, x.Length - i - 1).Sum(j =&gt; Body)</c>.</summary>
public sealed record LNested(LNode Body) : LNode;

/// <summary>One term of a program.</summary>
public abstract record LTerm
{
    public sealed override string ToString() => LoopText.Print(this);
}

/// <summary>A straight-line expression over x[0], x[1].</summary>
public sealed record StraightTerm(LNode E) : LTerm;

/// <summary><c>Enumerable.Range(0, x.Length - K).Sum(i =&gt; Body)</c>; Body reads x[i + j] for j ≤ K.</summary>
public sealed record RangeSumTerm(int K, LNode Body) : LTerm;

/// <summary><c>x.Select((v, i) =&gt; Body).Sum()</c>.</summary>
public sealed record SelectSumTerm(LNode Body) : LTerm;

/// <summary><c>Enumerable.Range(0, x.Length - K).Average(i =&gt; Body)</c>, K ≤ 1 so the range is never empty.</summary>
public sealed record RangeAverageTerm(int K, LNode Body) : LTerm;

/// <summary><c>Enumerable.Range(0, x.Length - K).Aggregate(0.25, (acc, i) =&gt; 0.5 * acc + Body)</c>, or with
/// <c>0.5 * Math.Sin(acc)</c> when <see cref="Sine"/>: a loop carrying state.</summary>
public sealed record AggregateTerm(int K, bool Sine, LNode Body) : LTerm;

/// <summary><c>Enumerable.Range(0, x.Length - K).Select(i =&gt; Body).ToArray().Select(w =&gt; w * w).Sum()</c>: an
/// intermediate array of computed length.</summary>
public sealed record TabulateTerm(int K, LNode Body) : LTerm;

/// <summary>A scalar loop program: the sum of its terms.</summary>
public sealed record LoopProgram(LTerm[] Terms)
{
    public override string ToString() => "x => " + string.Join(" + ", Terms.Select(t => t.ToString()));

    public Expression<Func<double[], double>> ToLambda()
    {
        var x = Expression.Parameter(typeof(double[]), "x");
        return Expression.Lambda<Func<double[], double>>(LoopExpressions.Body(this, x), x);
    }
}

/// <summary><c>x =&gt; new[] { A, B }</c>.</summary>
public sealed record VectorLoopProgram(LoopProgram A, LoopProgram B)
{
    public override string ToString() =>
        "x => new[] { " + A.ToString()["x => ".Length..] + ", " + B.ToString()["x => ".Length..] + " }";

    public Expression<Func<double[], double[]>> ToLambda()
    {
        var x = Expression.Parameter(typeof(double[]), "x");
        return Expression.Lambda<Func<double[], double[]>>(
            Expression.NewArrayInit(typeof(double), LoopExpressions.Body(A, x), LoopExpressions.Body(B, x)), x);
    }
}

/// <summary>Where a node sits: what its leaves may read.</summary>
public enum LoopScopeKind { Outer, RangeBody, SelectBody, NestedBody }

/// <summary>The scope of a node: its kind and, in a range body, the largest offset j of x[i + j].</summary>
public readonly record struct LoopScope(LoopScopeKind Kind, int MaxOffset)
{
    public static LoopScope Outer => new(LoopScopeKind.Outer, -1);
}

// ------------------------------------------------------------------------------------------
// Text and LINQ expressions
// ------------------------------------------------------------------------------------------

public static class LoopText
{
    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture) + (v == Math.Round(v) ? ".0" : "");

    public static string Print(LTerm t) => t switch
    {
        StraightTerm s => Print(s.E, LoopScope.Outer),
        RangeSumTerm r => $"Enumerable.Range(0, x.Length - {r.K}).Sum(i => {Print(r.Body, new(LoopScopeKind.RangeBody, r.K))})",
        SelectSumTerm s => $"x.Select((v, i) => {Print(s.Body, new(LoopScopeKind.SelectBody, 0))}).Sum()",
        RangeAverageTerm a => $"Enumerable.Range(0, x.Length - {a.K}).Average(i => {Print(a.Body, new(LoopScopeKind.RangeBody, a.K))})",
        AggregateTerm g => $"Enumerable.Range(0, x.Length - {g.K}).Aggregate(0.25, (acc, i) => {(g.Sine ? "0.5 * Math.Sin(acc)" : "0.5 * acc")} + {Print(g.Body, new(LoopScopeKind.RangeBody, g.K))})",
        TabulateTerm b => $"Enumerable.Range(0, x.Length - {b.K}).Select(i => {Print(b.Body, new(LoopScopeKind.RangeBody, b.K))}).ToArray().Select(w => w * w).Sum()",
        _ => throw new ArgumentException(t.GetType().Name),
    };

    public static string Print(LNode n, LoopScope scope) => n switch
    {
        LConst c => c.Value < 0 ? "(" + Num(c.Value) + ")" : Num(c.Value),
        LOuter o => $"x[{o.Index}]",
        LItem { Offset: 0 } when scope.Kind == LoopScopeKind.SelectBody => "v",
        LItem { Offset: 0 } => "x[i]",
        LItem it => $"x[i + {it.Offset}]",
        LIndex => "(double)i",
        LInner => "x[j]",
        LUn u => u.Op switch
        {
            LUnary.Sin => $"Math.Sin({Print(u.A, scope)})",
            LUnary.Cos => $"Math.Cos({Print(u.A, scope)})",
            LUnary.ExpTanh => $"Math.Exp(Math.Tanh({Print(u.A, scope)}))",
            LUnary.LogOnePlusSquare => $"Math.Log(1 + {Paren(u.A, scope)} * {Paren(u.A, scope)})",
            LUnary.SqrtSquarePlus => $"Math.Sqrt({Paren(u.A, scope)} * {Paren(u.A, scope)} + 0.1)",
            LUnary.Square => $"Math.Pow({Print(u.A, scope)}, 2)",
            LUnary.Atan => $"Math.Atan({Print(u.A, scope)})",
            LUnary.Neg => $"-{Paren(u.A, scope)}",
            _ => throw new ArgumentException(u.Op.ToString()),
        },
        LBin b => $"({Print(b.A, scope)} {b.Op switch { LBinary.Add => "+", LBinary.Sub => "-", _ => "*" }} {Print(b.B, scope)})",
        LCond c => $"({Print(c.Left, scope)} > {Print(c.Right, scope)} ? {Print(c.IfTrue, scope)} : {Print(c.IfFalse, scope)})",
        LNested nb => $"Enumerable.Range(i + 1, x.Length - i - 1).Sum(j => {Print(nb.Body, new(LoopScopeKind.NestedBody, 0))})",
        _ => throw new ArgumentException(n.GetType().Name),
    };

    private static string Paren(LNode n, LoopScope scope) => n is LBin or LCond ? Print(n, scope) : n is LConst or LOuter or LItem or LIndex or LInner ? Print(n, scope) : "(" + Print(n, scope) + ")";

    public static string Array(double[] x) =>
        "new[] { " + string.Join(", ", x.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + " }";
}

/// <summary>Builds the LINQ expressions exactly as the C# compiler would for the printed text.</summary>
public static class LoopExpressions
{
    private static readonly MethodInfo Range = typeof(Enumerable).GetMethod(nameof(Enumerable.Range))!;

    private static readonly MethodInfo SumIntSelector =
        ((MethodCallExpression)((Expression<Func<IEnumerable<int>, double>>)(s => s.Sum(i => 0.0))).Body).Method;

    private static readonly MethodInfo AverageIntSelector =
        ((MethodCallExpression)((Expression<Func<IEnumerable<int>, double>>)(s => s.Average(i => 0.0))).Body).Method;

    private static readonly MethodInfo SelectIndexed =
        ((MethodCallExpression)((Expression<Func<double[], IEnumerable<double>>>)(x => x.Select((v, i) => 0.0))).Body).Method;

    private static readonly MethodInfo SumDoubles =
        ((MethodCallExpression)((Expression<Func<IEnumerable<double>, double>>)(s => s.Sum())).Body).Method;

    private static readonly MethodInfo AggregateMethod = typeof(Enumerable).GetMethods()
        .First(m => m.Name == nameof(Enumerable.Aggregate) && m.GetParameters().Length == 3).MakeGenericMethod(typeof(int), typeof(double));

    private static readonly MethodInfo SelectInt = typeof(Enumerable).GetMethods()
        .First(m => m.Name == nameof(Enumerable.Select) && m.GetParameters()[1].ParameterType.GetGenericArguments().Length == 2).MakeGenericMethod(typeof(int), typeof(double));

    private static readonly MethodInfo SelectDouble = typeof(Enumerable).GetMethods()
        .First(m => m.Name == nameof(Enumerable.Select) && m.GetParameters()[1].ParameterType.GetGenericArguments().Length == 2).MakeGenericMethod(typeof(double), typeof(double));

    private static readonly MethodInfo ToArrayMethod = typeof(Enumerable).GetMethod(nameof(Enumerable.ToArray))!.MakeGenericMethod(typeof(double));

    private static MethodInfo MathMethod(string name, int arity) =>
        typeof(Math).GetMethod(name, Enumerable.Repeat(typeof(double), arity).ToArray())!;

    private sealed record Env(ParameterExpression X, ParameterExpression? I, ParameterExpression? V, ParameterExpression? J);

    public static Expression Body(LoopProgram p, ParameterExpression x)
    {
        var env = new Env(x, null, null, null);
        return p.Terms.Select(t => Term(t, env)).Aggregate(Expression.Add);
    }

    private static Expression Term(LTerm t, Env env)
    {
        var x = env.X;
        switch (t)
        {
            case StraightTerm s:
                return Node(s.E, env);
            case RangeSumTerm or RangeAverageTerm:
            {
                (int k, LNode body) = t is RangeSumTerm r ? (r.K, r.Body) : (((RangeAverageTerm)t).K, ((RangeAverageTerm)t).Body);
                var i = Expression.Parameter(typeof(int), "i");
                Expression count = k == 0 ? Expression.ArrayLength(x) : Expression.Subtract(Expression.ArrayLength(x), Expression.Constant(k));
                var range = Expression.Call(Range, Expression.Constant(0), count);
                var lambda = Expression.Lambda<Func<int, double>>(Node(body, env with { I = i }), i);
                return Expression.Call(t is RangeSumTerm ? SumIntSelector : AverageIntSelector, range, lambda);
            }
            case AggregateTerm g:
            {
                var i = Expression.Parameter(typeof(int), "i");
                var acc = Expression.Parameter(typeof(double), "acc");
                Expression count = g.K == 0 ? Expression.ArrayLength(x) : Expression.Subtract(Expression.ArrayLength(x), Expression.Constant(g.K));
                var range = Expression.Call(Range, Expression.Constant(0), count);
                Expression carried = g.Sine ? Expression.Call(MathMethod("Sin", 1), acc) : acc;
                var lambda = Expression.Lambda<Func<double, int, double>>(
                    Expression.Add(Expression.Multiply(Expression.Constant(0.5), carried), Node(g.Body, env with { I = i })), acc, i);
                return Expression.Call(AggregateMethod, range, Expression.Constant(0.25), lambda);
            }
            case TabulateTerm b:
            {
                var i = Expression.Parameter(typeof(int), "i");
                var w = Expression.Parameter(typeof(double), "w");
                Expression count = b.K == 0 ? Expression.ArrayLength(x) : Expression.Subtract(Expression.ArrayLength(x), Expression.Constant(b.K));
                var range = Expression.Call(Range, Expression.Constant(0), count);
                var mapped = Expression.Call(SelectInt, range, Expression.Lambda<Func<int, double>>(Node(b.Body, env with { I = i }), i));
                var array = Expression.Call(ToArrayMethod, mapped);
                var squares = Expression.Call(SelectDouble, array, Expression.Lambda<Func<double, double>>(Expression.Multiply(w, w), w));
                return Expression.Call(SumDoubles, squares);
            }
            case SelectSumTerm s:
            {
                var v = Expression.Parameter(typeof(double), "v");
                var i = Expression.Parameter(typeof(int), "i");
                var lambda = Expression.Lambda<Func<double, int, double>>(Node(s.Body, env with { I = i, V = v }), v, i);
                return Expression.Call(SumDoubles, Expression.Call(SelectIndexed, x, lambda));
            }
            default:
                throw new ArgumentException(t.GetType().Name);
        }
    }

    private static Expression Item(Env env, Expression index) => Expression.ArrayIndex(env.X, index);

    private static Expression Node(LNode n, Env env)
    {
        switch (n)
        {
            case LConst c: return Expression.Constant(c.Value);
            case LOuter o: return Item(env, Expression.Constant(o.Index));
            case LItem { Offset: 0 } when env.V is not null && env.J is null: return env.V;
            case LItem it:
                return Item(env, it.Offset == 0 ? env.I! : Expression.Add(env.I!, Expression.Constant(it.Offset)));
            case LIndex: return Expression.Convert(env.I!, typeof(double));
            case LInner: return Item(env, env.J!);
            case LUn u:
            {
                var a = Node(u.A, env);
                Expression Square() { var b = Node(u.A, env); return Expression.Multiply(a, b); }
                return u.Op switch
                {
                    LUnary.Sin => Expression.Call(MathMethod("Sin", 1), a),
                    LUnary.Cos => Expression.Call(MathMethod("Cos", 1), a),
                    LUnary.ExpTanh => Expression.Call(MathMethod("Exp", 1), Expression.Call(MathMethod("Tanh", 1), a)),
                    LUnary.LogOnePlusSquare => Expression.Call(MathMethod("Log", 1), Expression.Add(Expression.Constant(1.0), Square())),
                    LUnary.SqrtSquarePlus => Expression.Call(MathMethod("Sqrt", 1), Expression.Add(Square(), Expression.Constant(0.1))),
                    LUnary.Square => Expression.Call(MathMethod("Pow", 2), a, Expression.Constant(2.0)),
                    LUnary.Atan => Expression.Call(MathMethod("Atan", 1), a),
                    LUnary.Neg => Expression.Negate(a),
                    _ => throw new ArgumentException(u.Op.ToString()),
                };
            }
            case LBin b:
            {
                var l = Node(b.A, env);
                var r = Node(b.B, env);
                return b.Op switch
                {
                    LBinary.Add => Expression.Add(l, r),
                    LBinary.Sub => Expression.Subtract(l, r),
                    _ => Expression.Multiply(l, r),
                };
            }
            case LCond c:
                return Expression.Condition(Expression.GreaterThan(Node(c.Left, env), Node(c.Right, env)),
                    Node(c.IfTrue, env), Node(c.IfFalse, env));
            case LNested nb:
            {
                // Enumerable.Range(i + 1, x.Length - i - 1).Sum(j => body): x[i] inside is the outer item.
                var i = env.I!;
                var j = Expression.Parameter(typeof(int), "j");
                var start = Expression.Add(i, Expression.Constant(1));
                var count = Expression.Subtract(Expression.Subtract(Expression.ArrayLength(env.X), i), Expression.Constant(1));
                var lambda = Expression.Lambda<Func<int, double>>(Node(nb.Body, env with { J = j }), j);
                return Expression.Call(SumIntSelector, Expression.Call(Range, start, count), lambda);
            }
            default:
                throw new ArgumentException(n.GetType().Name);
        }
    }
}

// ------------------------------------------------------------------------------------------
// Generators and shrinking
// ------------------------------------------------------------------------------------------

/// <summary>A loop program and a point x of length n in [2, 12], with direction vectors.</summary>
public sealed record LoopCase(LoopProgram F, double[] X, double[] V)
{
    public override string ToString() =>
        $"f = {F}{Environment.NewLine}x = {LoopText.Array(X)}{Environment.NewLine}v = {LoopText.Array(V)}";
}

public sealed record VectorLoopCase(VectorLoopProgram F, double[] X, double[] V, double[] U)
{
    public override string ToString() =>
        $"f = {F}{Environment.NewLine}x = {LoopText.Array(X)}{Environment.NewLine}v = {LoopText.Array(V)}{Environment.NewLine}u = {LoopText.Array(U)}";
}

public static class LoopProgramGenerator
{
    public const int MaxBodyDepth = 4;
    public const int MinLength = 2, MaxLength = 12;

    private static Gen<T> Lazy<T>(Func<Gen<T>> make) => Gen.Constant(0).SelectMany(_ => make());

    private static Gen<LNode> Leaf(LoopScope scope)
    {
        var gens = new List<(int, Gen<LNode>)>
        {
            (2, Gen.Elements(-1.0, -0.5, 0.5, 1.0, 2.0, 3.0).Select(v => (LNode)new LConst(v))),
            (1, Gen.Choose(-200, 200).Select(i => (LNode)new LConst(i / 100.0))),
            (scope.Kind == LoopScopeKind.Outer ? 6 : 2, Gen.Choose(0, 1).Select(i => (LNode)new LOuter(i))),
        };
        switch (scope.Kind)
        {
            case LoopScopeKind.RangeBody:
                gens.Add((6, Gen.Choose(0, scope.MaxOffset).Select(j => (LNode)new LItem(j))));
                gens.Add((1, Gen.Constant((LNode)new LIndex())));
                break;
            case LoopScopeKind.SelectBody:
                gens.Add((6, Gen.Constant((LNode)new LItem(0))));
                gens.Add((1, Gen.Constant((LNode)new LIndex())));
                break;
            case LoopScopeKind.NestedBody:
                gens.Add((4, Gen.Constant((LNode)new LItem(0))));
                gens.Add((5, Gen.Constant((LNode)new LInner())));
                break;
        }
        return Gen.Frequency(gens.ToArray());
    }

    /// <summary>A body of depth at most <paramref name="depth"/> in <paramref name="scope"/>.</summary>
    /// <remarks>No nested reduction inside a branch of a conditional (<paramref name="inBranch"/>): reverse mode
    /// rejects a loop inside a conditional branch by design ("cannot differentiate a loop inside a conditional
    /// branch in reverse mode yet"). Nested reductions may still appear in a condition's comparison.</remarks>
    public static Gen<LNode> Node(int depth, LoopScope scope, bool inBranch = false)
    {
        var leaf = Leaf(scope);
        if (depth <= 1) return leaf;
        Gen<LNode> Child(bool branch = false) => Gen.Choose(0, 3).SelectMany(c =>
            c > 0 ? Node(depth - 1, scope, inBranch || branch) : Gen.Choose(1, depth - 1).SelectMany(d => Node(d, scope, inBranch || branch)));
        var gens = new List<(int, Gen<LNode>)>
        {
            (4, leaf),
            (8, Lazy(() => Gen.Elements(Enum.GetValues<LUnary>()).SelectMany(op => Child().Select(a => (LNode)new LUn(op, a))))),
            (6, Lazy(() => Gen.Elements(Enum.GetValues<LBinary>()).SelectMany(op => Child().SelectMany(a => Child().Select(b => (LNode)new LBin(op, a, b)))))),
            (2, Lazy(() => Child().SelectMany(l => Gen.Frequency((2, Child()), (1, Gen.Choose(-10, 10).Select(c => (LNode)new LConst(c / 10.0))))
                .SelectMany(r => Child(branch: true).SelectMany(t => Child(branch: true).Select(f => (LNode)new LCond(l, r, t, f))))))),
        };
        if (!inBranch && scope.Kind is LoopScopeKind.RangeBody or LoopScopeKind.SelectBody)
            gens.Add((1, Lazy(() => Node(Math.Max(1, depth - 1), new LoopScope(LoopScopeKind.NestedBody, 0)).Select(b => (LNode)new LNested(b)))));
        return Gen.Frequency(gens.ToArray());
    }

    public static Gen<LTerm> Term =>
        Gen.Frequency(
            (2, Node(MaxBodyDepth, LoopScope.Outer).Select(e => (LTerm)new StraightTerm(e))),
            (4, Gen.Choose(0, 2).SelectMany(k => Node(MaxBodyDepth, new(LoopScopeKind.RangeBody, k)).Select(b => (LTerm)new RangeSumTerm(k, b)))),
            (3, Node(MaxBodyDepth, new(LoopScopeKind.SelectBody, 0)).Select(b => (LTerm)new SelectSumTerm(b))),
            (2, Gen.Choose(0, 1).SelectMany(k => Node(MaxBodyDepth, new(LoopScopeKind.RangeBody, k)).Select(b => (LTerm)new RangeAverageTerm(k, b)))),
            (2, Gen.Choose(0, 2).SelectMany(k => Gen.Elements(false, true).SelectMany(sine =>
                Node(MaxBodyDepth, new(LoopScopeKind.RangeBody, k)).Select(b => (LTerm)new AggregateTerm(k, sine, b))))),
            (2, Gen.Choose(0, 2).SelectMany(k => Node(MaxBodyDepth, new(LoopScopeKind.RangeBody, k)).Select(b => (LTerm)new TabulateTerm(k, b)))));

    /// <summary>Programs of 1–3 terms, at least one of them a reduction (almost always).</summary>
    public static Gen<LoopProgram> Program =>
        Gen.Choose(1, 3).SelectMany(m => Gen.CollectToArray(Enumerable.Range(0, m).Select(_ => Term)))
            .Select(terms => new LoopProgram(terms));

    public static Gen<VectorLoopProgram> VectorProgram =>
        Program.SelectMany(a => Program.Select(b => new VectorLoopProgram(a, b)));

    /// <summary>A coordinate of [−1.5, 1.5] on a grid of 1e−6.</summary>
    public static Gen<double> Coordinate => Gen.Choose(-1_500_000, 1_500_000).Select(i => i / 1e6);

    public static Gen<double[]> VectorOfLength(int n) => Gen.CollectToArray(Enumerable.Range(0, n).Select(_ => Coordinate));

    public static Gen<double[]> Point => Gen.Choose(MinLength, MaxLength).SelectMany(VectorOfLength);

    public static Arbitrary<LoopCase> Scalar { get; } = Arb.From(
        from f in Program
        from x in Point
        from v in VectorOfLength(x.Length)
        select new LoopCase(f, x, v),
        Shrink);

    public static Arbitrary<VectorLoopCase> Vector { get; } = Arb.From(
        from f in VectorProgram
        from x in Point
        from v in VectorOfLength(x.Length)
        from u in VectorOfLength(2)
        select new VectorLoopCase(f, x, v, u),
        Shrink);

    // ---------------------------------- shrinking ----------------------------------

    public static IEnumerable<LNode> Shrink(LNode n)
    {
        switch (n)
        {
            case LConst c:
                if (c.Value != 0) yield return new LConst(0);
                if (c.Value != Math.Round(c.Value)) yield return new LConst(Math.Round(c.Value));
                break;
            case LOuter { Index: 1 }:
                yield return new LOuter(0);
                break;
            case LItem { Offset: > 0 } it:
                yield return new LItem(it.Offset - 1);
                break;
            case LUn u:
                yield return u.A;
                foreach (var s in Shrink(u.A)) yield return u with { A = s };
                break;
            case LBin b:
                yield return b.A;
                yield return b.B;
                if (b.Op != LBinary.Add) yield return b with { Op = LBinary.Add };
                foreach (var s in Shrink(b.A)) yield return b with { A = s };
                foreach (var s in Shrink(b.B)) yield return b with { B = s };
                break;
            case LCond c:
                yield return c.IfTrue;
                yield return c.IfFalse;
                foreach (var s in Shrink(c.Left)) yield return c with { Left = s };
                foreach (var s in Shrink(c.Right)) yield return c with { Right = s };
                foreach (var s in Shrink(c.IfTrue)) yield return c with { IfTrue = s };
                foreach (var s in Shrink(c.IfFalse)) yield return c with { IfFalse = s };
                break;
            case LNested nb:
                // The nested body may read x[j]; replacing the nest by it is only valid without x[j].
                yield return new LConst(1);
                foreach (var s in Shrink(nb.Body)) yield return nb with { Body = s };
                break;
        }
    }

    private static bool UsesOffsetAbove(LNode n, int k) => n switch
    {
        LItem it => it.Offset > k,
        LUn u => UsesOffsetAbove(u.A, k),
        LBin b => UsesOffsetAbove(b.A, k) || UsesOffsetAbove(b.B, k),
        LCond c => UsesOffsetAbove(c.Left, k) || UsesOffsetAbove(c.Right, k) || UsesOffsetAbove(c.IfTrue, k) || UsesOffsetAbove(c.IfFalse, k),
        _ => false,
    };

    public static IEnumerable<LTerm> Shrink(LTerm t)
    {
        switch (t)
        {
            case StraightTerm s:
                foreach (var e in Shrink(s.E)) yield return new StraightTerm(e);
                break;
            case RangeSumTerm r:
                if (r.K > 0 && !UsesOffsetAbove(r.Body, r.K - 1)) yield return r with { K = r.K - 1 };
                foreach (var b in Shrink(r.Body)) yield return r with { Body = b };
                break;
            case SelectSumTerm s:
                foreach (var b in Shrink(s.Body)) yield return s with { Body = b };
                break;
            case AggregateTerm g:
                yield return new RangeSumTerm(g.K, g.Body);
                foreach (var b in Shrink(g.Body)) yield return g with { Body = b };
                break;
            case TabulateTerm b:
                yield return new RangeSumTerm(b.K, b.Body);
                foreach (var body in Shrink(b.Body)) yield return b with { Body = body };
                break;
            case RangeAverageTerm a:
                if (!UsesOffsetAbove(a.Body, 0)) yield return new RangeSumTerm(a.K, a.Body);
                if (a.K > 0 && !UsesOffsetAbove(a.Body, a.K - 1)) yield return a with { K = a.K - 1 };
                foreach (var b in Shrink(a.Body)) yield return a with { Body = b };
                break;
        }
    }

    public static IEnumerable<LoopProgram> Shrink(LoopProgram p)
    {
        if (p.Terms.Length > 1)
            for (int i = 0; i < p.Terms.Length; i++)
                yield return new LoopProgram(p.Terms.Where((_, j) => j != i).ToArray());
        for (int i = 0; i < p.Terms.Length; i++)
            foreach (var s in Shrink(p.Terms[i]))
            {
                var terms = (LTerm[])p.Terms.Clone();
                terms[i] = s;
                yield return new LoopProgram(terms);
            }
    }

    /// <summary>Shorter arrays (n never below 2), then coordinates rounded to fewer digits.</summary>
    public static IEnumerable<double[]> ShrinkPoint(double[] x)
    {
        if (x.Length > MinLength) yield return x[..^1];
        for (int i = 0; i < x.Length; i++)
            foreach (int digits in new[] { 0, 1, 2 })
            {
                double r = Math.Round(x[i], digits);
                if (r == x[i]) break;
                var y = (double[])x.Clone();
                y[i] = r;
                yield return y;
            }
    }

    public static IEnumerable<LoopCase> Shrink(LoopCase c) =>
        Shrink(c.F).Select(f => c with { F = f })
            .Concat(ShrinkPoint(c.X).Select(x => c with { X = x, V = Fit(c.V, x.Length) }));

    public static IEnumerable<VectorLoopCase> Shrink(VectorLoopCase c) =>
        Shrink(c.F.A).Select(a => c with { F = c.F with { A = a } })
            .Concat(Shrink(c.F.B).Select(b => c with { F = c.F with { B = b } }))
            .Concat(ShrinkPoint(c.X).Select(x => c with { X = x, V = Fit(c.V, x.Length) }));

    private static double[] Fit(double[] v, int n) => v.Length >= n ? v[..n] : [.. v, .. new double[n - v.Length]];
}
