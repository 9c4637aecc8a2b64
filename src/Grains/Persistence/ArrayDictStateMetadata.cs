namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>The part of <see cref="ArrayDictState"/> that is not rows, stored as a snapshot's metadata.</summary>
[GenerateSerializer, Alias("arraydict.ArrayDictStateMetadata")]
internal sealed class ArrayDictStateMetadata
{
    [Id(0)]
    public long? LastEpoch { get; set; }

    [Id(1)]
    public object? LastResult { get; set; }

    /// <summary>
    /// In a journal's base only: the ETag of the Full snapshot this base was adopted from (docs/journal.md, "Switching
    /// modes"), or null. While that Full snapshot is still stored with this very ETag, the journal is the newer form.
    /// </summary>
    [Id(2)]
    public string? AdoptedFullETag { get; set; }
}
