using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Orleans.Storage;

namespace ArrayDictOrleans.Grains.Journal;

/// <summary>
/// The local-file backend of the journal: per grain a directory holding <c>&lt;generation&gt;.base</c> (a base
/// snapshot, written to a temporary file, synced and renamed into place) and <c>&lt;generation&gt;.journal</c> (appended
/// to). The newest base is the stored state; a journal belongs to the base of its generation; older generations are
/// leftovers of an interrupted compaction and are ignored.
/// </summary>
/// <remarks>
/// <para>
/// An activation reads its grain once (<see cref="ReadAsync"/>) and from then on holds the grain's lease
/// (<see cref="LocalFileLeases"/>), its journal file open and its position in memory, until <see cref="ReleaseAsync"/>: an
/// append is one positioned write to that file plus a share of a group-committed sync (<see cref="JournalGroupCommitter"/>),
/// with no directory scan, lock file or open. A write returns only after the sync that covers its bytes and, for a new
/// file or a rename, the directory entry. The lease fences a second activation in any other process of the machine,
/// while any silo on the machine can recover the grain from its files once the holder is gone.
/// </para>
/// <para>
/// With the write-ahead log (<see cref="JournalSyncMethod.WriteAheadLog"/>) an append is written to the log only and kept
/// in memory; the store writes each grain's kept appends to its journal file in one write before any sync of the file
/// system (the log's checkpoint among them) and when it lets the grain go. An activation that takes a lease first replays
/// the logs of silos that died (<see cref="JournalLogSlots"/>), which may hold appends of its grain that no journal file
/// has.
/// </para>
/// <para>
/// After a write that failed, what the files hold is unknown: the next operation reads the position from the files again
/// and fails with <see cref="InconsistentStateException"/> if it moved, so that the grain reloads.
/// </para>
/// <para>
/// Before it reads its first grain, the store replays the write-ahead logs that silos which died left in the directory
/// (<see cref="JournalWriteAheadLog.Recover"/>), whatever its own <see cref="JournalSyncMethod"/>.
/// </para>
/// </remarks>
public sealed partial class LocalFileJournalStore : IArrayDictJournalStore, IDisposable
{
    /// <summary>The extension of a base snapshot file.</summary>
    public const string BaseExtension = ".base";

    /// <summary>The extension of a journal file.</summary>
    public const string JournalExtension = ".journal";

    /// <summary>The extension of a base being written, before it is renamed into place.</summary>
    public const string TemporaryExtension = ".tmp";

    /// <summary>
    /// What a clear appends to a grain's directory name when it renames the directory away (its commit point), before it
    /// deletes it. No escaped key ends so (an escape is <c>%</c> and two upper-case hexadecimal digits).
    /// </summary>
    public const string ClearingSuffix = "%clearing";

    /// <summary>The largest base made durable through the write-ahead log before its rename; a larger one is synced with the file system.</summary>
    internal const int MaxLoggedBaseBytes = 256 * 1024;

    /// <summary>The smallest buffer in which a grain keeps its appends until they are written (<see cref="GrainFiles.Defer"/>).</summary>
    private const int KeptBufferMinimumBytes = 4096;

    /// <summary>For how many records of its first one's size a grain's buffer of kept appends is made.</summary>
    private const int KeptRecordsPerBuffer = 4;

    /// <summary>The size of a grain's first buffer of kept appends, for a first record of <paramref name="recordBytes"/>: never less than the record, never more than an array holds.</summary>
    /// <param name="recordBytes">The first record's length.</param>
    /// <returns>The bytes to rent.</returns>
    internal static int FirstKeptBufferBytes(int recordBytes) =>
        (int)Math.Min(Array.MaxLength, Math.Max(KeptBufferMinimumBytes, (long)recordBytes * KeptRecordsPerBuffer));

    private readonly string _directory;
    private readonly LocalFileJournalStorageOptions _options;
    private readonly JournalGroupCommitter? _committer;
    private readonly ConcurrentDictionary<string, GrainFiles> _grains = new(StringComparer.Ordinal);

