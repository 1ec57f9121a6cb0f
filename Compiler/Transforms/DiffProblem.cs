using System.Linq.Expressions;
using ExprDiff.Export;
using ExprDiff.Graphs;
using ExprDiff.Import;
using ExprDiff.Optimization;
using ExprDiff.Rules;

namespace ExprDiff.Transforms;

/// <summary>
/// A function imported for differentiation: its graph builder, the inputs derivatives are taken with
/// respect to (every double parameter, or every element read of the one double[] parameter) and where
/// each lands in a gradient.
/// </summary>
internal sealed class DiffProblem
{
    private DiffProblem(ImportedFunction function, DerivativeContext context, int[] wrt, int[] positions, Extent inputExtent, DiffOptions options)
    {
        Options = options;
        Function = function;
        Context = context;
        Wrt = wrt;
        Positions = positions;
        InputExtent = inputExtent;
    }

    public ImportedFunction Function { get; }

    public DiffOptions Options { get; }

    public DerivativeContext Context { get; }

    public GraphBuilder Builder => Context.Builder;

    /// <summary>Input nodes differentiated with respect to (elements read at constant indices).</summary>
    public int[] Wrt { get; }

    /// <summary>The whole differentiated array as one node, when loops or computed indices read it; else −1.
    /// Its adjoint is an array, so the gradient is then built as one array.</summary>
    public int WholeArray { get; private init; } = -1;

    public bool HasWholeArray => WholeArray >= 0;

    /// <summary>Every node differentiated with respect to: the elements, then the whole array if any.</summary>
    public int[] AllWrt => HasWholeArray ? [.. Wrt, WholeArray] : Wrt;

    /// <summary>The tangent-direction parameter (v of Hvp and Jvp) once <see cref="TangentSeeds"/> made it.</summary>
    private int? DirectionParameter { get; set; }

    /// <summary>Seeds for forward mode: each element's tangent from <paramref name="vectorParameter"/>, and the
    /// whole array's tangent as that whole parameter.</summary>
    /// <param name="isArgument">False for a direction that is not a parameter of the exported lambda (the unit vectors of
    /// a Hessian's rows), which is then not checked as one.</param>
    public Dictionary<int, int> TangentSeeds(int vectorParameter, bool isArgument = true)
    {
        var seeds = new Dictionary<int, int>();
        for (int k = 0; k < Wrt.Length; k++) seeds[Wrt[k]] = Builder.Input(vectorParameter, Positions[k]);
        if (HasWholeArray) seeds[WholeArray] = Builder.Input(vectorParameter, -1, ValueKind.Array);
        if (isArgument) DirectionParameter = vectorParameter;
        return seeds;
    }

    /// <summary>The gradient as one array node from the adjoints of <see cref="AllWrt"/>: the elements'
    /// adjoints at their positions plus the whole array's adjoint.</summary>
    public int GradientArray(int[] adjoints)
    {
        var b = Builder;
        var pairs = new List<(int, int)>();
        for (int k = 0; k < Wrt.Length; k++)
            if (adjoints[k] != DerivativeContext.Zero) pairs.Add((b.Constant(Positions[k], ValueKind.Int32), adjoints[k]));
        var dense = new List<int>();
        if (adjoints[^1] != DerivativeContext.Zero) dense.Add(adjoints[^1]);
        if (pairs.Count == 0 && dense.Count == 1) return dense[0];
        return b.Assemble(b.Make(Primitives.Length, WholeArray), pairs, dense);
    }

    /// <summary>A clear error for operations that do not handle loops yet.</summary>
    public void RequireNoLoops(string operation, string alternative)
    {
        if (HasWholeArray)
            throw Error.Shape(Context.FunctionText, $"{operation} does not support loops or computed indices yet; use {alternative}");
    }

    /// <summary>Position of each <see cref="Wrt"/> node in a gradient vector.</summary>
    public int[] Positions { get; }

    /// <summary>Length of a gradient: the array parameter's length, or the number of scalar parameters.</summary>
    public Extent InputExtent { get; }

    /// <summary>Parameters of the derivative lambda: the function's own, plus any extra array.</summary>
    public List<ParameterExpression> Parameters(params string[] extra)
    {
        var ps = Function.Source.Parameters.Select(p => Expression.Parameter(p.Type, p.Name)).ToList();
        var taken = new HashSet<string?>(ps.Select(p => p.Name));
        foreach (var name in extra)
        {
            string unique = name;
            for (int k = 2; taken.Contains(unique); k++) unique = name + k;
            taken.Add(unique);
            ps.Add(Expression.Parameter(typeof(double[]), unique));
        }
        return ps;
    }

    /// <summary>Nodes reading a vector parameter <paramref name="parameter"/> laid out like a gradient.</summary>
    public int[] VectorInputs(int parameter) => Positions.Select(p => Builder.Input(parameter, p)).ToArray();

    /// <summary>A structural Zero made a real zero, for outputs.</summary>
    public int Materialize(int node) => node == DerivativeContext.Zero ? Builder.Constant(0) : node;

    /// <summary>Nodes from which a builder's release is followed by a full collection (see <see cref="Export"/>).</summary>
    private const int LargeBuilder = 1_000_000;

