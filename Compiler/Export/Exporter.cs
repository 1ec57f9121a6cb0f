using System.Linq.Expressions;
using System.Reflection;
using ExprDiff.Graphs;
using ExprDiff.Import;
using ExprDiff.Rules;

namespace ExprDiff.Export;

/// <summary>
/// Turns a graph back into a LINQ lambda. A node used more than once becomes a block variable, so the
/// lambda has the graph's size rather than the size of the expanded tree; a node used once is written
/// inline into its user unless that would nest too deep. Variables are reused once their value is dead
/// (IL allows at most 65,535 locals). Linear in the graph's size; no recursion.
/// </summary>
internal static partial class Exporter
{
    // Deeper inline nesting is cut with a variable, so tree walkers (ToString, ExpressionVisitor) stay shallow.
    private const int MaxInlineDepth = 48;

    // Past this many variables of one type in a loop body, values live in an array instead: IL allows 65,535 locals,
    // and the JIT stops optimizing long before. Top-level code needs no such array: fewer variables than statements
    // means fewer than 65,535 in a run that stays one method (see InParts), and a run cut into parts keeps its values
    // in the parts' closure (Compile()) or in the call's shared state (the IL backend), not in locals.
    private const int MaxVariablesPerType = 15000;

    private static readonly MethodInfo RequireLength = typeof(Intrinsics).GetMethod(nameof(Intrinsics.RequireLength))!;
    private static readonly MethodInfo RequireNotNull = typeof(Intrinsics).GetMethod(nameof(Intrinsics.RequireNotNull))!;
    private static readonly MethodInfo RequireLengthOf = typeof(Intrinsics).GetMethod(nameof(Intrinsics.RequireLengthOf))!;
    private static readonly MethodInfo CopyResult = typeof(Intrinsics).GetMethod(nameof(Intrinsics.CopyResult))!;
    private static readonly MethodInfo CopyArray = typeof(Array).GetMethod(nameof(Array.Copy), [typeof(Array), typeof(Array), typeof(int)])!;
    private static readonly MethodInfo ClearRange = typeof(Array).GetMethod(nameof(Array.Clear), [typeof(Array), typeof(int), typeof(int)])!;

    /// <param name="minimumLengths">Lengths array parameters must have even where the exported graph
    /// reads fewer elements (a derivative may not read every element its function reads).</param>
    /// <param name="asLongAs">Array parameters that need as many elements as another (a direction v as long as x).</param>
    public static LambdaExpression Export(Graph graph, ResultLayout layout, IReadOnlyList<ParameterExpression> parameters, Type delegateType,
        IReadOnlyDictionary<int, int>? minimumLengths = null, IReadOnlyDictionary<int, int>? asLongAs = null)
    {
        graph = GuardOrder.Apply(graph);
        // Gradient elements are written as soon as they are computed, so what they read dies early.
        var sinks = new Dictionary<int, List<Expression>>();
        if (layout is WriteLayout wl)
            foreach (var (index, output) in wl.Elements)
                (sinks.TryGetValue(graph.Outputs[output], out var list) ? list : sinks[graph.Outputs[output]] = new())
                    .Add(Expression.ArrayAccess(parameters[wl.Target], Expression.Constant(index)));
        var state = new ExportState(graph, parameters, sinks: sinks);
        // A gradient built by a loop is written straight into the caller's buffer: no array, no copy.
        // A result of computed length is built in the caller's buffer only by a tabulation, which checks the buffer's length
        // before it writes; others are copied (Intrinsics.CopyResult checks).
        if (layout is WriteArrayLayout wa && state.CanWriteInPlace(wa.ArrayOutput)
            && (wa.Length is not null || ReferenceEquals(graph[graph.Outputs[wa.ArrayOutput]].Op, Primitives.Tabulate)))
            state.InPlace = (graph.Outputs[wa.ArrayOutput], wa.Target);
        var body = new List<Expression>();
        body.AddRange(state.Guards(layout, minimumLengths));
        if (asLongAs is not null)
            foreach (var (p, other) in asLongAs)
                body.Add(Expression.Call(RequireLengthOf, parameters[p], Expression.ArrayLength(parameters[other]),
                    Expression.Constant(parameters[p].Name ?? $"p{p}"), Expression.Constant($"element of '{parameters[other].Name}'")));
        body.AddRange(state.Statements());
        body.AddRange(state.Result(layout));
        body.InsertRange(0, state.SpillAllocations());
        Expression block = body.Count == 1 && state.Variables.Count == 0 ? body[0]
            : InParts(state.Variables, body) ?? Expression.Block(state.Variables, body);
        return Expression.Lambda(delegateType, block, parameters);
    }

