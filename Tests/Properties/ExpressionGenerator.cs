using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Text;
using ExprDiff.Rules;
using FsCheck;
using FsCheck.Fluent;

namespace ExprDiff.Tests.Properties;

/// <summary>The operations a generated tree can contain: one per entry of <see cref="Primitives.Functions"/>.</summary>
public enum Op
{
    Add, Sub, Mul, Div, Rem, Neg, Fma,
    Sin, Cos, Tan, Asin, Acos, Atan, Sinh, Cosh, Tanh, Asinh, Acosh, Atanh,
    Exp, Log, Log10, Log2, Sqrt, Cbrt, Abs, Floor, Ceiling, Round, Truncate, Sign,
    /// <summary><c>Math.Pow(a, k)</c> with a constant integer k in −3..4 (imports as the integer power).</summary>
    PowInt,
    /// <summary><c>Math.Pow(a, b)</c> with a non-constant exponent.</summary>
    Pow,
    Atan2,
    /// <summary><c>Math.Log(a, newBase)</c>.</summary>
    LogBase,
    Max, Min,
    /// <summary><c>Math.Clamp(a, lo, hi)</c> with constants lo &lt; hi.</summary>
    Clamp,
    /// <summary><c>(double)(float)a</c>.</summary>
    ToFloat,
    /// <summary><c>Diff.StopGradient(a)</c>.</summary>
    StopGradient,
}

/// <summary>A generated double-valued expression over <c>x[0..3]</c>.</summary>
/// <remarks>
/// Generated trees are "shaped": an <see cref="App"/> names the primitive that is exercised and a
/// <see cref="App.Variant"/> of a domain-safe shape around its arguments (for example
/// <c>Math.Log(1 + a*a)</c>); <see cref="Gen.Expand"/> turns them into "raw" trees whose every
/// <see cref="App"/> is one plain C# operation or call. Raw trees are what become LINQ expressions and C# text.
/// </remarks>
public abstract record Tree
{
    public sealed override string ToString() => TreeText.Print(this);
}

public sealed record Var(int Index) : Tree;

public sealed record Const(double Value) : Tree;

/// <summary>An operation. For <see cref="Op.Clamp"/> the arguments are (a, Const lo, Const hi); for
/// <see cref="Op.PowInt"/> (a, Const k).</summary>
/// <remarks><see cref="Variant"/> is <see cref="ExpressionGenerator.Raw"/> in raw trees.</remarks>
public sealed record App(Op Op, Tree[] Args, int Variant = 0) : Tree;

/// <summary><c>test ? ifTrue : ifFalse</c>.</summary>
public sealed record Cond(BoolTree Test, Tree IfTrue, Tree IfFalse) : Tree;

/// <summary>
/// <c>a &gt; c ? g(a) : otherwise</c> where g is outside its domain (NaN or ∞) whenever the branch is not taken,
/// such as <c>a &gt; 0.25 ? Math.Log(a - 0.25) : b</c>: the untaken branch must never reach the derivative.
/// </summary>
public sealed record Guarded(GuardKind Kind, Tree A, Tree Otherwise) : Tree;

/// <summary>The domain-limited function of a <see cref="Guarded"/> branch.</summary>
public enum GuardKind { Log, Sqrt, Asin, Acosh, Reciprocal, Power, Log2 }

/// <summary>A generated boolean condition.</summary>
public abstract record BoolTree
{
    public sealed override string ToString() => TreeText.Print(this);
}

/// <summary>A comparison: LessThan, LessThanOrEqual, GreaterThan, GreaterThanOrEqual, Equal or NotEqual.</summary>
public sealed record Cmp(ExpressionType Type, Tree Left, Tree Right) : BoolTree;

public sealed record AndAlso(BoolTree Left, BoolTree Right) : BoolTree;

public sealed record OrElse(BoolTree Left, BoolTree Right) : BoolTree;

public sealed record Not(BoolTree Operand) : BoolTree;

/// <summary>A vector function: one tree per output.</summary>
public sealed record VectorTree(Tree[] Outputs)
{
    public override string ToString() => "new[] { " + string.Join(", ", Outputs.Select(o => o.ToString())) + " }";
}

/// <summary>How a raw tree is turned into a LINQ expression.</summary>
public enum Lowering
{
    /// <summary>Exactly as written.</summary>
    Exact,

    /// <summary>The smooth function whose derivative ExprDiff defines: <c>(double)(float)a</c> becomes <c>a</c>
    /// (the rounding passes the gradient through) and <c>Diff.StopGradient(a)</c> evaluates <c>a</c> at the
    /// frozen point (the second parameter), so finite differences see a constant there.</summary>
    FiniteDifferenceReference,
}

/// <summary>Random well-typed expression trees over every differentiable primitive, with usage counts.</summary>
public static class ExpressionGenerator
{
    public const int Inputs = 4;
    public const int MaxDepth = 8;

    /// <summary>The <see cref="App.Variant"/> of a raw operation (already in its safe shape).</summary>
    public const int Raw = -1;