    /// <param name="wrt">Names of the parameters to differentiate, or null for the default: the first parameter when it
    /// is a double[] (the rest are data), or every parameter when all are doubles.</param>
    public static DiffProblem Create(LambdaExpression f, DiffOptions? options, string operation, IReadOnlyList<string>? wrt = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        options ??= DiffOptions.Default;
        var selected = wrt is null ? null : Select(f, wrt, operation);
        var function = ExpressionImporter.Import(f, options.Rules, simplify: options.Optimization != OptimizationLevel.None,
            powers: options.IntegerPowers);
        if (options.Optimization != OptimizationLevel.None) function = TermReroller.Reroll(function);
        var b = function.Builder;
        var shapes = function.Parameters;
        int[] wrtNodes, positions;
        Extent extent;
        int array = -1;
        if (selected is [int single] && shapes[single] == ParameterShape.Array || selected is null && shapes.Count >= 1 && shapes[0] == ParameterShape.Array)
        {
            // One array is differentiated; any further parameters are data.
            array = selected?[0] ?? 0;
            var reads = new SortedSet<int>();
            for (int i = 0; i < b.Count; i++)
            {
                var n = b[i];
                if (ReferenceEquals(n.Op, Primitives.Input) && n.Aux == array && n.Aux2 >= 0) reads.Add(n.Aux2);
            }
            positions = reads.ToArray();
            wrtNodes = positions.Select(k => b.Input(array, k)).ToArray();
            extent = Extent.LengthOf(array);
        }
        else if (selected is not null && selected.All(p => shapes[p] == ParameterShape.Scalar))
        {
            positions = Enumerable.Range(0, selected.Length).ToArray();
            wrtNodes = selected.Select(p => b.Input(p, -1)).ToArray();
            extent = Extent.Of(selected.Length);
        }
        else if (selected is null && shapes.Count > 0 && shapes.All(s => s == ParameterShape.Scalar))
        {
            positions = Enumerable.Range(0, shapes.Count).ToArray();
            wrtNodes = positions.Select(p => b.Input(p, -1)).ToArray();
            extent = Extent.Of(shapes.Count);
        }
        else if (selected is not null)
        {
            throw Error.Shape(Error.Quote(f), $"{operation} differentiates with respect to one double[] parameter or to double parameters, " +
                $"not to {string.Join(", ", selected.Select(p => $"'{f.Parameters[p].Name}' ({ExpressionImporter.TypeName(f.Parameters[p].Type)})"))} together");
        }
        else
        {
            throw Error.Shape(Error.Quote(f), $"{operation} differentiates functions of 1 to 8 double parameters, or of a double[] " +
                "(the first parameter) followed by data parameters (double, int, double[], double[,], int[], int[,] or int[][]); name the parameters to " +
                "differentiate (the overloads that take wrt) for other signatures");
        }
        // The whole array counts only where something reads it (a loop, a computed index); x.Length alone
        // (sizing a result) does not make the gradient a loop's.
        int whole = -1;
        for (int i = 0; i < b.Count && array >= 0; i++)
            if (ReferenceEquals(b[i].Op, Primitives.Input) && b[i].Aux == array && b[i].Kind == ValueKind.Array) whole = i;
        if (whole >= 0 && !ReadBeyondLength(b, whole)) whole = -1;
        return new DiffProblem(function, new DerivativeContext(b, options.Rules, Error.Quote(f), DerivativeEngine.Instance, options.IntegerPowers), wrtNodes, positions, extent, options)
        {
            WholeArray = whole,
            ArrayParameter = array,
        };
    }

    /// <summary>The positions of the named parameters, checked: each must exist, once, and be a double or a double[].</summary>
    private static int[] Select(LambdaExpression f, IReadOnlyList<string> wrt, string operation)
    {
        if (wrt.Count == 0) throw new ArgumentException($"{operation}: name at least one parameter to differentiate.", nameof(wrt));
        var positions = new List<int>();
        foreach (var name in wrt)
        {
            int p = f.Parameters.Select((q, i) => (q, i)).FirstOrDefault(t => t.q.Name == name, (null!, -1)).Item2;
            if (p < 0)
                throw new ArgumentException($"{operation}: the function has no parameter '{name}' (it has {string.Join(", ", f.Parameters.Select(q => $"'{q.Name}'"))}).", nameof(wrt));
            if (positions.Contains(p)) throw new ArgumentException($"{operation}: parameter '{name}' is named twice.", nameof(wrt));
            var type = f.Parameters[p].Type;
            if (type != typeof(double) && type != typeof(double[]))
                throw new ArgumentException($"{operation}: parameter '{name}' has type {ExpressionImporter.TypeName(type)}; only double and double[] parameters can be differentiated.", nameof(wrt));
            positions.Add(p);
        }
        return positions.ToArray();
    }

    /// <summary>The differentiated double[] parameter, or −1 when scalars are differentiated.</summary>
    public int ArrayParameter { get; private init; } = -1;

