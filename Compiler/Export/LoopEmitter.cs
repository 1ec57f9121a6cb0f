using System.Linq.Expressions;
using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Export;

/// <summary>
/// Writes the structured nodes (sums over a range, scatters, assembled arrays) as statements: a real loop
/// whose body is the region's graph exported once, so the code's size does not depend on the trip count.
/// </summary>
internal static partial class LoopEmitter
{
    public static bool IsStatement(Primitive op) =>
        ReferenceEquals(op, Primitives.SumRange) || ReferenceEquals(op, Primitives.Scatter) || ReferenceEquals(op, Primitives.Assemble)
        || op is ExtremumRangePrimitive || op is ScanPrimitive || ReferenceEquals(op, Primitives.Tabulate)
        || ReferenceEquals(op, Primitives.MatrixTabulate);

    /// <summary>A statement that computes node <paramref name="n"/> from its operands into <paramref name="target"/>.</summary>
    /// <param name="depth">How many loops enclose this one: names its index i, i1, i2, … so nested loops never shadow.</param>
    /// <param name="into">An array (of the right length) to build an array-valued node in, cleared first, instead of a new one.</param>
    public static Expression Emit(in Node n, Expression[] operands, Expression target, int depth, Expression? into = null)
    {
        if (ReferenceEquals(n.Op, Primitives.SumRange)) return EmitSum(n, operands, target, depth);
        if (ReferenceEquals(n.Op, Primitives.Scatter)) return EmitScatter(n, operands, target, depth, into);
        if (n.Op is ExtremumRangePrimitive extremum) return EmitExtremum(extremum, n, operands, target, depth);
        if (n.Op is ScanPrimitive scan) return EmitScan(scan, n, operands, target, depth);
        if (ReferenceEquals(n.Op, Primitives.Tabulate)) return EmitTabulate(n, operands, target, depth, into);
        if (ReferenceEquals(n.Op, Primitives.MatrixTabulate)) return EmitMatrixTabulate(n, operands, target, depth);
        return EmitAssemble(n, operands, target, depth, into);
    }

    private static readonly System.Reflection.MethodInfo RequireLengthOf = typeof(Intrinsics).GetMethod(nameof(Intrinsics.RequireLengthOf))!;

    private static readonly System.Reflection.MethodInfo ClearRange =
        typeof(Array).GetMethod(nameof(Array.Clear), [typeof(Array), typeof(int), typeof(int)])!;

    // A caller's buffer may be longer than the array it receives: only the array's elements are written; the tail is left alone.
    private static Expression NewOrCleared(ParameterExpression array, Expression length, Expression? into) => into is null
        ? Expression.Assign(array, Expression.NewArrayBounds(typeof(double), length))
        : Expression.Block(Expression.Assign(array, into), Expression.Call(ClearRange, array, Expression.Constant(0), length));

    // best = NaN; for (i …) { v = body(i); if (i == start || v > best) (best, at) = (v, i); if (NaN(v)) { (best, at) = (v, i); break; } }
    private static Expression EmitExtremum(ExtremumRangePrimitive op, in Node n, Expression[] operands, Expression target, int depth)
    {
        var best = Expression.Variable(typeof(double), op.IsMax ? "max" : "min");
        var at = Expression.Variable(typeof(int), "at");
        var region = n.Region!;
        var loop = For(operands[0], operands[1], depth, (i, statements, exit) =>
        {
            var (variables, body, outputs) = Exporter.ExportState.ExportBody(region.Body, Parameters(i, operands, ExtremumRangePrimitive.Captures), Prefix(i), depth + 1);
            var v = Expression.Variable(typeof(double), "value");
            var take = Expression.Block(Expression.Assign(best, v), Expression.Assign(at, i));
            var better = op.IsMax ? Expression.GreaterThan(v, best) : Expression.LessThan(v, best);
            var all = new List<Expression>(body)
            {
                Expression.Assign(v, outputs[0]),
                Expression.IfThen(Expression.OrElse(Expression.Equal(i, operands[0]), better), take),
                Expression.IfThen(Expression.NotEqual(v, v), Expression.Block(take, Expression.Break(exit))),
            };
            statements.Add(Expression.Block(variables.Append(v), all));
        });
        return Expression.Block([best, at], Expression.Assign(best, Expression.Constant(double.NaN)), Expression.Assign(at, operands[0]), loop,
            Expression.Assign(target, op.ReturnsIndex ? at : best));
    }

