using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace ArrayDictOrleans.Grains.Journal;

/// <summary>
/// The group commit of the local-file journal: one per storage provider of a silo. A writer hands over its write (or
/// writes its bytes itself, then asks for a sync) and waits; a dedicated thread takes every request that arrived while
/// its previous sync ran, does their writes and makes them durable together (<see cref="JournalSyncMethod"/>), so that
/// the cost of a sync is shared by every grain that wrote meanwhile. A request completes only after the sync that covers
/// it returned; a failed sync fails every request of its batch, a failed write only its own request.
/// </summary>
/// <remarks>
/// <para>
/// With <see cref="JournalSyncMethod.WriteAheadLog"/> a batch of appends is made durable by one write and one
/// <c>fdatasync</c> of the silo's <see cref="JournalWriteAheadLog"/>, whatever the number of files written. The committer's
/// thread writes and syncs the log itself: the appends that arrive while a sync runs make up the next batch, so that a
/// call waits for at most the sync under way and its own, and the thread wakes once per sync, not once per append (a
/// separate sync thread, which let the committer write many small batches during each sync, cost more processor time
/// than it saved in waiting); a small base's bytes are logged too
/// (<see cref="LogAsync"/>). A batch that also holds other requests (directory entries of a rename or a new file, a
/// deleted directory, a large base) is synced with <c>syncfs</c>, which covers the appends too. After a batch failed, the next one is synced with <c>syncfs</c>: the failed batch's bytes may be in the
/// journal files without being in the log, and a later logged record behind them must not outlive them.
/// </para>
/// <para>
/// The writes are done on the committer's thread because a write that extends a file changes its size, which on a
/// journaling file system (ext4) waits for the file system's journal commit that a sync has just started: done on the
/// grains' threads, such writes stalled the silo's thread pool for a sync at a time.
/// </para>
/// </remarks>
internal sealed partial class JournalGroupCommitter : IDisposable
{
    /// <summary>How long the committer waits for one more request before it syncs the batch it has (µs).</summary>
    internal const uint GatherPauseMicroseconds = 100;

    private readonly string _rootDirectory;
    private readonly JournalSyncMethod _method;
    private readonly long _logCapacity;
    private readonly ILogger? _logger;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _signal = new(0);
    private Batch? _pending;
    private Thread? _thread;
    private SafeFileHandle? _root;
    private bool _disposed;
    private long _syncs;
    private long _lastSyncTicks;
    private JournalWriteAheadLog? _log;
    private int? _slot;
    private volatile bool _fileSystemSyncOwed;
    private bool _logWanted;
    private long _fileSystemSyncs;

    /// <summary>Initializes a new instance of the <see cref="JournalGroupCommitter"/> class.</summary>
    /// <param name="rootDirectory">The provider's directory: every file synced lies under it.</param>
    /// <param name="method">How to sync; <see cref="JournalSyncMethod.Auto"/> picks for the operating system.</param>
    /// <param name="logCapacity">The size of the write-ahead log (<see cref="JournalSyncMethod.WriteAheadLog"/> only).</param>
    /// <param name="logger">Where a failure to create the log ahead of time is reported, if anywhere.</param>
    public JournalGroupCommitter(string rootDirectory, JournalSyncMethod method, long logCapacity = LocalFileJournalStorageOptions.DefaultWriteAheadLogBytes, ILogger? logger = null)
    {
        _rootDirectory = rootDirectory;
        _logCapacity = logCapacity;
        _logger = logger;
        _method = method switch
        {
            JournalSyncMethod.Auto => NativeFileSync.CanSyncFileSystem ? JournalSyncMethod.WriteAheadLog : JournalSyncMethod.Files,
            JournalSyncMethod.FileSystem or JournalSyncMethod.WriteAheadLog when !NativeFileSync.CanSyncFileSystem =>
                throw new PlatformNotSupportedException($"{nameof(JournalSyncMethod)}.{method} needs Linux's syncfs; use {nameof(JournalSyncMethod.Files)}."),
            _ => method,
        };
    }

