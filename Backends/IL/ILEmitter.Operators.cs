using System.Linq.Expressions;
using System.Reflection.Emit;

namespace ExprDiff.Backends.IL;

// Arithmetic, comparisons and conversions, with C#'s semantics (NaN compares false; <= and >= are not negated <, >).
internal sealed partial class ILEmitter
{
    private static bool IsSigned(Type t) => t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(sbyte);
    private static bool IsUnsigned(Type t) => t == typeof(uint) || t == typeof(ulong) || t == typeof(ushort) || t == typeof(byte) || t == typeof(char);
    private static bool IsFloat(Type t) => t == typeof(double) || t == typeof(float);
    private static bool IsNumeric(Type t) => IsSigned(t) || IsUnsigned(t) || IsFloat(t);

    private void Binary(BinaryExpression b, bool empty)
    {
        if (b.IsLifted) throw Unsupported(b, "a lifted (nullable) operator");
        if (b.Method is not null)
        {
            Call(null, b.Method, [b.Left, b.Right], b, empty);
            return;
        }
        var t = b.Left.Type;
        bool isBool = t == typeof(bool);
        if (!IsNumeric(t) && !isBool && !(b.NodeType is ExpressionType.Equal or ExpressionType.NotEqual && !t.IsValueType))
            throw Unsupported(b, $"the operator {b.NodeType} on {t.Name}");
        Visit(b.Left, empty: empty);
        Visit(b.Right);
        bool un = IsUnsigned(t);
        bool fl = IsFloat(t);
        switch (b.NodeType)
        {
            case ExpressionType.Add: Op(OpCodes.Add); break;
            case ExpressionType.AddChecked: Op(fl ? OpCodes.Add : un ? OpCodes.Add_Ovf_Un : OpCodes.Add_Ovf); break;
            case ExpressionType.Subtract: Op(OpCodes.Sub); break;
            case ExpressionType.SubtractChecked: Op(fl ? OpCodes.Sub : un ? OpCodes.Sub_Ovf_Un : OpCodes.Sub_Ovf); break;
            case ExpressionType.Multiply: Op(OpCodes.Mul); break;
            case ExpressionType.MultiplyChecked: Op(fl ? OpCodes.Mul : un ? OpCodes.Mul_Ovf_Un : OpCodes.Mul_Ovf); break;
            case ExpressionType.Divide: Op(un ? OpCodes.Div_Un : OpCodes.Div); break;
            case ExpressionType.Modulo: Op(un ? OpCodes.Rem_Un : OpCodes.Rem); break;
            case ExpressionType.And: Op(OpCodes.And); break;
            case ExpressionType.Or: Op(OpCodes.Or); break;
            case ExpressionType.ExclusiveOr: Op(OpCodes.Xor); break;
            case ExpressionType.LeftShift: Op(OpCodes.Shl); break;
            case ExpressionType.RightShift: Op(un ? OpCodes.Shr_Un : OpCodes.Shr); break;
            case ExpressionType.Equal: Op(OpCodes.Ceq); break;
            case ExpressionType.NotEqual: Op(OpCodes.Ceq); Op(OpCodes.Ldc_I4_0); Op(OpCodes.Ceq); break;
            case ExpressionType.LessThan: Op(un ? OpCodes.Clt_Un : OpCodes.Clt); break;
            case ExpressionType.GreaterThan: Op(un ? OpCodes.Cgt_Un : OpCodes.Cgt); break;
            // a <= b is !(a > b) for integers but !(a > b or unordered) for floating point.
            case ExpressionType.LessThanOrEqual: Op(un || fl ? OpCodes.Cgt_Un : OpCodes.Cgt); Op(OpCodes.Ldc_I4_0); Op(OpCodes.Ceq); break;
            case ExpressionType.GreaterThanOrEqual: Op(un || fl ? OpCodes.Clt_Un : OpCodes.Clt); Op(OpCodes.Ldc_I4_0); Op(OpCodes.Ceq); break;
            default: throw Unsupported(b, $"the operator {b.NodeType}");
        }
        if (b.NodeType is ExpressionType.Add or ExpressionType.Subtract or ExpressionType.Multiply or ExpressionType.Divide
            or ExpressionType.Modulo or ExpressionType.LeftShift or ExpressionType.RightShift)
            Narrow(t);
    }

    // Small integer types wrap like C# after arithmetic on the stack's 32-bit values.
    private void Narrow(Type t)
    {
        if (t == typeof(short)) Op(OpCodes.Conv_I2);
        else if (t == typeof(ushort) || t == typeof(char)) Op(OpCodes.Conv_U2);
        else if (t == typeof(sbyte)) Op(OpCodes.Conv_I1);
        else if (t == typeof(byte)) Op(OpCodes.Conv_U1);
    }

