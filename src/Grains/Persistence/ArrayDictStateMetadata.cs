namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>The part of <see cref="ArrayDictState"/> that is not rows, stored as a snapshot's metadata.</summary>
/// <remarks>
/// Null members are not written (a reader takes a missing member as null, so old and new bytes read both ways): the
/// adoption mark, null everywhere but in the base that adopted a Full snapshot, costs a journal record nothing.
/// </remarks>
[GenerateSerializer, OmitDefaultMemberValues, Alias("arraydict.ArrayDictStateMetadata")]
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
