namespace ArrayDictOrleans;

/// <summary>
/// A call repeated an epoch that its ArrayDict had already applied, and the ArrayDict could not answer it with the result
/// it kept for that epoch: the repeat is another call (another method, other arguments or another result type), or the
/// kept result can no longer be read. The method was not run again, and the ArrayDict is unchanged.
/// </summary>
[GenerateSerializer, Alias("arraydict.KeptResultException")]
public sealed class KeptResultException : InvalidOperationException
{
    /// <summary>Creates the exception for epoch <paramref name="epoch"/> of ArrayDict <paramref name="arrayDictId"/>.</summary>
    public KeptResultException(long arrayDictId, long epoch, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ArrayDictId = arrayDictId;
        Epoch = epoch;
    }

    /// <summary>The ArrayDict.</summary>
    [Id(0)]
    public long ArrayDictId { get; }

    /// <summary>The epoch repeated.</summary>
    [Id(1)]
    public long Epoch { get; }
}
