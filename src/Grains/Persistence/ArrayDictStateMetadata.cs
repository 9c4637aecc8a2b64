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

    /// <summary>
    /// Read only: the result as earlier versions kept it, an object of the result's own type (now <see cref="KeptResult"/>).
    /// Bytes whose object cannot be read are read with <see cref="ArrayDictStateMetadataWithoutLegacyResult"/> instead.
    /// </summary>
    [Id(1)]
    public object? LegacyResult { get; set; }

    /// <summary>
    /// In a journal's base only: the ETag of the Full snapshot this base was adopted from (docs/journal.md, "Switching
    /// modes"), or null. While that Full snapshot is still stored with this very ETag, the journal is the newer form.
    /// </summary>
    [Id(2)]
    public string? AdoptedFullETag { get; set; }

    /// <summary>The last epoch's result, as bytes with its call's fingerprints.</summary>
    [Id(3)]
    public KeptResult? KeptResult { get; set; }
}

/// <summary>
/// <see cref="ArrayDictStateMetadata"/> without the member earlier versions kept their result in: it reads the same bytes
/// and skips that member unread, for a result whose type this silo cannot load.
/// </summary>
[GenerateSerializer, OmitDefaultMemberValues, Alias("arraydict.ArrayDictStateMetadataWithoutLegacyResult")]
internal sealed class ArrayDictStateMetadataWithoutLegacyResult
{
    [Id(0)]
    public long? LastEpoch { get; set; }

    [Id(2)]
    public string? AdoptedFullETag { get; set; }

    [Id(3)]
    public KeptResult? KeptResult { get; set; }
}