    /// <summary>Every op, with the registry primitive it exercises.</summary>
    internal static readonly IReadOnlyDictionary<Op, Primitive> PrimitiveOf = new Dictionary<Op, Primitive>
    {
        [Op.Add] = Primitives.Add, [Op.Sub] = Primitives.Sub, [Op.Mul] = Primitives.Mul, [Op.Div] = Primitives.Div,
        [Op.Rem] = Primitives.Rem, [Op.Neg] = Primitives.Neg, [Op.Fma] = Primitives.Fma,
        [Op.Sin] = Primitives.Sin, [Op.Cos] = Primitives.Cos, [Op.Tan] = Primitives.Tan, [Op.Asin] = Primitives.Asin,
        [Op.Acos] = Primitives.Acos, [Op.Atan] = Primitives.Atan, [Op.Sinh] = Primitives.Sinh, [Op.Cosh] = Primitives.Cosh,
        [Op.Tanh] = Primitives.Tanh, [Op.Asinh] = Primitives.Asinh, [Op.Acosh] = Primitives.Acosh, [Op.Atanh] = Primitives.Atanh,
        [Op.Exp] = Primitives.Exp, [Op.Log] = Primitives.Log, [Op.Log10] = Primitives.Log10, [Op.Log2] = Primitives.Log2,
        [Op.Sqrt] = Primitives.Sqrt, [Op.Cbrt] = Primitives.Cbrt, [Op.Abs] = Primitives.Abs, [Op.Floor] = Primitives.Floor,
        [Op.Ceiling] = Primitives.Ceiling, [Op.Round] = Primitives.Round, [Op.Truncate] = Primitives.Truncate,
        [Op.Sign] = Primitives.Sign, [Op.PowInt] = Primitives.PowInt, [Op.Pow] = Primitives.Pow, [Op.Atan2] = Primitives.Atan2,
        [Op.LogBase] = Primitives.LogBase, [Op.Max] = Primitives.Max, [Op.Min] = Primitives.Min, [Op.Clamp] = Primitives.Clamp,
        [Op.ToFloat] = Primitives.DoubleToFloat, [Op.StopGradient] = Primitives.StopGradient,
    };

    private static readonly Op[] AllOps = Enum.GetValues<Op>();

    private static readonly ExpressionType[] Comparisons =
    [
        ExpressionType.LessThan, ExpressionType.LessThanOrEqual, ExpressionType.GreaterThan,
        ExpressionType.GreaterThanOrEqual, ExpressionType.Equal, ExpressionType.NotEqual,
    ];

    public static int Arity(Op op) => op switch
    {
        Op.Add or Op.Sub or Op.Mul or Op.Div or Op.Rem or Op.Pow or Op.Atan2 or Op.LogBase or Op.Max or Op.Min => 2,
        Op.Fma => 3,
        _ => 1,
    };

    /// <summary>Number of domain-safe shapes of an op (see <see cref="Expand"/>).</summary>
    public static int Variants(Op op) => op switch
    {
        Op.Div or Op.Tan or Op.Asin or Op.Acos or Op.Sinh or Op.Cosh or Op.Acosh or Op.Atanh or Op.Log or Op.Log10 or Op.Log2
            or Op.Sqrt or Op.Rem or Op.LogBase or Op.PowInt => 2,
        Op.Exp or Op.Pow => 3,
        _ => 1,
    };

    // ------------------------------------------------------------------------------------------
    // Generators
    // ------------------------------------------------------------------------------------------

    /// <summary>Depth grows with FsCheck's size: 1 at size 0, <see cref="MaxDepth"/> from size 35 on.</summary>
    public static int DepthForSize(int size) => Math.Clamp(1 + size / 5, 1, MaxDepth);

    public static Gen<Tree> Scalar => Gen.Sized(size => TreeOfDepth(DepthForSize(size)));

    public static Gen<VectorTree> Vector =>
        Gen.Sized(size => Gen.Choose(1, 4).SelectMany(m =>
            Gen.CollectToArray(Enumerable.Range(0, m).Select(_ => TreeOfDepth(Math.Max(1, DepthForSize(size) - 1))))))
        .Select(outputs => new VectorTree(outputs));

    /// <summary>Large trees: the sum of 8 to 24 trees of depth up to 8, for graphs of hundreds of nodes
    /// (variable reuse, spilling and inline-depth limits in the exporter).</summary>
    public static Gen<Tree> Large =>
        Gen.Choose(8, 24).SelectMany(n => Gen.CollectToArray(Enumerable.Range(0, n).Select(_ => TreeOfDepth(MaxDepth))))
            .Select(parts => parts.Aggregate((a, b) => new App(Op.Add, [a, b])));

    /// <summary>A point of [−2, 2]^4 (on a grid of 1e−6, so it prints short).</summary>
    public static Gen<double[]> Point =>
        Gen.CollectToArray(Enumerable.Range(0, Inputs).Select(_ => Gen.Choose(-2_000_000, 2_000_000).Select(i => i / 1e6)));

    /// <summary>Like <see cref="Point"/>, but each coordinate is, one time in four, a value where generated
    /// functions have kinks, ties and switch points (0 for Abs and Sign, integers for Floor, halves for Round,
    /// thresholds of the guarded shapes), so that equal inputs make ties of Max, Min and comparisons.</summary>
    public static Gen<double[]> PointWithSpecialValues =>
        Gen.CollectToArray(Enumerable.Range(0, Inputs).Select(_ => Gen.Frequency(
            (3, Gen.Choose(-2_000_000, 2_000_000).Select(i => i / 1e6)),
            (1, Gen.Elements(0.0, -0.0, 0.25, 0.5, -0.5, 0.75, 1.0, -1.0, 1.1, 1.5, 2.0, -2.0)))));

    public static Gen<double[]> VectorOfLength(int n) =>
        Gen.CollectToArray(Enumerable.Range(0, n).Select(_ => Gen.Choose(-1_000_000, 1_000_000).Select(i => i / 1e6)));

    private static readonly Dictionary<int, Gen<Tree>> Cache = new();

