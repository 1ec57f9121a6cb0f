// The overloads that name the parameters to differentiate (wrt); written out for 1 to 6 parameters.
using System.Linq.Expressions;
using ExprDiff.Transforms;

namespace ExprDiff;

public static partial class Diff
{

    /// <summary>
    /// The gradient with respect to the parameters named in <paramref name="wrt"/>: one double[] parameter (the gradient
    /// has its length) or double parameters (one element each, in the order named). The other parameters are data.
    /// </summary>
    /// <typeparam name="T1">Parameter 1: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <param name="f">The function.</param>
    /// <param name="wrt">Names of the parameters to differentiate, as written in <paramref name="f"/>.</param>
    /// <param name="options">Rules and optimization; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> or <paramref name="wrt"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="wrt"/> is empty, names a parameter twice, one f does not have, or one
    /// that is neither double nor double[].</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate, or <paramref name="wrt"/> mixes an
    /// array with other parameters.</exception>
    public static Expression<Func<T1, double[]>> Gradient<T1>(Expression<Func<T1, double>> f, IReadOnlyList<string> wrt, DiffOptions? options = null) =>
        (Expression<Func<T1, double[]>>)Derivatives.Gradient(ProblemWrt(f, options, nameof(Gradient), wrt), typeof(Func<T1, double[]>));

    /// <summary><c>(parameters…, gradient) => f(parameters…)</c>, writing the gradient with respect to the parameters named in
    /// <paramref name="wrt"/> into <c>gradient</c> (see <see cref="Gradient{T1}(Expression{Func{T1, double}}, IReadOnlyList{string}, DiffOptions?)"/>).</summary>
    /// <typeparam name="T1">Parameter 1: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <param name="f">The function.</param>
    /// <param name="wrt">Names of the parameters to differentiate, as written in <paramref name="f"/>.</param>
    /// <param name="options">Rules and optimization; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> or <paramref name="wrt"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="wrt"/> is empty, names a parameter twice, one f does not have, or one
    /// that is neither double nor double[].</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate, or <paramref name="wrt"/> mixes an
    /// array with other parameters.</exception>
    public static Expression<Func<T1, double[], double>> ValueAndGradient<T1>(Expression<Func<T1, double>> f, IReadOnlyList<string> wrt, DiffOptions? options = null) =>
        (Expression<Func<T1, double[], double>>)Derivatives.ValueAndGradient(ProblemWrt(f, options, nameof(ValueAndGradient), wrt), typeof(Func<T1, double[], double>));

    /// <summary>
    /// The gradient with respect to the parameters named in <paramref name="wrt"/>: one double[] parameter (the gradient
    /// has its length) or double parameters (one element each, in the order named). The other parameters are data.
    /// </summary>
    /// <typeparam name="T1">Parameter 1: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T2">Parameter 2: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <param name="f">The function.</param>
    /// <param name="wrt">Names of the parameters to differentiate, as written in <paramref name="f"/>.</param>
    /// <param name="options">Rules and optimization; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> or <paramref name="wrt"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="wrt"/> is empty, names a parameter twice, one f does not have, or one
    /// that is neither double nor double[].</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate, or <paramref name="wrt"/> mixes an
    /// array with other parameters.</exception>
    public static Expression<Func<T1, T2, double[]>> Gradient<T1, T2>(Expression<Func<T1, T2, double>> f, IReadOnlyList<string> wrt, DiffOptions? options = null) =>
        (Expression<Func<T1, T2, double[]>>)Derivatives.Gradient(ProblemWrt(f, options, nameof(Gradient), wrt), typeof(Func<T1, T2, double[]>));

