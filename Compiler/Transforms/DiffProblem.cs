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

    /// <summary>Input nodes differentiated with respect to.</summary>
    public int[] Wrt { get; }

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

    public static DiffProblem Create(LambdaExpression f, DiffOptions? options, string operation)
    {
        ArgumentNullException.ThrowIfNull(f);
        options ??= DiffOptions.Default;
        var function = ExpressionImporter.Import(f, options.Rules);
        var b = function.Builder;
        var shapes = function.Parameters;
        int[] wrt, positions;
        Extent extent;
        if (shapes.Count == 1 && shapes[0] == ParameterShape.Array)
        {
            var reads = new SortedSet<int>();
            for (int i = 0; i < b.Count; i++)
            {
                var n = b[i];
                if (ReferenceEquals(n.Op, Primitives.Input) && n.Aux == 0) reads.Add(n.Aux2);
            }
            positions = reads.ToArray();
            wrt = positions.Select(k => b.Input(0, k)).ToArray();
            extent = Extent.LengthOf(0);
        }
        else if (shapes.Count > 0 && shapes.All(s => s == ParameterShape.Scalar))
        {
            positions = Enumerable.Range(0, shapes.Count).ToArray();
            wrt = positions.Select(p => b.Input(p, -1)).ToArray();
            extent = Extent.Of(shapes.Count);
        }
        else
        {
            throw Error.Shape(Error.Quote(f), $"{operation} differentiates functions of one double[] or of 1 to 8 double parameters");
        }
        return new DiffProblem(function, new DerivativeContext(b, options.Rules, Error.Quote(f)), wrt, positions, extent, options);
    }

    /// <summary>The single scalar output, or a clear error naming the operation that needs one.</summary>
    public int ScalarOutput(string operation, string alternative)
    {
        if (Function.Shape != ResultShape.Scalar)
            throw Error.Shape(Context.FunctionText, $"{operation} needs a function returning double but this one returns an array; use {alternative}");
        return Function.Outputs[0];
    }

    /// <summary>The outputs of a vector function (a scalar function counts as one output).</summary>
    public (int[] Outputs, Extent Rows) VectorOutputs(string operation)
    {
        if (Function.Shape == ResultShape.Matrix)
            throw Error.Shape(Context.FunctionText, $"{operation} needs a function returning double or double[] but this one returns double[,]");
        return (Function.Outputs, Function.Rows);
    }

    /// <summary>Elements an argument needs: one past the last element the function reads, or the number
    /// of scalar parameters.</summary>
    public int InputLength => InputExtent.IsFixed ? InputExtent.Fixed : Positions.Length == 0 ? 0 : Positions[^1] + 1;

    /// <summary>Freezes <paramref name="outputs"/> and exports them. The function's own array parameter is
    /// checked for every element the function reads, whether or not the derivative reads it.</summary>
    public LambdaExpression Export(int[] outputs, ResultLayout layout, List<ParameterExpression> parameters, Type delegateType,
        params (int Parameter, int Length)[] requirements)
    {
        var graph = Builder.Build(outputs, parameters.Select((q, i) => q.Name ?? $"p{i}").ToArray());
        graph = Optimizer.Optimize(graph, Options.Optimization, out var report);
        Options.OnOptimized?.Invoke(report);
        var lengths = new Dictionary<int, int>();
        if (!InputExtent.IsFixed) lengths[0] = InputLength;
        foreach (var (parameter, length) in requirements) lengths[parameter] = length;
        return Exporter.Export(graph, layout, parameters, delegateType, lengths);
    }
}
