namespace ArrayDictOrleans.Silo.Hosting;

/// <summary>How ArrayDict state is written to storage.</summary>
public enum SnapshotMode
{
    /// <summary>A whole snapshot on every write: the write costs the whole ArrayDict.</summary>
    Full,

    /// <summary>A base snapshot plus a journal of delta records (docs/journal.md): a write costs the rows it changed. With Local or AzureBlob storage.</summary>
    Journal,
}
