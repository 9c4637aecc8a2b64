using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Hashing;
using ArrayDictOrleans.Grains.Journal;
using Microsoft.Extensions.Logging;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>
/// An Orleans grain storage provider that keeps each grain state in its own file under a local directory.
/// </summary>
/// <remarks>
/// <para>
/// The state of grain <c>type/key</c> kept under state name <c>s</c> by the provider named <c>p</c> lives in
/// <c>&lt;RootDirectory&gt;/p/s/type/key.snapshot</c>, each name escaped for the file system (see
/// <see cref="GetStateFilePath"/>). The file is a 64-byte header (format version, ETag, payload length, payload checksum,
/// header checksum) followed by the bytes of the configured <see cref="IGrainStorageSerializer"/>. A serializer that
/// implements <see cref="IGrainStorageStreamingSerializer"/> writes straight into the file and reads straight from it.
/// </para>
/// <para>
/// Writes are atomic: the new state goes to a temporary file beside the real one (<c>key.snapshot.&lt;guid&gt;.tmp</c>),
/// is flushed to the disk when <see cref="LocalFileGrainStorageOptions.FlushToDisk"/> is set, and then replaces the real
/// file by a rename. A crash of the process at any point leaves either the old or the new snapshot as the real file,
/// never a partial one, and so does a crash of the machine when <see cref="LocalFileGrainStorageOptions.FlushToDisk"/>
/// is set (the rename itself is made durable by the file system's journal, not by a flush of the directory). Should a
/// damaged file appear all the same, its length and checksums expose it and reading it fails rather than returning
/// damaged data. Reads look at the real file only, so a temporary file left by a crash is ignored (and may be deleted
/// by hand).
/// </para>
/// <para>
/// The ETag is a GUID stored in the header, new on every write. A write or clear succeeds only when the grain's ETag
/// equals the stored one (no file and no ETag count as equal) and fails with <see cref="InconsistentStateException"/>
/// otherwise. The comparison and the rename are one atomic step for every storage instance of every process on the
/// machine that uses the same directory: they run under an exclusive lock file (see <c>LocalFileLocks</c>), so two
/// silos sharing a directory also detect each other's writes. Reads take no lock. Every other failure, including a
/// file whose checksums do not match and a serializer that cannot read the payload, is logged and thrown as
/// <see cref="LocalFileStorageException"/>; the grain state object is then left as it was.
/// </para>
/// </remarks>
public sealed partial class LocalFileGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>, IForcedClearStorage, IFullSnapshotEraser
{
    /// <summary>The extension of a state file.</summary>
    public const string StateFileExtension = ".snapshot";

    /// <summary>The extension of a temporary file that a write renames onto the state file once it is complete.</summary>
    public const string TemporaryFileExtension = ".tmp";

    private const int FileBufferSize = 1 << 16;
    private const int HashBufferSize = 1 << 20;

    private readonly string _name;
    private readonly LocalFileGrainStorageOptions _options;
    private readonly IGrainStorageSerializer _serializer;
    private readonly IActivatorProvider _activatorProvider;
    private readonly ILogger _logger;
    private readonly string _providerDirectory;

    // Directories whose own entry in their parent this instance has synced (FlushToDisk): a write syncs the parent of
    // each directory on its path not yet in here, once, so that a state file never outlives a crash without its name.
    private readonly ConcurrentDictionary<string, bool> _durableDirectories = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="LocalFileGrainStorage"/> class.</summary>
    /// <param name="name">The provider name; it names the provider's directory under the root directory.</param>
    /// <param name="options">The provider's options.</param>
    /// <param name="grainStorageSerializer">The serializer to use when <see cref="LocalFileGrainStorageOptions.GrainStorageSerializer"/> is <see langword="null"/>.</param>
    /// <param name="activatorProvider">Creates the default state of a grain that has none stored.</param>
    /// <param name="logger">The logger.</param>
    /// <exception cref="OrleansConfigurationException">The options are invalid.</exception>
    public LocalFileGrainStorage(
        string name,
        LocalFileGrainStorageOptions options,
        IGrainStorageSerializer grainStorageSerializer,
        IActivatorProvider activatorProvider,
        ILogger<LocalFileGrainStorage> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(activatorProvider);
        ArgumentNullException.ThrowIfNull(logger);
        new LocalFileGrainStorageOptionsValidator(options, name).ValidateConfiguration();

        _name = name;
        _options = options;
        _serializer = options.GrainStorageSerializer ?? grainStorageSerializer
            ?? throw new ArgumentNullException(nameof(grainStorageSerializer), "No grain storage serializer: set LocalFileGrainStorageOptions.GrainStorageSerializer or pass one.");
        _activatorProvider = activatorProvider;
        _logger = logger;
        _providerDirectory = Path.GetFullPath(Path.Combine(options.RootDirectory, LocalFileNames.Escape(name)));
    }

