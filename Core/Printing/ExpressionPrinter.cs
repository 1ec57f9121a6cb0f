using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace ExprDiff.Printing;

/// <summary>
/// Turns a <see cref="Expression"/> into readable C#-like source text, for diagnostics and error messages.
/// </summary>
/// <remarks>
/// The printer is iterative: it walks the tree with an explicit stack of work items, so trees of any depth
/// (a million nested nodes and more) print without recursion. Operators get the minimal parentheses that
/// C# precedence and associativity need. Statement-like nodes (blocks, loops, gotos, try, switch) print
/// best effort; node kinds without a C# rendering print as <c>&lt;NodeType&gt;</c>. The printer never throws
/// for a valid tree.
/// </remarks>
internal static class ExpressionPrinter
{
    /// <summary>Prints the whole expression as C#-like source text.</summary>
    /// <param name="expression">The expression to print.</param>
    /// <returns>The text.</returns>
    public static string ToCSharp(Expression expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var printer = new Printer(int.MaxValue);
        printer.Run(expression);
        return printer.Output.ToString();
    }

    /// <summary>
    /// Prints the expression as C#-like source text of at most <paramref name="maxLength"/> characters. When the
    /// full text would be longer, the walk stops early and the result is its first
    /// <paramref name="maxLength"/> − 3 characters followed by <c>"..."</c>.
    /// </summary>
    /// <param name="expression">The expression to print.</param>
    /// <param name="maxLength">The most characters the result may have; negative values count as 0, and a
    /// limit under 3 that the text exceeds yields a prefix of <c>"..."</c>.</param>
    /// <returns>The text, possibly truncated.</returns>
    public static string ToCSharp(Expression expression, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (maxLength < 0) maxLength = 0;
        var printer = new Printer(maxLength);
        bool complete = printer.Run(expression);
        StringBuilder sb = printer.Output;
        if (complete && sb.Length <= maxLength) return sb.ToString();
        if (maxLength <= 3) return "...".Substring(0, maxLength);
        int cut = maxLength - 3;
        if (cut > 0 && char.IsHighSurrogate(sb[cut - 1])) cut--;
        return sb.ToString(0, cut) + "...";
    }

    // C# precedence levels, lowest to highest.
    private const int PStatement = 0;
    private const int PAssign = 1;
    private const int PConditional = 2;
    private const int PCoalesce = 3;
    private const int POrElse = 4;
    private const int PAndAlso = 5;
    private const int POr = 6;
    private const int PXor = 7;
    private const int PAnd = 8;
    private const int PEquality = 9;
    private const int PRelational = 10;
    private const int PShift = 11;
    private const int PAdditive = 12;
    private const int PMultiplicative = 13;
    private const int PUnary = 14;
    private const int PPrimary = 15;

    private enum WorkKind : byte
    {
        Text,
        NewLine,
        Expr,
        BinaryRight,
        List,
        Stmt,
        StmtList,
        BlockContents,
        If,
        ScopeEnter,
        ScopeExit,
        Bindings,
        ElementInits,
    }

    private enum Mode : byte
    {
        /// <summary>The statement's value is discarded.</summary>
        Discard,
        /// <summary>The statement's value is returned from the enclosing lambda.</summary>
        Return,
    }

    private readonly struct Work
    {
        public Work(WorkKind kind, Expression? node, object? payload, int value, int indent, Mode mode)
        {
            Kind = kind; Node = node; Payload = payload; Value = value; Indent = indent; Mode = mode;
        }

        public readonly Expression? Node;
        /// <summary>Text, list of operands, or other kind-specific data.</summary>
        public readonly object? Payload;
        /// <summary>Minimum precedence (Expr) or list index (List, StmtList, Bindings, ElementInits).</summary>
        public readonly int Value;
        public readonly int Indent;
        public readonly WorkKind Kind;
        public readonly Mode Mode;
    }