    /// <summary><c>(parameters…, gradient) => f(parameters…)</c>, writing the gradient with respect to the parameters named in
    /// <paramref name="wrt"/> into <c>gradient</c> (see <see cref="Gradient{T1, T2}(Expression{Func{T1, T2, double}}, IReadOnlyList{string}, DiffOptions?)"/>).</summary>
    /// <typeparam name="T1">Parameter 1: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T2">Parameter 2: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <param name="f">The function.</param>
    /// <param name="wrt">Names of the parameters to differentiate, as written in <paramref name="f"/>.</param>
    /// <param name="options">Rules and optimization; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> or <paramref name="wrt"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="wrt"/> is empty, names a parameter twice, one f does not have, or one
    /// that is neither double nor double[].</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate, or <paramref name="wrt"/> mixes an
    /// array with other parameters.</exception>
    public static Expression<Func<T1, T2, double[], double>> ValueAndGradient<T1, T2>(Expression<Func<T1, T2, double>> f, IReadOnlyList<string> wrt, DiffOptions? options = null) =>
        (Expression<Func<T1, T2, double[], double>>)Derivatives.ValueAndGradient(ProblemWrt(f, options, nameof(ValueAndGradient), wrt), typeof(Func<T1, T2, double[], double>));

    /// <summary>
    /// The gradient with respect to the parameters named in <paramref name="wrt"/>: one double[] parameter (the gradient
    /// has its length) or double parameters (one element each, in the order named). The other parameters are data.
    /// </summary>
    /// <typeparam name="T1">Parameter 1: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T2">Parameter 2: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T3">Parameter 3: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <param name="f">The function.</param>
    /// <param name="wrt">Names of the parameters to differentiate, as written in <paramref name="f"/>.</param>
    /// <param name="options">Rules and optimization; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> or <paramref name="wrt"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="wrt"/> is empty, names a parameter twice, one f does not have, or one
    /// that is neither double nor double[].</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate, or <paramref name="wrt"/> mixes an
    /// array with other parameters.</exception>
    public static Expression<Func<T1, T2, T3, double[]>> Gradient<T1, T2, T3>(Expression<Func<T1, T2, T3, double>> f, IReadOnlyList<string> wrt, DiffOptions? options = null) =>
        (Expression<Func<T1, T2, T3, double[]>>)Derivatives.Gradient(ProblemWrt(f, options, nameof(Gradient), wrt), typeof(Func<T1, T2, T3, double[]>));

    /// <summary><c>(parameters…, gradient) => f(parameters…)</c>, writing the gradient with respect to the parameters named in
    /// <paramref name="wrt"/> into <c>gradient</c> (see <see cref="Gradient{T1, T2, T3}(Expression{Func{T1, T2, T3, double}}, IReadOnlyList{string}, DiffOptions?)"/>).</summary>
    /// <typeparam name="T1">Parameter 1: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T2">Parameter 2: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T3">Parameter 3: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <param name="f">The function.</param>
    /// <param name="wrt">Names of the parameters to differentiate, as written in <paramref name="f"/>.</param>
    /// <param name="options">Rules and optimization; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> or <paramref name="wrt"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="wrt"/> is empty, names a parameter twice, one f does not have, or one
    /// that is neither double nor double[].</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate, or <paramref name="wrt"/> mixes an
    /// array with other parameters.</exception>
    public static Expression<Func<T1, T2, T3, double[], double>> ValueAndGradient<T1, T2, T3>(Expression<Func<T1, T2, T3, double>> f, IReadOnlyList<string> wrt, DiffOptions? options = null) =>
        (Expression<Func<T1, T2, T3, double[], double>>)Derivatives.ValueAndGradient(ProblemWrt(f, options, nameof(ValueAndGradient), wrt), typeof(Func<T1, T2, T3, double[], double>));

