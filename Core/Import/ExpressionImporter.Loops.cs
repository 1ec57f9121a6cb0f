using System.Linq.Expressions;
using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Import;

/// <summary>
/// Counted loops written with the Expression API, in the shapes a <c>for</c> loop takes:
/// <code>
/// i = start; loop { if (i &lt; n) { body; i++; } else break; }
/// i = start; loop { if (i &gt;= n) break; body; i++; }
/// </code>
/// (and counting down with <c>i--</c> and <c>&gt;</c>/<c>&gt;=</c>). The bound is read once, before the loop, as C#
/// evaluates it only if nothing in the body changes it, which is checked. The variables the body assigns (and the
/// elements of local arrays it writes at constant indices) become the carried state of a <see cref="ScanPrimitive"/>,
/// the body a region imported once: the graph does not grow with the trip count.
/// </summary>
internal sealed partial class ExpressionImporter
{
    /// <summary>How many of a scan body's leading captures are its carried state (not captured outer values).</summary>
    private int _carriedCount;

    private const string LoopFix = "write it as a counted loop: i = start; loop { if (i < n) { ...; i++; } else break; }, " +
        "with an int counter changed only by the i++ (or i--) at the end and a bound the body does not change";

    private void StepLoop(in Frame f, LoopExpression loop)
    {
        if (loop.BreakLabel is null) throw Unsupported(loop, "the loop has no break label, so it never ends", LoopFix);
        if (Nesting >= MaxNesting) throw Unsupported(loop, $"loops are nested more than {MaxNesting} deep", "flatten the nesting");
        var (test, statements, locals) = Shape(loop);
        var (counter, bound, up, inclusive) = Counter(loop, test);
        if (statements.Count == 0 || !IsStep(statements[^1], counter, up))
            throw Unsupported(loop, $"the body does not end with {(up ? "++" : "--")} of the counter '{counter.Name}'", LoopFix);
        statements = statements.Take(statements.Count - 1).ToList();
        // The bound is evaluated here, in this importer, before the loop is built.
        if (Descend(f, [bound])) return;
        int limit = Scalar(_values.Pop(), bound, ValueKind.Int32);

        var assigned = AssignedIn(statements, out var writtenArrays, out var computedIndexWrites);
        foreach (var p in locals) { assigned.Remove(p); writtenArrays.Remove(p); }
        if (assigned.Contains(counter)) throw Unsupported(loop, $"the body assigns the counter '{counter.Name}'", LoopFix);
        if (bound is ParameterExpression bp && (assigned.Contains(bp) || writtenArrays.Contains(bp)))
            throw Unsupported(loop, $"the body changes the bound '{bp.Name}'", LoopFix);

        if (!_env.TryGetValue(counter, out var counterValue) || counterValue.Reference is not null)
            throw Unsupported(loop, $"the counter '{counter.Name}' is not an int variable assigned before the loop", LoopFix);
        int first = counterValue.Node;

        // The carried state: assigned double variables of this scope, then the elements of local arrays written inside.
        var carried = new List<ParameterExpression>();
        var perIteration = new List<ParameterExpression>();
        foreach (var p in assigned.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (!_env.TryGetValue(p, out var v)) continue; // declared further in, or not assignable: the body reports it
            if (p.Type == typeof(int) || p.Type == typeof(bool))
            {
                // An inner loop's counter declared outside: fine as long as each iteration assigns it before reading it.
                perIteration.Add(p);
                continue;
            }
            if (v.Reference is Unassigned)
                throw Unsupported(loop, $"variable '{p.Name}' is assigned in the loop but not before it", "assign it before the loop");
            if (v.Reference is not null || _b.KindOf(v.Node) != ValueKind.Double)
                throw Unsupported(loop, $"the loop changes '{p.Name}', a {TypeName(p.Type)}; only double variables (and elements of local double arrays) can change in a loop",
                    "compute it from the counter instead");
            carried.Add(p);
        }
        var arrays = new List<(ParameterExpression Variable, LocalArray Array, (int, int)[] Elements)>();
        // Arrays written at computed indices (a[i] = …, a[k] += …) are write-only in the body: they become scatter loops.
        var writeOnly = new List<(ParameterExpression Variable, int Length, List<(int, int)> Base, int Dense)>();
        foreach (var p in writtenArrays.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            if (!_env.TryGetValue(p, out var v)) continue;
            if (v.Reference is FreshArray fresh) { writeOnly.Add((p, fresh.Length, [], -1)); continue; }
            // An array an earlier loop wrote: this loop's writes are added to it.
            if (v.Reference is ArrayNode { Node: var earlier }) { writeOnly.Add((p, _b.Make(Primitives.Length, earlier), [], earlier)); continue; }
            if (v.Reference is not LocalArray array) continue;
            if (array.Rank == 1 && (computedIndexWrites.Contains(p) || !array.Dimensions[0].IsFixed))
            {
                var d = array.Dimensions[0];
                int length = d.IsFixed ? _b.Constant(d.Fixed, ValueKind.Int32) : _b.Make(Primitives.Length, WholeArray(d.OfParameter));
                var basePairs = array.Written.Select(e => (_b.Constant(e.Item1, ValueKind.Int32), array.Read(_b, e.Item1, 0))).ToList();
                writeOnly.Add((p, length, basePairs, -1));
                continue;
            }
            if (array.Rank != 1)
                throw Unsupported(loop, $"the loop writes elements of '{p.Name}', a matrix", "write a double[] instead");
            arrays.Add((p, array, Enumerable.Range(0, array.Dimensions[0].Fixed).Select(k => (k, 0)).ToArray()));
        }

        // The body, imported once, with the counter as parameter 0 and the carried values as parameters 1..m.
        var names = new List<string> { counter.Name ?? "i" };
        var inits = new List<int>();
        foreach (var p in carried) { names.Add(p.Name ?? $"s{names.Count}"); inits.Add(_env[p].Node); }
        foreach (var (p, array, elements) in arrays)
            foreach (var (k, _) in elements) { names.Add($"{p.Name}{k}"); inits.Add(array.Read(_b, k, 0)); }
        int m = inits.Count;
        var child = new ExpressionImporter(new GraphBuilder(names, _b.Folds, _b.Simplifies), _rules, _root)
        {
            _parent = this, _captureNodes = new(inits), _captureKinds = Enumerable.Repeat(ValueKind.Double, m).ToList(),
            _regionNames = names, _carriedCount = m,
        };
        child._env[counter] = Val.Of(child._b.Input(0, -1, ValueKind.Int32));
        foreach (var p in perIteration) child._env[p] = Val.Ref(new NotCarried(p.Name));
        int slot = 0;
        foreach (var p in carried) child._env[p] = Val.Of(child._b.Input(1 + slot++, -1));
        var childArrays = new List<LocalArray>();
        foreach (var (p, array, elements) in arrays)
        {
            var copy = new LocalArray(array.Dimensions);
            foreach (var (k, _) in elements) copy.Write(k, 0, child._b.Input(1 + slot++, -1));
            child._env[p] = Val.Ref(copy);
            childArrays.Add(copy);
        }
        var writers = writeOnly.Select(w => new WriteOnlyArray(w.Variable.Name)).ToList();
        for (int w = 0; w < writeOnly.Count; w++) child._env[writeOnly[w].Variable] = Val.Ref(writers[w]);
        if (writeOnly.Count > 0 && inits.Count > 0 && !up)
            throw Unsupported(loop, $"the loop counts down while it carries values and writes '{writeOnly[0].Variable.Name}' at computed indices",
                "count up, or split it into two loops: one that carries the values, one that writes the array");
        child.Run(locals.Count == 0 && statements.Count == 1 ? statements[0]
            : statements.Count == 0 ? Expression.Empty() : Expression.Block(locals, statements.Append(Expression.Empty())));
        var outputs = new List<int>();
        foreach (var p in carried) outputs.Add(child.Scalar(child._env[p], loop, ValueKind.Double));
        for (int a = 0; a < arrays.Count; a++)
            foreach (var (k, _) in arrays[a].Elements) outputs.Add(childArrays[a].Read(child._b, k, 0));

        // Iterations: up from first while i < limit (≤), or down from first while i > limit (≥), as a range.
        int one = _b.Constant(1, ValueKind.Int32);
        int start, count, after;
        if (up)
        {
            int end = inclusive ? _b.Add(limit, one) : limit;
            start = first;
            count = _b.Sub(end, first);
            after = _b.Select(_b.Compare(ExpressionType.GreaterThan, end, first), end, first);
        }
        else
        {
            int low = inclusive ? limit : _b.Add(limit, one);
            start = low;
            count = _b.Sub(_b.Add(first, one), low);
            int stop = _b.Sub(low, one);
            after = _b.Select(_b.Compare(ExpressionType.LessThan, stop, first), stop, first);
        }
        // With carried state, the loop is a scan that records its trajectory; the arrays it writes are scatters whose
        // bodies read the state entering each iteration from that record.
        int trajectory = -1;
        if (writeOnly.Count > 0 && m > 0)
        {
            var stateRegion = new Region(child._b.Build(outputs.ToArray(), names), child._captureKinds!.ToArray());
            var stateArgs = new List<int> { start, count };
            stateArgs.AddRange(child._captureNodes!);
            trajectory = _b.MakeStructured(Primitives.ScanRecord, ValueKind.Array, stateArgs.ToArray(), stateRegion, m);
        }
        for (int w = 0; w < writeOnly.Count; w++)
        {
            var (p, length, basePairs, dense) = writeOnly[w];
            var pairs = writers[w].Writes.SelectMany(x => new[] { x.Index, x.Value }).ToArray();
            var scatterRegion = new Region(child._b.Build(pairs, names), child._captureKinds!.ToArray());
            var scatterArgs = new List<int> { length, start, count };
            scatterArgs.AddRange(child._captureNodes!);
            if (trajectory >= 0) (scatterRegion, scatterArgs) = ReadingTrajectory(scatterRegion, m, length, start, count, trajectory, child._captureNodes!);
            // The scatter adds every write into zeros, in increasing index order (or, for an array's one assignment,
            // whose index differs in every iteration, stores it). That is the loop's own result when it counts up;
            // counting down, the order only shows with three or more writes to one element.
            var writes = writers[w].Writes;
            if (writes.Any(x => x.Assigns) && writes.Count > 1)
                throw Unsupported(loop, $"the loop assigns elements of '{p.Name}' and also writes it elsewhere",
                    "write each array once per iteration with =, or accumulate with += only");
            if (!up && writes.Count > 2)
                throw Unsupported(loop, $"the loop counts down while accumulating into '{p.Name}' from {writes.Count} places", "count up");
            // Added to an earlier array, the writes must land one per element (or the sums would round differently).
            if (dense >= 0 && !(writes.Count == 1 && !writes[0].Assigns && child.IsCounterPlusConstant(writes[0].Index)))
                throw Unsupported(loop, $"the loop writes '{p.Name}', which an earlier loop wrote, other than by one a[i + c] += … per iteration",
                    "accumulate into a new array and add the arrays afterwards");
            int flags = writes.Count == 1 && writes[0].Assigns ? ScatterPrimitive.Assigns : 0;
            int scatter = _b.MakeStructured(Primitives.Scatter, ValueKind.Array, scatterArgs.ToArray(), scatterRegion, writers[w].Writes.Count | flags);
            int result = dense >= 0 ? _b.Assemble(length, [], [dense, scatter])
                : basePairs.Count == 0 ? scatter : _b.Assemble(length, basePairs, [scatter]);
            _env[p] = Val.Ref(new ArrayNode(result, -1));
        }
        if (m == 0)
        {
            _env[counter] = Val.Of(after);
            foreach (var p in perIteration) _env[p] = Val.Ref(new NotCarried(p.Name));
            _values.Push(Val.Void);
            return;
        }
        var region = new Region(child._b.Build(outputs.ToArray(), names), child._captureKinds!.ToArray());
        var args = new List<int> { start, count };
        args.AddRange(child._captureNodes!);
        int scan = trajectory >= 0 ? trajectory : _b.MakeStructured(ScanPrimitive.Of(reverse: !up, records: false), ValueKind.Array, args.ToArray(), region, m);
        // In a trajectory the final state is its last slot, after max(count, 0) others.
        int finalSlot = trajectory < 0 ? _b.Constant(0, ValueKind.Int32)
            : _b.Mul(_b.Select(_b.Compare(ExpressionType.GreaterThan, count, _b.Constant(0, ValueKind.Int32)), count, _b.Constant(0, ValueKind.Int32)), _b.Constant(m, ValueKind.Int32));

        slot = 0;
        int Final(int j) => _b.Make(Primitives.Read, scan, trajectory < 0 ? _b.Constant(j, ValueKind.Int32) : _b.Add(finalSlot, _b.Constant(j, ValueKind.Int32)));
        foreach (var p in carried) _env[p] = Val.Of(Final(slot++));
        foreach (var (_, array, elements) in arrays)
            foreach (var (k, _) in elements) array.Write(k, 0, Final(slot++));
        _env[counter] = Val.Of(after);
        foreach (var p in perIteration) _env[p] = Val.Ref(new NotCarried(p.Name));
        _values.Push(Val.Void);
    }