    private static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(void)] = "void", [typeof(bool)] = "bool", [typeof(byte)] = "byte", [typeof(sbyte)] = "sbyte",
        [typeof(short)] = "short", [typeof(ushort)] = "ushort", [typeof(int)] = "int", [typeof(uint)] = "uint",
        [typeof(long)] = "long", [typeof(ulong)] = "ulong", [typeof(float)] = "float", [typeof(double)] = "double",
        [typeof(decimal)] = "decimal", [typeof(char)] = "char", [typeof(string)] = "string",
        [typeof(object)] = "object", [typeof(nint)] = "nint", [typeof(nuint)] = "nuint",
    };

    private sealed class Printer
    {
        private readonly int _limit;
        private readonly Stack<Work> _stack = new();
        private readonly List<Work> _seq = new();
        private readonly Dictionary<ParameterExpression, string> _names = new();
        private readonly Dictionary<LabelTarget, string> _labels = new();
        private readonly HashSet<string> _used = new(StringComparer.Ordinal);
        private readonly Dictionary<Type, string> _typeNames = new();
        private readonly List<LoopExpression?> _scopes = new();
        private int _paramCounter;
        private int _varCounter;
        private int _labelCounter;

        public Printer(int limit)
        {
            _limit = limit;
        }

        public StringBuilder Output { get; } = new();

        /// <summary>Prints <paramref name="root"/>; false when it stopped because the limit was passed.</summary>
        public bool Run(Expression root)
        {
            _stack.Push(new Work(WorkKind.Expr, root, null, PStatement, 0, Mode.Discard));
            while (_stack.Count > 0)
            {
                if (Output.Length > _limit) return false;
                Work w = _stack.Pop();
                try
                {
                    Process(w);
                }
                catch (Exception)
                {
                    // Defensive: reflection on exotic trees must not make the printer throw.
                    _seq.Clear();
                    Output.Append('<').Append(w.Node?.NodeType.ToString() ?? "?").Append('>');
                }
            }
            return Output.Length <= _limit;
        }

        private void Process(in Work w)
        {
            switch (w.Kind)
            {
                case WorkKind.Text:
                    Output.Append((string)w.Payload!);
                    break;
                case WorkKind.NewLine:
                    Output.Append('\n').Append(' ', w.Indent * 4);
                    break;
                case WorkKind.Expr:
                    DoExpr(w.Node!, w.Value, w.Indent);
                    break;
                case WorkKind.BinaryRight:
                    DoBinaryRight((BinaryExpression)w.Node!, w.Indent);
                    break;
                case WorkKind.List:
                    DoList((IReadOnlyList<Expression>)w.Payload!, w.Value, w.Indent);
                    break;
                case WorkKind.Stmt:
                    DoStmt(w.Node!, w.Indent, w.Mode);
                    break;
                case WorkKind.StmtList:
                    DoStmtList((IReadOnlyList<Expression>)w.Payload!, w.Value, w.Indent, w.Mode);
                    break;
                case WorkKind.BlockContents:
                    DoBlockContents((BlockExpression)w.Node!, w.Indent, w.Mode);
                    break;
                case WorkKind.If:
                    DoIf((ConditionalExpression)w.Node!, w.Indent, w.Mode);
                    break;
                case WorkKind.ScopeEnter:
                    _scopes.Add(w.Node as LoopExpression);
                    break;
                case WorkKind.ScopeExit:
                    if (_scopes.Count > 0) _scopes.RemoveAt(_scopes.Count - 1);
                    break;
                case WorkKind.Bindings:
                    DoBindings((ReadOnlyCollection<MemberBinding>)w.Payload!, w.Value, w.Indent);
                    break;
                case WorkKind.ElementInits:
                    DoElementInits((ReadOnlyCollection<ElementInit>)w.Payload!, w.Value, w.Indent);
                    break;
            }
        }

        // ----- work-sequence helpers: build items in text order, then push them reversed -----

        private void S(string text) => _seq.Add(new Work(WorkKind.Text, null, text, 0, 0, Mode.Discard));

        private void SE(Expression e, int minPrec, int indent) =>
            _seq.Add(new Work(WorkKind.Expr, e, null, minPrec, indent, Mode.Discard));

        private void SNL(int indent) => _seq.Add(new Work(WorkKind.NewLine, null, null, 0, indent, Mode.Discard));

        private void SList(IReadOnlyList<Expression> list, int indent)
        {
            if (list.Count > 0) _seq.Add(new Work(WorkKind.List, null, list, 0, indent, Mode.Discard));
        }

        private void SStmt(Expression e, int indent, Mode mode) =>
            _seq.Add(new Work(WorkKind.Stmt, e, null, 0, indent, mode));

        private void SScope(LoopExpression? loop) =>
            _seq.Add(new Work(WorkKind.ScopeEnter, loop, null, 0, 0, Mode.Discard));

        private void SScopeExit() => _seq.Add(new Work(WorkKind.ScopeExit, null, null, 0, 0, Mode.Discard));

        private void Flush()
        {
            for (int i = _seq.Count - 1; i >= 0; i--) _stack.Push(_seq[i]);
            _seq.Clear();
        }

        /// <summary>Adds <c>{ body }</c> on its own lines at <paramref name="indent"/>.</summary>
        private void SBraced(Expression body, int indent, Mode mode)
        {
            SNL(indent);
            S("{");
            if (body is BlockExpression block)
            {
                Mode inner = block.Type == typeof(void) ? Mode.Discard : mode;
                _seq.Add(new Work(WorkKind.BlockContents, block, null, 0, indent + 1, inner));
            }
            else
            {
                SStmt(body, indent + 1, mode);
            }
            SNL(indent);
            S("}");
        }

        // ----- expressions -----

        private void DoExpr(Expression e, int minPrec, int indent)
        {
            while ((e.NodeType == ExpressionType.Quote || e.NodeType == ExpressionType.IsTrue)
                   && e is UnaryExpression u)
            {
                e = u.Operand;
            }

            if (Precedence(e) < minPrec)
            {
                Output.Append('(');
                _stack.Push(new Work(WorkKind.Text, null, ")", 0, 0, Mode.Discard));
            }
            Expand(e, indent);
            Flush();
        }

        private void Expand(Expression e, int indent)
        {
            switch (e.NodeType)
            {
                case ExpressionType.Constant:
                    Output.Append(FormatConstant(((ConstantExpression)e).Value));
                    return;
                case ExpressionType.Parameter:
                    Output.Append(NameOf((ParameterExpression)e));
                    return;
                case ExpressionType.Lambda:
                    ExpandLambda((LambdaExpression)e, indent);
                    return;
                case ExpressionType.Negate:
                case ExpressionType.NegateChecked:
                    ExpandPrefix("-", ((UnaryExpression)e).Operand, indent);
                    return;
                case ExpressionType.UnaryPlus:
                    ExpandPrefix("+", ((UnaryExpression)e).Operand, indent);
                    return;
                case ExpressionType.Not:
                {
                    var u = (UnaryExpression)e;
                    bool logical = u.Operand.Type == typeof(bool) || u.Operand.Type == typeof(bool?);
                    ExpandPrefix(logical ? "!" : "~", u.Operand, indent);
                    return;
                }
                case ExpressionType.IsFalse:
                    ExpandPrefix("!", ((UnaryExpression)e).Operand, indent);
                    return;
                case ExpressionType.OnesComplement:
                    ExpandPrefix("~", ((UnaryExpression)e).Operand, indent);
                    return;
                case ExpressionType.PreIncrementAssign:
                    ExpandPrefix("++", ((UnaryExpression)e).Operand, indent);
                    return;
                case ExpressionType.PreDecrementAssign:
                    ExpandPrefix("--", ((UnaryExpression)e).Operand, indent);
                    return;
                case ExpressionType.PostIncrementAssign:
                    SE(((UnaryExpression)e).Operand, PPrimary, indent);
                    S("++");
                    return;
                case ExpressionType.PostDecrementAssign:
                    SE(((UnaryExpression)e).Operand, PPrimary, indent);
                    S("--");
                    return;
                case ExpressionType.Increment:
                    SE(((UnaryExpression)e).Operand, PAdditive, indent);
                    S(" + 1");
                    return;
                case ExpressionType.Decrement:
                    SE(((UnaryExpression)e).Operand, PAdditive, indent);
                    S(" - 1");
                    return;
                case ExpressionType.Convert:
                case ExpressionType.ConvertChecked:
                case ExpressionType.Unbox:
                {
                    var u = (UnaryExpression)e;
                    S("(" + TypeName(e.Type) + ")");
                    bool signed = StartsWithSign(u.Operand, '-') || StartsWithSign(u.Operand, '+');
                    SE(u.Operand, signed ? PPrimary : PUnary, indent);
                    return;
                }
                case ExpressionType.TypeAs:
                    SE(((UnaryExpression)e).Operand, PRelational, indent);
                    S(" as " + TypeName(e.Type));
                    return;
                case ExpressionType.TypeIs:
                case ExpressionType.TypeEqual:
                {
                    var t = (TypeBinaryExpression)e;
                    SE(t.Expression, PRelational, indent);
                    S(" is " + TypeName(t.TypeOperand));
                    return;
                }
                case ExpressionType.ArrayLength:
                    SE(((UnaryExpression)e).Operand, PPrimary, indent);
                    S(".Length");
                    return;
                case ExpressionType.Quote:
                case ExpressionType.IsTrue:
                    SE(((UnaryExpression)e).Operand, PStatement, indent);
                    return;
                case ExpressionType.Throw:
                {
                    var u = (UnaryExpression)e;
                    S("throw");
                    if (u.Operand != null)
                    {
                        S(" ");
                        SE(u.Operand, PAssign, indent);
                    }
                    return;
                }
                case ExpressionType.ArrayIndex:
                    if (e is BinaryExpression ai)
                    {
                        SE(ai.Left, PPrimary, indent);
                        S("[");
                        SE(ai.Right, PAssign, indent);
                        S("]");
                        return;
                    }
                    break;
                case ExpressionType.Power:
                {
                    var b = (BinaryExpression)e;
                    S("Math.Pow(");
                    SE(b.Left, PAssign, indent);
                    S(", ");
                    SE(b.Right, PAssign, indent);
                    S(")");
                    return;
                }
                case ExpressionType.PowerAssign:
                {
                    var b = (BinaryExpression)e;
                    SE(b.Left, PUnary, indent);
                    S(" = Math.Pow(");
                    SE(b.Left, PAssign, indent);
                    S(", ");
                    SE(b.Right, PAssign, indent);
                    S(")");
                    return;
                }
                case ExpressionType.Conditional:
                {
                    var c = (ConditionalExpression)e;
                    SE(c.Test, PConditional + 1, indent);
                    S(" ? ");
                    SE(c.IfTrue, PConditional + 1, indent);
                    S(" : ");
                    SE(c.IfFalse, PConditional, indent);
                    return;
                }
                case ExpressionType.Call:
                    ExpandCall((MethodCallExpression)e, indent);
                    return;
                case ExpressionType.Invoke:
                {
                    var inv = (InvocationExpression)e;
                    SE(inv.Expression, PPrimary, indent);
                    S("(");
                    SList(inv.Arguments, indent);
                    S(")");
                    return;
                }
                case ExpressionType.MemberAccess:
                {
                    var m = (MemberExpression)e;
                    if (m.Expression == null)
                    {
                        S(m.Member.DeclaringType != null
                            ? TypeName(m.Member.DeclaringType) + "." + m.Member.Name
                            : m.Member.Name);
                    }
                    else if (IsClosureReceiver(m.Expression))
                    {
                        S(m.Member.Name);
                    }
                    else
                    {
                        SE(m.Expression, PPrimary, indent);
                        S("." + m.Member.Name);
                    }
                    return;
                }
                case ExpressionType.Index:
                {
                    var ix = (IndexExpression)e;
                    if (ix.Object != null) SE(ix.Object, PPrimary, indent);
                    else if (ix.Indexer?.DeclaringType != null) S(TypeName(ix.Indexer.DeclaringType));
                    S("[");
                    SList(ix.Arguments, indent);
                    S("]");
                    return;
                }
                case ExpressionType.New:
                {
                    var n = (NewExpression)e;
                    S("new " + TypeName(n.Constructor?.DeclaringType ?? n.Type) + "(");
                    SList(n.Arguments, indent);
                    S(")");
                    return;
                }
                case ExpressionType.NewArrayInit:
                {
                    var na = (NewArrayExpression)e;
                    if (na.Expressions.Count == 0)
                    {
                        S("new " + TypeName(na.Type) + " { }");
                        return;
                    }
                    S("new " + TypeName(na.Type) + " { ");
                    SList(na.Expressions, indent);
                    S(" }");
                    return;
                }
                case ExpressionType.NewArrayBounds:
                {
                    var na = (NewArrayExpression)e;
                    Type element = na.Type.GetElementType() ?? typeof(object);
                    Type innermost = element;
                    while (innermost.IsArray) innermost = innermost.GetElementType()!;
                    string specs = element.IsArray ? RankSpecifiers(element) : "";
                    S("new " + TypeName(innermost) + "[");
                    SList(na.Expressions, indent);
                    S("]" + specs);
                    return;
                }
                case ExpressionType.Default:
                    S("default(" + TypeName(e.Type) + ")");
                    return;
                case ExpressionType.MemberInit:
                {
                    var mi = (MemberInitExpression)e;
                    SE(mi.NewExpression, PStatement, indent);
                    if (mi.Bindings.Count == 0)
                    {
                        S(" { }");
                        return;
                    }
                    S(" { ");
                    _seq.Add(new Work(WorkKind.Bindings, null, mi.Bindings, 0, indent, Mode.Discard));
                    S(" }");
                    return;
                }
                case ExpressionType.ListInit:
                {
                    var li = (ListInitExpression)e;
                    SE(li.NewExpression, PStatement, indent);
                    if (li.Initializers.Count == 0)
                    {
                        S(" { }");
                        return;
                    }
                    S(" { ");
                    _seq.Add(new Work(WorkKind.ElementInits, null, li.Initializers, 0, indent, Mode.Discard));
                    S(" }");
                    return;
                }
                case ExpressionType.Block:
                {
                    var b = (BlockExpression)e;
                    S("{");
                    _seq.Add(new Work(WorkKind.BlockContents, b, null, 0, indent + 1, Mode.Discard));
                    SNL(indent);
                    S("}");
                    return;
                }
                case ExpressionType.Loop:
                    SLoop((LoopExpression)e, indent);
                    return;
                case ExpressionType.Switch:
                    SSwitch((SwitchExpression)e, indent, Mode.Discard);
                    return;
                case ExpressionType.Try:
                    STry((TryExpression)e, indent, Mode.Discard);
                    return;
                case ExpressionType.Goto:
                    SGoto((GotoExpression)e, indent);
                    return;
                case ExpressionType.Label:
                {
                    var l = (LabelExpression)e;
                    S(LabelName(l.Target) + ":");
                    if (l.DefaultValue != null)
                    {
                        S(" ");
                        SE(l.DefaultValue, PAssign, indent);
                    }
                    return;
                }
            }

            if (e is BinaryExpression bin && TryBinary(e.NodeType, out _, out int prec, out bool rightAssoc))
            {
                SE(bin.Left, rightAssoc ? prec + 1 : prec, indent);
                // One item prints " op " and then pushes the right operand, keeping the stack small.
                _seq.Add(new Work(WorkKind.BinaryRight, bin, null, 0, indent, Mode.Discard));
                return;
            }

            Output.Append('<').Append(e.NodeType.ToString()).Append('>');
        }

        private void DoBinaryRight(BinaryExpression b, int indent)
        {
            TryBinary(b.NodeType, out string op, out int prec, out bool rightAssoc);
            Output.Append(' ').Append(op).Append(' ');
            _stack.Push(new Work(WorkKind.Expr, b.Right, null, rightAssoc ? prec : prec + 1, indent, Mode.Discard));
        }

        private void ExpandPrefix(string op, Expression operand, int indent)
        {
            S(op);
            SE(operand, StartsWithSign(operand, op[0]) ? PPrimary : PUnary, indent);
        }

        private void ExpandLambda(LambdaExpression l, int indent)
        {
            var ps = l.Parameters;
            string header;
            if (ps.Count == 1)
            {
                header = Declare(ps[0], "p");
            }
            else
            {
                var sb = new StringBuilder("(");
                for (int i = 0; i < ps.Count; i++)
                {
                    if (i > 0) sb.Append(", ");
                    sb.Append(Declare(ps[i], "p"));
                }
                header = sb.Append(')').ToString();
            }

            Expression body = l.Body;
            Mode mode = l.ReturnType == typeof(void) ? Mode.Discard : Mode.Return;
            SScope(null);
            if (NeedsBraces(body))
            {
                S(header + " =>");
                SBraced(body, indent, mode);
            }
            else
            {
                S(header + " => ");
                SE(body, PAssign, indent);
            }
            SScopeExit();
        }

        private void ExpandCall(MethodCallExpression c, int indent)
        {
            MethodInfo m = c.Method;
            var args = c.Arguments;
            Type? declaring = m.DeclaringType;

            if (c.Object != null && declaring is { IsArray: true })
            {
                if (m.Name is "Get" or "Address")
                {
                    SE(c.Object, PPrimary, indent);
                    S("[");
                    SList(args, indent);
                    S("]");
                    return;
                }
                if (m.Name == "Set" && args.Count > 0)
                {
                    SE(c.Object, PPrimary, indent);
                    S("[");
                    SList(AllButLast(args), indent);
                    S("] = ");
                    SE(args[args.Count - 1], PAssign, indent);
                    return;
                }
            }

            // Receiver: "obj." or "TypeName." (nothing for a method with no declaring type).
            void Receiver()
            {
                if (c.Object != null)
                {
                    SE(c.Object, PPrimary, indent);
                }
                else if (declaring != null)
                {
                    S(TypeName(declaring));
                }
            }

            bool hasReceiver = c.Object != null || declaring != null;
            if (m.IsSpecialName && m.Name.Length > 4 && (m.Name.StartsWith("get_", StringComparison.Ordinal)
                                                       || m.Name.StartsWith("set_", StringComparison.Ordinal)))
            {
                bool getter = m.Name[0] == 'g';
                string prop = m.Name.Substring(4);
                int indexCount = getter ? args.Count : args.Count - 1;
                if (indexCount >= 0)
                {
                    Receiver();
                    if (indexCount == 0)
                    {
                        S(hasReceiver ? "." + prop : prop);
                    }
                    else
                    {
                        S("[");
                        SList(getter ? args : AllButLast(args), indent);
                        S("]");
                    }
                    if (!getter)
                    {
                        S(" = ");
                        SE(args[args.Count - 1], PAssign, indent);
                    }
                    return;
                }
            }

            // Extension methods read as the user wrote them: x.Select(...).Sum(), not Enumerable.Sum(Enumerable.Select(x, ...)).
            if (c.Object == null && args.Count > 0 && m.IsDefined(typeof(System.Runtime.CompilerServices.ExtensionAttribute), false))
            {
                SE(args[0], PPrimary, indent);
                S("." + m.Name + "(");
                SList(args.Skip(1).ToList(), indent);
                S(")");
                return;
            }

            Receiver();
            string name = m.Name;
            if (m.IsGenericMethod)
            {
                var sb = new StringBuilder(name).Append('<');
                Type[] targs = m.GetGenericArguments();
                for (int i = 0; i < targs.Length; i++)
                {
                    if (i > 0) sb.Append(", ");
                    sb.Append(TypeName(targs[i]));
                }
                name = sb.Append('>').ToString();
            }
            S((hasReceiver ? "." : "") + name + "(");
            SList(args, indent);
            S(")");
        }

        private static Expression[] AllButLast(ReadOnlyCollection<Expression> args)
        {
            var result = new Expression[Math.Max(0, args.Count - 1)];
            for (int i = 0; i < result.Length; i++) result[i] = args[i];
            return result;
        }

        private void DoList(IReadOnlyList<Expression> list, int index, int indent)
        {
            if (index >= list.Count) return;
            if (index > 0) Output.Append(", ");
            if (index + 1 < list.Count)
                _stack.Push(new Work(WorkKind.List, null, list, index + 1, indent, Mode.Discard));
            _stack.Push(new Work(WorkKind.Expr, list[index], null, PAssign, indent, Mode.Discard));
        }

        private void DoBindings(ReadOnlyCollection<MemberBinding> bindings, int index, int indent)
        {
            if (index >= bindings.Count) return;
            if (index > 0) Output.Append(", ");
            if (index + 1 < bindings.Count)
                _stack.Push(new Work(WorkKind.Bindings, null, bindings, index + 1, indent, Mode.Discard));
            switch (bindings[index])
            {
                case MemberAssignment a:
                    S(a.Member.Name + " = ");
                    SE(a.Expression, PAssign, indent);
                    break;
                case MemberMemberBinding mm:
                    S(mm.Member.Name + " = { ");
                    _seq.Add(new Work(WorkKind.Bindings, null, mm.Bindings, 0, indent, Mode.Discard));
                    S(" }");
                    break;
                case MemberListBinding ml:
                    S(ml.Member.Name + " = { ");
                    _seq.Add(new Work(WorkKind.ElementInits, null, ml.Initializers, 0, indent, Mode.Discard));
                    S(" }");
                    break;
                default:
                    S("<binding>");
                    break;
            }
            Flush();
        }

        private void DoElementInits(ReadOnlyCollection<ElementInit> inits, int index, int indent)
        {
            if (index >= inits.Count) return;
            if (index > 0) Output.Append(", ");
            if (index + 1 < inits.Count)
                _stack.Push(new Work(WorkKind.ElementInits, null, inits, index + 1, indent, Mode.Discard));
            var args = inits[index].Arguments;
            if (args.Count == 1)
            {
                SE(args[0], PAssign, indent);
            }
            else
            {
                S("{ ");
                SList(args, indent);
                S(" }");
            }
            Flush();
        }

        // ----- statements -----

        private void DoStmtList(IReadOnlyList<Expression> list, int index, int indent, Mode mode)
        {
            if (index >= list.Count) return;
            bool last = index == list.Count - 1;
            if (!last) _stack.Push(new Work(WorkKind.StmtList, null, list, index + 1, indent, mode));
            _stack.Push(new Work(WorkKind.Stmt, list[index], null, 0, indent, last ? mode : Mode.Discard));
        }

        private void DoBlockContents(BlockExpression b, int indent, Mode mode)
        {
            var vars = b.Variables;
            if (vars.Count > 0)
            {
                var order = new List<Type>();
                var groups = new Dictionary<Type, List<string>>();
                foreach (ParameterExpression v in vars)
                {
                    string name = Declare(v, "v");
                    Type t = v.IsByRef ? v.Type.MakeByRefType() : v.Type;
                    if (!groups.TryGetValue(t, out List<string>? names))
                    {
                        names = new List<string>();
                        groups.Add(t, names);
                        order.Add(t);
                    }
                    names.Add(name);
                }
                foreach (Type t in order)
                {
                    if (Output.Length > _limit) break;
                    Output.Append('\n').Append(' ', indent * 4).Append(TypeName(t)).Append(' ')
                          .AppendJoin(", ", groups[t]).Append(';');
                }
            }
            _stack.Push(new Work(WorkKind.StmtList, null, b.Expressions, 0, indent, mode));
        }

        private void DoStmt(Expression e, int indent, Mode mode)
        {
            switch (e.NodeType)
            {
                case ExpressionType.Block:
                {
                    var b = (BlockExpression)e;
                    Mode inner = b.Type == typeof(void) ? Mode.Discard : mode;
                    if (b.Variables.Count == 0)
                        _stack.Push(new Work(WorkKind.StmtList, null, b.Expressions, 0, indent, inner));
                    else
                    {
                        SBraced(b, indent, mode);
                        Flush();
                    }
                    return;
                }
                case ExpressionType.Default when e.Type == typeof(void):
                case ExpressionType.DebugInfo:
                    return;
                case ExpressionType.Conditional when UseIfForm((ConditionalExpression)e, mode):
                    SNL(indent);
                    _seq.Add(new Work(WorkKind.If, e, null, 0, indent, mode));
                    Flush();
                    return;
                case ExpressionType.Loop:
                    SNL(indent);
                    SLoop((LoopExpression)e, indent);
                    Flush();
                    return;
                case ExpressionType.Switch:
                    SNL(indent);
                    SSwitch((SwitchExpression)e, indent, mode);
                    Flush();
                    return;
                case ExpressionType.Try:
                    SNL(indent);
                    STry((TryExpression)e, indent, mode);
                    Flush();
                    return;
                case ExpressionType.Label:
                {
                    var l = (LabelExpression)e;
                    SNL(indent);
                    S(LabelName(l.Target) + ":");
                    if (l.DefaultValue != null) SStmt(l.DefaultValue, indent, mode);
                    Flush();
                    return;
                }
            }

            SNL(indent);
            if (mode == Mode.Return && e.Type != typeof(void)
                && e.NodeType != ExpressionType.Throw && e.NodeType != ExpressionType.Goto)
            {
                S("return ");
            }
            SE(e, PStatement, indent);
            S(";");
            Flush();
        }

        private void DoIf(ConditionalExpression c, int indent, Mode mode)
        {
            Mode branchMode = c.Type == typeof(void) ? Mode.Discard : mode;
            S("if (");
            SE(c.Test, PStatement, indent);
            S(")");
            SBraced(c.IfTrue, indent, branchMode);
            if (!(c.IfFalse.NodeType == ExpressionType.Default && c.IfFalse.Type == typeof(void)))
            {
                SNL(indent);
                S("else");
                if (c.IfFalse is ConditionalExpression next && UseIfForm(next, branchMode))
                {
                    S(" ");
                    _seq.Add(new Work(WorkKind.If, next, null, 0, indent, branchMode));
                }
                else
                {
                    SBraced(c.IfFalse, indent, branchMode);
                }
            }
            Flush();
        }

        private void SLoop(LoopExpression loop, int indent)
        {
            S("while (true)");
            SScope(loop);
            SBraced(loop.Body, indent, Mode.Discard);
            SScopeExit();
        }

        private void SSwitch(SwitchExpression s, int indent, Mode mode)
        {
            Mode caseMode = s.Type == typeof(void) ? Mode.Discard : mode;
            S("switch (");
            SE(s.SwitchValue, PStatement, indent);
            S(")");
            SNL(indent);
            S("{");
            SScope(null);
            foreach (SwitchCase sc in s.Cases)
            {
                foreach (Expression test in sc.TestValues)
                {
                    SNL(indent + 1);
                    S("case ");
                    SE(test, PStatement, indent + 1);
                    S(":");
                }
                SCaseBody(sc.Body, indent + 2, caseMode);
            }
            if (s.DefaultBody != null)
            {
                SNL(indent + 1);
                S("default:");
                SCaseBody(s.DefaultBody, indent + 2, caseMode);
            }
            SScopeExit();
            SNL(indent);
            S("}");
        }

        private void SCaseBody(Expression body, int indent, Mode mode)
        {
            if (body is BlockExpression b)
                _seq.Add(new Work(WorkKind.BlockContents, b, null, 0, indent,
                                  b.Type == typeof(void) ? Mode.Discard : mode));
            else
                SStmt(body, indent, mode);
            if (mode == Mode.Discard)
            {
                SNL(indent);
                S("break;");
            }
        }

        private void STry(TryExpression t, int indent, Mode mode)
        {
            Mode bodyMode = t.Type == typeof(void) ? Mode.Discard : mode;
            S("try");
            SBraced(t.Body, indent, bodyMode);
            foreach (CatchBlock h in t.Handlers)
            {
                SNL(indent);
                string header = "catch (" + TypeName(h.Test);
                if (h.Variable != null) header += " " + Declare(h.Variable, "v");
                S(header + ")");
                if (h.Filter != null)
                {
                    S(" when (");
                    SE(h.Filter, PStatement, indent);
                    S(")");
                }
                SBraced(h.Body, indent, bodyMode);
            }
            if (t.Fault != null)
            {
                SNL(indent);
                S("fault");
                SBraced(t.Fault, indent, Mode.Discard);
            }
            if (t.Finally != null)
            {
                SNL(indent);
                S("finally");
                SBraced(t.Finally, indent, Mode.Discard);
            }
        }

        private void SGoto(GotoExpression g, int indent)
        {
            if (g.Kind == GotoExpressionKind.Return)
            {
                S("return");
                if (g.Value != null)
                {
                    S(" ");
                    SE(g.Value, PAssign, indent);
                }
                return;
            }
            LoopExpression? loop = _scopes.Count > 0 ? _scopes[_scopes.Count - 1] : null;
            if (loop != null && loop.BreakLabel == g.Target) S("break");
            else if (loop != null && loop.ContinueLabel == g.Target) S("continue");
            else S("goto " + LabelName(g.Target));
        }

        private static bool UseIfForm(ConditionalExpression c, Mode mode) =>
            c.Type == typeof(void) || mode == Mode.Discard || IsStatementLike(c.IfTrue) || IsStatementLike(c.IfFalse);

        private static bool IsStatementLike(Expression e) => e.NodeType switch
        {
            ExpressionType.Block or ExpressionType.Loop or ExpressionType.Try or ExpressionType.Switch
                or ExpressionType.Goto or ExpressionType.Label or ExpressionType.DebugInfo => true,
            ExpressionType.Conditional => e.Type == typeof(void),
            _ => false,
        };

        private static bool NeedsBraces(Expression body) =>
            IsStatementLike(body) || (body.NodeType == ExpressionType.Default && body.Type == typeof(void));

        // ----- names -----

        private string NameOf(ParameterExpression p) =>
            _names.TryGetValue(p, out string? name) ? name : Declare(p, "p");

        private string Declare(ParameterExpression p, string prefix)
        {
            if (_names.TryGetValue(p, out string? existing)) return existing;
            string name = string.IsNullOrEmpty(p.Name) ? Fresh(prefix) : p.Name;
            _names.Add(p, name);
            _used.Add(name);
            return name;
        }

        private string LabelName(LabelTarget target)
        {
            if (_labels.TryGetValue(target, out string? name)) return name;
            name = string.IsNullOrEmpty(target.Name) ? Fresh("L") : target.Name;
            _labels.Add(target, name);
            _used.Add(name);
            return name;
        }

        private string Fresh(string prefix)
        {
            while (true)
            {
                int n = prefix switch
                {
                    "p" => _paramCounter++,
                    "v" => _varCounter++,
                    _ => _labelCounter++,
                };
                string name = prefix + n.ToString(CultureInfo.InvariantCulture);
                if (!_used.Contains(name)) return name;
            }
        }

        private string TypeName(Type t)
        {
            if (!_typeNames.TryGetValue(t, out string? name))
            {
                name = ComputeTypeName(t);
                _typeNames.Add(t, name);
            }
            return name;
        }

        // ----- constants -----

        private string FormatConstant(object? value)
        {
            switch (value)
            {
                case null: return "null";
                case double d: return FormatDouble(d);
                case float f:
                    if (float.IsNaN(f)) return "float.NaN";
                    if (float.IsPositiveInfinity(f)) return "float.PositiveInfinity";
                    if (float.IsNegativeInfinity(f)) return "float.NegativeInfinity";
                    return f.ToString("R", CultureInfo.InvariantCulture) + "f";
                case int i: return i.ToString(CultureInfo.InvariantCulture);
                case long l: return l.ToString(CultureInfo.InvariantCulture) + "L";
                case uint ui: return ui.ToString(CultureInfo.InvariantCulture) + "u";
                case ulong ul: return ul.ToString(CultureInfo.InvariantCulture) + "UL";
                case decimal m: return m.ToString(CultureInfo.InvariantCulture) + "m";
                case short s: return s.ToString(CultureInfo.InvariantCulture);
                case ushort us: return us.ToString(CultureInfo.InvariantCulture);
                case byte by: return by.ToString(CultureInfo.InvariantCulture);
                case sbyte sb: return sb.ToString(CultureInfo.InvariantCulture);
                case bool b: return b ? "true" : "false";
                case char c: return "'" + Escape(c.ToString(), '\'') + "'";
                case string str: return "\"" + Escape(str, '"') + "\"";
                case Type type: return "typeof(" + TypeName(type) + ")";
                case Enum e:
                {
                    string text = e.ToString();
                    string typeName = TypeName(e.GetType());
                    if (text.Length > 0 && (char.IsLetter(text[0]) || text[0] == '_') && text.IndexOf(',') < 0)
                        return typeName + "." + text;
                    return "(" + typeName + ")" + Convert.ToString(
                        Convert.ChangeType(e, Enum.GetUnderlyingType(e.GetType()), CultureInfo.InvariantCulture),
                        CultureInfo.InvariantCulture);
                }
                default: return TypeName(value.GetType());
            }
        }

        private static string FormatDouble(double d)
        {
            if (double.IsNaN(d)) return "double.NaN";
            if (double.IsPositiveInfinity(d)) return "double.PositiveInfinity";
            if (double.IsNegativeInfinity(d)) return "double.NegativeInfinity";
            if (d == 0.0) return double.IsNegative(d) ? "-0.0" : "0.0";
            string r = d.ToString("R", CultureInfo.InvariantCulture);
            // Integral values print without a fraction or exponent ("2", "1000000000000000"): add ".0" so the
            // text still reads as a double.
            return r.AsSpan().IndexOfAny('.', 'E', 'e') < 0 ? r + ".0" : r;
        }

        private static string Escape(string s, char quote)
        {
            StringBuilder? sb = null;
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                string? rep = c switch
                {
                    '\\' => "\\\\",
                    '\n' => "\\n",
                    '\r' => "\\r",
                    '\t' => "\\t",
                    '\0' => "\\0",
                    '\a' => "\\a",
                    '\b' => "\\b",
                    '\f' => "\\f",
                    '\v' => "\\v",
                    _ when c == quote => "\\" + quote,
                    _ when char.IsControl(c) => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                    _ => null,
                };
                if (rep == null)
                {
                    sb?.Append(c);
                    continue;
                }
                sb ??= new StringBuilder(s, 0, i, s.Length + 8);
                sb.Append(rep);
            }
            return sb?.ToString() ?? s;
        }
    }

    // ----- static helpers -----

    private static int Precedence(Expression e)
    {
        switch (e.NodeType)
        {
            case ExpressionType.Constant:
                return IsNegativeConstant(e) ? PUnary : PPrimary;
            case ExpressionType.Negate:
            case ExpressionType.NegateChecked:
            case ExpressionType.UnaryPlus:
            case ExpressionType.Not:
            case ExpressionType.OnesComplement:
            case ExpressionType.Convert:
            case ExpressionType.ConvertChecked:
            case ExpressionType.Unbox:
            case ExpressionType.PreIncrementAssign:
            case ExpressionType.PreDecrementAssign:
            case ExpressionType.IsFalse:
                return PUnary;
            case ExpressionType.Increment:
            case ExpressionType.Decrement:
                return PAdditive;
            case ExpressionType.TypeAs:
            case ExpressionType.TypeIs:
            case ExpressionType.TypeEqual:
                return PRelational;
            case ExpressionType.Conditional:
                return PConditional;
            case ExpressionType.Lambda:
            case ExpressionType.Throw:
            case ExpressionType.Goto:
            case ExpressionType.PowerAssign:
                return PAssign;
            case ExpressionType.Power:
            case ExpressionType.ArrayIndex:
                return PPrimary;
            case ExpressionType.Call:
            {
                MethodInfo m = ((MethodCallExpression)e).Method;
                bool setter = (m.IsSpecialName && m.Name.StartsWith("set_", StringComparison.Ordinal))
                              || (m.Name == "Set" && m.DeclaringType is { IsArray: true });
                return setter ? PAssign : PPrimary;
            }
        }
        return TryBinary(e.NodeType, out _, out int prec, out _) ? prec : PPrimary;
    }

    private static bool TryBinary(ExpressionType type, out string op, out int prec, out bool rightAssoc)
    {
        rightAssoc = false;
        (op, prec) = type switch
        {
            ExpressionType.Multiply or ExpressionType.MultiplyChecked => ("*", PMultiplicative),
            ExpressionType.Divide => ("/", PMultiplicative),
            ExpressionType.Modulo => ("%", PMultiplicative),
            ExpressionType.Add or ExpressionType.AddChecked => ("+", PAdditive),
            ExpressionType.Subtract or ExpressionType.SubtractChecked => ("-", PAdditive),
            ExpressionType.LeftShift => ("<<", PShift),
            ExpressionType.RightShift => (">>", PShift),
            ExpressionType.LessThan => ("<", PRelational),
            ExpressionType.LessThanOrEqual => ("<=", PRelational),
            ExpressionType.GreaterThan => (">", PRelational),
            ExpressionType.GreaterThanOrEqual => (">=", PRelational),
            ExpressionType.Equal => ("==", PEquality),
            ExpressionType.NotEqual => ("!=", PEquality),
            ExpressionType.And => ("&", PAnd),
            ExpressionType.ExclusiveOr => ("^", PXor),
            ExpressionType.Or => ("|", POr),
            ExpressionType.AndAlso => ("&&", PAndAlso),
            ExpressionType.OrElse => ("||", POrElse),
            ExpressionType.Coalesce => ("??", PCoalesce),
            ExpressionType.Assign => ("=", PAssign),
            ExpressionType.AddAssign or ExpressionType.AddAssignChecked => ("+=", PAssign),
            ExpressionType.SubtractAssign or ExpressionType.SubtractAssignChecked => ("-=", PAssign),
            ExpressionType.MultiplyAssign or ExpressionType.MultiplyAssignChecked => ("*=", PAssign),
            ExpressionType.DivideAssign => ("/=", PAssign),
            ExpressionType.ModuloAssign => ("%=", PAssign),
            ExpressionType.AndAssign => ("&=", PAssign),
            ExpressionType.OrAssign => ("|=", PAssign),
            ExpressionType.ExclusiveOrAssign => ("^=", PAssign),
            ExpressionType.LeftShiftAssign => ("<<=", PAssign),
            ExpressionType.RightShiftAssign => (">>=", PAssign),
            _ => ("", -1),
        };
        if (prec < 0) return false;
        rightAssoc = prec == PAssign || prec == PCoalesce;
        return true;
    }

    private static bool IsNegativeConstant(Expression e)
    {
        if (e is not ConstantExpression c) return false;
        return c.Value switch
        {
            double d => double.IsFinite(d) && double.IsNegative(d),
            float f => float.IsFinite(f) && float.IsNegative(f),
            int i => i < 0,
            long l => l < 0,
            short s => s < 0,
            sbyte sb => sb < 0,
            decimal m => m < 0,
            _ => false,
        };
    }

    /// <summary>Whether the printed operand starts with <paramref name="sign"/> ('-' or '+'), so that a prefix
    /// operator with the same sign needs parentheses (<c>-(-x)</c>, never <c>--x</c>).</summary>
    private static bool StartsWithSign(Expression operand, char sign)
    {
        switch (operand.NodeType)
        {
            case ExpressionType.Negate:
            case ExpressionType.NegateChecked:
            case ExpressionType.PreDecrementAssign:
                return sign == '-';
            case ExpressionType.UnaryPlus:
            case ExpressionType.PreIncrementAssign:
                return sign == '+';
            case ExpressionType.Constant:
                return sign == '-' && IsNegativeConstant(operand);
            default:
                return false;
        }
    }

    /// <summary>Whether a member of <paramref name="receiver"/> prints as its bare name: a captured variable of a
    /// closure (a field of a constant closure object, or of a nested display class).</summary>
    private static bool IsClosureReceiver(Expression receiver)
    {
        if (receiver is ConstantExpression c)
        {
            if (c.Value == null) return false;
            Type t = c.Value.GetType();
            return !(t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal)
                     || typeof(Type).IsAssignableFrom(t));
        }
        if (receiver is MemberExpression)
        {
            Type t = receiver.Type;
            return t.IsDefined(typeof(CompilerGeneratedAttribute), false)
                   && (t.Name.Contains("DisplayClass", StringComparison.Ordinal)
                       || t.Name.Contains("Closure", StringComparison.Ordinal));
        }
        return false;
    }

    private static string RankSpecifiers(Type arrayType)
    {
        var sb = new StringBuilder();
        Type t = arrayType;
        while (t.IsArray)
        {
            sb.Append('[').Append(',', t.GetArrayRank() - 1).Append(']');
            t = t.GetElementType()!;
        }
        return sb.ToString();
    }

    private static string ComputeTypeName(Type t)
    {
        if (Keywords.TryGetValue(t, out string? keyword)) return keyword;
        if (t.IsArray)
        {
            Type inner = t;
            while (inner.IsArray) inner = inner.GetElementType()!;
            return ComputeTypeName(inner) + RankSpecifiers(t);
        }
        if (t.IsByRef || t.IsPointer)
        {
            Type? element = t.GetElementType();
            return element == null ? t.Name : ComputeTypeName(element) + (t.IsByRef ? "&" : "*");
        }
        Type? underlying = Nullable.GetUnderlyingType(t);
        if (underlying != null) return ComputeTypeName(underlying) + "?";
        if (t.IsGenericType && t.FullName?.StartsWith("System.ValueTuple`", StringComparison.Ordinal) == true)
            return "(" + string.Join(", ", t.GetGenericArguments().Select(ComputeTypeName)) + ")";
        if (t.IsGenericType)
        {
            string name = t.Name;
            int tick = name.IndexOf('`');
            if (tick >= 0) name = name.Substring(0, tick);
            var sb = new StringBuilder(name).Append('<');
            Type[] args = t.GetGenericArguments();
            for (int i = 0; i < args.Length; i++)
            {
                if (i > 0) sb.Append(", ");
                sb.Append(ComputeTypeName(args[i]));
            }
            return sb.Append('>').ToString();
        }
        return t.Name;
    }
}