    /// <summary>
    /// The gradient with respect to the parameters named in <paramref name="wrt"/>: one double[] parameter (the gradient
    /// has its length) or double parameters (one element each, in the order named). The other parameters are data.
    /// </summary>
    /// <typeparam name="T1">Parameter 1: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T2">Parameter 2: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T3">Parameter 3: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T4">Parameter 4: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <param name="f">The function.</param>
    /// <param name="wrt">Names of the parameters to differentiate, as written in <paramref name="f"/>.</param>
    /// <param name="options">Rules and optimization; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> or <paramref name="wrt"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="wrt"/> is empty, names a parameter twice, one f does not have, or one
    /// that is neither double nor double[].</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate, or <paramref name="wrt"/> mixes an
    /// array with other parameters.</exception>
    public static Expression<Func<T1, T2, T3, T4, double[]>> Gradient<T1, T2, T3, T4>(Expression<Func<T1, T2, T3, T4, double>> f, IReadOnlyList<string> wrt, DiffOptions? options = null) =>
        (Expression<Func<T1, T2, T3, T4, double[]>>)Derivatives.Gradient(ProblemWrt(f, options, nameof(Gradient), wrt), typeof(Func<T1, T2, T3, T4, double[]>));

    /// <summary><c>(parameters…, gradient) => f(parameters…)</c>, writing the gradient with respect to the parameters named in
    /// <paramref name="wrt"/> into <c>gradient</c> (see <see cref="Gradient{T1, T2, T3, T4}(Expression{Func{T1, T2, T3, T4, double}}, IReadOnlyList{string}, DiffOptions?)"/>).</summary>
    /// <typeparam name="T1">Parameter 1: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T2">Parameter 2: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T3">Parameter 3: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T4">Parameter 4: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <param name="f">The function.</param>
    /// <param name="wrt">Names of the parameters to differentiate, as written in <paramref name="f"/>.</param>
    /// <param name="options">Rules and optimization; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> or <paramref name="wrt"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="wrt"/> is empty, names a parameter twice, one f does not have, or one
    /// that is neither double nor double[].</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate, or <paramref name="wrt"/> mixes an
    /// array with other parameters.</exception>
    public static Expression<Func<T1, T2, T3, T4, double[], double>> ValueAndGradient<T1, T2, T3, T4>(Expression<Func<T1, T2, T3, T4, double>> f, IReadOnlyList<string> wrt, DiffOptions? options = null) =>
        (Expression<Func<T1, T2, T3, T4, double[], double>>)Derivatives.ValueAndGradient(ProblemWrt(f, options, nameof(ValueAndGradient), wrt), typeof(Func<T1, T2, T3, T4, double[], double>));

    /// <summary>
    /// The gradient with respect to the parameters named in <paramref name="wrt"/>: one double[] parameter (the gradient
    /// has its length) or double parameters (one element each, in the order named). The other parameters are data.
    /// </summary>
    /// <typeparam name="T1">Parameter 1: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T2">Parameter 2: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T3">Parameter 3: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T4">Parameter 4: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T5">Parameter 5: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <param name="f">The function.</param>
    /// <param name="wrt">Names of the parameters to differentiate, as written in <paramref name="f"/>.</param>
    /// <param name="options">Rules and optimization; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> or <paramref name="wrt"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="wrt"/> is empty, names a parameter twice, one f does not have, or one
    /// that is neither double nor double[].</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate, or <paramref name="wrt"/> mixes an
    /// array with other parameters.</exception>
    public static Expression<Func<T1, T2, T3, T4, T5, double[]>> Gradient<T1, T2, T3, T4, T5>(Expression<Func<T1, T2, T3, T4, T5, double>> f, IReadOnlyList<string> wrt, DiffOptions? options = null) =>
        (Expression<Func<T1, T2, T3, T4, T5, double[]>>)Derivatives.Gradient(ProblemWrt(f, options, nameof(Gradient), wrt), typeof(Func<T1, T2, T3, T4, T5, double[]>));

