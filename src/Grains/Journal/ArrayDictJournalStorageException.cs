namespace ArrayDictOrleans.Grains.Journal;

/// <summary>A journaling ArrayDict storage failed (other than an ETag conflict); the message names the grain and the cause.</summary>
[GenerateSerializer]
public sealed class ArrayDictJournalStorageException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="ArrayDictJournalStorageException"/> class.</summary>
    public ArrayDictJournalStorageException()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ArrayDictJournalStorageException"/> class.</summary>
    /// <param name="message">The message.</param>
    public ArrayDictJournalStorageException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ArrayDictJournalStorageException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ArrayDictJournalStorageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
