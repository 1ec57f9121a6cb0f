using System.Linq.Expressions;
using static ExprDiff.Benchmarks.Problems.Terms;

namespace ExprDiff.Benchmarks.Problems;

/// <summary>
/// P4 — MLP binary classifier 2 → 16 tanh → 16 tanh → 1 sigmoid, cross-entropy over a batch of 256 two-moons
/// points; θ has 337 entries (PROBLEMS.md).
/// </summary>
public static class P4Mlp
{
    public const int B = 256;
    public const int H = 16;
    public const int N = 337;
    public const double Reference = 0.6855934789451064;

    // Offsets of the blocks of θ; weights are row-major W[out][in].
    public const int W1 = 0, B1 = 32, W2 = 48, B2 = 304, W3 = 320, B3 = 336;

    /// <summary>Inputs: sample k is <c>(A[2k], A[2k+1])</c>.</summary>
    public static readonly double[] A;
    /// <summary>Targets, 0 or 1.</summary>
    public static readonly double[] T;
    private static readonly double[] Theta0;

    static P4Mlp()
    {
        var r = new Lcg(4);
        A = new double[2 * B];
        T = new double[B];
        for (int k = 0; k < B; k++)
        {
            T[k] = k % 2;
            double phi = Math.PI * r.Next();
            double a0, a1;
            if (k % 2 == 0) (a0, a1) = (Math.Cos(phi), Math.Sin(phi));
            else (a0, a1) = (1 - Math.Cos(phi), 0.5 - Math.Sin(phi));
            a0 += 0.1 * r.Sym();
            a1 += 0.1 * r.Sym();
            A[2 * k] = a0;
            A[2 * k + 1] = a1;
        }
        Theta0 = new double[N];
        for (int p = 0; p < N; p++) Theta0[p] = 0.5 * r.Sym();
    }

    /// <summary>The evaluation point θ (a fresh copy).</summary>
    public static double[] Point() => (double[])Theta0.Clone();

    public static double Value(double[] theta)
    {
        Span<double> h1 = stackalloc double[H];
        Span<double> h2 = stackalloc double[H];
        double sum = 0;
        for (int k = 0; k < B; k++)
        {
            double p = Forward(theta, A[2 * k], A[2 * k + 1], h1, h2);
            sum += T[k] == 1 ? Math.Log(p) : Math.Log(1 - p);
        }
        return -(1.0 / B) * sum;
    }

    /// <summary>Returns L(θ) and writes ∇L(θ) into <paramref name="grad"/> (length 337) by backpropagation,
    /// reusing tanh and the sigmoid. Allocation-free.</summary>
    public static double ValueAndGradient(double[] theta, double[] grad)
    {
        const double invB = 1.0 / B;
        Span<double> h1 = stackalloc double[H];
        Span<double> h2 = stackalloc double[H];
        Span<double> d2 = stackalloc double[H];
        Array.Clear(grad, 0, N);
        double sum = 0;
        for (int k = 0; k < B; k++)
        {
            double a0 = A[2 * k], a1 = A[2 * k + 1], t = T[k];
            double p = Forward(theta, a0, a1, h1, h2);
            sum += t == 1 ? Math.Log(p) : Math.Log(1 - p);

            // Cross-entropy through the sigmoid: dL/dz = (p − t)/B.
            double dz = (p - t) * invB;
            grad[B3] += dz;
            for (int i = 0; i < H; i++)
            {
                grad[W3 + i] += dz * h2[i];
                d2[i] = dz * theta[W3 + i] * (1 - h2[i] * h2[i]); // tanh' = 1 − tanh²
            }
            for (int o = 0; o < H; o++)
            {
                double d = d2[o];
                grad[B2 + o] += d;
                int row = W2 + H * o;
                for (int i = 0; i < H; i++) grad[row + i] += d * h1[i];
            }
            for (int i = 0; i < H; i++)
            {
                double back = 0;
                for (int o = 0; o < H; o++) back += d2[o] * theta[W2 + H * o + i];
                double d1 = back * (1 - h1[i] * h1[i]);
                grad[W1 + 2 * i] += d1 * a0;
                grad[W1 + 2 * i + 1] += d1 * a1;
                grad[B1 + i] += d1;
            }
        }
        return -invB * sum;
    }

