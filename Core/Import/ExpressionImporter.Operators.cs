using System.Linq.Expressions;
using System.Reflection;
using ExprDiff.Graphs;
using ExprDiff.Rules;

namespace ExprDiff.Import;

internal sealed partial class ExpressionImporter
{
    private static readonly MethodInfo RequireLengthMethod = typeof(Intrinsics).GetMethod(nameof(Intrinsics.RequireLength))!;
    private static readonly MethodInfo RequireNotNullMethod = typeof(Intrinsics).GetMethod(nameof(Intrinsics.RequireNotNull))!;
    private static readonly MethodInfo RequireDistinctMethod = typeof(Intrinsics).GetMethod(nameof(Intrinsics.RequireDistinct))!;
    private static readonly MethodInfo PowIntMethod = typeof(Intrinsics).GetMethod(nameof(Intrinsics.PowInt), [typeof(double), typeof(int)])!;

    private void StepBinary(in Frame f, BinaryExpression bin)
    {
        if (bin.NodeType == ExpressionType.Assign) { StepAssign(f, bin); return; }
        // x[k], an array parameter at a constant index, the commonest leaf of straight-line code: that element's input,
        // without visiting x and k (a deep or long function reads the same few elements millions of times).
        if (f.Step == 0 && bin.NodeType == ExpressionType.ArrayIndex && bin.Left is ParameterExpression array
            && bin.Right is ConstantExpression { Value: int k } && k >= 0 && TryLookup(array, out var bound) && bound.Reference is ParameterArray whole)
        {
            _values.Push(Val.Of(_b.Input(whole.Parameter, k)));
            return;
        }
        if (Descend(f, bin.Left, bin.Right)) return;
        // Popped into locals, not an array: a deep expression passes here millions of times.
        var right = _values.Pop();
        var left = _values.Pop();
        if (bin.NodeType == ExpressionType.ArrayIndex)
        {
            // x[k] of an array parameter at a constant index: that element's input.
            if (left.Reference is ParameterArray pa && right.Reference is null && right.Node >= 0 && _b.IsConstant(right.Node, out _))
                _values.Push(Val.Of(_b.Input(pa.Parameter, IndexOf(right, bin.Right))));
            else
                _values.Push(ReadValue(bin, left, [right], [bin.Right]));
            return;
        }
        if (bin.Method is not null && bin.Method.DeclaringType != typeof(Math) || bin.IsLifted)
            throw Unsupported(bin, $"the operator {bin.NodeType} on {TypeName(bin.Left.Type)} is not supported",
                "use arithmetic on double, float and int");
        var operandKind = KindOf(bin.Left.Type);
        int a = Scalar(left, bin.Left, operandKind), b = Scalar(right, bin.Right, KindOf(bin.Right.Type));
        bool isBool = operandKind == ValueKind.Boolean;
        bool isInt = operandKind == ValueKind.Int32;
        int result = bin.NodeType switch
        {
            // checked int arithmetic keeps its overflow check (on double, checked changes nothing).
            ExpressionType.AddChecked when isInt => _b.Make(Primitives.AddChecked, a, b),
            ExpressionType.SubtractChecked when isInt => _b.Make(Primitives.SubChecked, a, b),
            ExpressionType.MultiplyChecked when isInt => _b.Make(Primitives.MulChecked, a, b),
            ExpressionType.Add or ExpressionType.AddChecked when !isBool => _b.Add(a, b),
            ExpressionType.Subtract or ExpressionType.SubtractChecked when !isBool => _b.Sub(a, b),
            ExpressionType.Multiply or ExpressionType.MultiplyChecked when !isBool => _b.Mul(a, b),
            ExpressionType.Divide when !isBool => _b.Div(a, b),
            ExpressionType.Modulo when !isBool => _b.Binary(Primitives.Rem, a, b),
            ExpressionType.Power when bin.Left.Type == typeof(double) => Power(a, b),
            ExpressionType.LessThan or ExpressionType.LessThanOrEqual or ExpressionType.GreaterThan
                or ExpressionType.GreaterThanOrEqual or ExpressionType.Equal or ExpressionType.NotEqual => _b.Compare(bin.NodeType, a, b),
            ExpressionType.AndAlso or ExpressionType.And when isBool => _b.And(a, b),
            ExpressionType.OrElse or ExpressionType.Or when isBool => _b.Or(a, b),
            ExpressionType.ExclusiveOr when isBool => _b.Compare(ExpressionType.NotEqual, a, b),
            _ => throw Unsupported(bin, $"the operator {bin.NodeType} on {TypeName(bin.Left.Type)} is not supported",
                "use + - * / %, comparisons, && || and ! on bool"),
        };
        _values.Push(Val.Of(FloatResult(bin.Type, result)));
    }