    internal sealed partial class ExportState
    {
        private readonly Graph _g;
        private readonly IReadOnlyList<Expression> _parameters;
        private readonly Expression?[] _expr;
        private readonly bool[] _materialized;
        private readonly int[] _lastUse;
        private readonly Dictionary<Type, Stack<Expression>> _free = new();
        // The variables whose value dies at each node, as lists threaded through growable arrays: a list object per
        // node would be millions of small survivors in a deep derivative's export.
        private readonly int[] _expiringHead;
        private Expression[] _expiringVariable = new Expression[16];
        private int[] _expiringNext = new int[16];
        private int _expiringCount;
        private readonly List<Expression> _dying = new();
        private readonly Dictionary<Type, int> _variableCounts = new();
        private readonly Dictionary<Type, (ParameterExpression Array, int Slots)> _spills = new();

        private readonly string _prefix;
        private readonly int _depth;

        private readonly IReadOnlyDictionary<int, List<Expression>> _sinks;
        private readonly bool _deferAbsorbed;

        /// <summary>With deferral, the statements of the absorbed scatters (by node), for the caller to place after the
        /// body's pairs in output order; their operands stay live to the end of the body.</summary>
        public Dictionary<int, Expression> Deferred { get; } = new();
        private bool[] _readByNodes = [];

        public ExportState(Graph graph, IReadOnlyList<Expression> parameters, string prefix = "v", int depth = 0,
            IReadOnlyDictionary<int, List<Expression>>? sinks = null, IReadOnlyDictionary<int, Expression>? accumulateInto = null,
            bool deferAbsorbed = false)
        {
            AccumulateInto = accumulateInto;
            _deferAbsorbed = deferAbsorbed && accumulateInto is not null;
            _sinks = sinks ?? new Dictionary<int, List<Expression>>();
            _prefix = prefix;
            _depth = depth;
            _g = graph;
            _parameters = parameters;
            int n = graph.NodeCount;
            _expr = new Expression?[n];
            _materialized = new bool[n];
            _lastUse = new int[n];
            _expiringHead = new int[n + 1];
            Array.Fill(_expiringHead, -1);
            // Without conditionals no node is guarded and none is computed by need: no per-node guard arrays (a deep
            // derivative has millions of nodes).
            if (ExecutionGuards.HasConditions(graph))
            {
                _guards = ExecutionGuards.Compute(graph, computedInOrder: true, out var weakened);
                _lazy = Lazy(graph, weakened);
            }
            else _lazy = new bool[n];
            Plan();
        }

        public List<ParameterExpression> Variables { get; } = new();

        // The condition under which each node is needed (null: always, and all null when the graph has no conditionals);
        // a variable computed under one is assigned in an if.
        private readonly Guard?[]? _guards;

        private Guard? GuardOf(int node) => _guards?[node];
        // Nodes that may fail and have no exact guard: computed where first read (see EmitLazy).
        private readonly bool[] _lazy;


