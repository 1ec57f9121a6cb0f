using System;
using System.Collections.Generic;
using System.Linq.Expressions;

namespace ExprDiff.Printing;

internal static partial class ExpressionPrinter
{
    private sealed partial class Printer
    {
        // ----- statements -----

        /// <summary>Prints blocks, loops, switch, try, gotos and labels met in expression position; false for
        /// other nodes.</summary>
        private bool TryExpandStatement(Expression e, int indent)
        {
            switch (e.NodeType)
            {
                case ExpressionType.Block:
                {
                    var b = (BlockExpression)e;
                    S("{");
                    _seq.Add(new Work(WorkKind.BlockContents, b, null, 0, indent + 1, Mode.Discard));
                    SNL(indent);
                    S("}");
                    return true;
                }
                case ExpressionType.Loop:
                    SLoop((LoopExpression)e, indent);
                    return true;
                case ExpressionType.Switch:
                    SSwitch((SwitchExpression)e, indent, Mode.Discard);
                    return true;
                case ExpressionType.Try:
                    STry((TryExpression)e, indent, Mode.Discard);
                    return true;
                case ExpressionType.Goto:
                    SGoto((GotoExpression)e, indent);
                    return true;
                case ExpressionType.Label:
                {
                    var l = (LabelExpression)e;
                    S(LabelName(l.Target) + ":");
                    if (l.DefaultValue != null)
                    {
                        S(" ");
                        SE(l.DefaultValue, PAssign, indent);
                    }
                    return true;
                }
            }
            return false;
        }

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
    }
}
