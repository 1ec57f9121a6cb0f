using System.Linq.Expressions;
using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Import;

/// <summary>
/// Turns a LINQ lambda into graph nodes. Iterative: an explicit work stack of frames and a value stack
/// replace recursion, so a million-deep expression imports without a stack overflow. Children are
/// visited left to right, which is also the order in which a block's assignments take effect.
/// </summary>
internal sealed partial class ExpressionImporter
{
    private readonly GraphBuilder _b;
    private readonly RuleSet _rules;
    private readonly LambdaExpression _root;
    private readonly Dictionary<ParameterExpression, Val> _env = new();
    private readonly ChunkedStack<Frame> _work = new();
    private readonly Stack<Val> _values = new();
    private string? _rootText;

    private ExpressionImporter(GraphBuilder builder, RuleSet rules, LambdaExpression root)
    {
        _b = builder;
        _rules = rules;
        _root = root;
    }

    /// <summary>Imports a whole function into a new builder.</summary>
    /// <param name="simplify">Whether the builder folds constants and simplifies as nodes are made; off, the
    /// graph (and every derivative built in it) is exactly what the rules write, for comparison.</param>
    /// <param name="powers">How <c>Math.Pow(x, k)</c> with a constant small integer k imports.</param>
    public static ImportedFunction Import(LambdaExpression lambda, RuleSet rules, bool simplify = true,
        IntegerPowerMode powers = IntegerPowerMode.Multiplication)
    {
        ArgumentNullException.ThrowIfNull(lambda);
        var names = lambda.Parameters.Select((p, i) => p.Name ?? $"p{i}").ToArray();
        var importer = new ExpressionImporter(new GraphBuilder(names, simplify, simplify), rules, lambda) { _powers = powers };
        return importer.ImportRoot();
    }

    /// <summary>Imports the body of <paramref name="lambda"/> with its parameters bound to existing nodes
    /// (a user's derivative rule, inlined where it is needed).</summary>
    public static int ImportInline(LambdaExpression lambda, GraphBuilder builder, ReadOnlySpan<int> arguments, RuleSet rules,
        IntegerPowerMode powers = IntegerPowerMode.Multiplication)
    {
        var importer = new ExpressionImporter(builder, rules, lambda) { _powers = powers };
        for (int i = 0; i < arguments.Length; i++) importer._env[lambda.Parameters[i]] = Val.Of(arguments[i]);
        var v = importer.Run(lambda.Body);
        return importer.Scalar(v, lambda.Body, ValueKind.Double);
    }

    private string RootText => _rootText ??= Error.Quote(_root);

    private ExprDiffException Unsupported(Expression node, string why, string fix) =>
        new($"cannot import '{Error.Quote(node)}' in '{RootText}': {why}; {fix}");

    private ImportedFunction ImportRoot()
    {
        var shapes = new ParameterShape[_root.Parameters.Count];
        for (int i = 0; i < shapes.Length; i++)
        {
            var p = _root.Parameters[i];
            if (p.Type == typeof(double)) { shapes[i] = ParameterShape.Scalar; _env[p] = Val.Of(_b.Input(i, -1)); }
            else if (p.Type == typeof(int)) { shapes[i] = ParameterShape.Integer; _env[p] = Val.Of(_b.Input(i, -1, ValueKind.Int32)); }
            else if (p.Type == typeof(double[])) { shapes[i] = ParameterShape.Array; _env[p] = Val.Ref(new ParameterArray(i)); }
            else if (p.Type == typeof(double[,])) { shapes[i] = ParameterShape.Matrix; _env[p] = Val.Ref(new MatrixNode(_b.Input(i, -1, ValueKind.Matrix))); }
            else if (ValueKinds.IntDataKind(p.Type) is { } data)
            {
                shapes[i] = data switch { ValueKind.IntArray => ParameterShape.IntArray, ValueKind.IntMatrix => ParameterShape.IntMatrix, _ => ParameterShape.IntJagged };
                _env[p] = Val.Ref(new DataNode(_b.Input(i, -1, data), data));
            }
            else
                throw Unsupported(p, $"parameter '{p.Name}' has type {TypeName(p.Type)}",
                    "write the function over double, int, double[], double[,], int[], int[,] and int[][] parameters");
        }

        var result = Run(_root.Body);
        if (result.Reference is LocalArray array)
            return FromArray(array, shapes);
        if (result.Reference is FreshArray fresh)
            return new ImportedFunction(_root, _b, shapes, ResultShape.ArrayOfComputedLength, [_b.Assemble(fresh.Length, [], [])], Extent.Of(0), Extent.Of(1));
        if (result.Reference is ArrayNode computed)
            return new ImportedFunction(_root, _b, shapes, ResultShape.ArrayOfComputedLength, [computed.Node], Extent.Of(0), Extent.Of(1));
        if (result.Reference is ParameterArray whole)
            return new ImportedFunction(_root, _b, shapes, ResultShape.ArrayOfComputedLength, [WholeArray(whole.Parameter)], Extent.Of(0), Extent.Of(1));
        if (_root.ReturnType != typeof(double))
            throw Unsupported(_root.Body, $"the function returns {TypeName(_root.ReturnType)}",
                "return a double, a double[] or a double[,]");
        int output = Scalar(result, _root.Body, ValueKind.Double);
        return new ImportedFunction(_root, _b, shapes, ResultShape.Scalar, [output], Extent.Of(1), Extent.Of(1));
    }

