namespace ArrayDictOrleans.Grains.Journal;

/// <summary>What the journaling storage knows of a grain's stored form after reading or writing it.</summary>
/// <param name="Position">The stored position (the state's ETag).</param>
/// <param name="BaseBytes">The size of the base snapshot.</param>
/// <param name="ValidJournalBytes">The bytes of whole, valid records in the journal.</param>
/// <param name="Records">The number of valid records.</param>
/// <param name="NeedsBase">Whether the next write must be a base (a torn record ends the journal).</param>
internal sealed record JournalCursor(JournalPosition Position, long BaseBytes, long ValidJournalBytes, int Records, bool NeedsBase);