    /// <summary>An int or bool variable a loop assigns: it does not carry from one iteration to the next (only doubles
    /// do), so reading it before the iteration assigns it, or after the loop, is an error.</summary>
    private sealed record NotCarried(string? Name);

    /// <summary>A scatter region over a scan body's writes, re-parameterized to read the state entering iteration i
    /// from the scan's recorded trajectory (slot i − start) instead of carrying it: parameters i, then the trajectory,
    /// start, and the body's other captures.</summary>
    private (Region, List<int>) ReadingTrajectory(Region scatter, int m, int length, int start, int count, int trajectory, List<int> captureNodes)
    {
        var body = scatter.Body;
        var names = new List<string> { body.ParameterNames[0], "trajectory", "start" };
        names.AddRange(body.ParameterNames.Skip(1 + m));
        var kinds = new List<ValueKind> { ValueKind.Array, ValueKind.Int32 };
        kinds.AddRange(scatter.CaptureKinds.Skip(m));
        var rb = new GraphBuilder(names, _b.Folds, _b.Simplifies);
        int i = rb.Input(0, -1, ValueKind.Int32);
        int first = rb.Mul(rb.Sub(i, rb.Input(2, -1, ValueKind.Int32)), rb.Constant(m, ValueKind.Int32));
        var map = GraphCopier.Copy(body, rb, (p, kind) => p == 0 ? i
            : p <= m ? rb.Make(Primitives.Read, rb.Input(1, -1, ValueKind.Array), rb.Add(first, rb.Constant(p - 1, ValueKind.Int32)))
            : rb.Input(p - m + 2, -1, kind));
        var region = new Region(rb.Build(body.Outputs.ToArray().Select(o => map[o]).ToArray(), names), kinds);
        var args = new List<int> { length, start, count, trajectory, start };
        args.AddRange(captureNodes.Skip(m));
        return (region, args);
    }

