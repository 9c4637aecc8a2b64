namespace ArrayDictOrleans.Serialization;

/// <summary>How an <see cref="ArrayDict"/> travels in an Orleans message: its binary snapshot.</summary>
[GenerateSerializer, Immutable, Alias("arraydict.ArrayDictSurrogate")]
public readonly struct ArrayDictSurrogate
{
    /// <summary>The snapshot bytes (see <see cref="ArrayDictSnapshot"/>).</summary>
    [Id(0)]
    public byte[] Snapshot { get; init; }
}
