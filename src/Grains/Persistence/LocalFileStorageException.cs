namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>
/// A failure of <see cref="LocalFileGrainStorage"/> other than an ETag conflict: an I/O error, a corrupt or unreadable
/// state file, a serializer error or a lock that could not be had in time. The message names the provider, the state,
/// the grain and the file; the original error is the <see cref="Exception.InnerException"/>.
/// </summary>
[GenerateSerializer]
public sealed class LocalFileStorageException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="LocalFileStorageException"/> class.</summary>
    public LocalFileStorageException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="LocalFileStorageException"/> class.</summary>
    /// <param name="message">The message that describes the error.</param>
    public LocalFileStorageException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="LocalFileStorageException"/> class.</summary>
    /// <param name="message">The message that describes the error.</param>
    /// <param name="innerException">The error that caused this one.</param>
    public LocalFileStorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
