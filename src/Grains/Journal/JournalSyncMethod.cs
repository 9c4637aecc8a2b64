namespace ArrayDictOrleans.Grains.Journal;

/// <summary>How the local-file journal's group commit makes a batch of writes durable.</summary>
public enum JournalSyncMethod
{
    /// <summary><see cref="WriteAheadLog"/> where the operating system offers it (Linux), else <see cref="Files"/>.</summary>
    Auto,

    /// <summary>
    /// One <c>syncfs</c> per batch: every file and directory entry of the data directory's file system reaches the disk in
    /// one flush, however many grains wrote. Linux only. It also flushes other programs' pending writes to that file
    /// system, so give the data directory a file system of its own when other programs write much to it.
    /// </summary>
    FileSystem,

    /// <summary>One <c>fdatasync</c> per file written in the batch, and one <c>fsync</c> per directory whose entries changed.</summary>
    Files,

    /// <summary>
    /// One write and one <c>fdatasync</c> per batch of appends, to a write-ahead log per silo (<c>.wal/</c> in the data
    /// directory) that holds a copy of what each append wrote to its grain's journal file; the journal files are synced
    /// together (<c>syncfs</c>) when the log is full, and recovery writes the log back into them after a crash of the
    /// machine, before any grain is read. A batch that writes a base or changes a directory is synced as with
    /// <see cref="FileSystem"/>. Linux only. What <see cref="Auto"/> picks there.
    /// </summary>
    WriteAheadLog,
}
