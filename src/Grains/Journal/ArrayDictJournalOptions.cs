namespace ArrayDictOrleans.Grains.Journal;

/// <summary>When a journaling ArrayDict storage compacts: what every journal backend shares.</summary>
public abstract class ArrayDictJournalOptions
{
    /// <summary>The default of <see cref="CompactionRatio"/>.</summary>
    public const double DefaultCompactionRatio = 0.25;

    /// <summary>The default of <see cref="CompactionMinBytes"/>: 1 MiB.</summary>
    public const long DefaultCompactionMinBytes = 1 << 20;

    /// <summary>The default of <see cref="MaxRecords"/> on local files.</summary>
    public const int DefaultMaxRecords = 10_000;

    /// <summary>
    /// Compact (write a new base, start an empty journal) when the journal would exceed this fraction of the base's
    /// size, once it is past <see cref="CompactionMinBytes"/>. Default 0.25: recovery replays at most a quarter of
    /// the base's bytes, and compaction's cost (a whole snapshot) is spread over at least a quarter of a snapshot of
    /// appends.
    /// </summary>
    public double CompactionRatio { get; set; } = DefaultCompactionRatio;

    /// <summary>A journal smaller than this is never compacted for its size (small ArrayDicts would compact every call). Default 1 MiB.</summary>
    public long CompactionMinBytes { get; set; } = DefaultCompactionMinBytes;

    /// <summary>Compact when the journal would hold more records than this, whatever their size.</summary>
    public int MaxRecords { get; set; } = DefaultMaxRecords;
}