    // acc = 0; for (i = start; i < start + count; i++) acc += body(i);
    private static Expression EmitSum(in Node n, Expression[] operands, Expression target, int depth)
    {
        var acc = Expression.Variable(typeof(double), "sum");
        var region = n.Region!;
        var loop = For(operands[0], operands[1], depth, (i, statements) =>
        {
            var (variables, body, outputs) = Exporter.ExportState.ExportBody(region.Body, Parameters(i, operands, SumRangePrimitive.Captures), Prefix(i), depth + 1);
            statements.Add(Expression.Block(variables, body.Append(Expression.Assign(acc, Expression.Add(acc, outputs[0])))));
        });
        return Expression.Block([acc], Expression.Assign(acc, Expression.Constant(SumRangePrimitive.InitialValue(n))), loop, Expression.Assign(target, acc));
    }

    // s = init; [tape = new double[(max(count, 0) + 1)·m];] for (i …) { [tape[i − start] = s;] s = body(i, s); } result = s or tape
    private static Expression EmitScan(ScanPrimitive op, in Node n, Expression[] operands, Expression target, int depth)
    {
        var region = n.Region!;
        int m = ScanPrimitive.StateCount(n);
        bool split = (n.Aux & ScanPrimitive.SplitRecord) != 0;
        var state = new ParameterExpression[m];
        for (int j = 0; j < m; j++) state[j] = Expression.Variable(typeof(double), region.Body.ParameterNames[1 + j]);
        var tape = Expression.Variable(typeof(double[]), "tape");
        var trips = Expression.Variable(typeof(int), "trips");
        var statements = new List<Expression>();
        for (int j = 0; j < m; j++) statements.Add(Expression.Assign(state[j], operands[ScanPrimitive.Captures + j]));
        if (op.Records)
        {
            statements.Add(Expression.Assign(trips, Expression.Call(MaxInt, operands[1], Expression.Constant(0))));
            statements.Add(Expression.Assign(tape, Expression.NewArrayBounds(typeof(double),
                Expression.Multiply(Expression.Add(trips, Expression.Constant(1)), Expression.Constant(m)))));
        }
        // As ScanPrimitive.TapeIndex: slot·m + j, or in two blocks of half the state each when split.
        Expression Slot(Expression slot, int j)
        {
            if (!split) return Expression.ArrayAccess(tape, Expression.Add(Expression.Multiply(slot, Expression.Constant(m)), Expression.Constant(j)));
            int h = m / 2;
            Expression index = Expression.Add(Expression.Multiply(slot, Expression.Constant(h)), Expression.Constant(j % h));
            if (j >= h) index = Expression.Add(Expression.Multiply(Expression.Add(trips, Expression.Constant(1)), Expression.Constant(h)), index);
            return Expression.ArrayAccess(tape, index);
        }
        void Record(List<Expression> into, Expression slot)
        {
            for (int j = 0; j < m; j++) into.Add(Expression.Assign(Slot(slot, j), state[j]));
        }
        void Body(ParameterExpression i, List<Expression> loopStatements)
        {
            var parameters = new Expression[1 + region.CaptureCount];
            parameters[0] = i;
            for (int j = 0; j < m; j++) parameters[1 + j] = state[j];
            Array.Copy(operands, ScanPrimitive.Captures + m, parameters, 1 + m, region.CaptureCount - m);
            var (variables, body, outputs) = Exporter.ExportState.ExportBody(region.Body, parameters, Prefix(i), depth + 1);
            var all = new List<Expression>();
            if (op.Records && !op.Reverse) Record(all, Expression.Subtract(i, operands[0]));
            all.AddRange(body);
            // Every output is read before any state variable changes: the next state depends on the whole current one.
            var next = new ParameterExpression[m];
            for (int j = 0; j < m; j++)
            {
                next[j] = Expression.Variable(typeof(double), "next" + j.ToString(System.Globalization.CultureInfo.InvariantCulture));
                all.Add(Expression.Assign(next[j], outputs[j]));
            }
            for (int j = 0; j < m; j++) all.Add(Expression.Assign(state[j], next[j]));
            if (op.Records && op.Reverse) Record(all, Expression.Subtract(i, operands[0]));
            loopStatements.Add(Expression.Block(variables.Concat(next), all));
        }
        statements.Add(op.Reverse ? ForDown(operands[0], operands[1], depth, Body) : For(operands[0], operands[1], depth, Body));
        if (op.Records)
        {
            for (int j = 0; j < m; j++)
                statements.Add(Expression.Assign(Slot(trips, j), op.Reverse ? operands[ScanPrimitive.Captures + j] : state[j]));
            statements.Add(Expression.Assign(target, tape));
        }
        else
        {
            statements.Add(Expression.Assign(target, Expression.NewArrayInit(typeof(double), state)));
        }
        return Expression.Block(op.Records ? state.Append(tape).Append(trips) : state, statements);
    }