        private void Plan()
        {
            var nodes = _g.Nodes;
            var uses = new int[nodes.Length];
            var depth = new int[nodes.Length];
            foreach (ref readonly var n in nodes)
            {
                // A loop reads its operands on every iteration: they must be variables, not inlined work.
                int weight = LoopEmitter.IsStatement(n.Op) ? 2 : 1;
                for (int j = 0; j < n.Arity; j++) uses[n.Operand(j)] += weight;
            }
            _readByNodes = new bool[nodes.Length];
            for (int i = 0; i < uses.Length; i++) _readByNodes[i] = uses[i] > 0;
            foreach (int o in _g.Outputs) uses[o]++; // each output is read once more, by the result

            for (int i = 0; i < nodes.Length; i++)
            {
                ref readonly var n = ref nodes[i];
                if (IsLeaf(n)) { _expr[i] = Leaf(n); continue; }
                if (_lazy[i]) continue; // a variable and a flag, computed where first read
                int d = 0;
                for (int j = 0; j < n.Arity; j++)
                {
                    int o = n.Operand(j);
                    if (!_materialized[o]) d = Math.Max(d, depth[o]);
                }
                depth[i] = d + 1;
                _materialized[i] = uses[i] != 1 || depth[i] > MaxInlineDepth || LoopEmitter.IsStatement(n.Op) || _sinks.ContainsKey(i);
                if (_materialized[i]) depth[i] = 0;
            }

            // A guarded variable is assigned in `if (guard)`: the conditions it reads are variables too.
            // From the last node down: a condition made a variable here may itself be guarded by earlier conditions.
            for (int i = nodes.Length - 1; i >= 0; i--)
                if (_materialized[i] && GuardOf(i) is { } guard)
                    foreach (int c in guard.Literals)
                        if (_expr[c] is null && !_lazy[c]) _materialized[c] = true;

            // Sums fused with a scatter are computed where the fused loop is: at the sum, or at the scatter when the
            // scatter needs something computed after the sum and nothing in between reads the sum.
            for (int i = 0; i < nodes.Length; i++)
                if (ReferenceEquals(nodes[i].Op, Primitives.SumRange) && GuardOf(i) is null && FusablePartner(i) is ({ } partner, var offsets, var atScatter)
                    && !_fusedScatters.Contains(partner) && !(_deferAbsorbed && AccumulateInto!.ContainsKey(partner)))
                {
                    _fusion[i] = (partner, offsets, atScatter);
                    _fusedScatters.Add(partner);
                    if (atScatter) _deferredSum[partner] = i;
                }

            // home[i]: the statement whose expression contains node i; the result comes after every statement.
            // The depths are not needed any more: their array is reused.
            var home = depth;
            Array.Clear(home);
            foreach (int o in _g.Outputs) home[o] = nodes.Length;
            for (int i = nodes.Length - 1; i >= 0; i--)
            {
                ref readonly var n = ref nodes[i];
                if (_materialized[i]) home[i] = _fusion.TryGetValue(i, out var fused) && fused.AtScatter ? fused.Partner : i;
                if (_deferAbsorbed && AccumulateInto!.ContainsKey(i)) home[i] = nodes.Length;
                for (int j = 0; j < n.Arity; j++)
                {
                    int o = n.Operand(j);
                    if (_materialized[o]) _lastUse[o] = Math.Max(_lastUse[o], home[i]);
                    else if (_lazy[o]) home[o] = Math.Max(home[o], home[i]); // read by every user: what it reads lives as long
                    else if (_expr[o] is null) home[o] = home[i];
                }
            }
            for (int i = 0; i < nodes.Length; i++)
                if (_materialized[i] && GuardOf(i) is { } guard)
                    foreach (int c in guard.Literals)
                        if (_materialized[c]) _lastUse[c] = Math.Max(_lastUse[c], home[i]);
            foreach (int o in _g.Outputs)
                _lastUse[o] = IsSunk(o) && !IsOutputReadByResult(o) ? Math.Max(_lastUse[o], o + 1) : nodes.Length;
        }

        /// <summary>A node written to its destinations right where it is computed (see the sinks).</summary>
        public bool IsSunk(int node) => _sinks.ContainsKey(node) && !IsLeaf(_g[node]);

        // An output the result still reads (the returned value) stays live to the end.
        private bool IsOutputReadByResult(int node)
        {
            int count = 0;
            foreach (int o in _g.Outputs) if (o == node) count++;
            return count > _sinks[node].Count;
        }

        private static bool IsLeaf(in Node n) =>
            ReferenceEquals(n.Op, Primitives.Constant) || ReferenceEquals(n.Op, Primitives.ConstantArray)
            || (ReferenceEquals(n.Op, Primitives.Input) && n.Aux2 < 0);

