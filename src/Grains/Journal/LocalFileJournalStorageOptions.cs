namespace ArrayDictOrleans.Grains.Journal;

/// <summary>The options of a journaling ArrayDict storage over local files (<see cref="LocalFileJournalStore"/>).</summary>
public sealed class LocalFileJournalStorageOptions : ArrayDictJournalOptions
{
    /// <summary>The default of <see cref="WriteAheadLogBytes"/>: 64 MiB.</summary>
    public const long DefaultWriteAheadLogBytes = 64L * 1024 * 1024;

    /// <summary>The default of <see cref="RootDirectory"/>.</summary>
    public const string DefaultRootDirectory = "./data";

    /// <summary>The directory under which the provider keeps its files, in a subdirectory named after the provider. Default <c>./data</c>.</summary>
    public string RootDirectory { get; set; } = DefaultRootDirectory;

    /// <summary>
    /// Gives up surviving a crash of the machine (power loss, kernel panic) for speed: writes are then not synced to the
    /// disk before they return. A crash of the silo process alone still loses nothing (the operating system holds the
    /// writes), but a crash of the machine may lose calls that returned. Default false: a write returns only after the
    /// group commit that synced it.
    /// </summary>
    public bool AllowLostCallsOnMachineCrash { get; set; }

    /// <summary>How a group commit syncs (<see cref="JournalSyncMethod"/>). Default <see cref="JournalSyncMethod.Auto"/>.</summary>
    public JournalSyncMethod SyncMethod { get; set; } = JournalSyncMethod.Auto;

    /// <summary>
    /// The size of each silo's write-ahead log (<see cref="JournalSyncMethod.WriteAheadLog"/>), written in full with zeros
    /// when the silo first appends: when it is full, the journal files are synced and it starts again. Larger logs sync
    /// the journal files less often; recovery after a crash of the machine reads at most this much per silo. At least
    /// 64 KiB. Default 64 MiB.
    /// </summary>
    public long WriteAheadLogBytes { get; set; } = DefaultWriteAheadLogBytes;

    /// <summary>
    /// How long an activation waits for its grain's lease while another process of the machine holds it (an activation
    /// there that is still deactivating, or a second silo on the same directory). Default 30 s.
    /// </summary>
    public TimeSpan LeaseTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