    /// <summary>The loop's continue condition, the statements of its body and the variables the body declares.</summary>
    private (Expression Test, List<Expression> Statements, IReadOnlyList<ParameterExpression> Locals) Shape(LoopExpression loop)
    {
        var body = loop.Body;
        while (body is BlockExpression { Variables.Count: 0, Expressions.Count: 1 } single) body = single.Expressions[0];
        bool IsBreak(Expression e) => e is GotoExpression { Kind: GotoExpressionKind.Break or GotoExpressionKind.Goto, Value: null } g && g.Target == loop.BreakLabel
            || e is BlockExpression { Variables.Count: 0, Expressions: [GotoExpression inner] } && IsBreak(inner);
        // if (test) { body } else break;
        if (body is ConditionalExpression { Type: var t } c && t == typeof(void) && IsBreak(c.IfFalse))
        {
            var inner = c.IfTrue;
            if (inner is BlockExpression block) return (c.Test, block.Expressions.ToList(), block.Variables);
            return (c.Test, [inner], []);
        }
        // { if (exit) break; body }
        if (body is BlockExpression { Expressions: [ConditionalExpression first, ..] } b && first.Type == typeof(void)
            && IsBreak(first.IfTrue) && IsEmpty(first.IfFalse))
            return (Expression.Not(first.Test), b.Expressions.Skip(1).ToList(), b.Variables);
        throw Unsupported(loop, "the loop does not test its counter at the top", LoopFix);
    }