    /// <summary>Gets the method in use (never <see cref="JournalSyncMethod.Auto"/>).</summary>
    public JournalSyncMethod Method => _method;

    /// <summary>Gets the syncs made so far.</summary>
    public long Syncs => Interlocked.Read(ref _syncs);

    /// <summary>Gets the batches synced with <c>syncfs</c> (<see cref="JournalSyncMethod.FileSystem"/>, and batches the write-ahead log does not stand for).</summary>
    internal long FileSystemSyncs => Interlocked.Read(ref _fileSystemSyncs);

    /// <summary>Gets the write-ahead log, once the first batch created it (<see cref="JournalSyncMethod.WriteAheadLog"/>).</summary>
    internal JournalWriteAheadLog? Log => _log;

    /// <summary>How long a new log waits for its slot's bytes that a dying process may still hold (<see cref="JournalLogSlots"/>).</summary>
    internal static readonly TimeSpan SlotTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Called before each sync of the file system (a checkpoint of the log among them), on the thread that syncs: the store
    /// writes there the appends it kept only in the log, so that the sync covers them before the log starts again. Throwing
    /// from it fails the sync.
    /// </summary>
    internal Action? BeforeFileSystemSync { get; set; }

    /// <summary>A test hook, called on the committer's thread before each sync with the batch's size; throwing from it fails the batch as a failed sync would.</summary>
    internal Action<int>? BeforeSync { get; set; }

