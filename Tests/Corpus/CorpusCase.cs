using System.Linq.Expressions;
using System.Reflection;

namespace ExprDiff.Tests.Corpus;

/// <summary>The kinds of signature the corpus covers; each decides which derivatives and which lowerings apply.</summary>
internal enum Shape
{
    /// <summary><c>Func&lt;double[], double&gt;</c>.</summary>
    ArrayScalar,

    /// <summary><c>Func&lt;double[], double[]&gt;</c>.</summary>
    ArrayVector,

    /// <summary><c>Func&lt;double, …, double&gt;</c> (1–8 parameters).</summary>
    Scalars,

    /// <summary><c>Func&lt;double, …, double[]&gt;</c>.</summary>
    ScalarsVector,

    /// <summary><c>Func&lt;double[], T1, …, double&gt;</c>: differentiated with respect to the first parameter, the rest data.</summary>
    Data,
}

/// <summary>One argument list of a corpus function. Directions (v over the differentiated variables, u over the outputs)
/// are drawn from <see cref="DirectionSeed"/> once their lengths are known, so they need not be written by hand.</summary>
internal sealed record CorpusPoint(object[] Args, ulong DirectionSeed);

/// <summary>A function of the corpus with the points it is evaluated at.</summary>
/// <param name="Id">Unique, stable name: <c>source.family.detail</c>; the data file is ordered by it.</param>
/// <param name="F">The function as a user writes it.</param>
/// <param name="Points">Two or three argument lists.</param>
/// <param name="Text">For generated functions, the generator's own printed form: the test checks that the same seed still
/// generates the same function before it compares values (a changed generator is reported as such, not as changed values).</param>
/// <param name="MaxHessian">Hessians and Jacobians are stored only up to this many variables (they grow as n²).</param>
internal sealed record CorpusCase(string Id, LambdaExpression F, IReadOnlyList<CorpusPoint> Points, string? Text = null, int MaxHessian = 24)
{
    public Shape Shape { get; } = ShapeOf(F);

    private static Shape ShapeOf(LambdaExpression f)
    {
        var ps = f.Parameters.Select(p => p.Type).ToArray();
        if (ps.Length > 0 && ps.All(t => t == typeof(double)))
            return f.ReturnType == typeof(double) ? Shape.Scalars : Shape.ScalarsVector;
        if (ps.Length == 1 && ps[0] == typeof(double[]))
            return f.ReturnType == typeof(double) ? Shape.ArrayScalar : Shape.ArrayVector;
        if (ps.Length > 1 && ps[0] == typeof(double[]) && f.ReturnType == typeof(double)) return Shape.Data;
        throw new ArgumentException($"corpus function {f} has a signature the corpus does not cover");
    }

    /// <summary>Whether every value is the same on every IEEE 754 platform: f uses only operations that are correctly
    /// rounded (+ − × ÷, Sqrt, FusedMultiplyAdd) or exact (Abs, Floor, Max, comparisons, …). Transcendental functions come
    /// from the C library and may differ by an ulp elsewhere; so does <c>Math.Pow</c> even with an integer exponent, which
    /// ExprDiff computes by multiplications but <c>f.Compile()</c>, the reference for f's own value, by the C library.</summary>
    public bool Portable => !new TranscendentalFinder().Finds(F);

    /// <summary>Whether f calls <c>Math.Pow</c>: f's own value then differs between <c>f.Compile()</c> (the C library's pow)
    /// and the routes that import f first (multiplications for integer exponents), by platform.</summary>
    public bool CallsPow => new PowFinder().Finds(F);

    private sealed class PowFinder : ExpressionVisitor
    {
        private bool _found;

        public bool Finds(Expression e)
        {
            Visit(e);
            return _found;
        }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            _found |= node.Method.DeclaringType == typeof(Math) && node.Method.Name == nameof(Math.Pow);
            return base.VisitMethodCall(node);
        }
    }

    private sealed class TranscendentalFinder : ExpressionVisitor
    {
        private static readonly HashSet<string> Exact =
        [
            nameof(Math.Sqrt), nameof(Math.Abs), nameof(Math.Max), nameof(Math.Min), nameof(Math.Floor), nameof(Math.Ceiling),
            nameof(Math.Round), nameof(Math.Truncate), nameof(Math.Sign), nameof(Math.Clamp), nameof(Math.FusedMultiplyAdd),
        ];

        private bool _found;

        public bool Finds(Expression e)
        {
            Visit(e);
            return _found;
        }

        protected override Expression VisitMethodCall(MethodCallExpression node)
        {
            var m = node.Method;
            if (m.DeclaringType == typeof(Math) && !Exact.Contains(m.Name)) _found = true;
            else if (m.DeclaringType != typeof(Math) && m.DeclaringType != typeof(Enumerable) && !IsArrayAccessor(m)
                     && m.DeclaringType != typeof(Diff)) _found = true;
            return base.VisitMethodCall(node);
        }

        private static bool IsArrayAccessor(MethodInfo m) => m.DeclaringType is { IsArray: true };
    }
}