    private void StepAssign(in Frame f, BinaryExpression assign)
    {
        switch (assign.Left)
        {
            case ParameterExpression p:
                if (Descend(f, assign.Right)) return;
                var v = _values.Pop();
                if (!_env.ContainsKey(p) || IsRootParameter(p))
                    throw Unsupported(assign, $"'{p.Name}' is not a variable of a block", "assign only block variables");
                _env[p] = v.Reference is null ? Val.Of(Scalar(v, assign.Right, KindOf(p.Type))) : v;
                _values.Push(v);
                return;
            case IndexExpression { Indexer: null } target:
                // a[k] += v arrives as a[k] = a[k] + v: only v is imported when the array may be write-only.
                // a[k] -= v (as the exporter writes a negated contribution) is a[k] += −v, the same in IEEE arithmetic.
                var accumulated = assign.Right is BinaryExpression { NodeType: ExpressionType.Add or ExpressionType.AddChecked } sum
                    && sum.Left == assign.Left ? sum.Right
                    : assign.Right is BinaryExpression { NodeType: ExpressionType.Subtract or ExpressionType.SubtractChecked } difference
                    && difference.Left == assign.Left && difference.Right.Type == typeof(double) ? Expression.Negate(difference.Right) : null;
                var children = new List<Expression>(target.Arguments.Count + 2) { target.Object! };
                children.AddRange(target.Arguments);
                children.Add(accumulated ?? assign.Right);
                if (Descend(f, children)) return;
                var vals = PopValues(children.Count);
                if (vals[0].Reference is WriteOnlyArray writeOnly)
                {
                    int at = Scalar(vals[1], target.Arguments[0], ValueKind.Int32);
                    if (accumulated is null && !IsCounterPlusConstant(at))
                        throw Unsupported(assign, $"the loop assigns elements of '{writeOnly.Name}' at an index that may repeat",
                            "assign a[i + c] (the counter plus a constant), or accumulate with a[k] += value");
                    int written = Scalar(vals[^1], accumulated ?? assign.Right, ValueKind.Double);
                    if (_writeGuard >= 0)
                    {
                        if (accumulated is null)
                            throw Unsupported(assign, $"the loop assigns elements of '{writeOnly.Name}' inside an if statement",
                                "accumulate with a[k] += value, or assign a[k] = c ? value : other in every iteration");
                        // Added only where the if holds, its index computed only there (GuardedPairs).
                        at = _b.Select(_writeGuard, at, _b.Constant(0, ValueKind.Int32));
                        written = _b.Select(_writeGuard, written, _b.Constant(0));
                    }
                    writeOnly.Writes.Add((at, written, accumulated is null));
                    _values.Push(Val.Of(written));
                    return;
                }
                if (accumulated is not null && vals[0].Reference is LocalArray { Rank: 1 } before
                    && vals[1].Reference is null && vals[1].Node >= 0 && _b.IsConstant(vals[1].Node, out double k0))
                    vals[^1] = Val.Of(_b.Add(before.Read(_b, (int)k0, 0), Scalar(vals[^1], accumulated, ValueKind.Double)));
                else if (accumulated is not null)
                    throw Unsupported(assign, "only elements of arrays created inside the function can be accumulated into",
                        "build the result in a new array");
                if (vals[0].Reference is not LocalArray array)
                    throw Unsupported(assign, "only arrays created inside the function can be written",
                        "build the result in a new array, or return new[] { ... }");
                var idx = new int[target.Arguments.Count];
                for (int i = 0; i < idx.Length; i++)
                {
                    idx[i] = IndexOf(vals[i + 1], target.Arguments[i]);
                    if (!array.InBounds(i, idx[i]))
                        throw Unsupported(assign, $"index {idx[i]} is outside the array", "write within the array's bounds");
                }
                int value = Scalar(vals[^1], assign.Right, ValueKind.Double);
                array.Write(idx[0], idx.Length > 1 ? idx[1] : 0, value);
                _values.Push(Val.Of(value));
                return;
            default:
                throw Unsupported(assign, "only block variables and elements of local arrays can be assigned",
                    "assign to a variable declared in a block");
        }
    }

