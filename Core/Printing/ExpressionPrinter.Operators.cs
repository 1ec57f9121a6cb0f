using System;
using System.Linq.Expressions;
using System.Reflection;

namespace ExprDiff.Printing;

internal static partial class ExpressionPrinter
{
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

    private sealed partial class Printer
    {
        // ----- unary, binary and conditional operators -----

        /// <summary>Prints unary operators, conversions, type tests, throw, power and <c>?:</c>; false for other
        /// nodes.</summary>
        private bool TryExpandOperator(Expression e, int indent)
        {
            switch (e.NodeType)
            {
                case ExpressionType.Negate:
                case ExpressionType.NegateChecked:
                    ExpandPrefix("-", ((UnaryExpression)e).Operand, indent);
                    return true;
                case ExpressionType.UnaryPlus:
                    ExpandPrefix("+", ((UnaryExpression)e).Operand, indent);
                    return true;
                case ExpressionType.Not:
                {
                    var u = (UnaryExpression)e;
                    bool logical = u.Operand.Type == typeof(bool) || u.Operand.Type == typeof(bool?);
                    ExpandPrefix(logical ? "!" : "~", u.Operand, indent);
                    return true;
                }
                case ExpressionType.IsFalse:
                    ExpandPrefix("!", ((UnaryExpression)e).Operand, indent);
                    return true;
                case ExpressionType.OnesComplement:
                    ExpandPrefix("~", ((UnaryExpression)e).Operand, indent);
                    return true;
                case ExpressionType.PreIncrementAssign:
                    ExpandPrefix("++", ((UnaryExpression)e).Operand, indent);
                    return true;
                case ExpressionType.PreDecrementAssign:
                    ExpandPrefix("--", ((UnaryExpression)e).Operand, indent);
                    return true;
                case ExpressionType.PostIncrementAssign:
                    SE(((UnaryExpression)e).Operand, PPrimary, indent);
                    S("++");
                    return true;
                case ExpressionType.PostDecrementAssign:
                    SE(((UnaryExpression)e).Operand, PPrimary, indent);
                    S("--");
                    return true;
                case ExpressionType.Increment:
                    SE(((UnaryExpression)e).Operand, PAdditive, indent);
                    S(" + 1");
                    return true;
                case ExpressionType.Decrement:
                    SE(((UnaryExpression)e).Operand, PAdditive, indent);
                    S(" - 1");
                    return true;
                case ExpressionType.Convert:
                case ExpressionType.ConvertChecked:
                case ExpressionType.Unbox:
                {
                    var u = (UnaryExpression)e;
                    S("(" + TypeName(e.Type) + ")");
                    bool signed = StartsWithSign(u.Operand, '-') || StartsWithSign(u.Operand, '+');
                    SE(u.Operand, signed ? PPrimary : PUnary, indent);
                    return true;
                }
                case ExpressionType.TypeAs:
                    SE(((UnaryExpression)e).Operand, PRelational, indent);
                    S(" as " + TypeName(e.Type));
                    return true;
                case ExpressionType.TypeIs:
                case ExpressionType.TypeEqual:
                {
                    var t = (TypeBinaryExpression)e;
                    SE(t.Expression, PRelational, indent);
                    S(" is " + TypeName(t.TypeOperand));
                    return true;
                }
                case ExpressionType.Quote:
                case ExpressionType.IsTrue:
                    SE(((UnaryExpression)e).Operand, PStatement, indent);
                    return true;
                case ExpressionType.Throw:
                {
                    var u = (UnaryExpression)e;
                    S("throw");
                    if (u.Operand != null)
                    {
                        S(" ");
                        SE(u.Operand, PAssign, indent);
                    }
                    return true;
                }
                case ExpressionType.Power:
                {
                    var b = (BinaryExpression)e;
                    S("Math.Pow(");
                    SE(b.Left, PAssign, indent);
                    S(", ");
                    SE(b.Right, PAssign, indent);
                    S(")");
                    return true;
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
                    return true;
                }
                case ExpressionType.Conditional:
                {
                    var c = (ConditionalExpression)e;
                    SE(c.Test, PConditional + 1, indent);
                    S(" ? ");
                    SE(c.IfTrue, PConditional + 1, indent);
                    S(" : ");
                    SE(c.IfFalse, PConditional, indent);
                    return true;
                }
            }
            return false;
        }

        /// <summary>Prints checked integer arithmetic inside <c>checked( … )</c>, so that the printed C# throws where the
        /// tree does instead of wrapping; false for other nodes.</summary>
        private bool TryExpandChecked(Expression e, int indent)
        {
            if (UncheckedForm(e) is not { } plain) return false;
            S("checked(");
            SE(plain, 0, indent);
            S(")");
            return true;
        }

        /// <summary>Prints the left operand of a binary operator and queues the rest; false for other nodes.</summary>
        private bool TryExpandBinary(Expression e, int indent)
        {
            if (e is BinaryExpression bin && TryBinary(e.NodeType, out _, out int prec, out bool rightAssoc))
            {
                SE(bin.Left, rightAssoc ? prec + 1 : prec, indent);
                // One item prints " op " and then pushes the right operand, keeping the stack small.
                _seq.Add(new Work(WorkKind.BinaryRight, bin, null, 0, indent, Mode.Discard));
                return true;
            }

            return false;
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
    }

    // ----- precedence and operator tables -----

    /// <summary>The same operation without its overflow check, for checked integer arithmetic (which C# only writes
    /// inside <c>checked( … )</c>); null for every other node, floating-point ones included (checked changes nothing there).</summary>
    private static Expression? UncheckedForm(Expression e) => e switch
    {
        BinaryExpression { Method: null } b when IsIntegral(b.Type) && b.NodeType is ExpressionType.AddChecked
            or ExpressionType.SubtractChecked or ExpressionType.MultiplyChecked =>
            Expression.MakeBinary(b.NodeType switch
            {
                ExpressionType.AddChecked => ExpressionType.Add,
                ExpressionType.SubtractChecked => ExpressionType.Subtract,
                _ => ExpressionType.Multiply,
            }, b.Left, b.Right),
        UnaryExpression { NodeType: ExpressionType.NegateChecked, Method: null } u when IsIntegral(u.Type) => Expression.Negate(u.Operand),
        UnaryExpression { NodeType: ExpressionType.ConvertChecked, Method: null } u when IsIntegral(u.Type) && u.Operand.Type != u.Type
            && (IsIntegral(u.Operand.Type) || u.Operand.Type == typeof(double) || u.Operand.Type == typeof(float)) => Expression.Convert(u.Operand, u.Type),
        _ => null,
    };

    private static bool IsIntegral(Type t) =>
        t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(sbyte)
        || t == typeof(uint) || t == typeof(ulong) || t == typeof(ushort) || t == typeof(byte);

    private static int Precedence(Expression e)
    {
        if (UncheckedForm(e) is not null) return PPrimary;
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
}