    /// <summary>Trees of depth at most <paramref name="depth"/> (cached per depth; generators are immutable).</summary>
    public static Gen<Tree> TreeOfDepth(int depth)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(depth, out var cached)) return cached;
            var gen = Build(depth);
            Cache[depth] = gen;
            return gen;
        }
    }

    private static Gen<Tree> Build(int depth)
    {
        var leaf = Leaf;
        if (depth <= 1) return leaf;
        var gens = new List<(int, Gen<Tree>)> { (6, leaf) };
        foreach (var op in AllOps) gens.Add((Weight(op), App(op, depth)));
        gens.Add((8, Conditional(depth)));
        gens.Add((4, Lazy(() => Gen.Elements(Enum.GetValues<GuardKind>()).SelectMany(kind =>
            Child(depth).SelectMany(a => Child(depth).Select(b => (Tree)new Guarded(kind, a, b)))))));
        return Gen.Frequency(gens);
    }

    private static Gen<T> Lazy<T>(Func<Gen<T>> make) => Gen.Constant(0).SelectMany(_ => make());

    /// <summary>Weights, tuned so that every op appears at least 50 times in 1,000 trees.</summary>
    private static int Weight(Op op) => op switch
    {
        Op.Add or Op.Sub or Op.Mul => 4,
        _ => 3,
    };

    private static Gen<Tree> Leaf => Gen.Frequency(
        (6, Gen.Choose(0, Inputs - 1).Select(i => (Tree)new Var(i))),
        (2, Gen.Elements(-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0).Select(v => (Tree)new Const(v))),
        (1, Gen.Choose(-300, 300).Select(i => (Tree)new Const(i / 100.0))));

    /// <summary>A child of a node at <paramref name="depth"/>: one level less, or (half the time) shallower still,
    /// so trees reach depth 8 without growing exponentially.</summary>
    private static Gen<Tree> Child(int depth) =>
        Gen.Choose(0, 3).SelectMany(coin => coin > 0 ? TreeOfDepth(depth - 1) : Gen.Choose(1, depth - 1).SelectMany(TreeOfDepth));

    private static Gen<Tree> App(Op op, int depth)
    {
        var variant = Gen.Choose(0, Variants(op) - 1);
        var child = Child(depth);
        return op switch
        {
            Op.Clamp => child.SelectMany(a => Gen.Choose(-200, 100).SelectMany(lo => Gen.Choose(25, 300).Select(w =>
                (Tree)new App(op, [a, new Const(lo / 100.0), new Const((lo + w) / 100.0)])))),
            Op.PowInt => child.SelectMany(a => Gen.Choose(-3, 4).SelectMany(k => variant.Select(v =>
                (Tree)new App(op, [a, new Const(k)], v)))),
            _ => Gen.CollectToArray(Enumerable.Range(0, Arity(op)).Select(_ => child))
                .SelectMany(args => variant.Select(v => (Tree)new App(op, args, v))),
        };
    }

    private static Gen<Tree> Conditional(int depth) => Lazy(() =>
        Bool(depth - 1).SelectMany(test => Child(depth).SelectMany(a => Child(depth).Select(b => (Tree)new Cond(test, a, b)))));

    private static Gen<BoolTree> Bool(int depth)
    {
        var cmp = Gen.Elements(Comparisons).SelectMany(type =>
            TreeOfDepth(Math.Max(1, depth - 1)).SelectMany(l =>
                Gen.Frequency(
                    (3, TreeOfDepth(Math.Max(1, depth - 1))),
                    (1, Gen.Choose(-20, 20).Select(i => (Tree)new Const(i / 10.0))))
                .Select(r => (BoolTree)new Cmp(type, l, r))));
        if (depth <= 1) return cmp;
        return Gen.Frequency(
            (6, cmp),
            (1, Lazy(() => Bool(depth - 1).SelectMany(a => Bool(depth - 1).Select(b => (BoolTree)new AndAlso(a, b))))),
            (1, Lazy(() => Bool(depth - 1).SelectMany(a => Bool(depth - 1).Select(b => (BoolTree)new OrElse(a, b))))),
            (1, Lazy(() => Bool(depth - 1).Select(a => (BoolTree)new Not(a)))));
    }

    // ------------------------------------------------------------------------------------------
    // Shrinking
    // ------------------------------------------------------------------------------------------

    /// <summary>Smaller trees: a child in place of the node, then the node with one child shrunk.</summary>
    public static IEnumerable<Tree> Shrink(Tree t)
    {
        switch (t)
        {
            case Var { Index: > 0 }:
                yield return new Var(0);
                break;
            case Const c:
                if (c.Value != 0) yield return new Const(0);
                if (c.Value != Math.Round(c.Value)) yield return new Const(Math.Round(c.Value));
                break;
            case App a:
                int shrinkable = a.Op is Op.Clamp or Op.PowInt ? 1 : a.Args.Length;
                for (int i = 0; i < shrinkable; i++) yield return a.Args[i];
                if (a.Variant > 0) yield return a with { Variant = 0 };
                if (a.Op == Op.PowInt && a.Args[1] is Const { Value: var k } && k is not (2 or 0 or 1))
                    yield return a with { Args = [a.Args[0], new Const(k < 0 ? -1 : 2)] };
                for (int i = 0; i < shrinkable; i++)
                    foreach (var s in Shrink(a.Args[i]))
                    {
                        var args = (Tree[])a.Args.Clone();
                        args[i] = s;
                        yield return a with { Args = args };
                    }
                break;
            case Guarded g:
                yield return g.A;
                yield return g.Otherwise;
                foreach (var s in Shrink(g.A)) yield return g with { A = s };
                foreach (var s in Shrink(g.Otherwise)) yield return g with { Otherwise = s };
                break;
            case Cond c:
                yield return c.IfTrue;
                yield return c.IfFalse;
                foreach (var s in ShrinkBool(c.Test)) yield return c with { Test = s };
                foreach (var s in Shrink(c.IfTrue)) yield return c with { IfTrue = s };
                foreach (var s in Shrink(c.IfFalse)) yield return c with { IfFalse = s };
                break;
        }
    }

    private static IEnumerable<BoolTree> ShrinkBool(BoolTree b)
    {
        switch (b)
        {
            case Cmp c:
                foreach (var s in Shrink(c.Left)) yield return c with { Left = s };
                foreach (var s in Shrink(c.Right)) yield return c with { Right = s };
                break;
            case AndAlso a:
                yield return a.Left;
                yield return a.Right;
                foreach (var s in ShrinkBool(a.Left)) yield return a with { Left = s };
                foreach (var s in ShrinkBool(a.Right)) yield return a with { Right = s };
                break;
            case OrElse o:
                yield return o.Left;
                yield return o.Right;
                foreach (var s in ShrinkBool(o.Left)) yield return o with { Left = s };
                foreach (var s in ShrinkBool(o.Right)) yield return o with { Right = s };
                break;
            case Not n:
                yield return n.Operand;
                foreach (var s in ShrinkBool(n.Operand)) yield return new Not(s);
                break;
        }
    }

    public static IEnumerable<VectorTree> Shrink(VectorTree v)
    {
        if (v.Outputs.Length > 1)
            for (int i = 0; i < v.Outputs.Length; i++)
                yield return new VectorTree(v.Outputs.Where((_, j) => j != i).ToArray());
        for (int i = 0; i < v.Outputs.Length; i++)
            foreach (var s in Shrink(v.Outputs[i]))
            {
                var outputs = (Tree[])v.Outputs.Clone();
                outputs[i] = s;
                yield return new VectorTree(outputs);
            }
    }

    /// <summary>Shorter coordinates: each rounded to fewer digits.</summary>
    public static IEnumerable<double[]> ShrinkPoint(double[] x)
    {
        for (int i = 0; i < x.Length; i++)
            foreach (int digits in new[] { 0, 1, 2, 3 })
            {
                double r = Math.Round(x[i], digits);
                if (r == x[i]) break;
                var y = (double[])x.Clone();
                y[i] = r;
                yield return y;
            }
    }

    // ------------------------------------------------------------------------------------------
    // Primitive usage
    // ------------------------------------------------------------------------------------------

    /// <summary>Counts the primitives a generated tree exercises, keyed by <see cref="Op"/> name (the op of each
    /// <see cref="App"/>, not the helpers of its safe shape), plus "select", comparisons ("LessThan", ...),
    /// "and", "or" and "not".</summary>
    public static void CountPrimitives(Tree t, IDictionary<string, int> counts)
    {
        void Bump(string name) => counts[name] = counts.TryGetValue(name, out int n) ? n + 1 : 1;
        var stack = new Stack<object>();
        stack.Push(t);
        while (stack.Count > 0)
        {
            switch (stack.Pop())
            {
                case App a:
                    // Math.Pow(a, 0) and Math.Pow(a, 1) simplify away: they exercise no integer power.
                    if (a.Op != Op.PowInt || a.Args[1] is not Const { Value: 0 or 1 }) Bump(a.Op.ToString());
                    foreach (var arg in a.Args) stack.Push(arg);
                    break;
                case Cond c:
                    Bump("select");
                    stack.Push(c.Test); stack.Push(c.IfTrue); stack.Push(c.IfFalse);
                    break;
                case Guarded g:
                    Bump("guarded " + g.Kind);
                    stack.Push(g.A); stack.Push(g.Otherwise);
                    break;
                case Cmp c:
                    Bump(c.Type.ToString());
                    stack.Push(c.Left); stack.Push(c.Right);
                    break;
                case AndAlso a: Bump("and"); stack.Push(a.Left); stack.Push(a.Right); break;
                case OrElse o: Bump("or"); stack.Push(o.Left); stack.Push(o.Right); break;
                case Not n: Bump("not"); stack.Push(n.Operand); break;
            }
        }
    }

    public static int Size(Tree t)
    {
        int n = 0;
        var stack = new Stack<object>();
        stack.Push(t);
        while (stack.Count > 0)
        {
            n++;
            switch (stack.Pop())
            {
                case App a: foreach (var arg in a.Args) stack.Push(arg); break;
                case Cond c: stack.Push(c.Test); stack.Push(c.IfTrue); stack.Push(c.IfFalse); break;
                case Guarded g: stack.Push(g.A); stack.Push(g.Otherwise); break;
                case Cmp c: stack.Push(c.Left); stack.Push(c.Right); break;
                case AndAlso a: stack.Push(a.Left); stack.Push(a.Right); break;
                case OrElse o: stack.Push(o.Left); stack.Push(o.Right); break;
                case Not x: stack.Push(x.Operand); break;
            }
        }
        return n;
    }

    public static int Depth(Tree t) => t switch
    {
        App a => 1 + a.Args.Max(Depth),
        Cond c => 1 + Math.Max(Depth(c.Test), Math.Max(Depth(c.IfTrue), Depth(c.IfFalse))),
        Guarded g => 1 + Math.Max(Depth(g.A), Depth(g.Otherwise)),
        _ => 1,
    };

    private static int Depth(BoolTree b) => b switch
    {
        Cmp c => Math.Max(Depth(c.Left), Depth(c.Right)),
        AndAlso a => 1 + Math.Max(Depth(a.Left), Depth(a.Right)),
        OrElse o => 1 + Math.Max(Depth(o.Left), Depth(o.Right)),
        Not n => 1 + Depth(n.Operand),
        _ => 0,
    };

    // ------------------------------------------------------------------------------------------
    // Safe shapes
    // ------------------------------------------------------------------------------------------

    /// <summary>The raw tree: each generated op with its arguments in a domain-safe shape, the op outermost.</summary>
    public static Tree Expand(Tree t) => t switch
    {
        App { Variant: < 0 } => t, // already raw
        App a => ExpandApp(a.Op, a.Variant, a.Args.Select(Expand).ToArray()),
        Cond c => new Cond(Expand(c.Test), Expand(c.IfTrue), Expand(c.IfFalse)),
        Guarded g => ExpandGuarded(g.Kind, Expand(g.A), Expand(g.A), Expand(g.Otherwise)),
        _ => t,
    };

    /// <summary>The raw conditional of a guarded shape: the test reads <paramref name="test"/>, the branch
    /// <paramref name="a"/> (the same tree, except in a finite-difference reference).</summary>
    private static Tree ExpandGuarded(GuardKind kind, Tree test, Tree a, Tree otherwise) => kind switch
    {
        GuardKind.Log => new Cond(new Cmp(ExpressionType.GreaterThan, test, C(0.25)), R(Op.Log, R(Op.Sub, a, C(0.25))), otherwise),
        GuardKind.Sqrt => new Cond(new Cmp(ExpressionType.GreaterThan, test, C(-0.5)), R(Op.Sqrt, R(Op.Add, a, C(0.5))), otherwise),
        GuardKind.Asin => new Cond(new Cmp(ExpressionType.LessThan, R(Op.Abs, test), C(0.75)), R(Op.Asin, a), otherwise),
        GuardKind.Acosh => new Cond(new Cmp(ExpressionType.GreaterThanOrEqual, test, C(1.1)), R(Op.Acosh, a), otherwise),
        GuardKind.Reciprocal => new Cond(new Cmp(ExpressionType.NotEqual, test, C(0)), R(Op.Div, C(1), a), otherwise),
        GuardKind.Power => new Cond(new Cmp(ExpressionType.GreaterThan, test, C(0)), R(Op.Pow, a, C(1.5)), otherwise),
        _ => new Cond(new Not(new Cmp(ExpressionType.LessThanOrEqual, test, C(0))), R(Op.Log2, a), otherwise),
    };

    private static BoolTree Expand(BoolTree b) => b switch
    {
        Cmp c => new Cmp(c.Type, Expand(c.Left), Expand(c.Right)),
        AndAlso a => new AndAlso(Expand(a.Left), Expand(a.Right)),
        OrElse o => new OrElse(Expand(o.Left), Expand(o.Right)),
        Not n => new Not(Expand(n.Operand)),
        _ => b,
    };

    private static Tree R(Op op, params Tree[] args) => new App(op, args, Raw);

    private static Tree C(double v) => new Const(v);

    private static Tree Square(Tree a) => R(Op.Mul, a, a);

    private static Tree ExpandApp(Op op, int variant, Tree[] x)
    {
        Tree a = x[0];
        return (op, variant) switch
        {
            (Op.Div, 0) => R(op, a, R(Op.Add, C(1), Square(x[1]))),
            (Op.Div, _) => R(op, a, R(Op.Add, R(Op.Abs, x[1]), C(0.5))),
            (Op.Rem, 0) => R(op, a, R(Op.Add, R(Op.Abs, x[1]), C(0.5))),
            (Op.Rem, _) => R(op, a, C(0.75)),
            (Op.Tan, 0) => R(op, R(Op.Tanh, a)),
            (Op.Tan, _) => R(op, R(Op.Mul, C(0.5), R(Op.Sin, a))),
            (Op.Asin, 0) => R(op, R(Op.Tanh, a)),
            (Op.Asin, _) => R(op, R(Op.Mul, C(0.9), R(Op.Sin, a))),
            (Op.Acos, 0) => R(op, R(Op.Tanh, a)),
            (Op.Acos, _) => R(op, R(Op.Mul, C(0.9), R(Op.Cos, a))),
            (Op.Sinh or Op.Cosh, 0) => R(op, R(Op.Mul, C(2), R(Op.Tanh, a))),
            (Op.Sinh or Op.Cosh, _) => R(op, R(Op.Sin, a)),
            (Op.Acosh, 0) => R(op, R(Op.Add, Square(a), C(1.25))),
            (Op.Acosh, _) => R(op, R(Op.Add, R(Op.Abs, a), C(1.1))),
            (Op.Atanh, 0) => R(op, R(Op.Mul, C(0.9), R(Op.Tanh, a))),
            (Op.Atanh, _) => R(op, R(Op.Mul, C(0.75), R(Op.Sin, a))),
            (Op.Exp, 0) => R(op, R(Op.Tanh, a)),
            (Op.Exp, 1) => R(op, R(Op.Sin, a)),
            (Op.Exp, _) => R(op, R(Op.Mul, C(0.5), R(Op.Atan, a))),
            (Op.Log or Op.Log10 or Op.Log2, 0) => R(op, R(Op.Add, C(1), Square(a))),
            (Op.Log or Op.Log10 or Op.Log2, _) => R(op, R(Op.Add, R(Op.Abs, a), C(0.5))),
            (Op.Sqrt, 0) => R(op, R(Op.Add, Square(a), C(0.1))),
            (Op.Sqrt, _) => R(op, R(Op.Add, R(Op.Abs, a), C(0.25))),
            (Op.PowInt, 0) => R(op, a, x[1]),
            (Op.PowInt, _) => R(op, R(Op.Add, Square(a), C(0.5)), x[1]),
            (Op.Pow, 0) => R(op, R(Op.Add, R(Op.Abs, a), C(0.5)), R(Op.Tanh, x[1])),
            (Op.Pow, 1) => R(op, R(Op.Add, Square(a), C(0.25)), R(Op.Sin, x[1])),
            (Op.Pow, _) => R(op, R(Op.Exp, R(Op.Tanh, a)), x[1]),
            (Op.LogBase, 0) => R(op, R(Op.Add, R(Op.Abs, a), C(0.5)), R(Op.Add, Square(x[1]), C(1.5))),
            (Op.LogBase, _) => R(op, R(Op.Add, C(1), Square(a)), R(Op.Add, C(2), R(Op.Tanh, x[1]))),
            _ => R(op, x),
        };
    }

    // ------------------------------------------------------------------------------------------
    // Lowering to LINQ
    // ------------------------------------------------------------------------------------------

    public static Expression<Func<double[], double>> ToLambda(Tree t)
    {
        var x = Expression.Parameter(typeof(double[]), "x");
        return Expression.Lambda<Func<double[], double>>(Lower(Expand(t), x, x, Lowering.Exact, false), x);
    }

    public static Expression<Func<double[], double[]>> ToLambda(VectorTree v)
    {
        var x = Expression.Parameter(typeof(double[]), "x");
        var outputs = v.Outputs.Select(o => Lower(Expand(o), x, x, Lowering.Exact, false));
        return Expression.Lambda<Func<double[], double[]>>(Expression.NewArrayInit(typeof(double), outputs), x);
    }

    /// <summary><c>x => new[] { f(x) }</c>: the scalar function as a one-output vector function.</summary>
    public static Expression<Func<double[], double[]>> ToVectorLambda(Tree t) => ToLambda(new VectorTree([t]));

    /// <summary><c>(x, x0) => f(x)</c> lowered for finite differences around the frozen point x0 (see <see cref="Lowering"/>).</summary>
    public static Expression<Func<double[], double[], double>> ToReferenceLambda(Tree t)
    {
        var x = Expression.Parameter(typeof(double[]), "x");
        var x0 = Expression.Parameter(typeof(double[]), "x0");
        return Expression.Lambda<Func<double[], double[], double>>(
            Lower(Expand(t), x, x0, Lowering.FiniteDifferenceReference, false), x, x0);
    }

    /// <summary>
    /// The smooth tree whose derivatives ExprDiff defines at <paramref name="x0"/>: <c>(double)(float)a</c> becomes
    /// <c>a</c> and <c>Diff.StopGradient(a)</c> becomes the constant a(x0), except in conditions, which keep
    /// choosing the branches the function itself takes. Its gradient, differenced, is the reference for the
    /// Hessian of <paramref name="t"/> at x0.
    /// </summary>
    public static Tree FiniteDifferenceReference(Tree t, double[] x0) => t switch
    {
        App { Op: Op.ToFloat } a => FiniteDifferenceReference(a.Args[0], x0),
        App { Op: Op.StopGradient } a => new Const(Evaluate(a.Args[0], x0)),
        App a => a with { Args = a.Args.Select(u => FiniteDifferenceReference(u, x0)).ToArray() },
        Cond c => new Cond(c.Test, FiniteDifferenceReference(c.IfTrue, x0), FiniteDifferenceReference(c.IfFalse, x0)),
        Guarded g => ExpandGuarded(g.Kind, Expand(g.A), Expand(FiniteDifferenceReference(g.A, x0)),
            Expand(FiniteDifferenceReference(g.Otherwise, x0))),
        _ => t,
    };

    /// <summary>The value of a tree at a point, as compiled C# computes it (NaN where Math.Sign throws on NaN).</summary>
    public static double Evaluate(Tree t, double[] x)
    {
        try { return ToLambda(t).Compile()(x); }
        catch (ArithmeticException) { return double.NaN; }
    }

    /// <summary><c>(x0, x1, x2, x3) => f</c>: the function over four double parameters instead of an array.</summary>
    public static Expression<Func<double, double, double, double, double>> ToScalarParameterLambda(Tree t)
    {
        var ps = Enumerable.Range(0, Inputs).Select(i => Expression.Parameter(typeof(double), "x" + i)).ToArray();
        var array = ToLambda(t);
        var body = new ArrayReadReplacer(array.Parameters[0], i => ps[i]).Visit(array.Body);
        return Expression.Lambda<Func<double, double, double, double, double>>(body, ps);
    }

    /// <summary><c>t => f(t, t, t, t)</c>: the function on the diagonal, a function of one variable.</summary>
    public static Expression<Func<double, double>> ToDiagonalLambda(Tree t)
    {
        var p = Expression.Parameter(typeof(double), "t");
        var array = ToLambda(t);
        var body = new ArrayReadReplacer(array.Parameters[0], _ => p).Visit(array.Body);
        return Expression.Lambda<Func<double, double>>(body, p);
    }

    private sealed class ArrayReadReplacer(ParameterExpression array, Func<int, Expression> element) : ExpressionVisitor
    {
        protected override Expression VisitBinary(BinaryExpression node) =>
            node.NodeType == ExpressionType.ArrayIndex && node.Left == array && node.Right is ConstantExpression { Value: int i }
                ? element(i)
                : base.VisitBinary(node);

        protected override Expression VisitParameter(ParameterExpression node) =>
            node == array ? throw new InvalidOperationException("the array is used other than by a constant index") : node;
    }

    private static readonly MethodInfo StopGradientMethod = typeof(Diff).GetMethod(nameof(Diff.StopGradient))!;
    private static readonly MethodInfo SignMethod = typeof(Math).GetMethod(nameof(Math.Sign), [typeof(double)])!;
    private static readonly MethodInfo PowMethod = Math2(nameof(Math.Pow));
    private static readonly MethodInfo LogBaseMethod = Math2(nameof(Math.Log));
    private static readonly MethodInfo FmaMethod = typeof(Math).GetMethod(nameof(Math.FusedMultiplyAdd), [typeof(double), typeof(double), typeof(double)])!;
    private static readonly MethodInfo ClampMethod = typeof(Math).GetMethod(nameof(Math.Clamp), [typeof(double), typeof(double), typeof(double)])!;

    private static MethodInfo Math1(string name) => typeof(Math).GetMethod(name, [typeof(double)])!;

    private static MethodInfo Math2(string name) => typeof(Math).GetMethod(name, [typeof(double), typeof(double)])!;

    private static Expression Lower(Tree t, ParameterExpression x, ParameterExpression frozen, Lowering mode, bool inStop)
    {
        Expression L(Tree u) => Lower(u, x, frozen, mode, inStop);
        switch (t)
        {
            case Var v:
                return Expression.ArrayIndex(inStop ? frozen : x, Expression.Constant(v.Index));
            case Const c:
                return Expression.Constant(c.Value);
            case Cond c:
                return Expression.Condition(Lower(c.Test, x, frozen, mode, inStop), L(c.IfTrue), L(c.IfFalse));
            case Guarded g:
                return Lower(Expand(g), x, frozen, mode, inStop);
            case App a:
                var args = a.Args;
                switch (a.Op)
                {
                    case Op.Add: return Expression.Add(L(args[0]), L(args[1]));
                    case Op.Sub: return Expression.Subtract(L(args[0]), L(args[1]));
                    case Op.Mul: return Expression.Multiply(L(args[0]), L(args[1]));
                    case Op.Div: return Expression.Divide(L(args[0]), L(args[1]));
                    case Op.Rem: return Expression.Modulo(L(args[0]), L(args[1]));
                    case Op.Neg: return Expression.Negate(L(args[0]));
                    case Op.Fma: return Expression.Call(FmaMethod, L(args[0]), L(args[1]), L(args[2]));
                    case Op.Sign: return Expression.Convert(Expression.Call(SignMethod, L(args[0])), typeof(double));
                    case Op.PowInt or Op.Pow: return Expression.Call(PowMethod, L(args[0]), L(args[1]));
                    case Op.LogBase: return Expression.Call(LogBaseMethod, L(args[0]), L(args[1]));
                    case Op.Atan2 or Op.Max or Op.Min: return Expression.Call(Math2(a.Op.ToString()), L(args[0]), L(args[1]));
                    case Op.Clamp: return Expression.Call(ClampMethod, L(args[0]), L(args[1]), L(args[2]));
                    case Op.ToFloat:
                        return mode == Lowering.FiniteDifferenceReference
                            ? L(args[0])
                            : Expression.Convert(Expression.Convert(L(args[0]), typeof(float)), typeof(double));
                    case Op.StopGradient:
                        return mode == Lowering.FiniteDifferenceReference
                            ? Lower(args[0], x, frozen, mode, inStop: true)
                            : Expression.Call(StopGradientMethod, L(args[0]));
                    default: return Expression.Call(Math1(a.Op.ToString()), L(args[0]));
                }
            default:
                throw new ArgumentException($"unknown tree {t.GetType().Name}");
        }
    }

    // Conditions are lowered exactly in every mode: they choose the branch the function itself takes.
    private static Expression Lower(BoolTree b, ParameterExpression x, ParameterExpression frozen, Lowering mode, bool inStop) => b switch
    {
        Cmp c => Expression.MakeBinary(c.Type, Lower(c.Left, x, frozen, Lowering.Exact, inStop), Lower(c.Right, x, frozen, Lowering.Exact, inStop)),
        AndAlso a => Expression.AndAlso(Lower(a.Left, x, frozen, Lowering.Exact, inStop), Lower(a.Right, x, frozen, Lowering.Exact, inStop)),
        OrElse o => Expression.OrElse(Lower(o.Left, x, frozen, Lowering.Exact, inStop), Lower(o.Right, x, frozen, Lowering.Exact, inStop)),
        Not n => Expression.Not(Lower(n.Operand, x, frozen, Lowering.Exact, inStop)),
        _ => throw new ArgumentException($"unknown condition {b.GetType().Name}"),
    };
}