        private Expression Leaf(in Node n) => ReferenceEquals(n.Op, Primitives.Input)
            ? Coerce(_parameters[n.Aux], n.Kind)
            : n.Op.ToExpression(n, default);

        private static Expression Coerce(Expression p, ValueKind kind) =>
            kind == ValueKind.Double && p.Type == typeof(int) ? Expression.Convert(p, typeof(double)) : p;

        /// <summary>Argument checks: every array parameter is long enough for the elements read.</summary>
        public IEnumerable<Expression> Guards(ResultLayout layout, IReadOnlyDictionary<int, int>? minimumLengths)
        {
            var length = new Dictionary<int, int>();
            var matrices = new List<int>();
            // Every array read is checked up front: for null always, and for length where elements are read at
            // constant indices, so a bad argument fails with its name rather than deep inside a loop.
            foreach (ref readonly var n in _g.Nodes)
            {
                if (!ReferenceEquals(n.Op, Primitives.Input)) continue;
                if (n.Aux2 >= 0 || n.Kind == ValueKind.Array) length[n.Aux] = Math.Max(length.GetValueOrDefault(n.Aux), n.Aux2 + 1);
                if (n.Kind == ValueKind.Matrix && !matrices.Contains(n.Aux)) matrices.Add(n.Aux);
            }
            if (minimumLengths is not null)
                foreach (var (p, min) in minimumLengths)
                    if (min > 0 || _parameters[p].Type == typeof(double[])) length[p] = Math.Max(length.GetValueOrDefault(p), min);
            foreach (var (p, min) in length.OrderBy(kv => kv.Key))
                yield return Expression.Call(RequireLength, _parameters[p], Expression.Constant(min), Expression.Constant(Name(p)));
            foreach (int p in matrices)
                yield return Expression.Call(RequireNotNull, _parameters[p], Expression.Constant(Name(p)));
            if (layout is WriteArrayLayout { Length: { } bufferLength } wa)
                yield return Expression.Call(RequireLengthOf, _parameters[wa.Target], Length(bufferLength),
                    Expression.Constant(Name(wa.Target)), Expression.Constant(LengthName(bufferLength)));
            if (layout is WriteLayout w)
            {
                yield return Expression.Call(RequireLengthOf, _parameters[w.Target], Length(w.Length),
                    Expression.Constant(Name(w.Target)), Expression.Constant(LengthName(w.Length)));
            }
            foreach (var check in DistinctBuffers(layout)) yield return check;
        }

        /// <summary>Scatter nodes added straight into an enclosing array (by node), if any.</summary>
        public IReadOnlyDictionary<int, Expression>? AccumulateInto { get; }

        /// <summary>The array node written straight into an array parameter, if any.</summary>
        public (int Node, int Parameter)? InPlace { get; set; }

        /// <summary>Whether output <paramref name="output"/> is an array built by a loop and read by nothing else.</summary>
        public bool CanWriteInPlace(int output)
        {
            int node = _g.Outputs[output];
            if (!LoopEmitter.IsStatement(_g[node].Op)) return false;
            foreach (ref readonly var n in _g.Nodes)
                for (int j = 0; j < n.Arity; j++)
                    if (n.Operand(j) == node) return false;
            return true;
        }

        /// <summary>A loop body: its statements and the expressions of its outputs, given the values of its
        /// parameters (the index variable and the loop's captured operands).</summary>
        /// <param name="accumulateInto">Array nodes of the body (scatters) to add straight into an array instead of
        /// building them (see <see cref="LoopEmitter.Absorbable"/>); their outputs are not to be read.</param>
        public static (List<ParameterExpression> Variables, List<Expression> Statements, Expression[] Outputs) ExportBody(
            Graph body, IReadOnlyList<Expression> parameters, string prefix, int depth, IReadOnlyDictionary<int, Expression>? accumulateInto = null)
        {
            var (variables, statements, outputs, _) = ExportBody(body, parameters, prefix, depth, accumulateInto, deferAbsorbed: false);
            return (variables, statements, outputs);
        }