    private ImportedFunction FromArray(LocalArray array, ParameterShape[] shapes)
    {
        if (array.Rank == 1)
        {
            int count = array.Dimensions[0].IsFixed ? array.Dimensions[0].Fixed : array.MaxIndex(0) + 1;
            var outputs = new int[count];
            for (int i = 0; i < count; i++) outputs[i] = array.Read(_b, i, 0);
            return new ImportedFunction(_root, _b, shapes, ResultShape.Vector, outputs, array.Dimensions[0], Extent.Of(1));
        }
        if (!array.Dimensions[0].IsFixed || !array.Dimensions[1].IsFixed)
            throw Unsupported(_root.Body, "a matrix result whose size is known only at run time",
                "give the result array constant dimensions");
        int rows = array.Dimensions[0].Fixed, cols = array.Dimensions[1].Fixed;
        var cells = new int[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) cells[i * cols + j] = array.Read(_b, i, j);
        return new ImportedFunction(_root, _b, shapes, ResultShape.Matrix, cells, array.Dimensions[0], array.Dimensions[1]);
    }

    private Val Run(Expression body)
    {
        int depth = _values.Count;
        _work.Push(new Frame(body, 0, null));
        while (_work.Count > 0) Step(_work.Pop());
        var v = _values.Pop();
        System.Diagnostics.Debug.Assert(_values.Count == depth);
        return v;
    }

    /// <summary>Pushes the next child of <paramref name="f"/> and returns true, or returns false when all
    /// children's values are on the value stack.</summary>
    private bool Descend(in Frame f, IReadOnlyList<Expression> children, int offset = 0)
    {
        int next = f.Step - offset;
        if (next >= children.Count) return false;
        _work.Push(f with { Step = f.Step + 1 });
        _work.Push(new Frame(children[next], 0, null));
        return true;
    }

    /// <summary>As <see cref="Descend(in Frame, IReadOnlyList{Expression}, int)"/> for one or two children, without a list:
    /// every operator of a deep expression passes here once per child and once more.</summary>
    private bool Descend(in Frame f, Expression first, Expression? second = null)
    {
        var next = f.Step == 0 ? first : f.Step == 1 ? second : null;
        if (next is null) return false;
        _work.Push(f with { Step = f.Step + 1 });
        _work.Push(new Frame(next, 0, null));
        return true;
    }

    /// <summary>Pops <paramref name="count"/> values, first child first.</summary>
    // The arguments of the call being imported (StepCall reads them before anything can import another call).
    private readonly Val[] _callArguments = new Val[4];

    private Val[] PopValues(int count)
    {
        var vals = new Val[count];
        for (int i = count - 1; i >= 0; i--) vals[i] = _values.Pop();
        return vals;
    }

    /// <summary>The node of a scalar value, converted to <paramref name="kind"/> where C# converts implicitly.</summary>
    private int Scalar(Val v, Expression source, ValueKind kind)
    {
        if (v.Reference is not null || v.Node < 0)
            throw Unsupported(source, "it is an array or an object, not a number", "index arrays with constants, e.g. x[0]");
        var have = _b.KindOf(v.Node);
        if (have == kind) return v.Node;
        if (have == ValueKind.Int32 && kind == ValueKind.Double) return _b.Make(Primitives.IntToDouble, v.Node);
        // Math.Sign is int-typed in C# but a double in the graph.
        if (have == ValueKind.Double && kind == ValueKind.Int32) return _b.Make(Primitives.DoubleToInt, v.Node);
        throw Unsupported(source, $"a {have} value is used as {kind}", "convert it explicitly");
    }

    private static ValueKind KindOf(Type t) =>
        t == typeof(int) ? ValueKind.Int32 : t == typeof(bool) ? ValueKind.Boolean : ValueKind.Double;

    private static bool IsNumber(Type t) => t == typeof(double) || t == typeof(float) || t == typeof(int) || t == typeof(bool);

    internal static string TypeName(Type t)
    {
        if (t.IsArray) return TypeName(t.GetElementType()!) + "[" + new string(',', t.GetArrayRank() - 1) + "]";
        return Type.GetTypeCode(t) switch
        {
            TypeCode.Double => "double", TypeCode.Single => "float", TypeCode.Int32 => "int", TypeCode.Int64 => "long",
            TypeCode.Int16 => "short", TypeCode.Byte => "byte", TypeCode.Boolean => "bool", TypeCode.Decimal => "decimal",
            TypeCode.String => "string", TypeCode.Char => "char", TypeCode.UInt32 => "uint", TypeCode.UInt64 => "ulong",
            _ => t == typeof(object) ? "object" : t == typeof(void) ? "void" : t.Name,
        };
    }

    private readonly record struct Frame(Expression E, int Step, object? State);
}
