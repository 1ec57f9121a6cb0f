using System.Linq.Expressions;
using static System.Linq.Expressions.Expression;

namespace ExprDiff.Benchmarks.Problems;

/// <summary>
/// The problems written as loops, the way a user who cares about speed writes them with LINQ: one expression for
/// every size, data passed as parameters (P2: X row-major as a flat array, y; P4: inputs A = (a0, a1) per sample,
/// targets T). P4's hidden layers are intermediate arrays, so its body is built with the Expression API (a block
/// with two local arrays inside the sum over samples) — C# expression lambdas cannot declare locals.
/// </summary>
public static class LoopForms
{
    public static readonly Expression<Func<double[], double>> P1 =
        x => Enumerable.Range(0, x.Length - 1).Sum(i => 100 * Math.Pow(x[i + 1] - x[i] * x[i], 2) + Math.Pow(1 - x[i], 2));

    public static readonly Expression<Func<double[], double[], double[], double>> P2 = (w, X, y) =>
        1.0 / y.Length * Enumerable.Range(0, y.Length).Sum(i => Math.Log(1 + Math.Exp(-y[i] * Enumerable.Range(0, w.Length).Sum(j => w[j] * X[i * w.Length + j]))));

    /// <summary>Canonical Lennard-Jones over pairs i &lt; j: i2 = 1/r², i6 = i2³, 4·(i6² − i6).</summary>
    public static readonly Expression<Func<double[], double>> P3 = x => Enumerable.Range(0, x.Length / 3).Sum(i =>
        Enumerable.Range(i + 1, x.Length / 3 - i - 1)
            .Select(j => 1 / ((x[3 * i] - x[3 * j]) * (x[3 * i] - x[3 * j]) + (x[3 * i + 1] - x[3 * j + 1]) * (x[3 * i + 1] - x[3 * j + 1])
                              + (x[3 * i + 2] - x[3 * j + 2]) * (x[3 * i + 2] - x[3 * j + 2])))
            .Select(i2 => i2 * i2 * i2)
            .Sum(i6 => 4 * (i6 * i6 - i6)));

    /// <summary>Lennard-Jones written with powers, as PROBLEMS.md allows: 4·((r²)⁻⁶ − (r²)⁻³) with <c>Math.Pow</c>.</summary>
    public static readonly Expression<Func<double[], double>> P3Pow = x => Enumerable.Range(0, x.Length / 3).Sum(i =>
        Enumerable.Range(i + 1, x.Length / 3 - i - 1)
            .Select(j => (x[3 * i] - x[3 * j]) * (x[3 * i] - x[3 * j]) + (x[3 * i + 1] - x[3 * j + 1]) * (x[3 * i + 1] - x[3 * j + 1])
                         + (x[3 * i + 2] - x[3 * j + 2]) * (x[3 * i + 2] - x[3 * j + 2]))
            .Sum(r2 => 4 * (Math.Pow(r2, -6) - Math.Pow(r2, -3))));

    public static readonly Expression<Func<double[], double[], double[], double>> P4 = BuildP4();

    private static Expression<Func<double[], double[], double[], double>> BuildP4()
    {
        var th = Parameter(typeof(double[]), "theta");
        var a = Parameter(typeof(double[]), "A");
        var t = Parameter(typeof(double[]), "T");
        var k = Parameter(typeof(int), "k");
        var o = Parameter(typeof(int), "o");
        var i = Parameter(typeof(int), "i");
        var h1 = Variable(typeof(double[]), "h1");
        var h2 = Variable(typeof(double[]), "h2");
        var z = Variable(typeof(double), "z");
        var p = Variable(typeof(double), "p");
        var range = typeof(Enumerable).GetMethod(nameof(Enumerable.Range))!;
        var select = typeof(Enumerable).GetMethods().First(m => m.Name == nameof(Enumerable.Select)
            && m.GetParameters()[1].ParameterType.GetGenericArguments().Length == 2).MakeGenericMethod(typeof(int), typeof(double));
        var toArray = typeof(Enumerable).GetMethod(nameof(Enumerable.ToArray))!.MakeGenericMethod(typeof(double));
        var sum = typeof(Enumerable).GetMethods().First(m => m.Name == nameof(Enumerable.Sum) && m.IsGenericMethod && m.GetParameters().Length == 2
            && m.GetParameters()[1].ParameterType.GetGenericArguments()[1] == typeof(double)).MakeGenericMethod(typeof(int));
        var tanh = typeof(Math).GetMethod(nameof(Math.Tanh))!;
        var exp = typeof(Math).GetMethod(nameof(Math.Exp))!;
        var log = typeof(Math).GetMethod(nameof(Math.Log), [typeof(double)])!;
        Expression I(int c) => Constant(c);
        Expression At(Expression array, Expression index) => ArrayIndex(array, index);
        Expression Layer(ParameterExpression v, Expression body) =>
            Call(toArray, Call(select, Call(range, I(0), I(P4Mlp.H)), Lambda<Func<int, double>>(body, v)));
        Expression Sum(ParameterExpression v, Expression count, Expression body) => Call(sum, Call(range, I(0), count), Lambda<Func<int, double>>(body, v));

        // h1[o] = tanh(W1[o][0]·a0 + W1[o][1]·a1 + b1[o]); h2[o] = tanh(Σ_i W2[o][i]·h1[i] + b2[o]); z = Σ_i W3[i]·h2[i] + b3
        var first = Call(tanh, Add(Add(Multiply(At(th, Multiply(I(2), o)), At(a, Multiply(I(2), k))),
            Multiply(At(th, Add(Multiply(I(2), o), I(1))), At(a, Add(Multiply(I(2), k), I(1))))), At(th, Add(I(P4Mlp.B1), o))));
        var second = Call(tanh, Add(Sum(i, I(P4Mlp.H), Multiply(At(th, Add(Add(I(P4Mlp.W2), Multiply(I(P4Mlp.H), o)), i)), At(h1, i))),
            At(th, Add(I(P4Mlp.B2), o))));
        var sample = Block([h1, h2, z, p],
            Assign(h1, Layer(o, first)),
            Assign(h2, Layer(o, second)),
            Assign(z, Add(Sum(i, I(P4Mlp.H), Multiply(At(th, Add(I(P4Mlp.W3), i)), At(h2, i))), At(th, I(P4Mlp.B3)))),
            Assign(p, Divide(Constant(1.0), Add(Constant(1.0), Call(exp, Negate(z))))),
            Condition(Equal(At(t, k), Constant(1.0)), Call(log, p), Call(log, Subtract(Constant(1.0), p))));
        var loss = Multiply(Negate(Divide(Constant(1.0), Convert(ArrayLength(t), typeof(double)))), Sum(k, ArrayLength(t), sample));
        return Lambda<Func<double[], double[], double[], double>>(loss, th, a, t);
    }
}
