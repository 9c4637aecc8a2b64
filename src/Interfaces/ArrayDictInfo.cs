namespace ArrayDictOrleans;

/// <summary>What an ArrayDict grain reports about itself.</summary>
/// <param name="Id">The grain's key: the ArrayDict's id.</param>
/// <param name="Count">Keys stored.</param>
/// <param name="Width">Values per row.</param>
/// <param name="Capacity">Rows the backing array holds before it must grow.</param>
/// <param name="MemoryBytes">Approximate bytes held in memory.</param>
/// <param name="LastAppliedEpoch">The last epoch applied with <see cref="IArrayDictGrain.ApplyAsync{TResult}"/>, or null.</param>
/// <param name="LastSnapshotAt">When the state was last persisted by this activation, or null.</param>
/// <param name="LastSnapshotBytes">The size of a whole snapshot of the ArrayDict as of that write (what a full snapshot or a journal base stores; a journal record is smaller and is counted by the <c>arraydict.snapshot.bytes</c> metric), or null.</param>
/// <param name="UnsavedChanges">Changes applied since the last snapshot (0 when everything is durable).</param>
[GenerateSerializer, Immutable, Alias("arraydict.ArrayDictInfo")]
public sealed record ArrayDictInfo(
    [property: Id(0)] long Id,
    [property: Id(1)] int Count,
    [property: Id(2)] int Width,
    [property: Id(3)] int Capacity,
    [property: Id(4)] long MemoryBytes,
    [property: Id(5)] long? LastAppliedEpoch,
    [property: Id(6)] DateTimeOffset? LastSnapshotAt,
    [property: Id(7)] long? LastSnapshotBytes,
    [property: Id(8)] int UnsavedChanges);