        /// <summary>As the other overload; with <paramref name="deferAbsorbed"/>, the absorbed scatters' statements are
        /// returned by node instead of placed in the body (see <see cref="Deferred"/>).</summary>
        public static (List<ParameterExpression> Variables, List<Expression> Statements, Expression[] Outputs, IReadOnlyDictionary<int, Expression> Deferred) ExportBody(
            Graph body, IReadOnlyList<Expression> parameters, string prefix, int depth, IReadOnlyDictionary<int, Expression>? accumulateInto, bool deferAbsorbed)
        {
            var state = new ExportState(body, parameters, prefix, depth, accumulateInto: accumulateInto, deferAbsorbed: deferAbsorbed);
            var statements = state.Statements();
            var outputs = new Expression[body.OutputCount];
            for (int k = 0; k < outputs.Length; k++) outputs[k] = state.Output(k);
            statements.InsertRange(0, state.SpillAllocations());
            return (state.Variables, statements, outputs, state.Deferred);
        }

        public List<Expression> Statements()
        {
            var statements = new List<Expression>();
            var operands = new Expression[3];
            for (int i = 0; i < _g.NodeCount; i++)
            {
                FreeExpiring(i);
                if (_expr[i] is not null && !_materialized[i]) continue; // a leaf
                if (_lazy[i]) { EmitLazy(i, statements); continue; }
                int before = statements.Count;
                _allocatingGuarded = GuardOf(i) is not null;
                EmitNode(i, statements, operands);
                _allocatingGuarded = false;
                if (GuardOf(i) is not { } guard) continue;
                // Needed only under its guard: computed only then (the branch not taken reads, divides and calls nothing).
                if (statements.Count > before)
                {
                    var guarded = statements.GetRange(before, statements.Count - before);
                    statements.RemoveRange(before, statements.Count - before);
                    statements.Add(Expression.IfThen(GuardTest(guard), guarded.Count == 1 ? guarded[0] : Expression.Block(guarded)));
                }
                if (Deferred.TryGetValue(i, out var deferredStatement)) Deferred[i] = Expression.IfThen(GuardTest(guard), deferredStatement);
            }
            return statements;
        }

