using System.Globalization;
using ArrayDictOrleans.Grains.Persistence;
using Orleans.Storage;

namespace ArrayDictOrleans.Grains.Journal;

/// <summary>
/// The local-file backend of the journal: per grain a directory holding <c>&lt;generation&gt;.base</c> (a base
/// snapshot, written to a temporary file and renamed into place) and <c>&lt;generation&gt;.journal</c> (appended to,
/// flushed after each append, and synced to the disk as well when <see cref="ArrayDictJournalOptions.FsyncEachAppend"/>
/// is set). The newest base is the stored state; a journal belongs to the base of its generation; older
/// generations are leftovers of an interrupted compaction and are ignored. Every operation runs under the same
/// striped lock files as <see cref="LocalFileGrainStorage"/>, so check-and-write is atomic for every process on the
/// machine.
/// </summary>
public sealed class LocalFileJournalStore : IArrayDictJournalStore
{
    /// <summary>The extension of a base snapshot file.</summary>
    public const string BaseExtension = ".base";

    /// <summary>The extension of a journal file.</summary>
    public const string JournalExtension = ".journal";

    private readonly string _directory;
    private readonly ArrayDictJournalOptions _options;

    /// <summary>Initializes a new instance of the <see cref="LocalFileJournalStore"/> class.</summary>
    /// <param name="directory">The provider's directory; grains get subdirectories of it.</param>
    /// <param name="options">The journal options (flushing, lock timeout).</param>
    public LocalFileJournalStore(string directory, ArrayDictJournalOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(options);
        _directory = Path.GetFullPath(directory);
        _options = options;
    }

    /// <summary>Gets the directory that holds the grains' directories.</summary>
    public string Directory => _directory;

    /// <summary>A test hook called at each step of a write, by name; throwing from it simulates a crash there.</summary>
    internal Action<string>? FaultPoint { get; set; }

    /// <summary>Gets the directory that holds the files of the grain stored under <paramref name="key"/>.</summary>
    /// <param name="key">The grain's storage key.</param>
    /// <returns>The directory.</returns>
    public string GetGrainDirectory(string key) => Path.Combine(_directory, key);