    private void Unary(UnaryExpression u, bool empty)
    {
        if (u.IsLifted) throw Unsupported(u, "a lifted (nullable) operator");
        if (u.Method is not null && u.NodeType is not ExpressionType.ArrayLength)
        {
            Call(null, u.Method, [u.Operand], u, empty);
            return;
        }
        var t = u.Operand.Type;
        switch (u.NodeType)
        {
            case ExpressionType.ArrayLength:
                if (IsSpan(u.Operand))
                {
                    var span = (ParameterExpression)u.Operand;
                    LoadAddress(span);
                    Op(OpCodes.Call, _spans[span].GetProperty("Length")!.GetMethod!);
                    return;
                }
                Visit(u.Operand, empty: empty);
                Op(OpCodes.Ldlen);
                Op(OpCodes.Conv_I4);
                return;
            case ExpressionType.Convert or ExpressionType.ConvertChecked:
                Visit(u.Operand, empty: empty);
                Convert(u, t, u.Type, u.NodeType == ExpressionType.ConvertChecked);
                return;
            case ExpressionType.Unbox:
                Visit(u.Operand, empty: empty);
                Op(OpCodes.Unbox_Any, u.Type);
                return;
        }
        if (!IsNumeric(t) && t != typeof(bool)) throw Unsupported(u, $"the operator {u.NodeType} on {t.Name}");
        if (u.NodeType == ExpressionType.NegateChecked && !IsFloat(t) && !IsUnsigned(t) && u.Method is null)
        {
            // checked(−x) is 0 − x with an overflow check, as the C# compiler emits it (−int.MinValue throws).
            if (t == typeof(long)) Op(OpCodes.Ldc_I8, 0L);
            else Op(OpCodes.Ldc_I4_0);
            Visit(u.Operand);
            Op(OpCodes.Sub_Ovf);
            Narrow(t);
            return;
        }
        Visit(u.Operand, empty: empty);
        switch (u.NodeType)
        {
            case ExpressionType.Negate: Op(OpCodes.Neg); Narrow(t); break;
            case ExpressionType.NegateChecked:
                if (IsFloat(t)) { Op(OpCodes.Neg); break; }
                throw Unsupported(u, "a checked negation");
            case ExpressionType.UnaryPlus: break;
            case ExpressionType.Not when t == typeof(bool): Op(OpCodes.Ldc_I4_0); Op(OpCodes.Ceq); break;
            case ExpressionType.Not or ExpressionType.OnesComplement: Op(OpCodes.Not); Narrow(t); break;
            case ExpressionType.IsTrue: break;
            case ExpressionType.IsFalse: Op(OpCodes.Ldc_I4_0); Op(OpCodes.Ceq); break;
            case ExpressionType.Increment or ExpressionType.Decrement:
                if (t == typeof(double)) Op(OpCodes.Ldc_R8, 1.0);
                else if (t == typeof(float)) Op(OpCodes.Ldc_R4, 1f);
                else if (t == typeof(long) || t == typeof(ulong)) Op(OpCodes.Ldc_I8, 1L);
                else Op(OpCodes.Ldc_I4_1);
                Op(u.NodeType == ExpressionType.Increment ? OpCodes.Add : OpCodes.Sub);
                Narrow(t);
                break;
            default: throw Unsupported(u, $"the operator {u.NodeType}");
        }
    }

    private void Convert(Expression node, Type from, Type to, bool check)
    {
        if (from == to) return;
        if (from.IsEnum) from = Enum.GetUnderlyingType(from);
        if (to.IsEnum) to = Enum.GetUnderlyingType(to);
        if (from == to) return;
        if (!from.IsValueType && !to.IsValueType)
        {
            if (!to.IsAssignableFrom(from)) Op(OpCodes.Castclass, to);
            return;
        }
        if (from.IsValueType && !to.IsValueType)
        {
            if (Nullable.GetUnderlyingType(from) is not null) throw Unsupported(node, "boxing a nullable value");
            Op(OpCodes.Box, from);
            return;
        }
        if (!from.IsValueType && to.IsValueType)
        {
            Op(OpCodes.Unbox_Any, to);
            return;
        }
        if (!IsNumeric(from) || !IsNumeric(to)) throw Unsupported(node, $"the conversion from {from.Name} to {to.Name}");
        bool un = IsUnsigned(from);
        OpCode code;
        if (to == typeof(double)) { if (un) Op(OpCodes.Conv_R_Un); code = OpCodes.Conv_R8; }
        else if (to == typeof(float)) { if (un) Op(OpCodes.Conv_R_Un); code = OpCodes.Conv_R4; }
        else if (!check)
            code = to == typeof(int) ? OpCodes.Conv_I4 : to == typeof(long) ? (un ? OpCodes.Conv_U8 : OpCodes.Conv_I8)
                : to == typeof(uint) ? OpCodes.Conv_U4 : to == typeof(ulong) ? (un ? OpCodes.Conv_U8 : OpCodes.Conv_I8)
                : to == typeof(short) ? OpCodes.Conv_I2 : to == typeof(ushort) || to == typeof(char) ? OpCodes.Conv_U2
                : to == typeof(sbyte) ? OpCodes.Conv_I1 : OpCodes.Conv_U1;
        else if (un)
            code = to == typeof(int) ? OpCodes.Conv_Ovf_I4_Un : to == typeof(long) ? OpCodes.Conv_Ovf_I8_Un
                : to == typeof(uint) ? OpCodes.Conv_Ovf_U4_Un : to == typeof(ulong) ? OpCodes.Conv_Ovf_U8_Un
                : to == typeof(short) ? OpCodes.Conv_Ovf_I2_Un : to == typeof(ushort) || to == typeof(char) ? OpCodes.Conv_Ovf_U2_Un
                : to == typeof(sbyte) ? OpCodes.Conv_Ovf_I1_Un : OpCodes.Conv_Ovf_U1_Un;
        else
            code = to == typeof(int) ? OpCodes.Conv_Ovf_I4 : to == typeof(long) ? OpCodes.Conv_Ovf_I8
                : to == typeof(uint) ? OpCodes.Conv_Ovf_U4 : to == typeof(ulong) ? OpCodes.Conv_Ovf_U8
                : to == typeof(short) ? OpCodes.Conv_Ovf_I2 : to == typeof(ushort) || to == typeof(char) ? OpCodes.Conv_Ovf_U2
                : to == typeof(sbyte) ? OpCodes.Conv_Ovf_I1 : OpCodes.Conv_Ovf_U1;
        Op(code);
    }
}
