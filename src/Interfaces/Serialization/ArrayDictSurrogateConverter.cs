namespace ArrayDictOrleans.Serialization;

/// <summary>Lets Orleans serialize and copy <see cref="ArrayDict"/> through its snapshot format.</summary>
[RegisterConverter]
public sealed class ArrayDictSurrogateConverter : IConverter<ArrayDict, ArrayDictSurrogate>
{
    /// <inheritdoc />
    public ArrayDict ConvertFromSurrogate(in ArrayDictSurrogate surrogate) => ArrayDictSnapshot.Read(surrogate.Snapshot);

    /// <inheritdoc />
    public ArrayDictSurrogate ConvertToSurrogate(in ArrayDict value) => new() { Snapshot = ArrayDictSnapshot.ToArray(value) };
}
