namespace ArrayDictOrleans;

/// <summary>
/// An ArrayDict could not read or write its snapshot. A change whose snapshot failed has been rolled back,
/// so repeating the call (with the same epoch) is safe once storage is reachable again.
/// </summary>
[GenerateSerializer, Alias("arraydict.ArrayDictStorageException")]
public sealed class ArrayDictStorageException : Exception
{
    /// <summary>Creates the exception for ArrayDict <paramref name="arrayDictId"/>, keeping the storage failure as the inner exception.</summary>
    public ArrayDictStorageException(long arrayDictId, string message, Exception innerException)
        : base(message, innerException)
    {
        ArrayDictId = arrayDictId;
    }

    /// <summary>The ArrayDict whose storage failed.</summary>
    [Id(0)]
    public long ArrayDictId { get; }
}