/// <summary>
/// Exact kinks: whether, at a point, some primitive sits exactly where ExprDiff's derivative follows a
/// convention rather than calculus (Abs at 0, a tie of Max or Min, Clamp at a bound, a comparison between
/// equal values, a jump of Floor, Round, Sign or %). There the derivative may legitimately differ from finite
/// differences even when the composed function is smooth: |x²| at 0 has Hessian Sign(0)·2 = 0, not 2.
/// </summary>
public static class Kinks
{
    public static bool AtKink(Tree t, double[] x)
    {
        bool kink = false;
        Eval(ExpressionGenerator.Expand(t), x, ref kink);
        return kink;
    }

    /// <summary>The value of a raw tree as C# computes it, noting any exact kink met on the way.</summary>
    private static double Eval(Tree t, double[] x, ref bool kink)
    {
        switch (t)
        {
            case Var v: return x[v.Index];
            case Const c: return c.Value;
            case Cond c: return Eval(c.Test, x, ref kink) ? Eval(c.IfTrue, x, ref kink) : Eval(c.IfFalse, x, ref kink);
            case App a:
                var v0 = Eval(a.Args[0], x, ref kink);
                var v1 = a.Args.Length > 1 ? Eval(a.Args[1], x, ref kink) : 0;
                var v2 = a.Args.Length > 2 ? Eval(a.Args[2], x, ref kink) : 0;
                switch (a.Op)
                {
                    case Op.Abs or Op.Sign: kink |= v0 == 0; break;
                    case Op.Max or Op.Min: kink |= v0 == v1; break;
                    case Op.Clamp: kink |= v0 == v1 || v0 == v2; break;
                    case Op.Floor or Op.Ceiling or Op.Truncate: kink |= v0 == Math.Round(v0); break;
                    case Op.Round: kink |= Math.Abs(v0 - Math.Floor(v0)) == 0.5; break;
                    case Op.Rem: kink |= v1 != 0 && v0 / v1 == Math.Round(v0 / v1); break;
                }
                return a.Op switch
                {
                    Op.Add => v0 + v1, Op.Sub => v0 - v1, Op.Mul => v0 * v1, Op.Div => v0 / v1, Op.Rem => v0 % v1,
                    Op.Neg => -v0, Op.Fma => Math.FusedMultiplyAdd(v0, v1, v2),
                    Op.Sin => Math.Sin(v0), Op.Cos => Math.Cos(v0), Op.Tan => Math.Tan(v0), Op.Asin => Math.Asin(v0),
                    Op.Acos => Math.Acos(v0), Op.Atan => Math.Atan(v0), Op.Sinh => Math.Sinh(v0), Op.Cosh => Math.Cosh(v0),
                    Op.Tanh => Math.Tanh(v0), Op.Asinh => Math.Asinh(v0), Op.Acosh => Math.Acosh(v0), Op.Atanh => Math.Atanh(v0),
                    Op.Exp => Math.Exp(v0), Op.Log => Math.Log(v0), Op.Log10 => Math.Log10(v0), Op.Log2 => Math.Log2(v0),
                    Op.Sqrt => Math.Sqrt(v0), Op.Cbrt => Math.Cbrt(v0), Op.Abs => Math.Abs(v0), Op.Floor => Math.Floor(v0),
                    Op.Ceiling => Math.Ceiling(v0), Op.Round => Math.Round(v0), Op.Truncate => Math.Truncate(v0),
                    Op.Sign => double.IsNaN(v0) ? double.NaN : Math.Sign(v0),
                    Op.PowInt or Op.Pow => Math.Pow(v0, v1), Op.Atan2 => Math.Atan2(v0, v1), Op.LogBase => Math.Log(v0, v1),
                    Op.Max => Math.Max(v0, v1), Op.Min => Math.Min(v0, v1), Op.Clamp => Math.Clamp(v0, v1, v2),
                    Op.ToFloat => (float)v0, Op.StopGradient => v0,
                    _ => throw new ArgumentException($"unknown op {a.Op}"),
                };
            default:
                throw new ArgumentException($"not a raw tree: {t.GetType().Name}");
        }
    }

