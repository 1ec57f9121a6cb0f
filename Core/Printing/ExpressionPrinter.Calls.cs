using System;
using System.Collections.ObjectModel;
using System.Linq;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace ExprDiff.Printing;

internal static partial class ExpressionPrinter
{
    private sealed partial class Printer
    {
        // ----- calls, members, indexing, object and array creation, initializers -----

        /// <summary>Prints calls, member and index access, invocation, <c>new</c>, arrays, <c>default</c> and
        /// initializers; false for other nodes.</summary>
        private bool TryExpandAccess(Expression e, int indent)
        {
            switch (e.NodeType)
            {
                case ExpressionType.ArrayLength:
                    SE(((UnaryExpression)e).Operand, PPrimary, indent);
                    S(".Length");
                    return true;
                case ExpressionType.ArrayIndex:
                    if (e is BinaryExpression ai)
                    {
                        SE(ai.Left, PPrimary, indent);
                        S("[");
                        SE(ai.Right, PAssign, indent);
                        S("]");
                        return true;
                    }
                    break;
                case ExpressionType.Call:
                    ExpandCall((MethodCallExpression)e, indent);
                    return true;
                case ExpressionType.Invoke:
                {
                    var inv = (InvocationExpression)e;
                    SE(inv.Expression, PPrimary, indent);
                    S("(");
                    SList(inv.Arguments, indent);
                    S(")");
                    return true;
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
                    return true;
                }
                case ExpressionType.Index:
                {
                    var ix = (IndexExpression)e;
                    if (ix.Object != null) SE(ix.Object, PPrimary, indent);
                    else if (ix.Indexer?.DeclaringType != null) S(TypeName(ix.Indexer.DeclaringType));
                    S("[");
                    SList(ix.Arguments, indent);
                    S("]");
                    return true;
                }
                case ExpressionType.New:
                {
                    var n = (NewExpression)e;
                    S("new " + TypeName(n.Constructor?.DeclaringType ?? n.Type) + "(");
                    SList(n.Arguments, indent);
                    S(")");
                    return true;
                }
                case ExpressionType.NewArrayInit:
                {
                    var na = (NewArrayExpression)e;
                    if (na.Expressions.Count == 0)
                    {
                        S("new " + TypeName(na.Type) + " { }");
                        return true;
                    }
                    S("new " + TypeName(na.Type) + " { ");
                    SList(na.Expressions, indent);
                    S(" }");
                    return true;
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
                    return true;
                }
                case ExpressionType.Default:
                    S("default(" + TypeName(e.Type) + ")");
                    return true;
                case ExpressionType.MemberInit:
                {
                    var mi = (MemberInitExpression)e;
                    SE(mi.NewExpression, PStatement, indent);
                    if (mi.Bindings.Count == 0)
                    {
                        S(" { }");
                        return true;
                    }
                    S(" { ");
                    _seq.Add(new Work(WorkKind.Bindings, null, mi.Bindings, 0, indent, Mode.Discard));
                    S(" }");
                    return true;
                }
                case ExpressionType.ListInit:
                {
                    var li = (ListInitExpression)e;
                    SE(li.NewExpression, PStatement, indent);
                    if (li.Initializers.Count == 0)
                    {
                        S(" { }");
                        return true;
                    }
                    S(" { ");
                    _seq.Add(new Work(WorkKind.ElementInits, null, li.Initializers, 0, indent, Mode.Discard));
                    S(" }");
                    return true;
                }
            }
            return false;
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
}