    private static bool ReadBeyondLength(GraphBuilder b, int array)
    {
        for (int i = array + 1; i < b.Count; i++)
        {
            var n = b[i];
            if (ReferenceEquals(n.Op, Primitives.Length)) continue;
            for (int j = 0; j < n.Arity; j++)
                if (n.Operand(j) == array) return true;
        }
        return false;
    }

    /// <summary>The single scalar output, or a clear error naming the operation that needs one.</summary>
    public int ScalarOutput(string operation, string alternative)
    {
        if (Function.Shape != ResultShape.Scalar)
            throw Error.Shape(Context.FunctionText, $"{operation} needs a function returning double but this one returns an array; use {alternative}");
        return Function.Outputs[0];
    }

    /// <summary>The length of a result of computed length, without computing the result where its length is known
    /// from its loop (max(count, 0) of a tabulation).</summary>
    public int ResultLength()
    {
        var b = Builder;
        int result = Function.Outputs[0];
        var n = b[result];
        if (!ReferenceEquals(n.Op, Primitives.Tabulate)) return b.Make(Primitives.Length, result);
        int zero = b.Constant(0, ValueKind.Int32);
        return b.Select(b.Compare(ExpressionType.GreaterThan, n.Operand(1), zero), n.Operand(1), zero);
    }

    /// <summary>The outputs of a vector function (a scalar function counts as one output).</summary>
    public (int[] Outputs, Extent Rows) VectorOutputs(string operation)
    {
        if (Function.Shape == ResultShape.Matrix)
            throw Error.Shape(Context.FunctionText, $"{operation} needs a function returning double or double[] but this one returns double[,]");
        return (Function.Outputs, Function.Rows);
    }

    /// <summary>When set, <see cref="Export"/> writes a vector result into a last array parameter of this name
    /// (the solver entry points of the IL backend) instead of returning a new array.</summary>
    public string? ResultInto { get; set; }

    /// <summary>Elements an argument needs: one past the last element the function reads, or the number
    /// of scalar parameters.</summary>
    public int InputLength => InputExtent.IsFixed ? InputExtent.Fixed : Positions.Length == 0 ? 0 : Positions[^1] + 1;

    /// <summary>Freezes <paramref name="outputs"/> and exports them. The function's own array parameter is
    /// checked for every element the function reads, whether or not the derivative reads it.</summary>
    public LambdaExpression Export(int[] outputs, ResultLayout layout, List<ParameterExpression> parameters, Type delegateType,
        params (int Parameter, int Length)[] requirements)
    {
        if (ResultInto is { } into)
        {
            // The result goes into a caller's buffer, the last parameter; the lambda returns 0 (callers ignore it).
            int value = outputs.Length;
            outputs = [.. outputs, Builder.Constant(0.0)];
            parameters = [.. parameters, Expression.Parameter(typeof(double[]), into)];
            layout = layout switch
            {
                VectorLayout v => new WriteLayout(value, parameters.Count - 1, v.Length, v.Elements),
                // Array results of the operations that write into buffers are as long as x (Hvp, Vjp) or have their own
                // length, known when they are computed (the function or Jvp of a result of computed length).
                ArrayLayout a => new WriteArrayLayout(value, parameters.Count - 1, a.OwnLength ? null : InputExtent, a.Output),
                _ => throw new NotSupportedException("this result has no length known before the call, so it cannot be written into a buffer"),
            };
            delegateType = Expression.GetFuncType([.. parameters.Select(q => q.Type), typeof(double)]);
        }
        var lengths = new Dictionary<int, int>();
        if (!InputExtent.IsFixed) lengths[ArrayParameter] = InputLength;
        foreach (var (parameter, length) in requirements) lengths[parameter] = length;
        foreach (var (parameter, length) in Function.ElementsRead) lengths[parameter] = Math.Max(lengths.GetValueOrDefault(parameter), length);
        // A direction read by loops is read at every index of x: it must be as long as x.
        var asLongAs = new Dictionary<int, int>();
        if (HasWholeArray && DirectionParameter is int direction) asLongAs[direction] = 0;
        var options = Options;
        // Exporting is the last use of a problem: nothing of it is read after the graph is built, so its builder's
        // nodes (millions for a deep function) are released while the graph is optimized and exported.
        var graph = Builder.Build(outputs, parameters.Select((q, i) => q.Name ?? $"p{i}").ToArray());
        int made = Builder.Count;
        Builder.Release();
        // A builder of millions of nodes leaves hundreds of megabytes of large arrays that only a full collection frees,
        // and the optimizer and the export allocate as much again: without a collection before each, the process's peak
        // working set holds both (1.9 GB against 1.5 GB for the gradient of a 10⁶-deep chain). A builder that large took
        // seconds; a collection takes a fraction of one. Below a million nodes none is made.
        bool large = made >= LargeBuilder;
        if (large) GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
        var built = graph;
        graph = Optimizer.Optimize(graph, options.Optimization, out var report);
        if (large && !ReferenceEquals(graph, built))
        {
            built = null; // unoptimized code would keep the replaced graph alive through the collection
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
        }
        options.OnOptimized?.Invoke(report);
        return Exporter.Export(graph, layout, parameters, delegateType, lengths, asLongAs);
    }
}
