using System.Globalization;

namespace ExprDiff;

/// <summary>Central differences and the bookkeeping of a check: the entries compared, the failures, the worst one.</summary>
internal sealed class GradCheckAccumulator(string what, double[][] points, GradCheckOptions options)
{
    private int _entries, _failed;
    private GradCheckEntry _worst;
    private double _worstSeverity = double.NegativeInfinity;

    public void Add(GradCheckQuantity quantity, int point, int index, int? column, double analytic, double numeric)
    {
        // The tolerance is PyTorch's allclose(analytic, numeric, rtol, atol); where numeric is not finite neither is it,
        // and the entry fails through IsFinite.
        var entry = new GradCheckEntry(quantity, point, index, column, analytic, numeric,
            options.AbsoluteTolerance + options.RelativeTolerance * Math.Abs(numeric));
        _entries++;
        if (!entry.Passed) _failed++;
        // Strictly greater: on a tie (two NaNs, say) the first entry met stays the one reported.
        if (entry.Severity > _worstSeverity)
        {
            _worstSeverity = entry.Severity;
            _worst = entry;
        }
    }

    public GradCheckResult Finish()
    {
        var result = new GradCheckResult(what, points.Length, _entries, _failed, _worst,
            (double[])points[_worst.Point].Clone(), options);
        return options.ThrowOnFailure ? result.ThrowIfFailed() : result;
    }
}

/// <summary>Central differences along coordinate axes, with the step of <see cref="GradCheckOptions"/>.</summary>
internal static class GradCheckNumeric
{
    /// <summary>Moves <c>x[i]</c> up and down by the step, calls <paramref name="evaluate"/> at each (true: the upper
    /// point), restores <c>x[i]</c>, and returns the distance between the two points as rounded (the divisor).</summary>
    private static double Around(double[] x, int i, double step, Action<bool> evaluate)
    {
        double xi = x[i], h = step * Math.Max(1, Math.Abs(xi));
        double up = xi + h, down = xi - h;
        try
        {
            x[i] = up;
            evaluate(true);
            x[i] = down;
            evaluate(false);
        }
        finally
        {
            x[i] = xi;
        }
        // The rounded points are what f saw, so their distance is the divisor (exact by Sterbenz's lemma once the two
        // are within a factor of 2 of each other or of opposite signs, else off by one rounding).
        return up - down;
    }

    /// <summary>∂f/∂xᵢ by a central difference.</summary>
    public static double Partial(Func<double[], double> f, double[] x, int i, double step)
    {
        double fUp = 0, fDown = 0;
        double width = Around(x, i, step, isUp =>
        {
            if (isUp) fUp = f(x);
            else fDown = f(x);
        });
        return (fUp - fDown) / width;
    }

    /// <summary>∂F/∂xᵢ of a vector function by central differences into <paramref name="column"/>, which has one element
    /// per output of F at x.</summary>
    /// <exception cref="ArgumentException">F returned another number of outputs at a moved point.</exception>
    public static void Partials(Func<double[], double[]> f, double[] x, int i, double step, double[] column, string name)
    {
        double[] fUp = [], fDown = [];
        double width = Around(x, i, step, isUp =>
        {
            var y = f(x);
            if (y is null || y.Length != column.Length)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"'{name}' returned {(y is null ? "null" : $"{y.Length} values")} at x {(isUp ? '+' : '−')} h·e{i}, but {column.Length} at x: a Jacobian needs a fixed number of outputs near the point."), name);
            if (isUp) fUp = y;
            else fDown = y;
        });
        for (int r = 0; r < column.Length; r++) column[r] = (fUp[r] - fDown[r]) / width;
    }

    /// <summary>Copies the points after checking them: a non-empty list of non-empty arrays of finite numbers.</summary>
    /// <exception cref="ArgumentException">Any of them is not (<see cref="ArgumentNullException"/> for a null list).</exception>
    public static double[][] CheckedCopy(IReadOnlyList<double[]> points, string name)
    {
        ArgumentNullException.ThrowIfNull(points, name);
        if (points.Count == 0) throw new ArgumentException($"'{name}' is empty: give at least one point.", name);
        var copy = new double[points.Count][];
        for (int p = 0; p < copy.Length; p++)
        {
            var x = points[p] ?? throw new ArgumentException($"'{name}[{p}]' is null.", name);
            if (x.Length == 0) throw new ArgumentException($"'{name}[{p}]' has no coordinates.", name);
            for (int i = 0; i < x.Length; i++)
                if (!double.IsFinite(x[i]))
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                        $"'{name}[{p}][{i}]' is {GradCheckEntry.Format(x[i])}: points must be finite."), name);
            // A copy: the check moves coordinates in place, and the caller's arrays must not change even for a moment.
            copy[p] = (double[])x.Clone();
        }
        return copy;
    }

    /// <summary>The options after checking them (the defaults for null).</summary>
    public static GradCheckOptions Checked(GradCheckOptions? options, string name)
    {
        options ??= GradCheckOptions.Default;
        options.Validate(name);
        return options;
    }

    /// <summary>Checks that a derivative delegate returned an array of the expected length.</summary>
    public static double[] Length(double[]? values, int expected, int point, string name, string what)
    {
        if (values is null || values.Length != expected)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"'{name}' returned {(values is null ? "null" : $"{values.Length} values")} at point {point}, which has {expected} {what}."), name);
        return values;
    }
}
