namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>The part of <see cref="ArrayDictState"/> that is not rows, stored as a snapshot's metadata.</summary>
[GenerateSerializer, Alias("arraydict.ArrayDictStateMetadata")]
internal sealed class ArrayDictStateMetadata
{
    [Id(0)]
    public long? LastEpoch { get; set; }

    [Id(1)]
    public object? LastResult { get; set; }
}