    // Grains whose appends are, since the last sync of the file system, only in the write-ahead log (WriteAheadLog method).
    private readonly ConcurrentDictionary<GrainFiles, bool> _deferred = new();
    private readonly Lazy<JournalRecovery> _recovery;
    private readonly ILogger? _logger;

    // The logs of slots last listed, and the number of the logs.changed file read before that listing (ReplayDeadLogs).
    private readonly object _logsGate = new();
    private List<(string Path, int Slot)>? _knownLogs;
    private long _logsChanged;
    private SafeFileHandle? _logsChangedFile;

    // Directories above the grains' (state and grain type directories, the provider's) whose own entry in their parent
    // this store has synced: a grain's first base syncs the parent of each one on its path not yet in here, once.
    private readonly ConcurrentDictionary<string, bool> _durableDirectories = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="LocalFileJournalStore"/> class.</summary>
    /// <param name="directory">The provider's directory; grains get subdirectories of it.</param>
    /// <param name="options">The provider's options (syncing, lease timeout).</param>
    /// <param name="logger">Where the recovery of write-ahead logs is reported, if anywhere.</param>
    public LocalFileJournalStore(string directory, LocalFileJournalStorageOptions options, ILogger<LocalFileJournalStore>? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(options);
        _directory = Path.GetFullPath(directory);
        _options = options;
        _logger = logger;
        _committer = options.AllowLostCallsOnMachineCrash ? null : new JournalGroupCommitter(_directory, options.SyncMethod, options.WriteAheadLogBytes, logger);
        if (_committer?.Method == JournalSyncMethod.WriteAheadLog)
        {
            _committer.BeforeFileSystemSync = WriteDeferred;
        }
        _recovery = new Lazy<JournalRecovery>(Recover, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Gets the directory that holds the grains' directories.</summary>
    public string Directory => _directory;

    /// <summary>Gets the group commit, or null when writes are not synced (<see cref="LocalFileJournalStorageOptions.AllowLostCallsOnMachineCrash"/>).</summary>
    internal JournalGroupCommitter? Committer => _committer;

    /// <summary>A test hook called at each step of a write, by name; throwing from it simulates a crash there.</summary>
    internal Action<string>? FaultPoint { get; set; }

    /// <summary>
    /// A test hook: appends then leave their journal files as they were (and are only logged), as if a crash of the machine
    /// had lost what the operating system held of them.
    /// </summary>
    internal bool LoseUnsyncedJournalWrites { get; set; }

    /// <summary>Gets what this store's recovery of write-ahead logs did (running it if it has not run yet).</summary>
    internal JournalRecovery Recovery => _recovery.Value;

    /// <summary>Gets the directory that holds the files of the grain stored under <paramref name="key"/>.</summary>
    /// <param name="key">The grain's storage key.</param>
    /// <returns>The directory.</returns>
    public string GetGrainDirectory(string key) => Path.Combine(_directory, key);

    /// <summary>
    /// Whether the grain stored under <paramref name="key"/> may have a journal: its directory exists and is not empty.
    /// One stat for a grain that never had one, without taking its lease; the Full-mode storage asks it at activation.
    /// </summary>
    /// <param name="key">The grain's storage key.</param>
    /// <returns>False when nothing of the grain is stored here.</returns>
    internal bool MayHold(string key)
    {
        var directory = GetGrainDirectory(key);
        return System.IO.Directory.Exists(directory) && System.IO.Directory.EnumerateFileSystemEntries(directory).Any();
    }

    /// <summary>
    /// Makes the base of <paramref name="generation"/> and its directory entries durable even when writes are not synced
    /// (<see cref="LocalFileJournalStorageOptions.AllowLostCallsOnMachineCrash"/>): a switch of mode removes the Full
    /// snapshot only after the base that replaces it is on the disk. With syncing on, the base write did it already.
    /// </summary>
    /// <param name="key">The grain's storage key.</param>
    /// <param name="generation">The base's generation.</param>
    internal void MakeBaseDurable(string key, long generation)
    {
        if (_committer is null)
        {
            Persistence.LocalFileDurability.SyncFileAndDirectories(BasePath(GetGrainDirectory(key), generation), _directory);
        }
    }

    /// <inheritdoc />
    /// <remarks>Takes the grain's lease (waiting up to <see cref="LocalFileJournalStorageOptions.LeaseTimeout"/> while another process holds it) and keeps it until <see cref="ReleaseAsync"/>.</remarks>
    public async Task<JournalStoreContents?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        var grain = await OpenAsync(key, cancellationToken).ConfigureAwait(false);
        var (baseGeneration, journalGeneration) = Scan(grain.Directory);
        if (baseGeneration is null)
        {
            if (journalGeneration is null)
            {
                // Known from the scan: the first write need not look again.
                grain.SetPosition(null, 0);
                return null;
            }

            throw new SnapshotFormatException($"The journal '{JournalPath(grain.Directory, journalGeneration.Value)}' has no base snapshot: the stored state is damaged.");
        }

        var baseBytes = await File.ReadAllBytesAsync(BasePath(grain.Directory, baseGeneration.Value), cancellationToken).ConfigureAwait(false);
        var journalPath = JournalPath(grain.Directory, baseGeneration.Value);
        if (!File.Exists(journalPath))
        {
            grain.SetPosition(baseGeneration, 0);
            return new JournalStoreContents(baseGeneration.Value, baseBytes, ReadOnlyMemory<byte>.Empty);
        }

        // Kept open for the appends to come.
        var handle = File.OpenHandle(journalPath, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            var journal = new byte[RandomAccess.GetLength(handle)];
            for (int read = 0; read < journal.Length;)
            {
                int count = RandomAccess.Read(handle, journal.AsSpan(read), read);
                read += count > 0 ? count : throw new EndOfStreamException($"The journal '{journalPath}' ended at byte {read} of {journal.Length} while it was read.");
            }

            grain.SetPosition(baseGeneration, journal.Length);
            grain.Journal = handle;
            return new JournalStoreContents(baseGeneration.Value, baseBytes, journal);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public async Task AppendAsync(string key, JournalPosition expected, ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        var grain = await GetAsync(key, cancellationToken).ConfigureAwait(false);
        try
        {
            string path = grain.JournalPath(expected.Generation);
            SafeFileHandle file;
            bool created;
            bool kept;
            using (grain.Lease.Hold())
            {
                ThrowIfConflict(key, grain.Position, expected);
                FaultPoint?.Invoke("append:before");
                created = grain.Journal is null && !File.Exists(path);
                file = grain.Journal ??= File.OpenHandle(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);

                // Only in the log until the log's next checkpoint or the grain's release, which write it to the journal file.
                kept = !created && FaultPoint is null && _committer?.Method == JournalSyncMethod.WriteAheadLog;
                if (kept && !LoseUnsyncedJournalWrites && grain.Defer(file, expected.JournalLength, record.Span))
                {
                    _deferred.TryAdd(grain, true);
                }
            }

            if (kept && _committer is { } logged)
            {
                await logged.LogAsync(file, path, grain.LogPath(expected.Generation), expected.JournalLength, record).ConfigureAwait(false);
            }
            else
            {
                await WriteAppendAsync(grain, file, path, created, expected, record).ConfigureAwait(false);
            }

            grain.SetPosition(expected.Generation, expected.JournalLength + record.Length);
            FaultPoint?.Invoke("append:after");
        }
        catch (Exception exception) when (exception is not InconsistentStateException)
        {
            ForgetAfter(grain, exception);
            throw;
        }
    }

    /// <summary>An append that is not kept in the write-ahead log: written to the journal file here, then synced as the committer syncs.</summary>
    private Task WriteAppendAsync(GrainFiles grain, SafeFileHandle file, string path, bool created, JournalPosition expected, ReadOnlyMemory<byte> record)
    {
        void Write() => grain.Lease.WhileHeld(() =>
        {
            if (LoseUnsyncedJournalWrites)
            {
                return true;
            }

            if (FaultPoint is { } fault)
            {
                // A crash in the middle of the append: part of the record reaches the file.
                int half = record.Length / 2;
                RandomAccess.Write(file, record.Span[..half], expected.JournalLength);
                fault("append:torn");
                RandomAccess.Write(file, record.Span[half..], expected.JournalLength + half);
            }
            else
            {
                RandomAccess.Write(file, record.Span, expected.JournalLength);
            }

            return true;
        });

        if (_committer is { } committer && !created)
        {
            return committer.WriteAndLogAsync(Write, file, path, grain.LogPath(expected.Generation), expected.JournalLength, record);
        }

        if (_committer is { } creating)
        {
            return creating.WriteAndSyncAsync(Write, file, path, grain.Directory);
        }

        Write();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task WriteBaseAsync(string key, JournalPosition? expected, long generation, ReadOnlyMemory<byte> snapshot, CancellationToken cancellationToken)
    {
        var grain = await GetAsync(key, cancellationToken).ConfigureAwait(false);
        grain.Lease.WhileHeld(() =>
        {
            ThrowIfConflict(key, grain.Position, expected);
            return generation > (grain.Position?.Generation ?? 0)
                ? true
                : throw new ArgumentOutOfRangeException(nameof(generation), generation, "A new base needs a higher generation than the stored one.");
        });

        bool directoryCreated = CreateDirectory(grain.Directory);
        var temporary = Path.Combine(grain.Directory, $"{Guid.NewGuid():N}{TemporaryExtension}");
        bool renamed = false;
        try
        {
            using (var file = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                RandomAccess.Write(file, snapshot.Span, 0);
                FaultPoint?.Invoke("base:temporary-written");

                // The base's bytes reach the disk before its name does: a crash never leaves a named base with missing data. A
                // small base is logged (recovery writes it back into a named base that lost its bytes), which costs a share of
                // the log's sync instead of a sync of the file system; a large one is not written twice.
                if (_committer is { } committer && snapshot.Length <= MaxLoggedBaseBytes)
                {
                    await committer.LogAsync(file, temporary, grain.BaseLogPath(generation), 0, snapshot).ConfigureAwait(false);
                }
                else
                {
                    await SyncAsync(file, temporary, []).ConfigureAwait(false);
                }
            }

            string basePath = BasePath(grain.Directory, generation);
            grain.Lease.WhileHeld(() =>
            {
                // The commit point: from here on, readers take the new base and ignore older generations. No file of this
                // generation exists (it is above the newest base), so the move is a plain rename, without .NET's checks.
                File.Move(temporary, basePath, overwrite: true);
                renamed = true;
                return true;
            });
            grain.SetPosition(generation, 0);
            FaultPoint?.Invoke("base:renamed");

            // The journal is created with its base, so that the sync below also covers its entry and an append never creates a file.
            // A new name, like the base's: created without the truncate that FileMode.Create costs.
            grain.Journal = File.OpenHandle(JournalPath(grain.Directory, generation), FileMode.CreateNew, FileAccess.Write, FileShare.Read);

            // A grain's first base (nothing stored) also syncs the directories that hold its directory's name: a directory
            // found in place may be one a killed process created and never synced.
            var named = expected is null ? UnsyncedNames(grain.Directory) : [];
            await SyncAsync(null, null, [grain.Directory, .. named.Select(directory => Path.GetDirectoryName(directory)!)]).ConfigureAwait(false);
            MarkSynced(named);
            if (!directoryCreated)
            {
                DeleteGenerationsBelow(grain.Directory, generation, "base:dropping-old", JournalExtension, BaseExtension);
            }
        }
        catch (Exception exception) when (exception is not InconsistentStateException)
        {
            ForgetAfter(grain, exception);
            throw;
        }
        finally
        {
            if (!renamed)
            {
                File.Delete(temporary);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Crash-safe at every step. Under the grain's lease, its directory is renamed to <c>&lt;key&gt;</c><see cref="ClearingSuffix"/>:
    /// that rename is the commit point, after which nothing of the grain is read. The rename is synced (its directory
    /// entry) before the delete returns, then the renamed directory is deleted. Interrupted before the rename, the stored
    /// state is whole; after it, the grain reads as empty. A renamed directory left behind is never read; the grain's
    /// next clear or first base deletes it.
    /// </remarks>
    public Task DeleteAsync(string key, JournalPosition? expected, CancellationToken cancellationToken) =>
        DeleteAsync(key, expected, force: false, cancellationToken);

    /// <inheritdoc />
    public Task DeleteAnyAsync(string key, CancellationToken cancellationToken) =>
        DeleteAsync(key, null, force: true, cancellationToken);

    /// <inheritdoc />
    public ValueTask ReleaseAsync(string key)
    {
        if (_grains.TryRemove(key, out var grain))
        {
            grain.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Writes to their journal files the appends that are only in the write-ahead log, before a sync of the file system
    /// (the log's checkpoint among them) makes them durable there.
    /// </summary>
    internal void WriteDeferred()
    {
        foreach (var grain in _deferred.Keys)
        {
            _deferred.TryRemove(grain, out _);
            try
            {
                grain.WriteDeferred();
            }
            catch
            {
                _deferred[grain] = true;
                throw;
            }
        }
    }

    /// <summary>Releases every grain's lease and file, and stops the group commit, which syncs and deletes its write-ahead log.</summary>
    /// <exception cref="IOException">The last sync failed: the write-ahead log is kept, for the next start's recovery.</exception>
    public void Dispose()
    {
        try
        {
            ReleaseAll();
        }
        catch
        {
            // The log must stay for recovery: stop the committer without its checkpoint.
            _committer?.Abandon();
            throw;
        }

        _committer?.Dispose();
        _logsChangedFile?.Dispose();
    }

    /// <summary>
    /// Stops the group commit without its last sync, leaving its write-ahead log for recovery, then releases every grain's
    /// lease and file without writing what only the log holds, as a crash of the process would (tests).
    /// </summary>
    internal void Abandon()
    {
        _committer?.Abandon();
        foreach (var key in _grains.Keys)
        {
            if (_grains.TryRemove(key, out var grain))
            {
                grain.DropDeferred();
                grain.Dispose();
            }
        }

        _logsChangedFile?.Dispose();
    }

    private void ReleaseAll()
    {
        List<Exception>? failures = null;
        foreach (var key in _grains.Keys)
        {
            if (_grains.TryRemove(key, out var grain))
            {
                try
                {
                    grain.Dispose();
                }
                catch (IOException exception)
                {
                    (failures ??= []).Add(exception);
                }
            }
        }

        if (failures is not null)
        {
            throw new AggregateException("Appends kept only in the write-ahead log could not be written to their journal files; their grains keep their leases and the log stays for recovery.", failures);
        }
    }

    private JournalRecovery Recover()
    {
        var recovery = JournalWriteAheadLog.Recover(_directory, _options.LeaseTimeout);
        if (recovery.Logs > 0 && _logger is not null)
        {
            LogRecovered(_logger, _directory, recovery.Logs, recovery.Replayed, recovery.Skipped);
        }

        _committer?.PrepareLog();

        return recovery;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal '{Directory}': replayed {Replayed} writes ({Skipped} to files gone since) from {Logs} write-ahead logs that silos which stopped without syncing left behind")]
    private static partial void LogRecovered(ILogger logger, string directory, int logs, long replayed, long skipped);

    private async Task DeleteAsync(string key, JournalPosition? expected, bool force, CancellationToken cancellationToken)
    {
        var grain = await GetAsync(key, cancellationToken).ConfigureAwait(false);
        string clearing = grain.Directory + ClearingSuffix;
        try
        {
            bool renamed = grain.Lease.WhileHeld(() =>
            {
                if (!force)
                {
                    ThrowIfConflict(key, grain.Position, expected);
                }

                // Closes the journal, so that the directory can be renamed on Windows too.
                grain.Forget();
                DeleteClearing(clearing);
                if (!System.IO.Directory.Exists(grain.Directory))
                {
                    return false;
                }

                FaultPoint?.Invoke("delete:renaming");
                System.IO.Directory.Move(grain.Directory, clearing);
                return true;
            });
            grain.SetPosition(null, 0);
            if (renamed)
            {
                FaultPoint?.Invoke("delete:renamed");
                await SyncAsync(null, null, [Path.GetDirectoryName(grain.Directory)!]).ConfigureAwait(false);
                grain.Lease.WhileHeld(() =>
                {
                    DeleteClearing(clearing);
                    return true;
                });
            }
        }
        catch (Exception exception) when (exception is not InconsistentStateException)
        {
            ForgetAfter(grain, exception);
            throw;
        }
    }

    /// <summary>Deletes what a clear renamed away (it is never read), file by file for the fault hook, then the directory.</summary>
    private void DeleteClearing(string clearing)
    {
        if (!System.IO.Directory.Exists(clearing))
        {
            return;
        }

        foreach (var path in System.IO.Directory.EnumerateFiles(clearing))
        {
            FaultPoint?.Invoke("delete:dropping");
            File.Delete(path);
        }

        System.IO.Directory.Delete(clearing, recursive: true);
    }

    /// <summary>The directories from <paramref name="grainDirectory"/> up to the provider's whose names (entries in their parents) this store has not synced yet.</summary>
    private List<string> UnsyncedNames(string grainDirectory)
    {
        var unsynced = new List<string> { grainDirectory };
        for (var directory = Path.GetDirectoryName(grainDirectory)!; !_durableDirectories.ContainsKey(directory); directory = Path.GetDirectoryName(directory)!)
        {
            unsynced.Add(directory);
            if (directory.Length <= _directory.Length)
            {
                break;
            }
        }

        return unsynced;
    }

    /// <summary>Remembers that the entries of <paramref name="directories"/> are synced; a grain's own directory is not kept (one per grain).</summary>
    private void MarkSynced(List<string> directories)
    {
        foreach (var directory in directories.Skip(1))
        {
            _durableDirectories.TryAdd(directory, true);
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

    /// <summary>The stored position, read from the files.</summary>
    private static (long? Generation, long JournalLength) ReadPosition(string directory)
    {
        var (baseGeneration, journalGeneration) = Scan(directory);
        if (baseGeneration is not { } generation)
        {
            return journalGeneration is null
                ? (null, 0)
                : throw new SnapshotFormatException($"A journal of generation {journalGeneration} in '{directory}' has no base snapshot: the stored state is damaged.");
        }

        var journal = new FileInfo(JournalPath(directory, generation));
        return (generation, journal.Exists ? journal.Length : 0);
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

    /// <summary>Creates the grain's <paramref name="directory"/> and its missing parents, first deleting what a clear left of it; returns whether it was missing.</summary>
    private bool CreateDirectory(string directory)
    {
        if (System.IO.Directory.Exists(directory))
        {
            return false;
        }

        DeleteClearing(directory + ClearingSuffix);
        System.IO.Directory.CreateDirectory(directory);
        return true;
    }

    private Task SyncAsync(SafeFileHandle? file, string? filePath, IEnumerable<string> directories) =>
        _committer?.SyncAsync(file, filePath, directories) ?? Task.CompletedTask;

    /// <summary>
    /// After <paramref name="failure"/> of an operation on <paramref name="grain"/>: forgets its position
    /// (<see cref="GrainFiles.Forget"/>). Forgetting first writes the grain's kept appends; if that fails too, both failures
    /// are thrown together, so that the operation's own is not lost.
    /// </summary>
    private static void ForgetAfter(GrainFiles grain, Exception failure)
    {
        try
        {
            grain.Forget();
        }
        catch (Exception writeFailure)
        {
            throw new AggregateException("The operation failed, and so did writing the grain's appends kept in the write-ahead log; they stay kept, and the log keeps them until they are written.", failure, writeFailure);
        }
    }

    /// <summary>The grain's open files, or (for a grain this store has not read) its lease and its position read from the files.</summary>
    private ValueTask<GrainFiles> GetAsync(string key, CancellationToken cancellationToken) =>
        _grains.TryGetValue(key, out var grain) ? ValueTask.FromResult(grain) : new ValueTask<GrainFiles>(OpenAsync(key, cancellationToken));

    private async Task<GrainFiles> OpenAsync(string key, CancellationToken cancellationToken)
    {
        _ = _recovery.Value;
        var lease = await LocalFileLeases.AcquireAsync(_directory, key, _options.LeaseTimeout, cancellationToken).ConfigureAwait(false);
        try
        {
            ReplayDeadLogs(lease);
        }
        catch
        {
            lease.Dispose();
            throw;
        }

        var grain = new GrainFiles(lease, GetGrainDirectory(key), key.Replace(Path.DirectorySeparatorChar, '/'));
        if (_grains.TryGetValue(key, out var previous))
        {
            previous.Dispose();
        }

        _grains[key] = grain;
        return grain;
    }

    /// <summary>
    /// Replays the write-ahead logs of silos that died (<see cref="JournalLogSlots"/>), which may hold appends of the grain
    /// whose <paramref name="lease"/> was just taken that never reached its journal file.
    /// </summary>
    private void ReplayDeadLogs(LocalFileLease lease)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        List<string>? dead = null;
        lock (_logsGate)
        {
            foreach (var (path, slot) in KnownLogs())
            {
                if (!JournalLogSlots.IsLive(_directory, lease, slot))
                {
                    (dead ??= []).Add(path);
                }
            }

            if (dead is null)
            {
                return;
            }

            _knownLogs = null;
        }

        var recovery = JournalWriteAheadLog.RecoverDead(_directory, _options.LeaseTimeout, dead);
        if (recovery.Logs > 0 && _logger is not null)
        {
            LogRecovered(_logger, _directory, recovery.Logs, recovery.Replayed, recovery.Skipped);
        }
    }

    /// <summary>
    /// The logs of slots in the directory, listed again only when a new one was created since
    /// (<see cref="JournalWriteAheadLog.LogsChangedFileName"/>, read before the listing, written after a creation) or one
    /// was replayed. A log deleted since is harmless: its recovery finds it gone.
    /// </summary>
    private List<(string Path, int Slot)> KnownLogs()
    {
        string directory = Path.Combine(_directory, JournalWriteAheadLog.DirectoryName);
        long changed = ReadLogsChanged(directory);
        if (_knownLogs is not null && changed == _logsChanged)
        {
            return _knownLogs;
        }

        var logs = new List<(string Path, int Slot)>();
        if (System.IO.Directory.Exists(directory))
        {
            foreach (var path in System.IO.Directory.EnumerateFiles(directory, "*" + JournalWriteAheadLog.Extension))
            {
                if (JournalWriteAheadLog.TryGetSlot(path, out int slot))
                {
                    logs.Add((path, slot));
                }
            }
        }

        _logsChanged = changed;
        _knownLogs = logs;
        return logs;
    }

    private long ReadLogsChanged(string directory)
    {
        if (_logsChangedFile is null)
        {
            // No log of a slot yet (this store's own is being created): a stat, not an exception per lease.
            string path = Path.Combine(directory, JournalWriteAheadLog.LogsChangedFileName);
            if (!File.Exists(path))
            {
                return 0;
            }

            _logsChangedFile = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }

        Span<byte> number = stackalloc byte[8];
        return RandomAccess.Read(_logsChangedFile, number, 0) == number.Length ? BitConverter.ToInt64(number) : 0;
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

    /// <summary>What this store holds of one grain between its read and its release.</summary>
    private sealed class GrainFiles : IDisposable
    {
        private readonly string _logDirectory;
        private readonly object _deferGate = new();
        private byte[]? _deferred;
        private int _deferredBytes;
        private long _deferredOffset;
        private SafeFileHandle? _deferredFile;
        private bool _positionKnown;
        private long _pathGeneration = -1;
        private string _journalPath = string.Empty;
        private string _logPath = string.Empty;
        private long? _generation;
        private long _journalLength;

        public GrainFiles(LocalFileLease lease, string directory, string logDirectory)
        {
            Lease = lease;
            Directory = directory;
            _logDirectory = logDirectory;
            lease.OnRevoke = WriteDeferred;
        }

        public LocalFileLease Lease { get; }

        public string Directory { get; }

        /// <summary>The journal of the current generation, open for writes once something was appended or it was created.</summary>
        public SafeFileHandle? Journal { get; set; }

        /// <summary>The stored position: kept in memory while writes succeed, read from the files after a failure.</summary>
        public JournalPosition? Position
        {
            get
            {
                if (!_positionKnown)
                {
                    (_generation, _journalLength) = ReadPosition(Directory);
                    _positionKnown = true;
                }

                return _generation is { } generation ? new JournalPosition(generation, _journalLength) : null;
            }
        }

        /// <summary>The path of the journal of <paramref name="generation"/>, kept for the appends to come.</summary>
        public string JournalPath(long generation)
        {
            KeepPaths(generation);
            return _journalPath;
        }

        /// <summary>The path of the base of <paramref name="generation"/> under the provider's directory, as the write-ahead log names it.</summary>
        public string BaseLogPath(long generation) => InLog(LocalFileJournalStore.BasePath(Directory, generation));

        /// <summary>The path of the journal of <paramref name="generation"/> under the provider's directory, as the write-ahead log names it.</summary>
        public string LogPath(long generation)
        {
            KeepPaths(generation);
            return _logPath;
        }

        private void KeepPaths(long generation)
        {
            if (generation != _pathGeneration)
            {
                _journalPath = LocalFileJournalStore.JournalPath(Directory, generation);
                _logPath = InLog(_journalPath);
                _pathGeneration = generation;
            }
        }

        /// <summary>The path of a file of this grain under the provider's directory, '/' separated, as the write-ahead log names it.</summary>
        private string InLog(string path) => _logDirectory + "/" + Path.GetFileName(path);

        /// <summary>Keeps an append that is written to the log only, until <see cref="WriteDeferred"/>; appends follow each other in the file.</summary>
        /// <returns>Whether nothing was kept before it: the store then lists the grain among those with appends to write.</returns>
        public bool Defer(SafeFileHandle file, long offset, ReadOnlySpan<byte> record)
        {
            lock (_deferGate)
            {
                if (_deferred is not null && (!ReferenceEquals(file, _deferredFile) || offset != _deferredOffset + _deferredBytes))
                {
                    WriteDeferredLocked();
                }

                bool first = _deferred is null;
                if (first)
                {
                    // Pooled and sized for several records: a grain keeps a few to many appends until the checkpoint, and a
                    // buffer that started small was copied and cleared at each doubling.
                    _deferred = ArrayPool<byte>.Shared.Rent(FirstKeptBufferBytes(record.Length));
                    _deferredBytes = 0;
                    _deferredFile = file;
                    _deferredOffset = offset;
                }
                else if (_deferred!.Length - _deferredBytes < record.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(2L * _deferred.Length, (long)_deferredBytes + record.Length)));
                    _deferred.AsSpan(0, _deferredBytes).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(_deferred);
                    _deferred = larger;
                }

                record.CopyTo(_deferred.AsSpan(_deferredBytes));
                _deferredBytes += record.Length;
                return first;
            }
        }

        /// <summary>Writes the appends kept by <see cref="Defer"/> to the journal file; on a failure they stay kept.</summary>
        public void WriteDeferred()
        {
            lock (_deferGate)
            {
                WriteDeferredLocked();
            }
        }

        /// <summary>Forgets the kept appends without writing them, as a crash of the process would (tests).</summary>
        public void DropDeferred()
        {
            lock (_deferGate)
            {
                ReturnDeferred();
            }
        }

        private void WriteDeferredLocked()
        {
            if (_deferred is null)
            {
                return;
            }

            RandomAccess.Write(_deferredFile!, _deferred.AsSpan(0, _deferredBytes), _deferredOffset);
            ReturnDeferred();
        }

        private void ReturnDeferred()
        {
            if (_deferred is not null)
            {
                ArrayPool<byte>.Shared.Return(_deferred);
            }

            _deferred = null;
            _deferredBytes = 0;
            _deferredFile = null;
        }

        public void SetPosition(long? generation, long journalLength)
        {
            if (generation != _generation)
            {
                WriteDeferred();
                Journal?.Dispose();
                Journal = null;
            }

            _generation = generation;
            _journalLength = journalLength;
            _positionKnown = true;
        }

        /// <summary>After a failed write: close the journal and read the position from the files next time.</summary>
        public void Forget()
        {
            WriteDeferred();
            Journal?.Dispose();
            Journal = null;
            _positionKnown = false;
        }

        /// <summary>Writes the kept appends, then closes the journal and releases the lease; if the write fails, both stay.</summary>
        public void Dispose()
        {
            WriteDeferred();
            Journal?.Dispose();
            Journal = null;
            Lease.Dispose();
        }
    }
}
