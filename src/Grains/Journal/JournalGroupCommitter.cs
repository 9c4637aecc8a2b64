using Microsoft.Win32.SafeHandles;

namespace ArrayDictOrleans.Grains.Journal;

/// <summary>
/// The group commit of the local-file journal: one per storage provider of a silo. A writer writes its bytes, then asks
/// for a sync and waits; a dedicated thread takes every request that arrived while its previous sync ran and makes them
/// durable together (<see cref="JournalSyncMethod"/>), so that the cost of a sync is shared by every grain that wrote
/// meanwhile. A request completes only after the sync that covers it returned; a failed sync fails every request of
/// its batch.
/// </summary>
internal sealed class JournalGroupCommitter : IDisposable
{
    private readonly string _rootDirectory;
    private readonly JournalSyncMethod _method;
    private readonly object _gate = new();
    private readonly SemaphoreSlim _signal = new(0);
    private Batch? _pending;
    private Thread? _thread;
    private SafeFileHandle? _root;
    private bool _disposed;
    private long _syncs;

    /// <summary>Initializes a new instance of the <see cref="JournalGroupCommitter"/> class.</summary>
    /// <param name="rootDirectory">The provider's directory: every file synced lies under it.</param>
    /// <param name="method">How to sync; <see cref="JournalSyncMethod.Auto"/> picks for the operating system.</param>
    public JournalGroupCommitter(string rootDirectory, JournalSyncMethod method)
    {
        _rootDirectory = rootDirectory;
        _method = method switch
        {
            JournalSyncMethod.Auto => NativeFileSync.CanSyncFileSystem ? JournalSyncMethod.FileSystem : JournalSyncMethod.Files,
            JournalSyncMethod.FileSystem when !NativeFileSync.CanSyncFileSystem =>
                throw new PlatformNotSupportedException($"{nameof(JournalSyncMethod)}.{nameof(JournalSyncMethod.FileSystem)} needs Linux's syncfs; use {nameof(JournalSyncMethod.Files)}."),
            _ => method,
        };
    }

    /// <summary>Gets the method in use (never <see cref="JournalSyncMethod.Auto"/>).</summary>
    public JournalSyncMethod Method => _method;

    /// <summary>Gets the syncs made so far.</summary>
    public long Syncs => Interlocked.Read(ref _syncs);

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
    public Task SyncAsync(SafeFileHandle? file, string? filePath, params IEnumerable<string> directories)
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
            batch.Add(_method, file, filePath, directories);
            _thread ??= StartThread();
        }

        if (signal)
        {
            _signal.Release();
        }

        return batch.Done.Task;
    }

    /// <summary>Fails what still waits and stops the committer's thread.</summary>
    public void Dispose()
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

    private void Commit(Batch batch)
    {
        try
        {
            BeforeSync?.Invoke(batch.Count);
            Sync(batch);
            Interlocked.Increment(ref _syncs);
            ArrayDictMetrics.Syncs.Add(1);
            ArrayDictMetrics.SyncedWrites.Add(batch.Count);
            batch.Complete();
        }
        catch (Exception exception)
        {
            batch.Fail(exception as IOException ?? new IOException($"The sync of {batch.Count} journal writes failed: {exception.Message}", exception));
        }
    }

    private void Sync(Batch batch)
    {
        if (_method == JournalSyncMethod.FileSystem)
        {
            if (_root is null)
            {
                Directory.CreateDirectory(_rootDirectory);
                _root = NativeFileSync.OpenDirectory(_rootDirectory);
            }

            NativeFileSync.SyncFileSystem(_root, _rootDirectory);
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
    private sealed class Batch
    {
        private readonly List<SafeFileHandle> _referenced = [];

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Count { get; private set; }

        public Dictionary<SafeFileHandle, string> Files { get; } = [];

        public HashSet<string> Directories { get; } = new(StringComparer.Ordinal);

        public void Add(JournalSyncMethod method, SafeFileHandle? file, string? filePath, IEnumerable<string> directories)
        {
            Count++;
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

        public void Complete()
        {
            ReleaseReferences();
            Done.TrySetResult();
        }

        public void Fail(Exception exception)
        {
            ReleaseReferences();
            Done.TrySetException(exception);
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
}
