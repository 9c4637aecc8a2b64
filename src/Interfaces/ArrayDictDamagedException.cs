namespace ArrayDictOrleans;

/// <summary>
/// The stored state of an ArrayDict cannot be read because of what it holds (a checksum that fails, a truncated
/// snapshot, a journal without its base): the ArrayDict refuses every call with this exception, whose inner exception
/// is the read error, until its stored state is repaired or a forced clear
/// (<see cref="IArrayDictGrain.ForceClearAsync"/>, <c>arraydict clear ID --force</c>) deletes it. Retrying does not help.
/// </summary>
[GenerateSerializer, Alias("arraydict.ArrayDictDamagedException")]
public sealed class ArrayDictDamagedException : Exception
{
    /// <summary>Creates the exception for ArrayDict <paramref name="arrayDictId"/>, keeping the read error as the inner exception.</summary>
    public ArrayDictDamagedException(long arrayDictId, Exception readError)
        : base(
            $"ArrayDict {arrayDictId} cannot read its stored state, so it refuses every call but a forced clear "
                + $"('arraydict clear {arrayDictId} --force' deletes the stored state; repairing or restoring it by hand also works): "
                + $"{readError?.GetType().Name}: {readError?.Message}",
            readError)
    {
        ArrayDictId = arrayDictId;
    }

    /// <summary>The ArrayDict whose stored state cannot be read.</summary>
    [Id(0)]
    public long ArrayDictId { get; }
}