    /// <summary><c>(parameters…, gradient) => f(parameters…)</c>, writing the gradient with respect to the parameters named in
    /// <paramref name="wrt"/> into <c>gradient</c> (see <see cref="Gradient{T1, T2, T3, T4, T5}(Expression{Func{T1, T2, T3, T4, T5, double}}, IReadOnlyList{string}, DiffOptions?)"/>).</summary>
    /// <typeparam name="T1">Parameter 1: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T2">Parameter 2: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T3">Parameter 3: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T4">Parameter 4: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T5">Parameter 5: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <param name="f">The function.</param>
    /// <param name="wrt">Names of the parameters to differentiate, as written in <paramref name="f"/>.</param>
    /// <param name="options">Rules and optimization; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> or <paramref name="wrt"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="wrt"/> is empty, names a parameter twice, one f does not have, or one
    /// that is neither double nor double[].</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate, or <paramref name="wrt"/> mixes an
    /// array with other parameters.</exception>
    public static Expression<Func<T1, T2, T3, T4, T5, double[], double>> ValueAndGradient<T1, T2, T3, T4, T5>(Expression<Func<T1, T2, T3, T4, T5, double>> f, IReadOnlyList<string> wrt, DiffOptions? options = null) =>
        (Expression<Func<T1, T2, T3, T4, T5, double[], double>>)Derivatives.ValueAndGradient(ProblemWrt(f, options, nameof(ValueAndGradient), wrt), typeof(Func<T1, T2, T3, T4, T5, double[], double>));

    /// <summary>
    /// The gradient with respect to the parameters named in <paramref name="wrt"/>: one double[] parameter (the gradient
    /// has its length) or double parameters (one element each, in the order named). The other parameters are data.
    /// </summary>
    /// <typeparam name="T1">Parameter 1: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T2">Parameter 2: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T3">Parameter 3: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T4">Parameter 4: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T5">Parameter 5: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T6">Parameter 6: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <param name="f">The function.</param>
    /// <param name="wrt">Names of the parameters to differentiate, as written in <paramref name="f"/>.</param>
    /// <param name="options">Rules and optimization; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> or <paramref name="wrt"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="wrt"/> is empty, names a parameter twice, one f does not have, or one
    /// that is neither double nor double[].</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate, or <paramref name="wrt"/> mixes an
    /// array with other parameters.</exception>
    public static Expression<Func<T1, T2, T3, T4, T5, T6, double[]>> Gradient<T1, T2, T3, T4, T5, T6>(Expression<Func<T1, T2, T3, T4, T5, T6, double>> f, IReadOnlyList<string> wrt, DiffOptions? options = null) =>
        (Expression<Func<T1, T2, T3, T4, T5, T6, double[]>>)Derivatives.Gradient(ProblemWrt(f, options, nameof(Gradient), wrt), typeof(Func<T1, T2, T3, T4, T5, T6, double[]>));

    /// <summary><c>(parameters…, gradient) => f(parameters…)</c>, writing the gradient with respect to the parameters named in
    /// <paramref name="wrt"/> into <c>gradient</c> (see <see cref="Gradient{T1, T2, T3, T4, T5, T6}(Expression{Func{T1, T2, T3, T4, T5, T6, double}}, IReadOnlyList{string}, DiffOptions?)"/>).</summary>
    /// <typeparam name="T1">Parameter 1: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T2">Parameter 2: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T3">Parameter 3: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T4">Parameter 4: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T5">Parameter 5: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <typeparam name="T6">Parameter 6: double, int, double[], double[,], int[], int[,] or int[][].</typeparam>
    /// <param name="f">The function.</param>
    /// <param name="wrt">Names of the parameters to differentiate, as written in <paramref name="f"/>.</param>
    /// <param name="options">Rules and optimization; null for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> or <paramref name="wrt"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="wrt"/> is empty, names a parameter twice, one f does not have, or one
    /// that is neither double nor double[].</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate, or <paramref name="wrt"/> mixes an
    /// array with other parameters.</exception>
    public static Expression<Func<T1, T2, T3, T4, T5, T6, double[], double>> ValueAndGradient<T1, T2, T3, T4, T5, T6>(Expression<Func<T1, T2, T3, T4, T5, T6, double>> f, IReadOnlyList<string> wrt, DiffOptions? options = null) =>
        (Expression<Func<T1, T2, T3, T4, T5, T6, double[], double>>)Derivatives.ValueAndGradient(ProblemWrt(f, options, nameof(ValueAndGradient), wrt), typeof(Func<T1, T2, T3, T4, T5, T6, double[], double>));
}