    private bool IsRootParameter(ParameterExpression p) => _root.Parameters.Contains(p);

    /// <summary>Whether an index node is a loop body's counter (its parameter 0) plus or minus a constant: distinct in
    /// every iteration, so assigning there is the same as adding into zeros.</summary>
    private bool IsCounterPlusConstant(int index)
    {
        if (_parent is null) return false;
        int counter = _b.Input(0, -1, ValueKind.Int32);
        if (index == counter) return true;
        var n = _b[index];
        if (ReferenceEquals(n.Op, Primitives.Add))
            return n.A == counter && _b.IsConstant(n.B, out _) || n.B == counter && _b.IsConstant(n.A, out _);
        return ReferenceEquals(n.Op, Primitives.Sub) && n.A == counter && _b.IsConstant(n.B, out _);
    }

    private void StepCall(in Frame f, MethodCallExpression call)
    {
        var method = call.Method;
        if (method == RequireLengthMethod || method == RequireNotNullMethod || method == RequireDistinctMethod) { _values.Push(Val.Void); return; }
        if (TryStepEnumerable(f, call)) return;
        if (call.Object is not null)
        {
            // `a[i, j]` on a double[,] is a call to its Get method.
            if ((call.Object.Type == typeof(double[,]) || call.Object.Type == typeof(int[,])) && method.Name == "Get")
            {
                var children = new List<Expression> { call.Object };
                children.AddRange(call.Arguments);
                if (Descend(f, children)) return;
                var v = PopValues(children.Count);
                _values.Push(Val.Of(ReadElement(call, v[0], [v[1], v[2]], [call.Arguments[0], call.Arguments[1]])));
                return;
            }
            if ((call.Object.Type == typeof(double[,]) || call.Object.Type == typeof(int[,])) && method.Name == nameof(Array.GetLength))
            {
                if (Descend(f, [call.Object, call.Arguments[0]])) return;
                var v = PopValues(2);
                if (v[0].Reference is DataNode { Kind: ValueKind.IntMatrix } map)
                {
                    int d = IndexOf(v[1], call.Arguments[0]);
                    if (d > 1) throw Unsupported(call, "an int[,] has dimensions 0 and 1", "use GetLength(0) or GetLength(1)");
                    _values.Push(Val.Of(_b.Make(Primitives.IntMatrixLength, map.Node, aux: d)));
                    return;
                }
                if (v[0].Reference is not MatrixNode matrix)
                    throw Unsupported(call, "the length of this matrix is unknown", "use a double[,] parameter");
                int dimension = IndexOf(v[1], call.Arguments[0]);
                if (dimension > 1) throw Unsupported(call, "a double[,] has dimensions 0 and 1", "use GetLength(0) or GetLength(1)");
                _values.Push(Val.Of(_b.Make(Primitives.MatrixLength, matrix.Node, aux: dimension)));
                return;
            }
            throw Unsupported(call, $"'{method.Name}' is an instance method of {TypeName(method.DeclaringType!)}",
                "call static methods of double arguments (Math.*), or compute the value outside the lambda and capture it");
        }
        // One or two arguments (Math.Sin, Math.Pow) are visited without the argument list, which the expression would
        // otherwise allocate and keep.
        var provider = (IArgumentProvider)call;
        int count = provider.ArgumentCount;
        if (count is 1 or 2 ? Descend(f, provider.GetArgument(0), count == 2 ? provider.GetArgument(1) : null) : Descend(f, call.Arguments)) return;
        // Popped into a buffer of the importer's: a million calls of Math.Sin would otherwise be a million arrays.
        Span<Val> args = count <= _callArguments.Length ? _callArguments.AsSpan(0, count) : new Val[count];
        for (int i = count - 1; i >= 0; i--) args[i] = _values.Pop();
        if (method == ScratchMethod)
        {
            PushNewArray(args[0], provider.GetArgument(0));
            return;
        }
        // Integer Math.Min/Max/Abs in index arithmetic (a band's width): selects over ints.
        if (method.DeclaringType == typeof(Math) && method.ReturnType == typeof(int) && method.GetParameters().All(p => p.ParameterType == typeof(int))
            && method.Name is nameof(Math.Min) or nameof(Math.Max) or nameof(Math.Abs))
        {
            int a = Scalar(args[0], provider.GetArgument(0), ValueKind.Int32);
            if (method.Name == nameof(Math.Abs))
            {
                _values.Push(Val.Of(_b.Select(_b.Compare(ExpressionType.LessThan, a, _b.Constant(0, ValueKind.Int32)), _b.Neg(a), a)));
                return;
            }
            int b = Scalar(args[1], provider.GetArgument(1), ValueKind.Int32);
            var keepFirst = method.Name == nameof(Math.Min) ? ExpressionType.LessThanOrEqual : ExpressionType.GreaterThanOrEqual;
            _values.Push(Val.Of(_b.Select(_b.Compare(keepFirst, a, b), a, b)));
            return;
        }
        if (method == SinCosPrimitive.Method)
        {
            _values.Push(Val.Ref(new SinCosArgument(Scalar(args[0], provider.GetArgument(0), ValueKind.Double))));
            return;
        }
        if (method == PowIntsPrimitive.Method)
        {
            var exponents = new int[4];
            for (int k = 0; k < 4; k++) exponents[k] = IndexOf(args[k + 1], provider.GetArgument(k + 1), allowNegative: true);
            _values.Push(Val.Ref(new PowersArgument(Scalar(args[0], provider.GetArgument(0), ValueKind.Double), exponents)));
            return;
        }
        if (method == PowIntMethod)
        {
            int exponent = IndexOf(args[1], provider.GetArgument(1), allowNegative: true);
            _values.Push(Val.Of(_b.PowInt(Scalar(args[0], provider.GetArgument(0), ValueKind.Double), exponent)));
            return;
        }
        var primitive = _rules.Lookup(method)
            ?? throw Unsupported(call, $"{method.DeclaringType?.Name}.{method.Name}({string.Join(", ", method.GetParameters().Select(p => TypeName(p.ParameterType)))}) "
                + $"cannot be evaluated or differentiated: {FunctionPrimitive.Unsuitable(method)}",
                "use Math functions of double arguments; only static methods of 1 to 3 double arguments returning double can be registered (RuleSet.With)");
        if (primitive.Arity != args.Length)
            throw Unsupported(call, $"{method.Name} takes {args.Length} arguments but its rule takes {primitive.Arity}", "check the rule");
        Span<int> nodes = stackalloc int[3] { -1, -1, -1 };
        for (int i = 0; i < args.Length; i++) nodes[i] = Scalar(args[i], provider.GetArgument(i), ValueKind.Double);
        _values.Push(Val.Of(ReferenceEquals(primitive, Primitives.Pow)
            ? Power(nodes[0], nodes[1])
            : _b.Make(primitive, nodes[0], nodes[1], nodes[2])));
    }