    /// <summary>One sample's forward pass: fills the hidden activations and returns p.</summary>
    private static double Forward(double[] theta, double a0, double a1, Span<double> h1, Span<double> h2)
    {
        for (int o = 0; o < H; o++)
            h1[o] = Math.Tanh(theta[W1 + 2 * o] * a0 + theta[W1 + 2 * o + 1] * a1 + theta[B1 + o]);
        double z = 0;
        for (int o = 0; o < H; o++)
        {
            double s = 0;
            int row = W2 + H * o;
            for (int i = 0; i < H; i++) s += theta[row + i] * h1[i];
            h2[o] = Math.Tanh(s + theta[B2 + o]);
            z += theta[W3 + o] * h2[o];
        }
        z += theta[B3];
        return 1 / (1 + Math.Exp(-z));
    }

    /// <summary>
    /// The term-by-term expression: per sample, <c>h1[o] = Math.Tanh(θ[W1+2o]*a0 + θ[W1+2o+1]*a1 + θ[B1+o])</c>,
    /// <c>h2[o] = Math.Tanh(Σ_i θ[W2+16o+i]*h1[i] + θ[B2+o])</c>, <c>z = Σ_i θ[W3+i]*h2[i] + θ[B3]</c>,
    /// <c>p = 1/(1 + Math.Exp(-z))</c>, and the loss <c>-(1/B)·Σ_k (t_k*Math.Log(p_k) + (1-t_k)*Math.Log(1-p_k))</c>
    /// with inputs and targets as constants. Each h1, h2, z and p is one expression object used wherever it is
    /// needed (as building it in C# with variables naturally does), so the tree is a DAG of ~170,000 nodes;
    /// expanded into a plain tree it would be several million.
    /// </summary>
    public static Expression<Func<double[], double>> TermByTerm()
    {
        var th = Expression.Parameter(typeof(double[]), "theta");
        var samples = new List<Expression>(B);
        var h1 = new Expression[H];
        var h2 = new Expression[H];
        for (int k = 0; k < B; k++)
        {
            double a0 = A[2 * k], a1 = A[2 * k + 1], t = T[k];
            for (int o = 0; o < H; o++)
                h1[o] = Call(nameof(Math.Tanh), Expression.Add(Expression.Add(
                    Expression.Multiply(At(th, W1 + 2 * o), C(a0)),
                    Expression.Multiply(At(th, W1 + 2 * o + 1), C(a1))),
                    At(th, B1 + o)));
            for (int o = 0; o < H; o++)
                h2[o] = Call(nameof(Math.Tanh), Expression.Add(
                    Sum(Enumerable.Range(0, H).Select(i => (Expression)Expression.Multiply(At(th, W2 + H * o + i), h1[i]))),
                    At(th, B2 + o)));
            var z = Expression.Add(
                Sum(Enumerable.Range(0, H).Select(i => (Expression)Expression.Multiply(At(th, W3 + i), h2[i]))),
                At(th, B3));
            var p = Expression.Divide(C(1.0), Expression.Add(C(1.0), Call(nameof(Math.Exp), Expression.Negate(z))));
            samples.Add(Expression.Add(
                Expression.Multiply(C(t), Call(nameof(Math.Log), p)),
                Expression.Multiply(C(1 - t), Call(nameof(Math.Log), Expression.Subtract(C(1.0), p)))));
        }
        return Expression.Lambda<Func<double[], double>>(Expression.Multiply(C(-(1.0 / B)), Sum(samples)), th);
    }
}