    // a = new double[max(count, 0)]; for (i …) a[i − start] = body(i);
    private static Expression EmitTabulate(in Node n, Expression[] operands, Expression target, int depth, Expression? into)
    {
        var array = Expression.Variable(typeof(double[]), "tabulated");
        var region = n.Region!;
        var loop = For(operands[0], operands[1], depth, (i, statements) =>
        {
            var (variables, body, outputs) = Exporter.ExportState.ExportBody(region.Body, Parameters(i, operands, TabulatePrimitive.Captures), Prefix(i), depth + 1);
            statements.Add(Expression.Block(variables, body.Append(Expression.Assign(Expression.ArrayAccess(array, Expression.Subtract(i, operands[0])), outputs[0]))));
        });
        var length = Expression.Call(MaxInt, operands[1], Expression.Constant(0));
        // Written into a caller's buffer, the elements past count must read zero too; a short buffer (a result of computed
        // length) is refused by name before anything is written.
        var make = into is null
            ? (Expression)Expression.Assign(array, Expression.NewArrayBounds(typeof(double), length))
            : Expression.Block(
                Expression.Call(RequireLengthOf, into, length, Expression.Constant(((ParameterExpression)into).Name), Expression.Constant("element of the result")),
                Expression.Assign(array, into), Expression.Call(ClearRange, array, Expression.Constant(0), Expression.ArrayLength(array)));
        return Expression.Block([array], make, loop, Expression.Assign(target, array));
    }

    // m = new double[count, other] (or [other, count]); for (k …) { line = body(k); m[k − start, j] = line[j] for j < other; }
    private static Expression EmitMatrixTabulate(in Node n, Expression[] operands, Expression target, int depth)
    {
        bool columns = n.Aux == 1;
        var matrix = Expression.Variable(typeof(double[,]), "matrix");
        var other = Expression.Variable(typeof(int), "other");
        var region = n.Region!;
        var loop = For(operands[0], operands[1], depth, (k, statements) =>
        {
            var (variables, body, outputs) = Exporter.ExportState.ExportBody(region.Body, Parameters(k, operands, MatrixTabulatePrimitive.Captures), Prefix(k), depth + 1);
            var line = Expression.Variable(typeof(double[]), "line");
            var copy = For(Expression.Constant(0), Expression.Call(MinInt, other, Expression.ArrayLength(line)), depth + 1, (j, inner) =>
            {
                var row = Expression.Subtract(k, operands[0]);
                inner.Add(Expression.Assign(columns ? Expression.ArrayAccess(matrix, j, row) : Expression.ArrayAccess(matrix, row, j), Expression.ArrayIndex(line, j)));
            });
            statements.Add(Expression.Block(variables.Append(line), body.Append(Expression.Assign(line, outputs[0])).Append(copy)));
        });
        var count = Expression.Call(MaxInt, operands[1], Expression.Constant(0));
        return Expression.Block([matrix, other],
            Expression.Assign(other, Expression.Call(MaxInt, operands[2], Expression.Constant(0))),
            Expression.Assign(matrix, columns ? Expression.NewArrayBounds(typeof(double), other, count) : Expression.NewArrayBounds(typeof(double), count, other)),
            loop, Expression.Assign(target, matrix));
    }