    /// <summary>How <c>Math.Pow(x, k)</c> with a constant small integer k imports (see <see cref="IntegerPowerMode"/>).</summary>
    private IntegerPowerMode _powers = IntegerPowerMode.Multiplication;

    /// <summary><c>Math.Pow(x, y)</c>; with a constant small integer y, the integer power: a chain of
    /// multiplications, or <c>PowInt</c> when correctly rounded powers were asked for.</summary>
    private int Power(int x, int y) =>
        !(_b.IsConstant(y, out double k) && PowPrimitive.IsSmallInteger(k, out int exponent))
            ? _b.Binary(Primitives.Pow, x, y)
            : _powers == IntegerPowerMode.CorrectlyRounded ? _b.PowInt(x, exponent) : _b.PowChain(x, exponent);

    private void StepNewArray(in Frame f, NewArrayExpression na)
    {
        if (na.Type != typeof(double[]) && na.Type != typeof(double[,]))
            throw Unsupported(na, $"arrays of {TypeName(na.Type.GetElementType()!)} are not supported", "make arrays of double");
        if (Descend(f, na.Expressions)) return;
        var v = PopValues(na.Expressions.Count);
        if (na.NodeType == ExpressionType.NewArrayInit)
        {
            var array = new LocalArray([Extent.Of(v.Length)]);
            for (int i = 0; i < v.Length; i++) array.Write(i, 0, Scalar(v[i], na.Expressions[i], ValueKind.Double));
            _values.Push(Val.Ref(array));
            return;
        }
        if (v.Length == 1)
        {
            PushNewArray(v[0], na.Expressions[0]);
            return;
        }
        var dims = new Extent[v.Length];
        for (int i = 0; i < v.Length; i++)
            dims[i] = LengthParameter(v[i]) is int p and >= 0 ? Extent.LengthOf(p) : Extent.Of(IndexOf(v[i], na.Expressions[i]));
        _values.Push(Val.Ref(new LocalArray(dims)));
    }

