using System.Linq.Expressions;
using System.Reflection;
using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Import;

/// <summary>
/// LINQ reductions as loops: <c>Enumerable.Range(a, n).Sum(i => …)</c>, <c>.Select(…).Sum()</c>, <c>x.Sum()</c>,
/// <c>x.Select((v, i) => …).Sum()</c>. A reduction's lambda becomes the body of a loop node: a graph of its
/// own, imported by a child importer that captures the enclosing values it reads. Nested reductions nest.
/// </summary>
internal sealed partial class ExpressionImporter
{
    private ExpressionImporter? _parent;
    private List<int>? _captureNodes;
    private List<ValueKind>? _captureKinds;
    private List<string>? _regionNames;

    private static bool IsEnumerable(MethodInfo m) => m.DeclaringType == typeof(Enumerable);

    /// <summary>A value of an enclosing importer, as seen from this one.</summary>
    private bool TryLookup(ParameterExpression p, out Val value)
    {
        if (_env.TryGetValue(p, out value))
        {
            if (value.Reference is Unassigned)
                throw Unsupported(p, $"variable '{p.Name}' is read before it is assigned", "assign it first");
            return true;
        }
        if (_parent is not null && _parent.TryLookup(p, out var outer))
        {
            value = _env[p] = Capture(outer);
            return true;
        }
        return false;
    }

    /// <summary>Makes an enclosing value available in this loop body: a number or an array node becomes a
    /// captured parameter of the body; constants and captured closure values are used as they are.</summary>
    private Val Capture(Val outer)
    {
        int outerNode;
        ValueKind kind;
        int parameter = -1;
        switch (outer.Reference)
        {
            case null:
                outerNode = outer.Node;
                kind = _parent!._b.KindOf(outerNode);
                if (_parent._b.IsConstant(outerNode, out double c)) return Val.Of(_b.Constant(c, kind));
                break;
            case ParameterArray pa:
                outerNode = _parent!.WholeArray(pa.Parameter);
                kind = ValueKind.Array;
                parameter = pa.Parameter;
                break;
            case ArrayNode an:
                outerNode = an.Node;
                kind = ValueKind.Array;
                parameter = an.Parameter;
                break;
            case MatrixNode mn:
                outerNode = mn.Node;
                kind = ValueKind.Matrix;
                break;
            case DataNode dn:
                outerNode = dn.Node;
                kind = dn.Kind;
                break;
            default:
                return outer; // constants, captured arrays, lambdas: the same in any graph
        }
        // A scan's carried state occupies the first slots; a captured value never shares them.
        int index = _captureNodes!.IndexOf(outerNode, _carriedCount);
        if (index < 0)
        {
            index = _captureNodes.Count;
            _captureNodes.Add(outerNode);
            _captureKinds!.Add(kind);
            _regionNames!.Add($"c{index}");
        }
        int input = _b.Input(1 + index, -1, kind);
        return kind switch
        {
            ValueKind.Array => Val.Ref(new ArrayNode(input, parameter)),
            ValueKind.Matrix => Val.Ref(new MatrixNode(input)),
            ValueKind.IntArray or ValueKind.IntMatrix or ValueKind.IntJagged => Val.Ref(new DataNode(input, kind)),
            _ => Val.Of(input),
        };
    }