    /// <summary>
    /// The offsets c_p of a scatter whose every (index, value) pair writes at index i + c_p (i the iteration, c_p a
    /// constant) and which adds no whole arrays, or null. Such a scatter can be written as a gather: element k is the
    /// sum of value_p(k − c_p) over the pairs whose iteration k − c_p is in range, in the scatter's own order.
    /// </summary>
    public static int[]? GatherOffsets(in Node scatter)
    {
        if (!ReferenceEquals(scatter.Op, Primitives.Scatter)) return null;
        var body = scatter.Region!.Body;
        var outputs = body.Outputs;
        int pairs = ScatterPrimitive.PairCount(scatter);
        if (ScatterPrimitive.IsAssignment(scatter) || outputs.Length != 2 * pairs || pairs == 0) return null;
        var offsets = new int[pairs];
        for (int p = 0; p < pairs; p++)
        {
            var n = body[outputs[2 * p]];
            bool IsIndex(int node) => ReferenceEquals(body[node].Op, Primitives.Input) && body[node].Aux == 0;
            bool IsConstant(int node, out int c)
            {
                c = (int)body[node].Value;
                return ReferenceEquals(body[node].Op, Primitives.Constant);
            }
            if (IsIndex(outputs[2 * p])) offsets[p] = 0;
            else if (ReferenceEquals(n.Op, Primitives.Add) && IsIndex(n.A) && IsConstant(n.B, out int c1)) offsets[p] = c1;
            else if (ReferenceEquals(n.Op, Primitives.Add) && IsIndex(n.B) && IsConstant(n.A, out int c2)) offsets[p] = c2;
            else if (ReferenceEquals(n.Op, Primitives.Sub) && IsIndex(n.A) && IsConstant(n.B, out int c3)) offsets[p] = -c3;
            else return null;
        }
        return offsets;
    }

