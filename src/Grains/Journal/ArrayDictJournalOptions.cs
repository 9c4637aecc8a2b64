namespace ArrayDictOrleans.Grains.Journal;

/// <summary>How a journaling ArrayDict storage writes: when it compacts, and how hard it flushes.</summary>
public sealed class ArrayDictJournalOptions
{
    /// <summary>The default of <see cref="CompactionRatio"/>.</summary>
    public const double DefaultCompactionRatio = 0.25;

    /// <summary>The default of <see cref="CompactionMinBytes"/>: 1 MiB.</summary>
    public const long DefaultCompactionMinBytes = 1 << 20;

    /// <summary>The default of <see cref="MaxRecords"/>.</summary>
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

    /// <summary>Compact when the journal would hold more records than this, whatever their size. Default 10 000.</summary>
    public int MaxRecords { get; set; } = DefaultMaxRecords;

    /// <summary>
    /// Local files: sync each append to the disk (<c>fsync</c>), not just to the operating system. Off by default:
    /// an append then survives a crash of the process (the operating system holds it) but not a crash of the machine
    /// or a power loss, which can lose the last appends (recovery drops a torn last record; a caller whose call
    /// returned may then find it missing). Turn it on when a returned call must survive the machine; each append
    /// then waits for the disk (typically 0.1 to 10 ms).
    /// </summary>
    public bool FsyncEachAppend { get; set; }

    /// <summary>Local files: sync each new base snapshot to the disk before it replaces the old one. Default on.</summary>
    public bool FlushBaseToDisk { get; set; } = true;

    /// <summary>Local files: how long an operation waits for the grain's lock file. Default 30 s.</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws when an option is out of range.</summary>
    /// <param name="providerName">The storage provider's name, for the message.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate(string providerName)
    {
        if (!(CompactionRatio > 0) || double.IsInfinity(CompactionRatio))
        {
            throw new ArgumentOutOfRangeException(nameof(CompactionRatio), CompactionRatio, $"Journal storage '{providerName}': {nameof(CompactionRatio)} must be a positive number.");
        }

        if (CompactionMinBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(CompactionMinBytes), CompactionMinBytes, $"Journal storage '{providerName}': {nameof(CompactionMinBytes)} must be 0 or more.");
        }

        if (MaxRecords < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRecords), MaxRecords, $"Journal storage '{providerName}': {nameof(MaxRecords)} must be 1 or more.");
        }

        if (LockTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(LockTimeout), LockTimeout, $"Journal storage '{providerName}': {nameof(LockTimeout)} must be positive.");
        }
    }
}
