using ArrayDictOrleans.Grains.Journal;

namespace ArrayDictOrleans.Grains;

/// <summary>The persisted state of an ArrayDict grain: the ArrayDict and what makes its epochs exactly-once.</summary>
public sealed class ArrayDictState
{
    /// <summary>The ArrayDict; a new grain starts with an empty one of width 1.</summary>
    public ArrayDict Dict { get; set; } = new();

    /// <summary>The last epoch applied, or null when none was.</summary>
    public long? LastEpoch { get; set; }

    /// <summary>The result the last epoch returned, kept to answer a retry of it.</summary>
    public object? LastResult { get; set; }

    /// <summary>What changed since the last successful write (not persisted): lets a journaling storage write only that.</summary>
    public ArrayDictPendingDelta PendingDelta { get; } = new();

    /// <summary>Bytes the last write stored, when the storage reports them (a journal record or a base); not persisted.</summary>
    internal long? LastWrittenBytes { get; set; }

    /// <summary>What a journaling storage knows of the stored form this state was read from or last written to (not persisted).</summary>
    internal JournalCursor? Journal { get; set; }
}
