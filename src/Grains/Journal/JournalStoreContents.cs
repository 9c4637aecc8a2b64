namespace ArrayDictOrleans.Grains.Journal;

/// <summary>What a journal store holds for one grain: the newest base snapshot and that generation's journal.</summary>
/// <param name="Generation">The generation of the base.</param>
/// <param name="Base">The base snapshot (the <see cref="ArrayDictSnapshot"/> format).</param>
/// <param name="Journal">The journal's bytes (empty when it has none), possibly ending with a torn record.</param>
public sealed record JournalStoreContents(long Generation, ReadOnlyMemory<byte> Base, ReadOnlyMemory<byte> Journal)
{
    /// <summary>Gets the position these contents stand at.</summary>
    public JournalPosition Position => new(Generation, Journal.Length);
}
