// The overloads for functions of a differentiated double[] followed by data parameters.
using System.Linq.Expressions;
using ExprDiff.Transforms;

namespace ExprDiff;

public static partial class Diff
{
    /// <summary>The gradient with respect to the first parameter (an array); the other parameters are data.</summary>
    /// <typeparam name="T1">A data parameter: double, int, double[], double[,], int[], int[,] or int[][]; not differentiated.</typeparam>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate, or a data parameter of another type.</exception>
    public static Expression<Func<double[], T1, double[]>> Gradient<T1>(Expression<Func<double[], T1, double>> f, DiffOptions? options = null) =>
        (Expression<Func<double[], T1, double[]>>)Derivatives.Gradient(Problem(f, options, nameof(Gradient)), typeof(Func<double[], T1, double[]>));

    /// <summary><c>(x, data…, gradient) => f(x, data…)</c>, writing the gradient with respect to x into <c>gradient</c>.</summary>
    /// <typeparam name="T1">A data parameter: double, int, double[], double[,], int[], int[,] or int[][]; not differentiated.</typeparam>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate, or a data parameter of another type.</exception>
    public static Expression<Func<double[], T1, double[], double>> ValueAndGradient<T1>(Expression<Func<double[], T1, double>> f, DiffOptions? options = null) =>
        (Expression<Func<double[], T1, double[], double>>)Derivatives.ValueAndGradient(Problem(f, options, nameof(ValueAndGradient)), typeof(Func<double[], T1, double[], double>));

    /// <summary>The Hessian-vector product with respect to the first parameter: <c>(x, data…, v) => H·v</c>.</summary>
    /// <typeparam name="T1">A data parameter: double, int, double[], double[,], int[], int[,] or int[][]; not differentiated.</typeparam>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate, or a data parameter of another type.</exception>
    public static Expression<Func<double[], T1, double[], double[]>> Hvp<T1>(Expression<Func<double[], T1, double>> f, DiffOptions? options = null) =>
        (Expression<Func<double[], T1, double[], double[]>>)Derivatives.Hvp(Problem(f, options, nameof(Hvp)), typeof(Func<double[], T1, double[], double[]>));

    /// <summary>The gradient with respect to the first parameter (an array); the other parameters are data.</summary>
    /// <typeparam name="T1">A data parameter: double, int, double[], double[,], int[], int[,] or int[][]; not differentiated.</typeparam>
    /// <typeparam name="T2">A data parameter: double, int, double[], double[,], int[], int[,] or int[][]; not differentiated.</typeparam>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate, or a data parameter of another type.</exception>
    public static Expression<Func<double[], T1, T2, double[]>> Gradient<T1, T2>(Expression<Func<double[], T1, T2, double>> f, DiffOptions? options = null) =>
        (Expression<Func<double[], T1, T2, double[]>>)Derivatives.Gradient(Problem(f, options, nameof(Gradient)), typeof(Func<double[], T1, T2, double[]>));

    /// <summary><c>(x, data…, gradient) => f(x, data…)</c>, writing the gradient with respect to x into <c>gradient</c>.</summary>
    /// <typeparam name="T1">A data parameter: double, int, double[], double[,], int[], int[,] or int[][]; not differentiated.</typeparam>
    /// <typeparam name="T2">A data parameter: double, int, double[], double[,], int[], int[,] or int[][]; not differentiated.</typeparam>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate, or a data parameter of another type.</exception>
    public static Expression<Func<double[], T1, T2, double[], double>> ValueAndGradient<T1, T2>(Expression<Func<double[], T1, T2, double>> f, DiffOptions? options = null) =>
        (Expression<Func<double[], T1, T2, double[], double>>)Derivatives.ValueAndGradient(Problem(f, options, nameof(ValueAndGradient)), typeof(Func<double[], T1, T2, double[], double>));

