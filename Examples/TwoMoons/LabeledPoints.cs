namespace ExprDiff.Examples.TwoMoons;

/// <summary>Points in the plane with 0/1 labels.</summary>
/// <param name="Points">Row p is point p's coordinates (x, y).</param>
/// <param name="Labels">Point p's class, 0 or 1.</param>
public sealed record LabeledPoints(double[,] Points, int[] Labels)
{
    /// <summary>How many points.</summary>
    public int Count => Labels.Length;

    /// <summary>
    /// Two interleaving half circles, as scikit-learn's <c>make_moons</c>: class 0 on the upper arc (cos t, sin t),
    /// class 1 on the lower (1 − cos t, ½ − sin t), t in [0, π], plus Gaussian noise of standard deviation
    /// <paramref name="noise"/>. The same seed gives the same points on every machine.
    /// </summary>
    /// <param name="count">How many points (half per class; an odd one goes to class 0).</param>
    /// <param name="noise">The noise's standard deviation.</param>
    /// <param name="seed">The random seed.</param>
    public static LabeledPoints TwoMoons(int count, double noise, int seed)
    {
        var random = new Random(seed);
        var points = new double[count, 2];
        var labels = new int[count];
        int upper = (count + 1) / 2;
        for (int p = 0; p < count; p++)
        {
            bool first = p < upper;
            int k = first ? p : p - upper, m = first ? upper : count - upper;
            double t = Math.PI * k / Math.Max(1, m - 1);
            points[p, 0] = (first ? Math.Cos(t) : 1 - Math.Cos(t)) + noise * Gaussian(random);
            points[p, 1] = (first ? Math.Sin(t) : 0.5 - Math.Sin(t)) + noise * Gaussian(random);
            labels[p] = first ? 0 : 1;
        }
        return new LabeledPoints(points, labels);
    }

    // Box–Muller: System.Random has no normal deviates.
    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
