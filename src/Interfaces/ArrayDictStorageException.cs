namespace ArrayDictOrleans;

/// <summary>
/// An ArrayDict could not read or write its snapshot. A change whose snapshot failed has been rolled back, so repeating
/// the call (with the same epoch) is safe; whether it can succeed is <see cref="IsTransient"/>.
/// </summary>
[GenerateSerializer, Alias("arraydict.ArrayDictStorageException")]
public sealed class ArrayDictStorageException : Exception
{
    /// <summary>Creates the exception for ArrayDict <paramref name="arrayDictId"/>, keeping the storage failure as the inner exception.</summary>
    /// <param name="arrayDictId">The ArrayDict whose storage failed.</param>
    /// <param name="message">What failed, naming the ArrayDict.</param>
    /// <param name="innerException">The storage's failure.</param>
    /// <param name="isTransient">
    /// Whether the failure may pass (storage unreachable, busy or slow), so that a repeat can succeed; false for one that
    /// will recur (a result or state the serializer cannot write, a record too large, a refused request).
    /// </param>
    public ArrayDictStorageException(long arrayDictId, string message, Exception innerException, bool isTransient)
        : base(message, innerException)
    {
        ArrayDictId = arrayDictId;
        IsTransient = isTransient;
    }

    /// <summary>Creates the exception for a storage failure that may pass (<see cref="IsTransient"/> true).</summary>
    public ArrayDictStorageException(long arrayDictId, string message, Exception innerException)
        : this(arrayDictId, message, innerException, isTransient: true)
    {
    }

    /// <summary>The ArrayDict whose storage failed.</summary>
    [Id(0)]
    public long ArrayDictId { get; }

    /// <summary>Whether repeating the call can succeed once storage recovers: the SDK retries only these.</summary>
    [Id(1)]
    public bool IsTransient { get; }
}
