namespace ArrayDictOrleans;

/// <summary>
/// A call carried an epoch older than the last one the ArrayDict applied: it belongs to an iteration
/// that is over, and applying it would reorder the ArrayDict's history.
/// </summary>
[GenerateSerializer, Alias("arraydict.StaleEpochException")]
public sealed class StaleEpochException : InvalidOperationException
{
    /// <summary>Creates the exception for ArrayDict <paramref name="arrayDictId"/>.</summary>
    public StaleEpochException(long arrayDictId, long epoch, long lastAppliedEpoch)
        : base($"ArrayDict {arrayDictId} refused epoch {epoch}: it has already applied epoch {lastAppliedEpoch}, and epochs must not go back.")
    {
        ArrayDictId = arrayDictId;
        Epoch = epoch;
        LastAppliedEpoch = lastAppliedEpoch;
    }

    /// <summary>The ArrayDict that refused the call.</summary>
    [Id(0)]
    public long ArrayDictId { get; }

    /// <summary>The epoch the call carried.</summary>
    [Id(1)]
    public long Epoch { get; }

    /// <summary>The last epoch the ArrayDict applied.</summary>
    [Id(2)]
    public long LastAppliedEpoch { get; }
}