        private void EmitNode(int i, List<Expression> statements, Expression[] operands)
        {
            var nodes = _g.Nodes;
            var n = nodes[i];
            int sumNode = i;
            if (_deferredSum.TryGetValue(i, out int deferred)) { sumNode = deferred; n = nodes[sumNode]; }
            else if (_fusedInto.Contains(i)) return; // emitted with the sum it was fused with
            if (_fusion.TryGetValue(sumNode, out var fusion))
            {
                if (fusion.AtScatter && sumNode == i) return; // emitted with its scatter, later
                int partner = fusion.Partner;
                var offsets = fusion.Offsets;
                var t = nodes[partner];
                if (_hoist.TryGetValue(sumNode, out var early))
                    foreach (int o in early)
                    {
                        EmitScalar(o, statements, operands);
                        _hoisted.Add(o);
                    }
                var sumArgs = new Expression[n.Arity];
                for (int j = 0; j < n.Arity; j++) sumArgs[j] = Operand(n.Operand(j), n.Op.OperandKind(j, n));
                var scatterArgs = new Expression[t.Arity];
                for (int j = 0; j < t.Arity; j++) scatterArgs[j] = Operand(t.Operand(j), t.Op.OperandKind(j, t));
                var sumTarget = Allocate(typeof(double));
                ExpireAt(_lastUse[sumNode], sumTarget);
                _expr[sumNode] = sumTarget;
                var scatterTarget = Allocate(typeof(double[]));
                ExpireAt(_lastUse[partner], scatterTarget);
                _expr[partner] = scatterTarget;
                _fusedInto.Add(partner);
                if (AccumulateInto is not null && AccumulateInto.TryGetValue(partner, out var enclosing))
                {
                    // The scatter adds into an enclosing loop's array as it goes, in the sum's loop.
                    statements.Add(LoopEmitter.EmitScatterInto(t, scatterArgs, enclosing, _depth,
                        (n, sumArgs, sumTarget, n.Args![SumRangePrimitive.Captures..])));
                    _expr[partner] = Expression.Default(typeof(double[]));
                    SinkLoopResult(sumNode, statements);
                    return;
                }
                var into = InPlace is { } ipf && ipf.Node == partner ? _parameters[ipf.Parameter] : null;
                // A narrow window of elements is carried in registers, a wide one gathered, others scattered.
                statements.Add(ScratchArrays(partner, offsets is null
                    ? LoopEmitter.EmitSumAndScatter(n, sumArgs, sumTarget, n.Args![SumRangePrimitive.Captures..],
                        t, scatterArgs, scatterTarget, t.Args![ScatterPrimitive.Captures..], _depth, into)
                    : offsets.Max() - offsets.Min() < LoopEmitter.MaxCarryWindow
                    ? LoopEmitter.EmitSumAndCarry(n, sumArgs, sumTarget, n.Args![SumRangePrimitive.Captures..],
                        t, scatterArgs, scatterTarget, t.Args![ScatterPrimitive.Captures..], offsets, _depth, into)
                    : LoopEmitter.EmitSumAndGather(n, sumArgs, sumTarget, n.Args![SumRangePrimitive.Captures..],
                        t, scatterArgs, scatterTarget, t.Args![ScatterPrimitive.Captures..], offsets, _depth, into)));
                SinkLoopResult(sumNode, statements);
                return;
            }
            if (LoopEmitter.IsStatement(n.Op))
            {
                var args = new Expression[n.Arity];
                for (int j = 0; j < n.Arity; j++) args[j] = Operand(n.Operand(j), n.Op.OperandKind(j, n));
                if (AccumulateInto is not null && AccumulateInto.TryGetValue(i, out var outer))
                {
                    var absorbedStatement = LoopEmitter.EmitScatterInto(n, args, outer, _depth);
                    if (_deferAbsorbed) Deferred[i] = absorbedStatement;
                    else statements.Add(absorbedStatement);
                    _expr[i] = Expression.Default(typeof(double[]));
                    return;
                }
                var target = Allocate(TypeOf(n.Kind));
                ExpireAt(_lastUse[i], target);
                _expr[i] = target;
                var into = InPlace is { } ip && ip.Node == i ? _parameters[ip.Parameter] : null;
                statements.Add(ScratchArrays(i, LoopEmitter.Emit(n, args, target, _depth, into)));
                SinkLoopResult(i, statements);
                return;
            }
            if (_hoisted.Contains(i)) return; // computed early, for a fused loop
            EmitScalar(i, statements, operands);
    }

        /// <summary>A node that is not a loop: an inline expression, or a variable's assignment.</summary>
        private void EmitScalar(int i, List<Expression> statements, Expression[] operands)
        {
            var n = _g[i];
            for (int j = 0; j < n.Arity; j++) operands[j] = Operand(n.Operand(j), n.Op.OperandKind(j, n));
            Expression e = ReferenceEquals(n.Op, Primitives.Input)
                ? Expression.ArrayIndex(_parameters[n.Aux], Expression.Constant(n.Aux2))
                : MinOfNegativeZero(n) is int other ? MinAsMax(operands[other])
                : n.Op.ToExpression(n, operands.AsSpan(0, n.Arity));
            if (!_materialized[i]) { _expr[i] = e; return; }
            if (_sinks.TryGetValue(i, out var only) && only.Count == 1 && !_readByNodes[i] && !IsOutputReadByResult(i))
            {
                // Written once and read by nothing else: straight into its destination.
                statements.Add(Expression.Assign(only[0], e));
                _expr[i] = only[0];
                return;
            }
            var variable = Allocate(e.Type);
            ExpireAt(_lastUse[i], variable);
            _expr[i] = variable;
            statements.Add(Expression.Assign(variable, e));
            if (_sinks.TryGetValue(i, out var targets))
                foreach (var target in targets) statements.Add(Expression.Assign(target, variable));
        }

        private static Type TypeOf(ValueKind kind) => ValueKinds.ClrType(kind);

        private Expression Operand(int node, ValueKind kind)
        {
            var e = _expr[node]!;
            if (!_materialized[node] && !_lazy[node] && !IsLeaf(_g[node])) _expr[node] = null; // inlined exactly once
            return e;
        }

