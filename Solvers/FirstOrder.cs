using ExprDiff.Solvers.Internal;

namespace ExprDiff.Solvers;

/// <summary>
/// The first-order methods of machine learning: a fixed learning rate, one gradient per update, gradient clipping. The
/// base of <see cref="GradientDescent"/> and <see cref="Adam"/>. A step that makes f or its gradient NaN or infinite is
/// halved until it does not (up to 30 times, then the solve ends with <see cref="TerminationReason.NonFiniteValue"/>).
/// </summary>
public abstract class FirstOrderMinimizer : Minimizer
{
    private protected FirstOrderMinimizer() { }

    /// <summary>The step size; must be positive.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Clip each gradient component to [−ClipValue, ClipValue] before it is used; null for none.</summary>
    public double? ClipValue { get; init; }

    /// <summary>Scale the gradient down to this Euclidean norm where it is longer (clipping by global norm); null for none.</summary>
    public double? ClipNorm { get; init; }

    /// <summary>A solve's update rule and its state (made at the start of each solve, so instances stay shareable).</summary>
    private protected abstract class Rule
    {
        /// <summary>The step for the (clipped) gradient g at update t = 1, 2, ….</summary>
        public abstract void Update(Span<double> step, ReadOnlySpan<double> g, int t);
    }

    private protected abstract Rule Start(int dimension);

    private protected override SolverResult Run(Objective objective, ReadOnlySpan<double> start, CancellationToken cancellationToken)
    {
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "must be positive");
        if (ClipValue is { } cv && !(cv > 0)) throw new ArgumentOutOfRangeException(nameof(ClipValue), cv, "must be positive");
        if (ClipNorm is { } cn && !(cn > 0)) throw new ArgumentOutOfRangeException(nameof(ClipNorm), cn, "must be positive");
        var o = Options;
        int n = start.Length;
        var ev = new Evaluator(objective, o, cancellationToken, n);
        var x = start.ToArray();
        var g = new double[n];
        var clipped = new double[n];
        var step = new double[n];
        var xNew = new double[n];
        var gNew = new double[n];
        var rule = Start(n);

        if (ev.Start(x, g, out double f) is { } atStart) return atStart;
        for (int t = 0; ; t++)
        {
            double gNorm = Vectors.NormInf(g);
            if (Stopping.BeforeStep(ev, o, gNorm, t) is { } done) return done;
            Clip(g, clipped);
            rule.Update(step, clipped, t + 1);
            double fNew = double.NaN;
            bool finite = false;
            for (int halvings = 0; halvings <= 30 && !finite; halvings++)
            {
                if (halvings > 0) for (int i = 0; i < n; i++) step[i] *= 0.5;
                Vectors.Step(xNew, x, 1, step);
                if (!ev.ValueAndGradient(xNew, gNew, out fNew)) return ev.StoppedResult(t);
                finite = double.IsFinite(fNew) && double.IsFinite(Vectors.NormInf(gNew));
            }
            if (!finite)
                return ev.Result(TerminationReason.NonFiniteValue, "f or its gradient was NaN or infinite after the update, however much it was shortened", t);
            var (stepNorm, xNorm) = Stopping.Measure(x, xNew);
            double change = f - fNew;
            xNew.CopyTo(x.AsSpan());
            gNew.CopyTo(g.AsSpan());
            f = fNew;
            o.Progress?.Report(new SolverProgress(t + 1, f, Vectors.NormInf(g), stepNorm, ev.Counts));
            if (Stopping.AfterStep(ev, o, stepNorm, xNorm, change, f, t + 1) is { } converged) return converged;
        }
    }

    private void Clip(ReadOnlySpan<double> g, Span<double> clipped)
    {
        g.CopyTo(clipped);
        if (ClipValue is { } c)
            for (int i = 0; i < clipped.Length; i++) clipped[i] = Math.Clamp(clipped[i], -c, c);
        if (ClipNorm is { } max)
        {
            double norm = Math.Sqrt(Vectors.Dot(clipped, clipped));
            if (norm > max)
                for (int i = 0; i < clipped.Length; i++) clipped[i] *= max / norm;
        }
    }
}

/// <summary>
/// Gradient descent with a fixed learning rate, optionally with momentum (Polyak's heavy ball, or Nesterov's): the update
/// is v ← μ·v − η·g, x ← x + v (Nesterov: x ← x + μ·v − η·g).
/// </summary>
public sealed class GradientDescent : FirstOrderMinimizer
{

    /// <summary>μ in [0, 1): 0 is plain gradient descent.</summary>
    public double Momentum { get; init; }

    /// <summary>Nesterov's accelerated form of momentum.</summary>
    public bool Nesterov { get; init; }

    private protected override Rule Start(int dimension)
    {
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "must be in [0, 1)");
        return new MomentumRule(this, dimension);
    }

    private sealed class MomentumRule(GradientDescent settings, int dimension) : Rule
    {
        private readonly double[] _velocity = new double[dimension];

        public override void Update(Span<double> step, ReadOnlySpan<double> g, int t)
        {
            double mu = settings.Momentum, eta = settings.LearningRate;
            for (int i = 0; i < g.Length; i++)
            {
                _velocity[i] = mu * _velocity[i] - eta * g[i];
                step[i] = settings.Nesterov ? mu * _velocity[i] - eta * g[i] : _velocity[i];
            }
        }
    }
}

/// <summary>
/// Adam (Kingma and Ba 2015): per-coordinate steps scaled by running averages of the gradient and its square, with bias
/// correction.
/// </summary>
public sealed class Adam : FirstOrderMinimizer
{

    /// <summary>Decay of the first-moment average.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Decay of the second-moment average.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Added to the root of the second moment, against division by zero.</summary>
    public double Epsilon { get; init; } = 1e-8;

    private protected override Rule Start(int dimension)
    {
        if (!(Beta1 >= 0 && Beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "must be in [0, 1)");
        if (!(Beta2 >= 0 && Beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "must be in [0, 1)");
        if (!(Epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "must be positive");
        return new AdamRule(this, dimension);
    }

    private sealed class AdamRule(Adam settings, int dimension) : Rule
    {
        private readonly double[] _m = new double[dimension], _v = new double[dimension];

        public override void Update(Span<double> step, ReadOnlySpan<double> g, int t)
        {
            double b1 = settings.Beta1, b2 = settings.Beta2, eta = settings.LearningRate, eps = settings.Epsilon;
            double c1 = 1 - Math.Pow(b1, t), c2 = 1 - Math.Pow(b2, t);
            for (int i = 0; i < g.Length; i++)
            {
                _m[i] = b1 * _m[i] + (1 - b1) * g[i];
                _v[i] = b2 * _v[i] + (1 - b2) * g[i] * g[i];
                step[i] = -eta * (_m[i] / c1) / (Math.Sqrt(_v[i] / c2) + eps);
            }
        }
    }
}