    /// <summary>The counter, the bound, the direction and whether the bound is included, from the continue condition.</summary>
    private (ParameterExpression Counter, Expression Bound, bool Up, bool Inclusive) Counter(LoopExpression loop, Expression test)
    {
        bool negated = false;
        while (test is UnaryExpression { NodeType: ExpressionType.Not } not) { test = not.Operand; negated = !negated; }
        if (test is BinaryExpression bin && bin.Left.Type == typeof(int) && bin.Right.Type == typeof(int))
        {
            var type = negated ? Negate(bin.NodeType) : bin.NodeType;
            bool left = bin.Left is ParameterExpression lp && IsAssignableInt(lp);
            var counter = left ? (ParameterExpression)bin.Left : bin.Right as ParameterExpression;
            if (counter is not null && (left || IsAssignableInt(counter)))
            {
                // Put the counter on the left: n > i is i < n.
                if (!left) type = Mirror(type);
                var bound = left ? bin.Right : bin.Left;
                switch (type)
                {
                    case ExpressionType.LessThan: return (counter, bound, true, false);
                    case ExpressionType.LessThanOrEqual: return (counter, bound, true, true);
                    case ExpressionType.GreaterThan: return (counter, bound, false, false);
                    case ExpressionType.GreaterThanOrEqual: return (counter, bound, false, true);
                }
            }
        }
        throw Unsupported(loop, $"the loop condition '{Error.Quote(test)}' does not compare an int counter with a bound using <, <=, > or >=", LoopFix);
    }