        private Expression Allocate(Type type)
        {
            if (_allocatingGuarded && !IsScalar(type))
            {
                var own = Expression.Variable(type, NextName());
                Variables.Add(own);
                _unshared.Add(own);
                return own;
            }
            if (_free.TryGetValue(type, out var stack) && stack.Count > 0) return stack.Pop();
            int count = _variableCounts.GetValueOrDefault(type);
            if (_depth > 0 && count >= MaxVariablesPerType)
            {
                if (!_spills.TryGetValue(type, out var spill))
                {
                    spill = (Expression.Variable(type.MakeArrayType(), "spill" + _spills.Count), 0);
                    Variables.Add(spill.Array);
                }
                _spills[type] = (spill.Array, spill.Slots + 1);
                return Expression.ArrayAccess(spill.Array, Expression.Constant(spill.Slots));
            }
            _variableCounts[type] = count + 1;
            var v = Expression.Variable(type, NextName());
            Variables.Add(v);
            return v;
        }

        // One string per name (a concatenation would make the number's string first): a deep derivative names a million.
        private string NextName() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{_prefix}{Variables.Count}");

        public IEnumerable<Expression> SpillAllocations() => _spills.Values.Select(s =>
            (Expression)Expression.Assign(s.Array, Expression.NewArrayBounds(s.Array.Type.GetElementType()!, Expression.Constant(s.Slots))));

        // A loop body of modest size gets one variable per value: RyuJIT allocates registers per local, so a local
        // reused for unrelated values across a call (Math.Exp in P2's body) is spilled for all of them. Top-level code
        // and big bodies reuse variables by liveness, since IL and the JIT limit how many locals a method has.
        private const int MaxBodyWithoutReuse = 400;

        /// <summary>Frees <paramref name="variable"/> once node <paramref name="node"/> has been emitted.</summary>
        private void ExpireAt(int node, Expression variable)
        {
            if (_expiringCount == _expiringVariable.Length)
            {
                Array.Resize(ref _expiringVariable, _expiringCount * 2);
                Array.Resize(ref _expiringNext, _expiringCount * 2);
            }
            _expiringVariable[_expiringCount] = variable;
            _expiringNext[_expiringCount] = _expiringHead[node];
            _expiringHead[node] = _expiringCount++;
        }

        // In the order they were added, which decides which variable is reused next (and so the exported text).
        private void FreeExpiring(int node)
        {
            for (int k = _expiringHead[node]; k >= 0; k = _expiringNext[k]) _dying.Add(_expiringVariable[k]);
            for (int k = _dying.Count - 1; k >= 0; k--) Free(_dying[k]);
            _dying.Clear();
        }

        private void Free(Expression v)
        {
            if (_depth > 0 && _g.NodeCount <= MaxBodyWithoutReuse || _unshared.Contains(v)) return;
            if (!_free.TryGetValue(v.Type, out var stack)) _free[v.Type] = stack = new Stack<Expression>();
            stack.Push(v);
        }

        public Expression Output(int k) => _expr[_g.Outputs[k]]!;

        private Expression Length(Extent e) => e.IsFixed
            ? Expression.Constant(e.Fixed)
            : Expression.ArrayLength(_parameters[e.OfParameter]);

        private string LengthName(Extent e) => e.IsFixed ? "parameter" : $"element of '{Name(e.OfParameter)}'";

        private string Name(int parameter) => (_parameters[parameter] as ParameterExpression)?.Name ?? $"p{parameter}";