    /// <summary>Gets the requests waiting for the next sync (those that arrived while a sync ran).</summary>
    internal int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _pending?.Count ?? 0;
            }
        }
    }

    /// <summary>
    /// Makes durable what was written to <paramref name="file"/> before this call, and the entries of
    /// <paramref name="directories"/> (files created, renamed or deleted in them). Completes after the sync that covers them.
    /// </summary>
    /// <param name="file">A file written to, or null.</param>
    /// <param name="filePath">Its path, for messages.</param>
    /// <param name="directories">Directories whose entries changed.</param>
    /// <exception cref="IOException">The sync failed: the writes may not be on the disk.</exception>
    public Task SyncAsync(SafeFileHandle? file, string? filePath, params IEnumerable<string> directories) =>
        Enqueue(file, filePath, directories, null);

    /// <summary>
    /// Runs <paramref name="write"/> on the committer's thread with the next batch (it writes <paramref name="data"/> at
    /// <paramref name="offset"/> of <paramref name="file"/>, an existing file whose directory entry is durable), then makes
    /// it durable: through the write-ahead log with <see cref="JournalSyncMethod.WriteAheadLog"/>, else as
    /// <see cref="WriteAndSyncAsync"/> does.
    /// </summary>
    /// <param name="write">Writes <paramref name="data"/> to <paramref name="file"/>.</param>
    /// <param name="file">The file written to.</param>
    /// <param name="filePath">Its full path.</param>
    /// <param name="logPath">Its path under the provider's directory, as the log names it.</param>
    /// <param name="offset">Where <paramref name="data"/> goes in the file.</param>
    /// <param name="data">The bytes written; not changed until the returned task completes.</param>
    /// <exception cref="IOException">The sync failed: the write may not be on the disk.</exception>
    public Task WriteAndLogAsync(Action write, SafeFileHandle file, string filePath, string logPath, long offset, ReadOnlyMemory<byte> data)
    {
        ArgumentNullException.ThrowIfNull(write);
        var done = new TaskCompletionSource();
        Enqueue(file, filePath, [], (write, done), new LogEntry(logPath, offset, data));
        return done.Task;
    }

    /// <summary>
    /// Makes <paramref name="data"/>, which the caller wrote at <paramref name="offset"/> of <paramref name="file"/> or keeps
    /// to write there before the next sync of the file system (<see cref="BeforeFileSystemSync"/>), durable: through the
    /// write-ahead log with <see cref="JournalSyncMethod.WriteAheadLog"/> (recovery writes it back into the file at
    /// <paramref name="logPath"/> if a file is there by then), else as <see cref="SyncAsync"/> does. Its waiter resumes on
    /// the thread that settles the batch, as a handed-over write's does: an append's tail is short, and one hand-over to the
    /// thread pool per sync costs less than one per append.
    /// </summary>
    /// <param name="file">The file written to.</param>
    /// <param name="filePath">Its full path.</param>
    /// <param name="logPath">The path under the provider's directory at which the log names the bytes.</param>
    /// <param name="offset">Where <paramref name="data"/> is in the file.</param>
    /// <param name="data">The bytes written; not changed until the returned task completes.</param>
    /// <exception cref="IOException">The sync failed: the bytes may not be on the disk.</exception>
    public Task LogAsync(SafeFileHandle file, string filePath, string logPath, long offset, ReadOnlyMemory<byte> data)
    {
        var done = new TaskCompletionSource();
        Enqueue(file, filePath, [], (static () => { }, done), new LogEntry(logPath, offset, data));
        return done.Task;
    }

    private Task Enqueue(SafeFileHandle? file, string? filePath, IEnumerable<string> directories, (Action Write, TaskCompletionSource Done)? write, LogEntry? entry = null)
    {
        Batch batch;
        bool signal = false;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_pending is null)
            {
                _pending = new Batch();
                signal = true;
            }

            batch = _pending;
            batch.Add(_method, file, filePath, directories, write, entry);
            _thread ??= StartThread();
        }

        if (signal)
        {
            _signal.Release();
        }

        return batch.Done.Task;
    }

    /// <summary>
    /// Runs <paramref name="write"/> on the committer's thread with the next batch, then makes it durable as
    /// <see cref="SyncAsync"/> does. Completes after the sync that covers it; fails with what <paramref name="write"/> threw,
    /// without failing the other requests of its batch.
    /// </summary>
    /// <param name="write">Writes to <paramref name="file"/>.</param>
    /// <param name="file">The file written to.</param>
    /// <param name="filePath">Its path, for messages.</param>
    /// <param name="directories">Directories whose entries changed.</param>
    /// <exception cref="IOException">The sync failed: the writes may not be on the disk.</exception>
    public Task WriteAndSyncAsync(Action write, SafeFileHandle file, string filePath, params IEnumerable<string> directories)
    {
        ArgumentNullException.ThrowIfNull(write);
        var done = new TaskCompletionSource();
        Enqueue(file, filePath, directories, (write, done));
        return done.Task;
    }

    /// <summary>
    /// Has the committer's thread create the write-ahead log now, in the background (<see cref="JournalSyncMethod.WriteAheadLog"/>
    /// only), so that the first append does not wait for its zero-filling. If that fails, the first batch of appends tries
    /// again and fails with the error.
    /// </summary>
    internal void PrepareLog()
    {
        if (_method != JournalSyncMethod.WriteAheadLog)
        {
            return;
        }

        lock (_gate)
        {
            if (_disposed || _logWanted)
            {
                return;
            }

            _logWanted = true;
            _thread ??= StartThread();
        }

        _signal.Release();
    }

    /// <summary>Fails what still waits, stops the committer's thread, syncs the file system and deletes the write-ahead log.</summary>
    /// <exception cref="IOException">The last sync failed: the log is kept, for the next start's recovery.</exception>
    public void Dispose() => Stop(abandon: false);

    /// <summary>Stops the committer and closes its log without syncing or deleting it, as a crash of the process would (tests).</summary>
    internal void Abandon() => Stop(abandon: true);

    private void Stop(bool abandon)
    {
        Thread? thread;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            thread = _thread;
        }

        _signal.Release();
        thread?.Join();
        _pending?.Fail(new ObjectDisposedException(nameof(JournalGroupCommitter), "The journal's storage was disposed before these writes were synced."));
        _root?.Dispose();
        _signal.Dispose();
        try
        {
            if (abandon)
            {
                _log?.Abandon();
            }
            else if (_log is not null)
            {
                try
                {
                    BeforeFileSystemSync?.Invoke();
                }
                catch
                {
                    // Kept for recovery, and closed so that another store can lock and replay it.
                    _log.Abandon();
                    throw;
                }

                _log.Dispose();
            }
        }
        finally
        {
            if (_slot is { } slot && OperatingSystem.IsLinux())
            {
                JournalLogSlots.Release(_rootDirectory, slot);
            }
        }
    }

    private Thread StartThread()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "ArrayDict journal group commit" };
        thread.Start();
        return thread;
    }

    private void Run()
    {
        while (true)
        {
            _signal.Wait();
            if (_logWanted && _log is null)
            {
                TryCreateLog();
            }

            if (_method != JournalSyncMethod.WriteAheadLog)
            {
                Gather();
            }

            Batch? batch;
            bool stop;
            lock (_gate)
            {
                batch = _pending;
                _pending = null;
                stop = _disposed;
            }

            if (batch is not null)
            {
                Commit(batch);
            }

            if (stop)
            {
                return;
            }
        }
    }

    /// <summary>Creates the log under a slot of its own (<see cref="JournalLogSlots"/>), which it keeps until the committer stops.</summary>
    private JournalWriteAheadLog CreateLog()
    {
        if (!OperatingSystem.IsLinux())
        {
            return JournalWriteAheadLog.Create(_rootDirectory, _logCapacity);
        }

        int slot = JournalLogSlots.Claim(_rootDirectory, HasLog, SlotTimeout);
        try
        {
            var log = JournalWriteAheadLog.Create(_rootDirectory, _logCapacity, slot);
            _slot = slot;
            return log;
        }
        catch
        {
            JournalLogSlots.Release(_rootDirectory, slot);
            throw;
        }
    }

    private bool HasLog(int slot)
    {
        string directory = Path.Combine(_rootDirectory, JournalWriteAheadLog.DirectoryName);
        return Directory.Exists(directory)
            && Directory.EnumerateFiles(directory, JournalWriteAheadLog.NamePrefix(slot) + "*").Any();
    }

    /// <summary>Creates the log ahead of the first batch; a failure leaves it to that batch, which tries again and fails with it.</summary>
    private void TryCreateLog()
    {
        try
        {
            _log = CreateLog();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or TimeoutException)
        {
            if (_logger is not null)
            {
                LogCreationFailed(_logger, exception, _rootDirectory);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Journal '{Directory}': the write-ahead log could not be created ahead of the first append; that append tries again and fails with the error if it fails again")]
    private static partial void LogCreationFailed(ILogger logger, Exception exception, string directory);

    /// <summary>
    /// Lets the batch grow while writes keep arriving: writers woken by the previous sync come back one after another as
    /// the processors get to them, and a sync started at the first arrival would cover only the few quickest. Gathering
    /// stops after a pause of <see cref="GatherPauseMicroseconds"/> with no new request, or after half the previous sync's
    /// duration, so that a lone writer waits a pause longer and a busy silo shares each sync among many more writers.
    /// </summary>
    private void Gather()
    {
        if (!NativeFileSync.CanPauseBriefly || _disposed)
        {
            return;
        }

        long deadline = Stopwatch.GetTimestamp() + (_lastSyncTicks / 2);
        int seen = Waiting;
        while (true)
        {
            NativeFileSync.Pause(GatherPauseMicroseconds);
            int now = Waiting;
            if (now == seen || Stopwatch.GetTimestamp() >= deadline)
            {
                return;
            }

            seen = now;
        }
    }

    private void Commit(Batch batch)
    {
        if (_method == JournalSyncMethod.WriteAheadLog && !batch.NeedsFileSystemSync)
        {
            CommitThroughLog(batch);
            return;
        }

        batch.RunWrites(null);
        try
        {
            BeforeSync?.Invoke(batch.Count);
            long started = Stopwatch.GetTimestamp();
            Sync(batch);
            _lastSyncTicks = Stopwatch.GetTimestamp() - started;
            Completed(batch.Count);
            batch.Complete();
        }
        catch (Exception exception)
        {
            _fileSystemSyncOwed = _method == JournalSyncMethod.WriteAheadLog;
            batch.Fail(SyncFailure(exception, batch.Count));
        }
    }

    /// <summary>
    /// Does the batch's writes, copies them into the log, writes it and syncs it (one <c>pwrite</c> and one <c>fdatasync</c>
    /// for the whole batch); a log that is full is checkpointed instead.
    /// </summary>
    private void CommitThroughLog(Batch batch)
    {
        try
        {
            _log ??= CreateLog();
        }
        catch (Exception exception)
        {
            batch.Fail(exception as IOException ?? new IOException($"The journal's write-ahead log could not be created: {exception.Message}", exception));
            return;
        }

        batch.RunWrites(_log);
        if (_log.IsFull)
        {
            try
            {
                BeforeSync?.Invoke(batch.Count);
                BeforeFileSystemSync?.Invoke();
                _log.Checkpoint();
                _fileSystemSyncOwed = false;
                Completed(batch.Count);
                batch.Complete();
            }
            catch (Exception exception)
            {
                _fileSystemSyncOwed = true;
                batch.Fail(SyncFailure(exception, batch.Count));
            }

            return;
        }

        try
        {
            _log.Write();
        }
        catch (Exception exception)
        {
            _fileSystemSyncOwed = true;
            batch.Fail(SyncFailure(exception, batch.Count));
            return;
        }

        try
        {
            BeforeSync?.Invoke(batch.Count);
            long started = Stopwatch.GetTimestamp();
            if (_fileSystemSyncOwed)
            {
                // A batch before this one failed: its bytes may be in journal files without being in the log.
                SyncFileSystem();
            }
            else
            {
                _log.Sync();
            }

            _lastSyncTicks = Stopwatch.GetTimestamp() - started;
            Completed(batch.Count);
            batch.Complete();
        }
        catch (Exception exception)
        {
            _fileSystemSyncOwed = true;
            batch.Fail(SyncFailure(exception, batch.Count));
        }
    }

    private void Completed(int writes)
    {
        Interlocked.Increment(ref _syncs);
        ArrayDictMetrics.Syncs.Add(1);
        ArrayDictMetrics.SyncedWrites.Add(writes);
    }

    private static IOException SyncFailure(Exception exception, int writes) =>
        exception as IOException ?? new IOException($"The sync of {writes} journal writes failed: {exception.Message}", exception);

    private void SyncFileSystem()
    {
        BeforeFileSystemSync?.Invoke();
        if (_root is null)
        {
            Directory.CreateDirectory(_rootDirectory);
            _root = NativeFileSync.OpenDirectory(_rootDirectory);
        }

        NativeFileSync.SyncFileSystem(_root, _rootDirectory);
        _fileSystemSyncOwed = false;
        Interlocked.Increment(ref _fileSystemSyncs);
    }

    private void Sync(Batch batch)
    {
        if (_method is JournalSyncMethod.FileSystem or JournalSyncMethod.WriteAheadLog)
        {
            SyncFileSystem();
            return;
        }

        foreach (var (file, path) in batch.Files)
        {
            NativeFileSync.SyncFile(file, path);
        }

        if (NativeFileSync.DirectoriesNeedSync)
        {
            foreach (var directory in batch.Directories)
            {
                using var handle = NativeFileSync.OpenDirectory(directory);
                NativeFileSync.SyncDirectory(handle, directory);
            }
        }
    }

    /// <summary>The requests one sync covers.</summary>
    /// <remarks>
    /// The handed-over writes' tasks run their continuations synchronously, but are completed from one thread-pool work
    /// item per sync: the committer's threads go back to their work at once, and a sync that covers many appends costs one
    /// hand-over to the thread pool, not one per append (each continuation runs an append's short tail, then queues its
    /// grain's own turn).
    /// </remarks>
    private sealed class Batch
    {
        private readonly List<SafeFileHandle> _referenced = [];
        private readonly List<(Action Write, TaskCompletionSource Done, LogEntry? Entry)> _writes = [];

        // The writes that threw: failed at once, and left alone when the batch settles.
        private HashSet<int>? _failedWrites;

        /// <summary>Gets what the batch's sync-only requests wait for; each waiter resumes on its own (a base write goes on with file work).</summary>
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count { get; private set; }

        public Dictionary<SafeFileHandle, string> Files { get; } = [];

        public HashSet<string> Directories { get; } = new(StringComparer.Ordinal);

        /// <summary>Gets whether a request of the batch is not an append the write-ahead log can stand for.</summary>
        public bool NeedsFileSystemSync { get; private set; }

        public void Complete() => Settle(null);

        public void Fail(Exception exception) => Settle(exception);

        public void Add(JournalSyncMethod method, SafeFileHandle? file, string? filePath, IEnumerable<string> directories, (Action Write, TaskCompletionSource Done)? write, LogEntry? entry)
        {
            Count++;
            if (write is { } handedOver)
            {
                _writes.Add((handedOver.Write, handedOver.Done, entry));
            }

            NeedsFileSystemSync |= entry is null;

            if (method != JournalSyncMethod.Files)
            {
                return;
            }

            if (file is not null && !Files.ContainsKey(file))
            {
                // Held until the sync is done, so that a handle closed meanwhile is not synced after its number was reused.
                bool added = false;
                file.DangerousAddRef(ref added);
                _referenced.Add(file);
                Files.Add(file, filePath ?? "<journal file>");
            }

            Directories.UnionWith(directories);
        }

        /// <summary>
        /// Does the handed-over writes, adding each one that succeeded to <paramref name="log"/> when given; one that throws
        /// fails its own request, which then waits for no sync.
        /// </summary>
        public void RunWrites(JournalWriteAheadLog? log)
        {
            for (int i = 0; i < _writes.Count; i++)
            {
                try
                {
                    _writes[i].Write();
                    if (log is not null && _writes[i].Entry is { } entry)
                    {
                        log.Add(entry.Path, entry.Offset, entry.Data.Span);
                    }
                }
                catch (Exception exception)
                {
                    (_failedWrites ??= []).Add(i);
                    var done = _writes[i].Done;
                    ThreadPool.UnsafeQueueUserWorkItem(failed => done.TrySetException(failed), exception, preferLocal: false);
                }
            }
        }

        /// <summary>
        /// Completes every request of the batch (fails, with <paramref name="failure"/>, those still waiting), from one
        /// thread-pool work item.
        /// </summary>
        private void Settle(Exception? failure)
        {
            ReleaseReferences();
            ThreadPool.UnsafeQueueUserWorkItem(
                static settled => settled.Batch.SettleNow(settled.Failure),
                (Batch: this, Failure: failure),
                preferLocal: false);
        }

        private static void SetOutcome(TaskCompletionSource done, Exception? failure)
        {
            if (failure is null)
            {
                done.TrySetResult();
            }
            else
            {
                done.TrySetException(failure);
            }
        }

        private void SettleNow(Exception? failure)
        {
            SetOutcome(Done, failure);
            for (int i = 0; i < _writes.Count; i++)
            {
                if (_failedWrites?.Contains(i) != true)
                {
                    SetOutcome(_writes[i].Done, failure);
                }
            }
        }

        private void ReleaseReferences()
        {
            foreach (var handle in _referenced)
            {
                handle.DangerousRelease();
            }

            _referenced.Clear();
        }
    }

    /// <summary>What an append wrote, for the write-ahead log.</summary>
    private readonly record struct LogEntry(string Path, long Offset, ReadOnlyMemory<byte> Data);
}