    private bool IsAssignableInt(ParameterExpression p) => p.Type == typeof(int) && _env.ContainsKey(p) && !IsRootParameter(p);

    private static ExpressionType Negate(ExpressionType t) => t switch
    {
        ExpressionType.LessThan => ExpressionType.GreaterThanOrEqual,
        ExpressionType.LessThanOrEqual => ExpressionType.GreaterThan,
        ExpressionType.GreaterThan => ExpressionType.LessThanOrEqual,
        ExpressionType.GreaterThanOrEqual => ExpressionType.LessThan,
        _ => t,
    };

    private static ExpressionType Mirror(ExpressionType t) => t switch
    {
        ExpressionType.LessThan => ExpressionType.GreaterThan,
        ExpressionType.LessThanOrEqual => ExpressionType.GreaterThanOrEqual,
        ExpressionType.GreaterThan => ExpressionType.LessThan,
        ExpressionType.GreaterThanOrEqual => ExpressionType.LessThanOrEqual,
        _ => t,
    };

    /// <summary>Whether <paramref name="e"/> is <c>i++</c>, <c>++i</c>, <c>i += 1</c> or <c>i = i + 1</c> (or the same
    /// downwards).</summary>
    private static bool IsStep(Expression e, ParameterExpression i, bool up)
    {
        static bool IsOne(Expression x) => x is ConstantExpression { Value: 1 };
        return e switch
        {
            UnaryExpression { NodeType: ExpressionType.PreIncrementAssign or ExpressionType.PostIncrementAssign } u when up => u.Operand == i,
            UnaryExpression { NodeType: ExpressionType.PreDecrementAssign or ExpressionType.PostDecrementAssign } u when !up => u.Operand == i,
            BinaryExpression { NodeType: ExpressionType.AddAssign or ExpressionType.AddAssignChecked } a when up => a.Left == i && IsOne(a.Right),
            BinaryExpression { NodeType: ExpressionType.SubtractAssign or ExpressionType.SubtractAssignChecked } a when !up => a.Left == i && IsOne(a.Right),
            BinaryExpression { NodeType: ExpressionType.Assign, Right: BinaryExpression r } a when a.Left == i =>
                up ? r.NodeType is ExpressionType.Add or ExpressionType.AddChecked && (r.Left == i && IsOne(r.Right) || r.Right == i && IsOne(r.Left))
                   : r.NodeType is ExpressionType.Subtract or ExpressionType.SubtractChecked && r.Left == i && IsOne(r.Right),
            _ => false,
        };
    }