    /// <summary>
    /// A sum and a gather-able scatter over the same range, in one loop over the scatter's elements k: the sum adds
    /// iteration k (the iterations outside [0, length) before and after), and element k is computed once and stored,
    /// instead of cleared and then read and written by every iteration that adds to it. The sum's chain of dependent
    /// additions overlaps the gradient's work, as in hand-written code. Bit for bit the two loops' results: every
    /// addition happens in the same order, from the same zeros.
    /// </summary>
    public static Expression EmitSumAndGather(in Node sum, Expression[] sumOperands, Expression sumTarget, int[] sumCaptureNodes,
        in Node scatter, Expression[] scatterOperands, Expression scatterTarget, int[] scatterCaptureNodes, int[] offsets, int depth, Expression? into)
    {
        var acc = Expression.Variable(typeof(double), "sum");
        var array = Expression.Variable(typeof(double[]), "gathered");
        var start = Expression.Variable(typeof(int), "first");
        var stop = Expression.Variable(typeof(int), "stop");
        var length = Expression.Variable(typeof(int), "length");
        var low = Expression.Variable(typeof(int), "interiorStart");
        var high = Expression.Variable(typeof(int), "interiorEnd");
        var sumRegion = sum.Region!;
        var body = scatter.Region!.Body;
        // One graph per pair, holding only what its value needs; pairs in the order the scatter adds them to an element.
        var order = Enumerable.Range(0, offsets.Length).OrderByDescending(p => offsets[p]).ToArray();
        var values = order.Select(p => new GraphBuilder(body).Build([body.Outputs[2 * p + 1]], body.ParameterNames)).ToArray();
        int cMin = offsets.Min(), cMax = offsets.Max();

        Expression SumIteration(Expression i)
        {
            var (variables, statements, outputs) = Exporter.ExportState.ExportBody(sumRegion.Body, Parameters(i, sumOperands, SumRangePrimitive.Captures), "s_", depth + 1);
            return Expression.Block(variables, statements.Append(Expression.Assign(acc, Expression.Add(acc, outputs[0]))));
        }
        Expression InRange(Expression i) => Expression.AndAlso(Expression.LessThanOrEqual(start, i), Expression.LessThan(i, stop));

        // Near the ends some iterations are out of range: each part is guarded.
        Expression Guarded(Expression from, Expression to) => For(from, Expression.Subtract(to, from), depth, (k, statements) =>
        {
            statements.Add(Expression.IfThen(InRange(k), SumIteration(k)));
            var element = Expression.Variable(typeof(double), "element");
            var parts = new List<Expression> { Expression.Assign(element, Expression.Constant(0.0)) };
            for (int q = 0; q < order.Length; q++)
            {
                var i = Expression.Variable(typeof(int), "from");
                var (variables, inner, outputs) = Exporter.ExportState.ExportBody(values[q], Parameters(i, scatterOperands, ScatterPrimitive.Captures), $"g{q}_", depth + 1);
                parts.Add(Expression.Block([i], Expression.Assign(i, Expression.Subtract(k, Expression.Constant(offsets[order[q]]))),
                    Expression.IfThen(InRange(i), Expression.Block(variables, inner.Append(AddTo(element, outputs[0]))))));
            }
            parts.Add(Expression.Assign(Expression.ArrayAccess(array, k), element));
            statements.Add(Expression.Block([element], parts));
        });

        // In the interior every part is in range: one body for all of them, so what they share (the reads of x, a
        // residual) is computed once, as in hand-written code.
        var (mergedGraph, captureExpressions) = Merge(sum, sumOperands, sumCaptureNodes, scatterOperands, scatterCaptureNodes,
            values, order.Select(p => offsets[p]).ToArray());
        var interior = For(low, Expression.Subtract(high, low), depth, (k, statements) =>
        {
            var (variables, inner, outputs) = Exporter.ExportState.ExportBody(mergedGraph, new Expression[] { k }.Concat(captureExpressions).ToArray(), "k_", depth + 1);
            var element = Expression.Variable(typeof(double), "element");
            var all = new List<Expression>(inner) { Expression.Assign(acc, Expression.Add(acc, outputs[0])), Expression.Assign(element, Expression.Constant(0.0)) };
            for (int q = 1; q < outputs.Length; q++) all.Add(AddTo(element, outputs[q]));
            all.Add(Expression.Assign(Expression.ArrayAccess(array, k), element));
            statements.Add(Expression.Block(variables.Append(element), all));
        });

        var sumBefore = For(start, Expression.Subtract(Expression.Call(MinInt, stop, Expression.Constant(0)), start), depth,
            (i, statements) => statements.Add(SumIteration(i)));
        var afterStart = Expression.Call(MaxInt, start, length);
        var sumAfter = For(afterStart, Expression.Subtract(stop, afterStart), depth, (i, statements) => statements.Add(SumIteration(i)));
        // Where the scatter would write outside its array it throws; so does this, before writing anything.
        var outside = Expression.AndAlso(Expression.LessThan(start, stop), Expression.OrElse(
            Expression.LessThan(Expression.Add(start, Expression.Constant(cMin)), Expression.Constant(0)),
            Expression.GreaterThanOrEqual(Expression.Add(Expression.Subtract(stop, Expression.Constant(1)), Expression.Constant(cMax)), length)));
        var statementsAll = new List<Expression>
        {
            Expression.Assign(start, scatterOperands[1]),
            Expression.Assign(stop, Expression.Add(start, scatterOperands[2])),
            Expression.Assign(length, scatterOperands[0]),
            Expression.IfThen(outside, Expression.Throw(Expression.New(typeof(IndexOutOfRangeException)))),
            // Interior: k in range for the sum and for every pair's iteration k − c.
            Expression.Assign(low, Expression.Call(MaxInt, Expression.Constant(0), Expression.Add(start, Expression.Constant(Math.Max(cMax, 0))))),
            Expression.Assign(high, Expression.Call(MinInt, length, Expression.Add(stop, Expression.Constant(Math.Min(cMin, 0))))),
            Expression.Assign(high, Expression.Call(MaxInt, high, low)),
            Expression.Assign(acc, Expression.Constant(SumRangePrimitive.InitialValue(sum))),
            // Every element in [0, length) is written once below; a longer caller's buffer keeps its tail.
            Expression.Assign(array, into ?? Expression.NewArrayBounds(typeof(double), length)),
            sumBefore, Guarded(Expression.Constant(0), low), interior, Guarded(high, length), sumAfter,
            Expression.Assign(sumTarget, acc),
            Expression.Assign(scatterTarget, array),
        };
        return Expression.Block([acc, array, start, stop, length, low, high], statementsAll);
    }

    private static readonly System.Reflection.MethodInfo MinInt = typeof(Math).GetMethod(nameof(Math.Min), [typeof(int), typeof(int)])!;

