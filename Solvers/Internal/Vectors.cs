namespace ExprDiff.Solvers.Internal;

/// <summary>The few vector operations the solvers' inner loops need, over spans and without allocating.</summary>
internal static class Vectors
{
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    public static double NormInf(ReadOnlySpan<double> a)
    {
        double m = 0;
        foreach (double e in a)
        {
            double v = Math.Abs(e);
            if (v > m || double.IsNaN(v)) m = v;
            if (double.IsNaN(m)) return m;
        }
        return m;
    }

    /// <summary>y ← y + a·x.</summary>
    public static void AddScaled(Span<double> y, double a, ReadOnlySpan<double> x)
    {
        for (int i = 0; i < y.Length; i++) y[i] += a * x[i];
    }

    /// <summary>r ← x + a·d.</summary>
    public static void Step(Span<double> r, ReadOnlySpan<double> x, double a, ReadOnlySpan<double> d)
    {
        for (int i = 0; i < r.Length; i++) r[i] = x[i] + a * d[i];
    }
}
