namespace ArrayDictOrleans.Client.Files;

/// <summary>A file cannot be exported to or imported from: it is missing, in an unknown or wrong format, or damaged. The message names the file and what is wrong.</summary>
public sealed class ArrayDictFileException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ArrayDictFileException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the failure that caused it.</summary>
    public ArrayDictFileException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
