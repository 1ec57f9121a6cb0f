namespace ExprDiff;

/// <summary>
/// Thrown when ExprDiff cannot import, differentiate or export a function. The message quotes the
/// offending sub-expression as written, says why, and says what to do about it.
/// </summary>
public sealed class ExprDiffException : Exception
{
    /// <summary>Creates the exception with a complete message.</summary>
    public ExprDiffException(string message) : base(message) { }

    /// <summary>Creates the exception with a complete message and the exception that caused it.</summary>
    public ExprDiffException(string message, Exception innerException) : base(message, innerException) { }
}