    private static bool Eval(BoolTree b, double[] x, ref bool kink)
    {
        switch (b)
        {
            case Cmp c:
                double l = Eval(c.Left, x, ref kink), r = Eval(c.Right, x, ref kink);
                kink |= l == r;
                return c.Type switch
                {
                    ExpressionType.LessThan => l < r,
                    ExpressionType.LessThanOrEqual => l <= r,
                    ExpressionType.GreaterThan => l > r,
                    ExpressionType.GreaterThanOrEqual => l >= r,
                    ExpressionType.Equal => l == r,
                    _ => l != r,
                };
            case AndAlso a: return Eval(a.Left, x, ref kink) && Eval(a.Right, x, ref kink);
            case OrElse o: return Eval(o.Left, x, ref kink) || Eval(o.Right, x, ref kink);
            case Not n: return !Eval(n.Operand, x, ref kink);
            default: throw new ArgumentException($"unknown condition {b.GetType().Name}");
        }
    }
}

/// <summary>C# source of a tree (after <see cref="ExpressionGenerator.Expand"/>), to paste into a regression test.</summary>
public static class TreeText
{
    public static string Print(Tree t)
    {
        var sb = new StringBuilder();
        Write(sb, ExpressionGenerator.Expand(t));
        return sb.ToString();
    }

