using System.Linq.Expressions;

namespace ExprDiff.Solvers;

/// <summary>A dense Hessian written into the caller's buffer, row-major: <c>hessian[i * n + j] = ∂²f/∂xᵢ∂xⱼ</c>.</summary>
public delegate void HessianFunction(ReadOnlySpan<double> x, Span<double> hessian);

/// <summary>
/// A function to minimize, with what solvers need of it: f and its gradient always; Hessian-vector products and the
/// Hessian where a method asks for them. Build it from an expression (ExprDiff derives and compiles what is needed, the
/// first time a solver asks) or from your own delegates.
/// </summary>
/// <remarks>An objective may be shared by solvers running on several threads at once: its delegates are thread-safe and
/// its lazily compiled parts are compiled once.</remarks>
public sealed class Objective
{
    private readonly Lazy<ProductFunction?> _hessianVector;
    private readonly Lazy<HessianFunction?> _hessian;

    /// <summary>An objective of your own delegates.</summary>
    /// <param name="valueAndGradient">f(x), with ∇f(x) written into the gradient buffer.</param>
    /// <param name="value">f(x) alone, where it is cheaper than with the gradient; null to use <paramref name="valueAndGradient"/>.</param>
    /// <param name="hessianVector">H(x)·v; null where unknown (methods that need it then form it from <paramref name="hessian"/>).</param>
    /// <param name="hessian">H(x), dense and row-major; null where unknown (methods that need it then form it column by
    /// column from <paramref name="hessianVector"/>).</param>
    public Objective(GradientFunction valueAndGradient, ValueFunction? value = null, ProductFunction? hessianVector = null, HessianFunction? hessian = null)
    {
        ArgumentNullException.ThrowIfNull(valueAndGradient);
        ValueAndGradient = valueAndGradient;
        Value = value;
        _hessianVector = new Lazy<ProductFunction?>(hessianVector);
        _hessian = new Lazy<HessianFunction?>(hessian);
    }

    private Objective(GradientFunction valueAndGradient, ValueFunction value, Func<ProductFunction> hessianVector)
    {
        ValueAndGradient = valueAndGradient;
        Value = value;
        _hessianVector = new Lazy<ProductFunction?>(hessianVector, LazyThreadSafetyMode.ExecutionAndPublication);
        _hessian = new Lazy<HessianFunction?>(() => null);
    }

    /// <summary>An objective ExprDiff derives from <paramref name="f"/>: value and gradient compiled now, Hessian-vector
    /// products the first time a method asks. Data the expression captures is read when it runs, as f reads it.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate.</exception>
    public static Objective Create(Expression<Func<double[], double>> f, DiffOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        return new Objective(Compiled.ValueAndGradient(f, options), Compiled.Value(f), () => Compiled.Hvp(f, options));
    }

    /// <summary>f and its gradient.</summary>
    public GradientFunction ValueAndGradient { get; }

    /// <summary>f alone, or null where only <see cref="ValueAndGradient"/> is known.</summary>
    public ValueFunction? Value { get; }

    /// <summary>H(x)·v, or null where neither it nor the Hessian is known.</summary>
    internal ProductFunction? HessianVector => _hessianVector.Value;

    /// <summary>The dense Hessian, or null where only products (or nothing) are known.</summary>
    internal HessianFunction? Hessian => _hessian.Value;

    /// <summary>Whether second derivatives are available, as products or whole.</summary>
    internal bool HasSecondDerivatives => HessianVector is not null || Hessian is not null;

    /// <summary>Throws, naming <paramref name="method"/>, where the objective has no second derivatives.</summary>
    internal void RequireSecondDerivatives(string method)
    {
        if (!HasSecondDerivatives)
            throw new ArgumentException($"{method} needs Hessian-vector products or the Hessian: build the objective with Objective.Create, or pass hessianVector or hessian", "objective");
    }
}