    /// <inheritdoc />
    public async Task<JournalStoreContents?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        var directory = GetGrainDirectory(key);
        using (await LockAsync(key, cancellationToken).ConfigureAwait(false))
        {
            var (baseGeneration, journalGeneration) = Scan(directory);
            if (baseGeneration is null)
            {
                return journalGeneration is null
                    ? null
                    : throw new SnapshotFormatException($"The journal '{JournalPath(directory, journalGeneration.Value)}' has no base snapshot: the stored state is damaged.");
            }

            var baseBytes = await File.ReadAllBytesAsync(BasePath(directory, baseGeneration.Value), cancellationToken).ConfigureAwait(false);
            var journalPath = JournalPath(directory, baseGeneration.Value);
            var journal = File.Exists(journalPath) ? await File.ReadAllBytesAsync(journalPath, cancellationToken).ConfigureAwait(false) : [];
            return new JournalStoreContents(baseGeneration.Value, baseBytes, journal);
        }
    }

    /// <inheritdoc />
    public async Task AppendAsync(string key, JournalPosition expected, ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        var directory = GetGrainDirectory(key);
        using (await LockAsync(key, cancellationToken).ConfigureAwait(false))
        {
            ThrowIfConflict(key, Current(directory), expected);
            FaultPoint?.Invoke("append:before");
            var file = new FileStream(JournalPath(directory, expected.Generation), FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, bufferSize: 0);
            await using (file.ConfigureAwait(false))
            {
                file.Position = expected.JournalLength;
                if (FaultPoint is { } fault)
                {
                    // A crash in the middle of the append: part of the record reaches the file.
                    int half = record.Length / 2;
                    await file.WriteAsync(record[..half], cancellationToken).ConfigureAwait(false);
                    file.Flush(flushToDisk: false);
                    fault("append:torn");
                    await file.WriteAsync(record[half..], cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await file.WriteAsync(record, cancellationToken).ConfigureAwait(false);
                }

                file.Flush(flushToDisk: _options.FsyncEachAppend);
            }

            FaultPoint?.Invoke("append:after");
        }
    }

    /// <inheritdoc />
    public async Task WriteBaseAsync(string key, JournalPosition? expected, long generation, ReadOnlyMemory<byte> snapshot, CancellationToken cancellationToken)
    {
        var directory = GetGrainDirectory(key);
        System.IO.Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $"{Guid.NewGuid():N}{LocalFileGrainStorage.TemporaryFileExtension}");
        try
        {
            var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
            await using (file.ConfigureAwait(false))
            {
                await file.WriteAsync(snapshot, cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: _options.FlushBaseToDisk);
            }

            FaultPoint?.Invoke("base:temporary-written");
            using (await LockAsync(key, cancellationToken).ConfigureAwait(false))
            {
                var current = Current(directory);
                ThrowIfConflict(key, current, expected);
                if (generation <= (current?.Generation ?? 0))
                {
                    throw new ArgumentOutOfRangeException(nameof(generation), generation, "A new base needs a higher generation than the stored one.");
                }

                // The commit point: from here on, readers take the new base and ignore older generations.
                File.Move(temporary, BasePath(directory, generation));
                FaultPoint?.Invoke("base:renamed");
                DeleteGenerationsBelow(directory, generation, "base:dropping-old", JournalExtension, BaseExtension);
            }
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string key, JournalPosition? expected, CancellationToken cancellationToken)
    {
        var directory = GetGrainDirectory(key);
        using (await LockAsync(key, cancellationToken).ConfigureAwait(false))
        {
            // A journal left without its base is what an interrupted delete leaves behind: finish the delete.
            if (Scan(directory) is not (null, not null))
            {
                ThrowIfConflict(key, Current(directory), expected);
            }

            // Bases first: interrupted here, what is left reads as damaged, never as an older state.
            DeleteGenerationsBelow(directory, long.MaxValue, "delete:dropping", BaseExtension, JournalExtension);
        }
    }

    private static string BasePath(string directory, long generation) =>
        Path.Combine(directory, generation.ToString("x16", CultureInfo.InvariantCulture) + BaseExtension);

    private static string JournalPath(string directory, long generation) =>
        Path.Combine(directory, generation.ToString("x16", CultureInfo.InvariantCulture) + JournalExtension);

    /// <summary>The newest base's generation and the newest journal's generation.</summary>
    private static (long? Base, long? Journal) Scan(string directory)
    {
        long? newestBase = null;
        long? newestJournal = null;
        if (!System.IO.Directory.Exists(directory))
        {
            return (null, null);
        }

        foreach (var path in System.IO.Directory.EnumerateFiles(directory))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            var extension = Path.GetExtension(path);
            if (!long.TryParse(name, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long generation))
            {
                continue;
            }

            if (extension == BaseExtension && generation > (newestBase ?? 0))
            {
                newestBase = generation;
            }
            else if (extension == JournalExtension && generation > (newestJournal ?? 0))
            {
                newestJournal = generation;
            }
        }

        if (newestJournal is { } journal && journal > (newestBase ?? 0))
        {
            // A journal newer than every base: its base is gone. Reported by ReadAsync, refused by writes.
            return (null, journal);
        }

        return (newestBase, newestJournal);
    }

    private static JournalPosition? Current(string directory)
    {
        var (baseGeneration, journalGeneration) = Scan(directory);
        if (baseGeneration is not { } generation)
        {
            return journalGeneration is null
                ? null
                : throw new SnapshotFormatException($"A journal of generation {journalGeneration} in '{directory}' has no base snapshot: the stored state is damaged.");
        }

        var journal = new FileInfo(JournalPath(directory, generation));
        return new JournalPosition(generation, journal.Exists ? journal.Length : 0);
    }

    private static void ThrowIfConflict(string key, JournalPosition? stored, JournalPosition? expected)
    {
        if (stored != expected)
        {
            throw new InconsistentStateException(
                $"Version conflict on the journal of '{key}': stored {stored?.ToString() ?? "<nothing>"}, the writer saw {expected?.ToString() ?? "<nothing>"}.",
                stored?.ToString(),
                expected?.ToString());
        }
    }

    private void DeleteGenerationsBelow(string directory, long generation, string faultPoint, params string[] extensions)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            return;
        }

        foreach (var extension in extensions)
        {
            foreach (var path in System.IO.Directory.EnumerateFiles(directory, "*" + extension))
            {
                if (long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long old)
                    && old < generation)
                {
                    FaultPoint?.Invoke(faultPoint);
                    File.Delete(path);
                }
            }
        }
    }

    private Task<LocalFileLocks.Held> LockAsync(string key, CancellationToken cancellationToken) =>
        LocalFileLocks.AcquireAsync(LocalFileLocks.GetLockFilePath(_directory, key.Replace('\\', '/')), _options.LockTimeout, cancellationToken);
}