    private static readonly System.Reflection.MethodInfo MaxInt = typeof(Math).GetMethod(nameof(Math.Max), [typeof(int), typeof(int)])!;

    /// <summary>for (i = start + count − 1; i &gt;= start; i--) { body }</summary>
    private static Expression ForDown(Expression start, Expression count, int depth, Action<ParameterExpression, List<Expression>> body)
    {
        var i = Expression.Variable(typeof(int), depth == 0 ? "i" : "i" + depth.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var first = Expression.Variable(typeof(int), "first");
        var exit = Expression.Label("exit");
        var statements = new List<Expression>();
        body(i, statements);
        statements.Add(Expression.PreDecrementAssign(i));
        return Expression.Block([i, first],
            Expression.Assign(first, start),
            Expression.Assign(i, Expression.Subtract(Expression.Add(start, count), Expression.Constant(1))),
            Expression.Loop(Expression.IfThenElse(Expression.GreaterThanOrEqual(i, first), Expression.Block(statements), Expression.Break(exit)), exit));
    }

    // a = new double[length]; for (i …) { a[index_p] += value_p; a[j] += dense_d[j] for every j; }
    private static Expression EmitScatter(in Node n, Expression[] operands, Expression target, int depth, Expression? into)
    {
        var array = Expression.Variable(typeof(double[]), "scatter");
        var region = n.Region!;
        int pairs = ScatterPrimitive.PairCount(n);
        bool assigns = ScatterPrimitive.IsAssignment(n);
        var whole = region.Body.Outputs[(2 * pairs)..].ToArray();
        var absorbed = Absorbable(region.Body, whole, pairs, assigns, array);
        var loop = For(operands[1], operands[2], depth, (i, statements) =>
        {
            var (variables, body, outputs, deferred) = Exporter.ExportState.ExportBody(region.Body, Parameters(i, operands, ScatterPrimitive.Captures), Prefix(i), depth + 1,
                absorbed, MustDefer(absorbed, pairs, whole));
            var all = new List<Expression>(body);
            WritePairs(all, array, outputs, 0, pairs, assigns, depth, whole, absorbed, deferred);
            statements.Add(Expression.Block(variables, all));
        });
        return Expression.Block([array], NewOrCleared(array, operands[0], into), loop, Expression.Assign(target, array));
    }

    /// <summary>A scatter body's writes: each (index, value) pair from <paramref name="first"/> on stored or added into
    /// <paramref name="array"/>, then each whole array (body node <paramref name="whole"/>[d]) after the pairs, in order:
    /// added element by element, or, absorbed, its deferred statement (or nothing: already in the body).</summary>
    private static void WritePairs(List<Expression> statements, Expression array, Expression[] outputs, int first, int pairs, bool assigns,
        int depth, IReadOnlyList<int> whole, IReadOnlyDictionary<int, Expression>? absorbed, IReadOnlyDictionary<int, Expression> deferred)
    {
        for (int p = 0; p < pairs; p++)
        {
            var index = outputs[first + 2 * p];
            var value = outputs[first + 2 * p + 1];
            statements.Add(assigns ? Expression.Assign(Expression.ArrayAccess(array, index), value) : AddPair(array, index, value));
        }
        for (int d = 0; d < whole.Count; d++)
        {
            if (absorbed is null || !absorbed.ContainsKey(whole[d])) statements.Add(AddWhole(array, outputs[first + 2 * pairs + d], depth + 1));
            else if (deferred.TryGetValue(whole[d], out var statement)) statements.Add(statement);
        }
        statements.Add(Expression.Empty());
    }

    /// <summary>Absorbed scatters must follow the pairs, in output order, when anything else writes in the same iteration.</summary>
    private static bool MustDefer(IReadOnlyDictionary<int, Expression>? absorbed, int pairs, IReadOnlyList<int> whole) =>
        absorbed is not null && (pairs > 0 || whole.Count > 1);

    private static Expression EmitAssemble(in Node n, Expression[] operands, Expression target, int depth, Expression? into)
    {
        var array = Expression.Variable(typeof(double[]), "assembled");
        var statements = new List<Expression> { NewOrCleared(array, operands[0], into) };
        for (int p = 0; p < n.Aux; p++)
            statements.Add(AddPair(array, operands[1 + 2 * p], operands[2 + 2 * p]));
        for (int d = 1 + 2 * n.Aux; d < operands.Length; d++) statements.Add(AddWhole(array, operands[d], depth));
        statements.Add(Expression.Assign(target, array));
        return Expression.Block([array], statements);
    }

    /// <summary>
    /// <c>array[index] += value</c>; for a pair that adds only under a condition (<see cref="GuardedPairs"/>: index
    /// <c>c ? k : 0</c>, value <c>c ? v : 0.0</c>, one test shared), <c>if (c) array[k] += v</c>: the index is neither
    /// computed nor written where the branch is not taken. Exact: the skipped addition was of +0.0.
    /// </summary>
    private static Expression AddPair(Expression array, Expression index, Expression value)
    {
        if (index is ConditionalExpression ci && value is ConditionalExpression cv && ci.Test == cv.Test)
        {
            if (IsPositiveZero(cv.IfFalse)) return Expression.IfThen(ci.Test, AddTo(Expression.ArrayAccess(array, ci.IfTrue), cv.IfTrue));
            if (IsPositiveZero(cv.IfTrue)) return Expression.IfThen(Expression.Not(ci.Test), AddTo(Expression.ArrayAccess(array, ci.IfFalse), cv.IfFalse));
        }
        return AddTo(Expression.ArrayAccess(array, index), value);
    }

    private static bool IsPositiveZero(Expression e) =>
        e is ConstantExpression { Value: double d } && BitConverter.DoubleToInt64Bits(d) == 0;

    /// <summary><c>target += value</c>, or <c>target -= v</c> when the value is <c>-v</c>: a + (−v) is a − v by IEEE 754's
    /// definition, bit for bit, and saves the negation (an adjoint through a difference arrives negated).</summary>
    private static Expression AddTo(Expression target, Expression value) =>
        value is UnaryExpression { NodeType: ExpressionType.Negate } negated && negated.Type == typeof(double)
            ? Expression.SubtractAssign(target, negated.Operand)
            : Expression.AddAssign(target, value);

    // Body variables are named after their loop's index (i_0, i_1, ...), so nested loops never shadow.
    private static string Prefix(ParameterExpression index) => index.Name + "_";

    private static Expression[] Parameters(Expression index, Expression[] operands, int firstCapture)
    {
        var ps = new Expression[1 + operands.Length - firstCapture];
        ps[0] = index;
        Array.Copy(operands, firstCapture, ps, 1, operands.Length - firstCapture);
        return ps;
    }

    // for (j = 0; j < a.Length; j++) a[j] += b[j];
    private static Expression AddWhole(Expression array, Expression addend, int depth)
    {
        var other = Expression.Variable(typeof(double[]), "dense");
        // Bounded by the addend: the target may be a caller's buffer longer than the arrays it sums.
        var loop = For(Expression.Constant(0), Expression.ArrayLength(other), depth, (j, statements) =>
            statements.Add(Expression.AddAssign(Expression.ArrayAccess(array, j), Expression.ArrayIndex(other, j))));
        return Expression.Block([other], Expression.Assign(other, addend), loop);
    }

    /// <summary>for (i = start; i &lt; start + count; i++) { body }</summary>
    private static Expression For(Expression start, Expression count, int depth, Action<ParameterExpression, List<Expression>> body) =>
        For(start, count, depth, (i, statements, _) => body(i, statements));

    /// <summary>for (i = start; i &lt; start + count; i++) { body }, the body given the loop's exit label.</summary>
    private static Expression For(Expression start, Expression count, int depth, Action<ParameterExpression, List<Expression>, LabelTarget> body)
    {
        var i = Expression.Variable(typeof(int), depth == 0 ? "i" : "i" + depth.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var end = Expression.Variable(typeof(int), "end");
        var exit = Expression.Label("exit");
        var statements = new List<Expression>();
        body(i, statements, exit);
        statements.Add(Expression.PreIncrementAssign(i));
        return Expression.Block([i, end],
            Expression.Assign(i, start),
            Expression.Assign(end, Expression.Add(start, count)),
            Expression.Loop(Expression.IfThenElse(Expression.LessThan(i, end), Expression.Block(statements), Expression.Break(exit)), exit));
    }
}
