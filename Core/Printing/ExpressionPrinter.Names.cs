using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Linq.Expressions;
using System.Text;

namespace ExprDiff.Printing;

internal static partial class ExpressionPrinter
{
    private static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(void)] = "void", [typeof(bool)] = "bool", [typeof(byte)] = "byte", [typeof(sbyte)] = "sbyte",
        [typeof(short)] = "short", [typeof(ushort)] = "ushort", [typeof(int)] = "int", [typeof(uint)] = "uint",
        [typeof(long)] = "long", [typeof(ulong)] = "ulong", [typeof(float)] = "float", [typeof(double)] = "double",
        [typeof(decimal)] = "decimal", [typeof(char)] = "char", [typeof(string)] = "string",
        [typeof(object)] = "object", [typeof(nint)] = "nint", [typeof(nuint)] = "nuint",
    };

    private sealed partial class Printer
    {
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

    // ----- type names -----

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