    /// <summary>Enumerable calls; returns false when <paramref name="call"/> is not one this importer knows.</summary>
    private bool TryStepEnumerable(in Frame f, MethodCallExpression call)
    {
        var m = call.Method;
        if (!IsEnumerable(m)) return false;
        // Lambdas are bodies, not values: only the other arguments are imported first.
        var values = call.Arguments.Where(a => a is not LambdaExpression).ToList();
        if (Descend(f, values)) return true;
        var args = PopValues(values.Count);
        var lambda = call.Arguments.OfType<LambdaExpression>().FirstOrDefault();
        switch (m.Name)
        {
            case nameof(Enumerable.Range) when args.Length == 2:
                _values.Push(Val.Ref(new RangeValue(Scalar(args[0], call.Arguments[0], ValueKind.Int32), Scalar(args[1], call.Arguments[1], ValueKind.Int32))));
                return true;
            case nameof(Enumerable.Select) when lambda is not null && args.Length == 1:
                _values.Push(Val.Ref(new MappedValue(Source(args[0], call), lambda)));
                return true;
            case nameof(Enumerable.Sum) when call.Type == typeof(double):
                _values.Push(Val.Of(Sum(call, Source(args[0], call), lambda, out _)));
                return true;
            case nameof(Enumerable.Max) or nameof(Enumerable.Min) when call.Type == typeof(double):
                _values.Push(Val.Of(Sum(call, Source(args[0], call), lambda, out _,
                    m.Name == nameof(Enumerable.Max) ? Primitives.MaxRange : Primitives.MinRange)));
                return true;
            case nameof(Enumerable.Aggregate) when call.Type == typeof(double) && args.Length == 2 && lambda is not null
                && call.Arguments.OfType<LambdaExpression>().Count() == 1:
                _values.Push(Val.Of(Aggregate(call, Source(args[0], call), Scalar(args[1], call.Arguments[1], ValueKind.Double), lambda)));
                return true;
            case nameof(Enumerable.ToArray) when call.Type == typeof(double[]) && args.Length == 1:
            {
                var source = Source(args[0], call);
                if (source is ParameterArray or ArrayNode) { _values.Push(args[0].Reference is ArrayNode ? args[0] : Val.Ref(source)); return true; }
                _values.Push(Val.Ref(new ArrayNode(Tabulate(call, source), -1)));
                return true;
            }
            case nameof(Enumerable.Average) when call.Type == typeof(double):
            {
                // The mean of an empty sequence is NaN here (0/0), where LINQ throws. LINQ's Average starts its sum from
                // the first element, which only shows when every term is −0.0: a sum from −0.0 is the same.
                int sum = Sum(call, Source(args[0], call), lambda, out int count, fromNegativeZero: true);
                _values.Push(Val.Of(_b.Div(sum, _b.Make(Primitives.IntToDouble, count))));
                return true;
            }
            default:
                throw Unsupported(call, $"Enumerable.{m.Name} is not supported here",
                    "use Enumerable.Range(a, n).Sum(i => ...), .Average, .Max, .Min or .Aggregate(seed, (acc, i) => ...), .Select(...).Sum(), or x.Sum() over double[] parameters");
        }
    }

    private object Source(Val v, Expression call) => v.Reference switch
    {
        RangeValue or MappedValue or ParameterArray or ArrayNode or DataNode { Kind: ValueKind.IntArray } => v.Reference,
        double[] captured => new ArrayNode(_b.ConstantArray(captured), -1),
        FreshArray fresh => new ArrayNode(_b.Assemble(fresh.Length, [], []), -1),
        _ => throw Unsupported(call, "the sequence is not a range or an array parameter",
            "start from Enumerable.Range(a, n) or from a double[] parameter"),
    };

    // Loop bodies are imported, differentiated and exported recursively, one level per nesting: bound the
    // nesting so that no input, however contrived, can exhaust the stack (which would kill the process).
    private const int MaxNesting = 64;

    private int Nesting => _parent is null ? 0 : 1 + _parent.Nesting;

    /// <summary>Σ over a range, an array or a mapped sequence, as a loop node.</summary>
    private int Sum(Expression call, object source, LambdaExpression? selector, out int count, Primitive? reduction = null, bool fromNegativeZero = false)
    {
        var (body, start, n, item, names) = LoopBody(call, source, selector, carried: null);
        count = n;
        int value = body.Scalar(item, selector?.Body ?? call, ValueKind.Double);
        var region = new Region(body._b.Build([value], names), body._captureKinds!.ToArray());
        var args = new List<int> { start, count };
        args.AddRange(body._captureNodes!);
        return _b.MakeStructured(reduction ?? Primitives.SumRange, ValueKind.Double, args.ToArray(), region, fromNegativeZero ? 1 : 0);
    }

    /// <summary><c>source.Select(…).ToArray()</c>: an array of the mapped items, as a loop node.</summary>
    private int Tabulate(Expression call, object source)
    {
        var (body, start, count, item, names) = LoopBody(call, source, selector: null, carried: null);
        int value = body.Scalar(item, call, ValueKind.Double);
        var region = new Region(body._b.Build([value], names), body._captureKinds!.ToArray());
        var args = new List<int> { start, count };
        args.AddRange(body._captureNodes!);
        return _b.MakeStructured(Primitives.Tabulate, ValueKind.Array, args.ToArray(), region);
    }

