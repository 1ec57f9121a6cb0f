using System.Linq.Expressions;

namespace ExprDiff.Examples.TwoMoons;

/// <summary>
/// A 2–16–16–1 perceptron with tanh hidden layers and a sigmoid output, all its weights in one flat vector w, and its
/// training loss written as one expression over w that ExprDiff differentiates.
/// </summary>
/// <remarks>Layout of w: W1 (16×2, row-major), b1 (16), W2 (16×16, row-major), b2 (16), w3 (16), b3.</remarks>
public static class Mlp
{
    /// <summary>The width of each hidden layer.</summary>
    public const int Hidden = 16;

    // Offsets into w. Constants, so that ExprDiff folds the index arithmetic into each read.
    private const int W1 = 0, B1 = W1 + 2 * Hidden, W2 = B1 + Hidden, B2 = W2 + Hidden * Hidden, W3 = B2 + Hidden, B3 = W3 + Hidden;

    /// <summary>How many weights: 337.</summary>
    public const int ParameterCount = B3 + 1;

    /// <summary>
    /// The mean log-loss of the sigmoid output over <paramref name="data"/>, plus <paramref name="l2"/> times the sum of
    /// squared weights. With s = ±1 for labels 1 and 0 and z the output before the sigmoid, −log σ(s·z) = log(1 + e^(−s·z)).
    /// </summary>
    /// <param name="data">The training points, captured: the expression reads them when it runs.</param>
    /// <param name="l2">The weight of the L2 penalty.</param>
    public static Expression<Func<double[], double>> Loss(LabeledPoints data, double l2)
    {
        double[,] X = data.Points;
        int[] y = data.Labels;
        int n = data.Count;
        // The network written out whole, as the formula reads: no statements are allowed in an expression lambda, so
        // the first layer's output h1[j] appears inside the sum over the second layer's units k.
        return w => Enumerable.Range(0, n).Sum(p =>
                Math.Log(1 + Math.Exp(-(2 * y[p] - 1) * (w[B3] + Enumerable.Range(0, Hidden).Sum(k => w[W3 + k] * Math.Tanh(
                    w[B2 + k] + Enumerable.Range(0, Hidden).Sum(j => w[W2 + Hidden * k + j] * Math.Tanh(
                        w[B1 + j] + w[W1 + 2 * j] * X[p, 0] + w[W1 + 2 * j + 1] * X[p, 1])))))))) / n
            + l2 * Enumerable.Range(0, ParameterCount).Sum(i => w[i] * w[i]);
    }

    /// <summary>The output before the sigmoid at (x, y), computed by hand (for predictions and pictures).</summary>
    /// <param name="w">The weights.</param>
    /// <param name="x">The point's first coordinate.</param>
    /// <param name="y">The point's second coordinate.</param>
    public static double Logit(ReadOnlySpan<double> w, double x, double y)
    {
        Span<double> h1 = stackalloc double[Hidden];
        for (int j = 0; j < Hidden; j++) h1[j] = Math.Tanh(w[B1 + j] + w[W1 + 2 * j] * x + w[W1 + 2 * j + 1] * y);
        double z = w[B3];
        for (int k = 0; k < Hidden; k++)
        {
            double a = w[B2 + k];
            for (int j = 0; j < Hidden; j++) a += w[W2 + Hidden * k + j] * h1[j];
            z += w[W3 + k] * Math.Tanh(a);
        }
        return z;
    }

    /// <summary>The probability of class 1 at (x, y).</summary>
    /// <param name="w">The weights.</param>
    /// <param name="x">The point's first coordinate.</param>
    /// <param name="y">The point's second coordinate.</param>
    public static double Probability(ReadOnlySpan<double> w, double x, double y) => 1 / (1 + Math.Exp(-Logit(w, x, y)));

    /// <summary>The fraction of <paramref name="data"/> classified right (probability above ½ for class 1).</summary>
    /// <param name="w">The weights.</param>
    /// <param name="data">The points.</param>
    public static double Accuracy(ReadOnlySpan<double> w, LabeledPoints data)
    {
        int right = 0;
        for (int p = 0; p < data.Count; p++)
            if (Logit(w, data.Points[p, 0], data.Points[p, 1]) > 0 == (data.Labels[p] == 1)) right++;
        return (double)right / data.Count;
    }

    /// <summary>Glorot-uniform weights (scaled by fan-in and fan-out, as tanh layers want) and zero biases, seeded.</summary>
    /// <param name="seed">The random seed.</param>
    public static double[] InitialWeights(int seed)
    {
        var random = new Random(seed);
        var w = new double[ParameterCount];
        void Fill(int offset, int count, int fanIn, int fanOut)
        {
            double limit = Math.Sqrt(6.0 / (fanIn + fanOut));
            for (int i = 0; i < count; i++) w[offset + i] = limit * (2 * random.NextDouble() - 1);
        }
        Fill(W1, 2 * Hidden, 2, Hidden);
        Fill(W2, Hidden * Hidden, Hidden, Hidden);
        Fill(W3, Hidden, Hidden, 1);
        return w;
    }
}