    /// <summary>Gets the full path of the directory that holds this provider's files.</summary>
    public string ProviderDirectory => _providerDirectory;

    /// <summary>A test hook called with each directory synced, after its sync.</summary>
    internal Action<string>? DirectorySynced { get; set; }

    /// <summary>Gets the full path of the file that holds the state <paramref name="stateName"/> of grain <paramref name="grainId"/>.</summary>
    /// <param name="stateName">The state name.</param>
    /// <param name="grainId">The grain.</param>
    /// <returns>
    /// <c>&lt;<see cref="ProviderDirectory"/>&gt;/&lt;state name&gt;/&lt;grain type&gt;/&lt;grain key&gt;.snapshot</c>,
    /// where each name keeps ASCII letters, digits, <c>-</c>, <c>_</c> and inner dots, has every other character
    /// written as <c>%XX</c> per UTF-8 byte, and is shortened to a prefix plus a hash when it is very long.
    /// </returns>
    public string GetStateFilePath(string stateName, GrainId grainId) =>
        Path.Combine(_providerDirectory, GetRelativeStatePath(stateName, grainId));

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(OptionFormattingUtilities.Name<LocalFileGrainStorage>(_name), _options.InitStage, InitAsync);
    }

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        ArgumentNullException.ThrowIfNull(grainState);
        var path = GetStateFilePath(stateName, grainId);
        try
        {
            var file = TryOpenForRead(path);
            if (file is null)
            {
                SetNoRecord(grainState, eTag: null);
                LogTraceNoRecord(_name, stateName, grainId, path);
                return;
            }

            await using (file.ConfigureAwait(false))
            {
                var header = await ReadHeaderAsync(file, cancellationToken).ConfigureAwait(false);
                if (header.IsTombstone)
                {
                    SetNoRecord(grainState, header.ETagString);
                    LogTraceNoRecord(_name, stateName, grainId, path);
                    return;
                }

                T? state;
                if (_serializer is IGrainStorageStreamingSerializer streaming)
                {
                    // One sequential pass to check the payload, then the serializer reads it from the file: no
                    // buffer of the payload's size is allocated.
                    await VerifyPayloadAsync(file, header, cancellationToken).ConfigureAwait(false);
                    var payload = new PayloadReadStream(file, LocalFileSnapshotHeader.Size, header.PayloadLength);
                    await using (payload.ConfigureAwait(false))
                    {
                        state = await streaming.DeserializeAsync<T>(payload, cancellationToken).ConfigureAwait(false);
                    }
                }
                else
                {
                    var bytes = await ReadPayloadAsync(file, header, cancellationToken).ConfigureAwait(false);
                    state = _serializer.Deserialize<T>(new BinaryData(bytes));
                }

                grainState.State = state ?? CreateInstance<T>();
                grainState.ETag = header.ETagString;
                grainState.RecordExists = true;
                LogTraceRead(_name, stateName, grainId, path, header.PayloadLength, grainState.ETag);
            }
        }
        catch (Exception exception) when (!IsCancellation(exception, cancellationToken))
        {
            LogErrorReadFailed(exception, _name, stateName, grainId, path);
            throw Failure("read", stateName, grainId, path, exception);
        }
    }

    /// <inheritdoc />
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        ArgumentNullException.ThrowIfNull(grainState);
        var path = GetStateFilePath(stateName, grainId);
        string? temporaryPath = null;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            var newETag = Guid.CreateVersion7();
            temporaryPath = CreateTemporaryPath(path);
            var payloadLength = await WriteFileAsync(temporaryPath, newETag, grainState.State, isTombstone: false, cancellationToken).ConfigureAwait(false);

            using (await AcquireLockAsync(stateName, grainId, cancellationToken).ConfigureAwait(false))
            {
                var storedETag = ReadStoredETag(path);
                ThrowIfConflict(nameof(WriteStateAsync), storedETag, grainState.ETag, stateName, grainId, path);
                File.Move(temporaryPath, path, overwrite: true);
                temporaryPath = null;
            }

            SyncDirectoriesOf(path);
            grainState.ETag = newETag.ToString("N");
            grainState.RecordExists = true;
            LogTraceWritten(_name, stateName, grainId, path, payloadLength, grainState.ETag);
        }
        catch (InconsistentStateException exception)
        {
            LogDebugConflict(exception, _name, stateName, grainId, path);
            throw;
        }
        catch (Exception exception) when (!IsCancellation(exception, cancellationToken))
        {
            LogErrorWriteFailed(exception, _name, stateName, grainId, path);
            throw Failure("write", stateName, grainId, path, exception);
        }
        finally
        {
            DeleteTemporaryFile(temporaryPath);
        }
    }

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        ArgumentNullException.ThrowIfNull(grainState);
        var path = GetStateFilePath(stateName, grainId);
        string? temporaryPath = null;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? newETag = null;
            if (!_options.DeleteStateOnClear)
            {
                var tombstoneETag = Guid.CreateVersion7();
                temporaryPath = CreateTemporaryPath(path);
                await WriteFileAsync<T>(temporaryPath, tombstoneETag, default, isTombstone: true, cancellationToken).ConfigureAwait(false);
                newETag = tombstoneETag.ToString("N");
            }

            bool changed = false;
            using (await AcquireLockAsync(stateName, grainId, cancellationToken).ConfigureAwait(false))
            {
                var storedETag = ReadStoredETag(path);
                ThrowIfConflict(nameof(ClearStateAsync), storedETag, grainState.ETag, stateName, grainId, path);
                if (temporaryPath is not null)
                {
                    File.Move(temporaryPath, path, overwrite: true);
                    temporaryPath = null;
                    changed = true;
                }
                else if (storedETag is not null)
                {
                    File.Delete(path);
                    changed = true;
                }
            }

            if (changed)
            {
                SyncDirectoriesOf(path);
            }

            grainState.State = CreateInstance<T>();
            grainState.ETag = newETag;
            grainState.RecordExists = false;
            LogTraceCleared(_name, stateName, grainId, path, _options.DeleteStateOnClear);
        }
        catch (InconsistentStateException exception)
        {
            LogDebugConflict(exception, _name, stateName, grainId, path);
            throw;
        }
        catch (Exception exception) when (!IsCancellation(exception, cancellationToken))
        {
            LogErrorClearFailed(exception, _name, stateName, grainId, path);
            throw Failure("clear", stateName, grainId, path, exception);
        }
        finally
        {
            DeleteTemporaryFile(temporaryPath);
        }
    }

    /// <inheritdoc />
    async Task IForcedClearStorage.ForceClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await ((IFullSnapshotEraser)this).DeleteAsync(stateName, grainId).ConfigureAwait(false);
        SetNoRecord(grainState, eTag: null);
    }

    /// <inheritdoc />
    async Task IFullSnapshotEraser.WriteTombstoneAsync(string stateName, GrainId grainId)
    {
        var path = GetStateFilePath(stateName, grainId);
        string? temporaryPath = null;
        try
        {
            temporaryPath = CreateTemporaryPath(path);
            await WriteFileAsync<object>(temporaryPath, Guid.CreateVersion7(), default, isTombstone: true, CancellationToken.None).ConfigureAwait(false);
            using (await AcquireLockAsync(stateName, grainId, CancellationToken.None).ConfigureAwait(false))
            {
                File.Move(temporaryPath, path, overwrite: true);
                temporaryPath = null;
            }

            SyncDirectoriesOf(path);
        }
        catch (Exception exception)
        {
            LogErrorClearFailed(exception, _name, stateName, grainId, path);
            throw Failure("force a tombstone over", stateName, grainId, path, exception);
        }
        finally
        {
            DeleteTemporaryFile(temporaryPath);
        }
    }

    /// <inheritdoc />
    async Task IFullSnapshotEraser.DeleteAsync(string stateName, GrainId grainId)
    {
        var path = GetStateFilePath(stateName, grainId);
        try
        {
            bool deleted;
            using (await AcquireLockAsync(stateName, grainId, CancellationToken.None).ConfigureAwait(false))
            {
                deleted = File.Exists(path);
                if (deleted)
                {
                    File.Delete(path);
                }
            }

            if (deleted)
            {
                SyncDirectoriesOf(path);
            }

            LogTraceCleared(_name, stateName, grainId, path, deleted: true);
        }
        catch (Exception exception)
        {
            LogErrorClearFailed(exception, _name, stateName, grainId, path);
            throw Failure("force the deletion of", stateName, grainId, path, exception);
        }
    }

    /// <summary>Gets the lock file that guards the state file of <paramref name="grainId"/> (one of a fixed set of stripes).</summary>
    internal string GetLockFilePath(string stateName, GrainId grainId) =>
        LocalFileLocks.GetLockFilePath(_providerDirectory, GetRelativeStatePath(stateName, grainId).Replace('\\', '/'));

    private static string GetRelativeStatePath(string stateName, GrainId grainId) =>
        Path.Combine(
            LocalFileNames.Escape(stateName),
            LocalFileNames.Escape(grainId.Type.ToString()!),
            LocalFileNames.Escape(grainId.Key.ToString()!) + StateFileExtension);

    private static string CreateTemporaryPath(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return $"{path}.{Guid.NewGuid():N}{TemporaryFileExtension}";
    }

    private static bool IsCancellation(Exception exception, CancellationToken cancellationToken) =>
        exception is OperationCanceledException && cancellationToken.IsCancellationRequested;

    private static FileStream? TryOpenForRead(string path)
    {
        // A grain that never had a snapshot is the common case (every new grain, and every grain in Journal mode, which
        // looks for a Full snapshot to adopt): one stat instead of a thrown and caught exception.
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            // FileShare.Delete lets a writer rename a new snapshot over this one while it is being read (Windows).
            return new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read | FileShare.Delete,
                BufferSize = FileBufferSize,
                Options = FileOptions.SequentialScan,
            });
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private static async Task<LocalFileSnapshotHeader> ReadHeaderAsync(FileStream file, CancellationToken cancellationToken)
    {
        var bytes = new byte[LocalFileSnapshotHeader.Size];
        var read = await file.ReadAtLeastAsync(bytes, bytes.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return LocalFileSnapshotHeader.Read(bytes.AsSpan(0, read), file.Length);
    }

    private static string? ReadStoredETag(string path)
    {
        using var file = TryOpenForRead(path);
        if (file is null)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[LocalFileSnapshotHeader.Size];
        var read = file.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        return LocalFileSnapshotHeader.Read(bytes[..read], file.Length).ETagString;
    }

    private static async Task VerifyPayloadAsync(FileStream file, LocalFileSnapshotHeader header, CancellationToken cancellationToken)
    {
        file.Position = LocalFileSnapshotHeader.Size;
        var hash = new XxHash3();
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(HashBufferSize, Math.Max(1, header.PayloadLength)));
        try
        {
            var remaining = header.PayloadLength;
            while (remaining > 0)
            {
                var chunk = buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining));
                await file.ReadExactlyAsync(chunk, cancellationToken).ConfigureAwait(false);
                hash.Append(chunk.Span);
                remaining -= chunk.Length;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        ThrowIfHashMismatch(header, hash.GetCurrentHashAsUInt64());
    }

    private static async Task<byte[]> ReadPayloadAsync(FileStream file, LocalFileSnapshotHeader header, CancellationToken cancellationToken)
    {
        if (header.PayloadLength > Array.MaxLength)
        {
            throw new InvalidDataException(
                $"The payload is {header.PayloadLength} bytes, more than one array can hold; use a serializer that implements {nameof(IGrainStorageStreamingSerializer)}.");
        }

        // Not pooled: the serializer may keep a reference to the bytes it is given.
        var bytes = GC.AllocateUninitializedArray<byte>((int)header.PayloadLength);
        file.Position = LocalFileSnapshotHeader.Size;
        await file.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        ThrowIfHashMismatch(header, XxHash3.HashToUInt64(bytes));
        return bytes;
    }

    private static void ThrowIfHashMismatch(LocalFileSnapshotHeader header, ulong actual)
    {
        if (actual != header.PayloadHash)
        {
            throw new InvalidDataException(
                $"The payload checksum does not match (stored 0x{header.PayloadHash:X16}, computed 0x{actual:X16}): the {header.PayloadLength}-byte payload is damaged.");
        }
    }

    private async Task<long> WriteFileAsync<T>(string path, Guid eTag, T? state, bool isTombstone, CancellationToken cancellationToken)
    {
        var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = FileBufferSize,
        });
        await using (file.ConfigureAwait(false))
        {
            var header = new byte[LocalFileSnapshotHeader.Size];
            await file.WriteAsync(header, cancellationToken).ConfigureAwait(false);

            long payloadLength = 0;
            var payloadHash = XxHash3.HashToUInt64([]);
            if (isTombstone)
            {
                // A tombstone carries only its ETag.
            }
            else if (_serializer is IGrainStorageStreamingSerializer streaming)
            {
                var payload = new PayloadWriteStream(file);
                await using (payload.ConfigureAwait(false))
                {
                    await streaming.SerializeAsync(state, payload, cancellationToken).ConfigureAwait(false);
                }

                payloadLength = payload.PayloadLength;
                payloadHash = payload.PayloadHash;
            }
            else
            {
                var bytes = _serializer.Serialize(state).ToMemory();
                await file.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                payloadLength = bytes.Length;
                payloadHash = XxHash3.HashToUInt64(bytes.Span);
            }

            new LocalFileSnapshotHeader(eTag, isTombstone, payloadLength, payloadHash).Write(header);
            file.Position = 0;
            await file.WriteAsync(header, cancellationToken).ConfigureAwait(false);
            file.Flush(flushToDisk: _options.FlushToDisk);
            return payloadLength;
        }
    }

    /// <summary>
    /// With <see cref="LocalFileGrainStorageOptions.FlushToDisk"/>, makes the entry of <paramref name="path"/> (written,
    /// renamed or deleted) durable: syncs its directory, and the parent of every directory between it and the provider's
    /// directory (included) that this instance has not synced yet, such as one the write created.
    /// </summary>
    private void SyncDirectoriesOf(string path)
    {
        if (!_options.FlushToDisk || !NativeFileSync.DirectoriesNeedSync)
        {
            return;
        }

        var directory = Path.GetDirectoryName(path)!;
        var parents = new List<string>();
        for (var current = directory; !_durableDirectories.ContainsKey(current); current = Path.GetDirectoryName(current)!)
        {
            parents.Add(current);
            if (current.Length <= _providerDirectory.Length)
            {
                break;
            }
        }

        SyncDirectories([directory, .. parents.Select(current => Path.GetDirectoryName(current)!)]);
        foreach (var current in parents)
        {
            _durableDirectories.TryAdd(current, true);
        }
    }

    private void SyncDirectories(IEnumerable<string> directories)
    {
        if (!_options.FlushToDisk || !NativeFileSync.DirectoriesNeedSync)
        {
            return;
        }

        foreach (var directory in directories)
        {
            using (var handle = NativeFileSync.OpenDirectory(directory))
            {
                NativeFileSync.SyncDirectory(handle, directory);
            }

            DirectorySynced?.Invoke(directory);
        }
    }

    private async Task<LocalFileLocks.Held> AcquireLockAsync(string stateName, GrainId grainId, CancellationToken cancellationToken) =>
        await LocalFileLocks.AcquireAsync(GetLockFilePath(stateName, grainId), _options.LockTimeout, cancellationToken).ConfigureAwait(false);

    private void ThrowIfConflict(string operation, string? storedETag, string? currentETag, string stateName, GrainId grainId, string path)
    {
        var current = string.IsNullOrEmpty(currentETag) ? null : currentETag;
        if (string.Equals(storedETag, current, StringComparison.Ordinal))
        {
            return;
        }

        throw new InconsistentStateException(
            $"Version conflict ({operation}): provider '{_name}', state '{stateName}', grain type '{grainId.Type}', grain {grainId}, file '{path}': "
                + $"the stored ETag is {storedETag ?? "<none: no stored record>"}, the grain's ETag is {current ?? "<none>"}.",
            storedETag,
            current);
    }

    private void SetNoRecord<T>(IGrainState<T> grainState, string? eTag)
    {
        grainState.State = CreateInstance<T>();
        grainState.ETag = eTag;
        grainState.RecordExists = false;
    }

    private T CreateInstance<T>() => _activatorProvider.GetActivator<T>().Create();

    private LocalFileStorageException Failure(string operation, string stateName, GrainId grainId, string path, Exception exception) =>
        new(
            $"Local file grain storage '{_name}' failed to {operation} state '{stateName}' of grain type '{grainId.Type}', grain {grainId}, file '{path}': "
                + $"{exception.GetType().Name}: {exception.Message}",
            exception);

    private void DeleteTemporaryFile(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            LogWarningTemporaryFileNotDeleted(exception, _name, path);
        }
    }

    private Task InitAsync(CancellationToken cancellationToken)
    {
        try
        {
            var created = new List<string>();
            for (var missing = _providerDirectory; missing is not null && !Directory.Exists(missing); missing = Path.GetDirectoryName(missing))
            {
                created.Add(missing);
            }

            Directory.CreateDirectory(Path.Combine(_providerDirectory, LocalFileLocks.LockDirectoryName));

            // The directories above the provider's that this start created: their names too must survive a power loss.
            SyncDirectories(created.Skip(1).Select(directory => Path.GetDirectoryName(directory)!));
            LogInformationInitialized(_name, _providerDirectory, _serializer.GetType().FullName, _serializer is IGrainStorageStreamingSerializer);
            return Task.CompletedTask;
        }
        catch (Exception exception)
        {
            LogErrorInitFailed(exception, _name, _providerDirectory);
            throw new LocalFileStorageException(
                $"Local file grain storage '{_name}' cannot use directory '{_providerDirectory}': {exception.GetType().Name}: {exception.Message}",
                exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Local file grain storage {Name} keeps its files in {Directory} (serializer {Serializer}, streaming: {Streaming})")]
    private partial void LogInformationInitialized(string name, string directory, string? serializer, bool streaming);

    [LoggerMessage(Level = LogLevel.Error, Message = "Local file grain storage {Name} cannot use directory {Directory}")]
    private partial void LogErrorInitFailed(Exception exception, string name, string directory);

    [LoggerMessage(Level = LogLevel.Trace, Message = "{Name}: no stored state {StateName} for grain {GrainId} at {Path}")]
    private partial void LogTraceNoRecord(string name, string stateName, GrainId grainId, string path);

    [LoggerMessage(Level = LogLevel.Trace, Message = "{Name}: read state {StateName} of grain {GrainId} from {Path} ({Length} bytes, ETag {ETag})")]
    private partial void LogTraceRead(string name, string stateName, GrainId grainId, string path, long length, string? eTag);

    [LoggerMessage(Level = LogLevel.Trace, Message = "{Name}: wrote state {StateName} of grain {GrainId} to {Path} ({Length} bytes, ETag {ETag})")]
    private partial void LogTraceWritten(string name, string stateName, GrainId grainId, string path, long length, string? eTag);

    [LoggerMessage(Level = LogLevel.Trace, Message = "{Name}: cleared state {StateName} of grain {GrainId} at {Path} (deleted: {Deleted})")]
    private partial void LogTraceCleared(string name, string stateName, GrainId grainId, string path, bool deleted);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Name}: ETag conflict on state {StateName} of grain {GrainId} at {Path}")]
    private partial void LogDebugConflict(Exception exception, string name, string stateName, GrainId grainId, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Name}: failed to read state {StateName} of grain {GrainId} from {Path}")]
    private partial void LogErrorReadFailed(Exception exception, string name, string stateName, GrainId grainId, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Name}: failed to write state {StateName} of grain {GrainId} to {Path}")]
    private partial void LogErrorWriteFailed(Exception exception, string name, string stateName, GrainId grainId, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Name}: failed to clear state {StateName} of grain {GrainId} at {Path}")]
    private partial void LogErrorClearFailed(Exception exception, string name, string stateName, GrainId grainId, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name}: could not delete the temporary file {Path}; it is ignored by reads and can be deleted by hand")]
    private partial void LogWarningTemporaryFileNotDeleted(Exception exception, string name, string path);
}