    /// <summary><c>source.Aggregate(seed, (acc, item) => …)</c>: a scan carrying the accumulator.</summary>
    private int Aggregate(Expression call, object source, int seed, LambdaExpression func)
    {
        if (func.Parameters.Count != 2 || func.ReturnType != typeof(double))
            throw Unsupported(call, "the accumulator function must take (double accumulator, item) and return double", "write (acc, i) => ...");
        var (body, start, count, item, names) = LoopBody(call, source, selector: null, carried: (seed, func.Parameters[0].Name ?? "acc"));
        body._env[func.Parameters[0]] = Val.Of(body._b.Input(1, -1));
        body._env[func.Parameters[1]] = item;
        int value = body.Scalar(body.Run(func.Body), func.Body, ValueKind.Double);
        var region = new Region(body._b.Build([value], names), body._captureKinds!.ToArray());
        var args = new List<int> { start, count };
        args.AddRange(body._captureNodes!);
        int scan = _b.MakeStructured(Primitives.Scan, ValueKind.Array, args.ToArray(), region, 1);
        return _b.Make(Primitives.Read, scan, _b.Constant(0, ValueKind.Int32));
    }

    /// <summary>The child importer of a loop over a range, an array or a mapped sequence: its range, and the item
    /// each iteration sees after <paramref name="selector"/> and the sequence's own maps. A scan's carried value, if
    /// any, is its parameter 1.</summary>
    private (ExpressionImporter Body, int Start, int Count, Val Item, List<string> Names) LoopBody(Expression call, object source,
        LambdaExpression? selector, (int Initial, string Name)? carried)
    {
        if (Nesting >= MaxNesting)
            throw Unsupported(call, $"reductions are nested more than {MaxNesting} deep", "flatten the nesting");
        // Peel the mapping: sum(select(s, f), g) is a loop over s with body g(f(item)).
        var maps = new List<LambdaExpression>();
        if (selector is not null) maps.Add(selector);
        while (source is MappedValue mv) { maps.Insert(0, mv.Selector); source = mv.Source; }
        int start, count;
        Val? array = null;
        switch (source)
        {
            case RangeValue r: start = r.Start; count = r.Count; break;
            case ParameterArray pa:
                array = Val.Ref(new ArrayNode(WholeArray(pa.Parameter), pa.Parameter));
                start = _b.Constant(0, ValueKind.Int32);
                count = _b.Make(Primitives.Length, WholeArray(pa.Parameter));
                break;
            case ArrayNode an:
                array = Val.Ref(an);
                start = _b.Constant(0, ValueKind.Int32);
                count = _b.Make(Primitives.Length, an.Node);
                break;
            case DataNode ints:
                array = Val.Ref(ints);
                start = _b.Constant(0, ValueKind.Int32);
                count = _b.Make(Primitives.IntLength, ints.Node);
                break;
            default: throw Unsupported(call, "this sequence cannot be reduced", "reduce a range or a double[] parameter");
        }

        var names = new List<string> { maps.Count > 0 ? maps[0].Parameters[^1].Name ?? "i" : "i" };
        if (carried is { } c) names.Add(c.Name);
        var body = new ExpressionImporter(new GraphBuilder(names, _b.Folds, _b.Simplifies), _rules, _root)
        {
            _parent = this, _captureNodes = carried is { } c1 ? [c1.Initial] : new(), _captureKinds = carried is null ? new() : [ValueKind.Double],
            _regionNames = names, _carriedCount = carried is null ? 0 : 1,
        };
        int index = body._b.Input(0, -1, ValueKind.Int32);
        // The item: the index itself for a range, the element for an array.
        Val item = Val.Of(index);
        if (array is { } a)
        {
            var captured = body.Capture(a);
            item = captured.Reference is DataNode ints
                ? Val.Of(body._b.Make(Primitives.ReadInt, ints.Node, index))
                : Val.Of(body._b.Make(Primitives.Read, ((ArrayNode)captured.Reference!).Node, index));
        }
        foreach (var map in maps)
        {
            if (map.Parameters.Count == 2) body._env[map.Parameters[1]] = Val.Of(index); // (v, i) => …
            body._env[map.Parameters[0]] = item;
            item = body.Run(map.Body);
        }
        return (body, start, count, item, names);
    }
}
