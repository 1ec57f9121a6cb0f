using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq.Expressions;
using System.Reflection;

namespace ExprDiff.Rules
{
    /// <summary>Marks a method whose result is its argument with a zero derivative (<c>Diff.StopGradient</c>).</summary>
    [AttributeUsage(AttributeTargets.Method)]
    internal sealed class StopGradientMethodAttribute : Attribute { }
}

namespace ExprDiff
{
    using ExprDiff.Rules;

    /// <summary>
    /// The derivative rules in force: the built-in <c>Math.*</c> functions plus the user's own static methods.
    /// Immutable: <c>With</c> returns a new set, so a set can be shared between threads and calls.
    /// </summary>
    /// <example>
    /// <code>
    /// var rules = RuleSet.Default.With(x => MyLib.Gamma(x), x => MyLib.Gamma(x) * MyLib.Digamma(x));
    /// var g = Diff.Gradient(f, new DiffOptions { Rules = rules });
    /// </code>
    /// </example>
    public sealed class RuleSet
    {
        private readonly ImmutableDictionary<MethodInfo, Primitive> _methods;

        // Methods met without a rule become opaque functions: they evaluate, and fail only if differentiated.
        private readonly ConcurrentDictionary<MethodInfo, FunctionPrimitive> _opaque = new();

        private RuleSet(ImmutableDictionary<MethodInfo, Primitive> methods) => _methods = methods;

        /// <summary>The built-in rules: every supported <c>Math</c> method.</summary>
        public static RuleSet Default { get; } = new(BuildDefault());

        /// <summary>Registers a one-argument static method with its derivative.</summary>
        /// <param name="function">A lambda that only calls the method, e.g. <c>x => MyLib.Gamma(x)</c>.</param>
        /// <param name="derivative">d/dx as a lambda over the same argument; it may call the method itself.</param>
        public RuleSet With(Expression<Func<double, double>> function, Expression<Func<double, double>> derivative) =>
            Register(function, derivative);

        /// <summary>Registers a two-argument static method with its partial derivatives.</summary>
        public RuleSet With(Expression<Func<double, double, double>> function,
            Expression<Func<double, double, double>> partialFirst, Expression<Func<double, double, double>> partialSecond) =>
            Register(function, partialFirst, partialSecond);

        /// <summary>Registers a three-argument static method with its partial derivatives.</summary>
        public RuleSet With(Expression<Func<double, double, double, double>> function,
            Expression<Func<double, double, double, double>> partialFirst,
            Expression<Func<double, double, double, double>> partialSecond,
            Expression<Func<double, double, double, double>> partialThird) =>
            Register(function, partialFirst, partialSecond, partialThird);

        private RuleSet Register(LambdaExpression function, params LambdaExpression[] partials)
        {
            ArgumentNullException.ThrowIfNull(function);
            foreach (var p in partials) ArgumentNullException.ThrowIfNull(p, nameof(partials));
            var method = CalledMethod(function);
            string? why = FunctionPrimitive.Unsuitable(method);
            if (why is not null)
                throw new ArgumentException($"cannot register '{Error.Quote(function)}': {why}.", nameof(function));
            return new RuleSet(_methods.SetItem(method, new FunctionPrimitive(method, partials)));
        }

        private static MethodInfo CalledMethod(LambdaExpression function)
        {
            if (function.Body is MethodCallExpression { Object: null } call
                && call.Arguments.Count == function.Parameters.Count
                && call.Arguments.Select((a, i) => a == function.Parameters[i]).All(same => same))
                return call.Method;
            throw new ArgumentException(
                $"cannot register '{Error.Quote(function)}': write the function as a lambda that only calls one static method " +
                "with its parameters in order, e.g. x => MyLib.Gamma(x).", nameof(function));
        }

        /// <summary>The primitive for a called method, or null when no rule can evaluate it.</summary>
        internal Primitive? Lookup(MethodInfo method)
        {
            if (_methods.TryGetValue(method, out var p)) return p;
            if (method.IsDefined(typeof(StopGradientMethodAttribute))) return Primitives.StopGradient;
            if (FunctionPrimitive.Unsuitable(method) is not null) return null;
            return _opaque.GetOrAdd(method, m => new FunctionPrimitive(m, partials: null));
        }

        private static ImmutableDictionary<MethodInfo, Primitive> BuildDefault()
        {
            var b = ImmutableDictionary.CreateBuilder<MethodInfo, Primitive>();
            foreach (var p in Primitives.Functions)
                if (p is MethodPrimitive m) b[m.Method] = p;
            // Math.Sign returns int and throws on NaN; ExprDiff reads it as a double sign that is NaN for NaN.
            b[typeof(Math).GetMethod(nameof(Math.Sign), [typeof(double)])!] = Primitives.Sign;
            b[typeof(Math).GetMethod(nameof(Math.FusedMultiplyAdd), [typeof(double), typeof(double), typeof(double)])!] = Primitives.Fma;
            return b.ToImmutable();
        }
    }
}