    /// <summary><c>new double[n]</c> (or <see cref="Intrinsics.Scratch"/>(n), which exported derivatives write for it).</summary>
    private void PushNewArray(Val length, Expression lengthExpression)
    {
        if (LengthParameter(length) < 0 && !(length.Reference is null && length.Node >= 0 && _b.IsConstant(length.Node, out _)))
        {
            _values.Push(Val.Ref(new FreshArray(Scalar(length, lengthExpression, ValueKind.Int32))));
            return;
        }
        var extent = LengthParameter(length) is int p and >= 0 ? Extent.LengthOf(p) : Extent.Of(IndexOf(length, lengthExpression));
        _values.Push(Val.Ref(new LocalArray([extent])));
    }

    private static readonly MethodInfo ScratchMethod = typeof(Intrinsics).GetMethod(nameof(Intrinsics.Scratch))!;

    private void StepIndex(in Frame f, IndexExpression ix)
    {
        if (ix.Indexer is not null || ix.Object is null)
            throw Unsupported(ix, "indexers other than array elements are not supported", "index double[] or double[,] arrays");
        var children = new List<Expression> { ix.Object };
        children.AddRange(ix.Arguments);
        if (Descend(f, children)) return;
        var v = PopValues(children.Count);
        _values.Push(ReadValue(ix, v[0], v[1..], ix.Arguments.ToArray()));
    }

    /// <summary>An index that must be known when the function is imported.</summary>
    private int IndexOf(Val v, Expression source, bool allowNegative = false)
    {
        if (v.Reference is null && v.Node >= 0 && _b.KindOf(v.Node) == ValueKind.Int32 && _b.IsConstant(v.Node, out double k)
            && (allowNegative || k >= 0))
            return (int)k;
        throw Unsupported(source, "an index or size must be a constant non-negative int here",
            "index arrays with constants (computed indices need a loop or reduction)");
    }

    /// <summary>The whole array parameter <paramref name="parameter"/> as one node, for computed indices.</summary>
    private int WholeArray(int parameter) => _b.Input(parameter, -1, ValueKind.Array);

    /// <summary>The root parameter whose length <paramref name="v"/> is, or −1.</summary>
    private int LengthParameter(Val v)
    {
        if (v.Reference is not null || v.Node < 0) return -1;
        var n = _b[v.Node];
        if (!ReferenceEquals(n.Op, Primitives.Length)) return -1;
        var array = _b[n.A];
        return ReferenceEquals(array.Op, Primitives.Input) && _parent is null ? array.Aux : -1;
    }

