using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq.Expressions;
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
internal static partial class ExpressionPrinter
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

    // The Printer is split by node family across ExpressionPrinter.*.cs: this file holds the work-stack loop, the
    // work-sequence helpers and the expression dispatch; Operators, Calls, Statements and Names hold the rest.
    private sealed partial class Printer
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
            }

            // Each family handles a disjoint set of node types and reports whether it printed the node.
            if (TryExpandChecked(e, indent) || TryExpandOperator(e, indent) || TryExpandAccess(e, indent) || TryExpandStatement(e, indent)
                || TryExpandBinary(e, indent))
            {
                return;
            }

            Output.Append('<').Append(e.NodeType.ToString()).Append('>');
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

        private void DoList(IReadOnlyList<Expression> list, int index, int indent)
        {
            if (index >= list.Count) return;
            if (index > 0) Output.Append(", ");
            if (index + 1 < list.Count)
                _stack.Push(new Work(WorkKind.List, null, list, index + 1, indent, Mode.Discard));
            _stack.Push(new Work(WorkKind.Expr, list[index], null, PAssign, indent, Mode.Discard));
        }
    }
}