    public static string Print(BoolTree b)
    {
        var sb = new StringBuilder();
        Write(sb, b);
        return sb.ToString();
    }

    public static string Number(double v)
    {
        string r = v.ToString("R", CultureInfo.InvariantCulture);
        if (!r.Contains('.') && !r.Contains('E')) r += ".0";
        return v < 0 || (v == 0 && double.IsNegative(v)) ? "(" + r + ")" : r;
    }

    public static string Array(double[] values) => "new[] { " + string.Join(", ", values.Select(v => Number(v).Trim('(', ')'))) + " }";

    private static void Write(StringBuilder sb, Tree t)
    {
        switch (t)
        {
            case Var v: sb.Append("x[").Append(v.Index).Append(']'); break;
            case Const c: sb.Append(Number(c.Value)); break;
            case Cond c:
                sb.Append('(');
                Write(sb, c.Test);
                sb.Append(" ? ");
                Write(sb, c.IfTrue);
                sb.Append(" : ");
                Write(sb, c.IfFalse);
                sb.Append(')');
                break;
            case App a:
                string? infix = a.Op switch { Op.Add => " + ", Op.Sub => " - ", Op.Mul => " * ", Op.Div => " / ", Op.Rem => " % ", _ => null };
                if (infix is not null)
                {
                    sb.Append('(');
                    Write(sb, a.Args[0]);
                    sb.Append(infix);
                    Write(sb, a.Args[1]);
                    sb.Append(')');
                    break;
                }
                string prefix = a.Op switch
                {
                    Op.Neg => "-(",
                    Op.Sign => "(double)Math.Sign(",
                    Op.ToFloat => "(double)(float)(",
                    Op.StopGradient => "Diff.StopGradient(",
                    Op.Fma => "Math.FusedMultiplyAdd(",
                    Op.PowInt => "Math.Pow(",
                    Op.LogBase => "Math.Log(",
                    _ => "Math." + a.Op + "(",
                };
                sb.Append(prefix);
                for (int i = 0; i < a.Args.Length; i++)
                {
                    if (i > 0) sb.Append(", ");
                    Write(sb, a.Args[i]);
                }
                sb.Append(')');
                break;
        }
    }

    private static void Write(StringBuilder sb, BoolTree b)
    {
        switch (b)
        {
            case Cmp c:
                string op = c.Type switch
                {
                    ExpressionType.LessThan => " < ",
                    ExpressionType.LessThanOrEqual => " <= ",
                    ExpressionType.GreaterThan => " > ",
                    ExpressionType.GreaterThanOrEqual => " >= ",
                    ExpressionType.Equal => " == ",
                    _ => " != ",
                };
                sb.Append('(');
                Write(sb, c.Left);
                sb.Append(op);
                Write(sb, c.Right);
                sb.Append(')');
                break;
            case AndAlso a:
                sb.Append('('); Write(sb, a.Left); sb.Append(" && "); Write(sb, a.Right); sb.Append(')');
                break;
            case OrElse o:
                sb.Append('('); Write(sb, o.Left); sb.Append(" || "); Write(sb, o.Right); sb.Append(')');
                break;
            case Not n:
                sb.Append("!"); Write(sb, n.Operand);
                break;
        }
    }
}