    /// <summary>The variables the statements assign and the array variables whose elements they write, found without
    /// recursion (a body may be deep).</summary>
    private static HashSet<ParameterExpression> AssignedIn(IEnumerable<Expression> statements, out HashSet<ParameterExpression> writtenArrays,
        out HashSet<ParameterExpression> computedIndexWrites)
    {
        var assigned = new HashSet<ParameterExpression>();
        writtenArrays = new HashSet<ParameterExpression>();
        computedIndexWrites = new HashSet<ParameterExpression>();
        var declared = new HashSet<ParameterExpression>();
        var work = new Stack<Expression>(statements);
        while (work.Count > 0)
        {
            var e = work.Pop();
            switch (e)
            {
                case BinaryExpression b:
                    if (IsAssignment(b.NodeType))
                    {
                        if (b.Left is ParameterExpression p) assigned.Add(p);
                        else if (b.Left is IndexExpression { Object: ParameterExpression a } ix)
                        {
                            writtenArrays.Add(a);
                            if (ix.Arguments.Any(x => x is not ConstantExpression)) computedIndexWrites.Add(a);
                        }
                        else if (b.Left is BinaryExpression { NodeType: ExpressionType.ArrayIndex, Left: ParameterExpression a2 }) writtenArrays.Add(a2);
                    }
                    work.Push(b.Left);
                    work.Push(b.Right);
                    break;
                case UnaryExpression u:
                    if (u.NodeType is ExpressionType.PreIncrementAssign or ExpressionType.PostIncrementAssign
                        or ExpressionType.PreDecrementAssign or ExpressionType.PostDecrementAssign)
                    {
                        if (u.Operand is ParameterExpression p) assigned.Add(p);
                        else if (u.Operand is IndexExpression { Object: ParameterExpression a }) writtenArrays.Add(a);
                    }
                    work.Push(u.Operand);
                    break;
                case BlockExpression block:
                    declared.UnionWith(block.Variables);
                    foreach (var x in block.Expressions) work.Push(x);
                    break;
                case ConditionalExpression c: work.Push(c.Test); work.Push(c.IfTrue); work.Push(c.IfFalse); break;
                case MethodCallExpression call:
                    if (call.Object is not null) work.Push(call.Object);
                    foreach (var x in call.Arguments) work.Push(x);
                    break;
                case InvocationExpression inv: work.Push(inv.Expression); foreach (var x in inv.Arguments) work.Push(x); break;
                case NewArrayExpression na: foreach (var x in na.Expressions) work.Push(x); break;
                case IndexExpression ix: if (ix.Object is not null) work.Push(ix.Object); foreach (var x in ix.Arguments) work.Push(x); break;
                case LoopExpression l: work.Push(l.Body); break;
                case GotoExpression { Value: { } v }: work.Push(v); break;
                case LabelExpression { DefaultValue: { } d }: work.Push(d); break;
                case LambdaExpression lambda: declared.UnionWith(lambda.Parameters); work.Push(lambda.Body); break;
                case MemberExpression { Expression: { } target }: work.Push(target); break;
            }
        }
        assigned.ExceptWith(declared);
        writtenArrays.ExceptWith(declared);
        computedIndexWrites.ExceptWith(declared);
        return assigned;
    }

    private static bool IsAssignment(ExpressionType t) => t is ExpressionType.Assign or ExpressionType.AddAssign or ExpressionType.AddAssignChecked
        or ExpressionType.SubtractAssign or ExpressionType.SubtractAssignChecked or ExpressionType.MultiplyAssign
        or ExpressionType.MultiplyAssignChecked or ExpressionType.DivideAssign or ExpressionType.ModuloAssign or ExpressionType.PowerAssign;
}