    /// <summary>The Hessian-vector product with respect to the first parameter: <c>(x, data…, v) => H·v</c>.</summary>
    /// <typeparam name="T1">A data parameter: double, int, double[], double[,], int[], int[,] or int[][]; not differentiated.</typeparam>
    /// <typeparam name="T2">A data parameter: double, int, double[], double[,], int[], int[,] or int[][]; not differentiated.</typeparam>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate, or a data parameter of another type.</exception>
    public static Expression<Func<double[], T1, T2, double[], double[]>> Hvp<T1, T2>(Expression<Func<double[], T1, T2, double>> f, DiffOptions? options = null) =>
        (Expression<Func<double[], T1, T2, double[], double[]>>)Derivatives.Hvp(Problem(f, options, nameof(Hvp)), typeof(Func<double[], T1, T2, double[], double[]>));

    /// <summary>The gradient with respect to the first parameter (an array); the other parameters are data.</summary>
    /// <typeparam name="T1">A data parameter: double, int, double[], double[,], int[], int[,] or int[][]; not differentiated.</typeparam>
    /// <typeparam name="T2">A data parameter: double, int, double[], double[,], int[], int[,] or int[][]; not differentiated.</typeparam>
    /// <typeparam name="T3">A data parameter: double, int, double[], double[,], int[], int[,] or int[][]; not differentiated.</typeparam>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate, or a data parameter of another type.</exception>
    public static Expression<Func<double[], T1, T2, T3, double[]>> Gradient<T1, T2, T3>(Expression<Func<double[], T1, T2, T3, double>> f, DiffOptions? options = null) =>
        (Expression<Func<double[], T1, T2, T3, double[]>>)Derivatives.Gradient(Problem(f, options, nameof(Gradient)), typeof(Func<double[], T1, T2, T3, double[]>));

    /// <summary><c>(x, data…, gradient) => f(x, data…)</c>, writing the gradient with respect to x into <c>gradient</c>.</summary>
    /// <typeparam name="T1">A data parameter: double, int, double[], double[,], int[], int[,] or int[][]; not differentiated.</typeparam>
    /// <typeparam name="T2">A data parameter: double, int, double[], double[,], int[], int[,] or int[][]; not differentiated.</typeparam>
    /// <typeparam name="T3">A data parameter: double, int, double[], double[,], int[], int[,] or int[][]; not differentiated.</typeparam>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate, or a data parameter of another type.</exception>
    public static Expression<Func<double[], T1, T2, T3, double[], double>> ValueAndGradient<T1, T2, T3>(Expression<Func<double[], T1, T2, T3, double>> f, DiffOptions? options = null) =>
        (Expression<Func<double[], T1, T2, T3, double[], double>>)Derivatives.ValueAndGradient(Problem(f, options, nameof(ValueAndGradient)), typeof(Func<double[], T1, T2, T3, double[], double>));

    /// <summary>The Hessian-vector product with respect to the first parameter: <c>(x, data…, v) => H·v</c>.</summary>
    /// <typeparam name="T1">A data parameter: double, int, double[], double[,], int[], int[,] or int[][]; not differentiated.</typeparam>
    /// <typeparam name="T2">A data parameter: double, int, double[], double[,], int[], int[,] or int[][]; not differentiated.</typeparam>
    /// <typeparam name="T3">A data parameter: double, int, double[], double[,], int[], int[,] or int[][]; not differentiated.</typeparam>
    /// <exception cref="ArgumentNullException"><paramref name="f"/> is null.</exception>
    /// <exception cref="ExprDiffException">f uses something ExprDiff cannot differentiate, or a data parameter of another type.</exception>
    public static Expression<Func<double[], T1, T2, T3, double[], double[]>> Hvp<T1, T2, T3>(Expression<Func<double[], T1, T2, T3, double>> f, DiffOptions? options = null) =>
        (Expression<Func<double[], T1, T2, T3, double[], double[]>>)Derivatives.Hvp(Problem(f, options, nameof(Hvp)), typeof(Func<double[], T1, T2, T3, double[], double[]>));
}