    /// <summary>An element read: a number, or a row of an <c>int[][]</c> (an <c>int[]</c>).</summary>
    private Val ReadValue(Expression source, Val array, Val[] indexValues, Expression[] indexSources) =>
        array.Reference is DataNode { Kind: ValueKind.IntJagged } rows && indexValues.Length == 1
            ? Val.Ref(new DataNode(_b.Make(Primitives.ReadRow, rows.Node, Scalar(indexValues[0], indexSources[0], ValueKind.Int32)), ValueKind.IntArray))
            : Val.Of(ReadElement(source, array, indexValues, indexSources));

    private int ReadElement(Expression source, Val array, Val[] indexValues, Expression[] indexSources)
    {
        // A constant index into an array parameter reads that element as its own input, so straight-line code
        // has one input per element it reads; any other index reads the whole array at run time.
        bool constant = indexValues.All(v => v.Reference is null && v.Node >= 0 && _b.IsConstant(v.Node, out _));
        int[] Constants() => indexValues.Select((v, i) => IndexOf(v, indexSources[i])).ToArray();
        switch (array.Reference)
        {
            case ParameterArray pa when indexValues.Length == 1:
                return constant
                    ? _b.Input(pa.Parameter, Constants()[0])
                    : _b.Make(Primitives.Read, WholeArray(pa.Parameter), Scalar(indexValues[0], indexSources[0], ValueKind.Int32));
            case MatrixNode m when indexValues.Length == 2:
                return _b.Make(Primitives.Read2, m.Node, Scalar(indexValues[0], indexSources[0], ValueKind.Int32),
                    Scalar(indexValues[1], indexSources[1], ValueKind.Int32));
            case DataNode { Kind: ValueKind.IntArray } dn when indexValues.Length == 1:
                return _b.Make(Primitives.ReadInt, dn.Node, Scalar(indexValues[0], indexSources[0], ValueKind.Int32));
            case DataNode { Kind: ValueKind.IntMatrix } dn when indexValues.Length == 2:
                return _b.Make(Primitives.ReadInt2, dn.Node, Scalar(indexValues[0], indexSources[0], ValueKind.Int32),
                    Scalar(indexValues[1], indexSources[1], ValueKind.Int32));
            case ArrayNode an when indexValues.Length == 1:
                return _b.Make(Primitives.Read, an.Node, Scalar(indexValues[0], indexSources[0], ValueKind.Int32));
            case double[] captured when indexValues.Length == 1:
                // Kept by reference: the derivative reads the array when it runs, as the closure would.
                if (constant && Constants()[0] is int k && k >= captured.Length)
                    throw Unsupported(source, $"index {k} is outside the captured array of length {captured.Length}", "index within the array");
                return _b.Make(Primitives.Read, _b.ConstantArray(captured), Scalar(indexValues[0], indexSources[0], ValueKind.Int32));
            case double[,] captured2 when indexValues.Length == 2 && constant:
                var ij = Constants();
                if (ij[0] >= captured2.GetLength(0) || ij[1] >= captured2.GetLength(1))
                    throw Unsupported(source, "the index is outside the captured array", "index within the array");
                return _b.Constant(captured2[ij[0], ij[1]]);
            case FreshArray fresh when indexValues.Length == 1:
                return _b.Make(Primitives.Read, _b.Assemble(fresh.Length, [], []), Scalar(indexValues[0], indexSources[0], ValueKind.Int32));
            case WriteOnlyArray w:
                throw Unsupported(source, $"the loop reads '{w.Name}', which it also writes at computed indices",
                    "read the array after the loop, or keep the values the loop needs in variables");
            case LocalArray local when indexValues.Length == local.Rank && constant:
                var c = Constants();
                return local.Read(_b, c[0], c.Length > 1 ? c[1] : 0);
            default:
                throw Unsupported(source, "this array cannot be read here",
                    "read elements of double[] parameters, or of arrays built with constant indices");
        }
    }
}