        /// <summary>The statements that build the result; the last one is its value.</summary>
        public List<Expression> Result(ResultLayout layout)
        {
            var body = new List<Expression>();
            switch (layout)
            {
                case ScalarLayout s:
                    body.Add(Output(s.Output));
                    break;
                case VectorLayout { Length.IsFixed: true } v when v.Elements.Length == v.Length.Fixed
                    && v.Elements.Select((e, i) => e.Index == i).All(ok => ok):
                    body.Add(Expression.NewArrayInit(typeof(double), v.Elements.Select(e => Output(e.Output))));
                    break;
                case VectorLayout v:
                {
                    var array = Result(typeof(double[]));
                    body.Add(Expression.Assign(array, Expression.NewArrayBounds(typeof(double), Length(v.Length))));
                    foreach (var (index, output) in v.Elements)
                        if (!IsPositiveZero(output))
                            body.Add(Expression.Assign(Expression.ArrayAccess(array, Expression.Constant(index)), Output(output)));
                    body.Add(array);
                    break;
                }
                case MatrixLayout m:
                {
                    var array = Result(typeof(double[,]));
                    body.Add(Expression.Assign(array, Expression.NewArrayBounds(typeof(double), Length(m.Rows), Length(m.Columns))));
                    foreach (var (row, col, output) in m.Cells)
                        if (!IsPositiveZero(output))
                            body.Add(Expression.Assign(Expression.ArrayAccess(array, Expression.Constant(row), Expression.Constant(col)), Output(output)));
                    body.Add(array);
                    break;
                }
                case ArrayLayout a:
                    body.Add(Output(a.Output));
                    break;
                case ColumnsLayout c:
                {
                    var array = Result(typeof(double[,]));
                    var rows = Expression.Variable(typeof(int), "rows");
                    body.Add(Expression.Assign(rows, Output(c.RowsOutput)));
                    body.Add(Expression.Assign(array, Expression.NewArrayBounds(typeof(double), rows, Length(c.Columns))));
                    foreach (var (column, output) in c.Arrays)
                    {
                        var source = Expression.Variable(typeof(double[]), "column");
                        var r = Expression.Variable(typeof(int), "r");
                        var exit = Expression.Label("exit");
                        body.Add(Expression.Block([source, r], Expression.Assign(source, Output(output)), Expression.Assign(r, Expression.Constant(0)),
                            Expression.Loop(Expression.IfThenElse(Expression.LessThan(r, rows),
                                Expression.Block(Expression.Assign(Expression.ArrayAccess(array, r, Expression.Constant(column)), Expression.ArrayIndex(source, r)),
                                    Expression.PreIncrementAssign(r)), Expression.Break(exit)), exit)));
                    }
                    Variables.Add(rows);
                    body.Add(array);
                    break;
                }
                case WriteArrayLayout { Length: null } wa:
                    if (InPlace is null)
                        body.Add(Expression.Call(CopyResult, Output(wa.ArrayOutput), _parameters[wa.Target], Expression.Constant(Name(wa.Target))));
                    body.Add(Output(wa.Value));
                    break;
                case WriteArrayLayout wa:
                    if (InPlace is null)
                        body.Add(Expression.Call(CopyArray, Output(wa.ArrayOutput), _parameters[wa.Target], Length(wa.Length!.Value)));
                    body.Add(Output(wa.Value));
                    break;
                case WriteLayout w:
                {
                    var target = _parameters[w.Target];
                    // Every element must be written, whatever the caller's buffer held: those the function
                    // reads get their value or 0, and the tail of a longer array is cleared in one call.
                    int written = w.Elements.Length == 0 ? 0 : w.Elements.Max(e => e.Index) + 1;
                    var values = new Expression?[written];
                    foreach (var (index, output) in w.Elements) values[index] = Output(output);
                    var sunk = new HashSet<int>(w.Elements.Where(e => IsSunk(_g.Outputs[e.Output])).Select(e => e.Index));
                    for (int i = 0; i < written; i++)
                        if (!sunk.Contains(i))
                            body.Add(Expression.Assign(Expression.ArrayAccess(target, Expression.Constant(i)), values[i] ?? Expression.Constant(0.0)));
                    if (!w.Length.IsFixed || w.Length.Fixed > written)
                        body.Add(Expression.Call(ClearRange, target, Expression.Constant(written),
                            Expression.Subtract(Length(w.Length), Expression.Constant(written))));
                    body.Add(Output(w.Value));
                    break;
                }
                default:
                    throw new InvalidOperationException($"unknown layout {layout}");
            }
            return body;
        }

        private ParameterExpression Result(Type type)
        {
            var v = Expression.Variable(type, "result");
            Variables.Add(v);
            return v;
        }

        private bool IsPositiveZero(int output)
        {
            ref readonly var n = ref _g[_g.Outputs[output]];
            return ReferenceEquals(n.Op, Primitives.Constant) && BitConverter.DoubleToInt64Bits(n.Value) == 0;
        }
    }
}
