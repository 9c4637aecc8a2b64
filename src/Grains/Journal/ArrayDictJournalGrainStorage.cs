using System.Collections.Concurrent;
using ArrayDictOrleans.Grains.Persistence;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace ArrayDictOrleans.Grains.Journal;

/// <summary>
/// Grain storage for <see cref="ArrayDictState"/> that keeps a base snapshot plus a journal of delta records in an
/// <see cref="IArrayDictJournalStore"/> (see docs/journal.md). A write appends one record holding the rows the
/// state's <see cref="ArrayDictState.PendingDelta"/> names, the removed keys and the epoch; it writes a new base
/// instead when nothing is stored, when the delta is "everything" or not tracked, when the stored position is not the
/// one this storage last read or wrote for the grain, after a torn record, or when the journal passes the compaction
/// threshold. A read replays the journal over the base. The ETag is the stored <see cref="JournalPosition"/>; what this
/// storage knows of each active grain's journal (its position, sizes, record count) stays here, and is forgotten, with
/// the store's hold on the grain, when the activation ends.
/// </summary>
public sealed partial class ArrayDictJournalGrainStorage : IGrainStorage, IDisposable
{
    private readonly string _name;
    private readonly IArrayDictJournalStore _store;
    private readonly ArrayDictJournalOptions _options;
    private readonly ArrayDictStateSerializer _serializer;
    private readonly ILogger _logger;
    private readonly IGrainContextAccessor? _grainContexts;
    private readonly ConcurrentDictionary<GrainId, JournalCursor> _cursors = new();

    // The activation that read each grain last: only its end releases the grain (a newer activation may have read it since).
    private readonly ConcurrentDictionary<GrainId, object> _readers = new();

    /// <summary>Initializes a new instance of the <see cref="ArrayDictJournalGrainStorage"/> class.</summary>
    /// <param name="name">The provider's name.</param>
    /// <param name="store">The backend; disposed with this storage when it is disposable.</param>
    /// <param name="options">When to compact.</param>
    /// <param name="serializer">Encodes the epoch metadata and reads base snapshots.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="grainContexts">Tells which activation reads a grain, to release the grain when it deactivates; null outside a silo.</param>
    /// <exception cref="OrleansConfigurationException">The compaction options are invalid.</exception>
    public ArrayDictJournalGrainStorage(
        string name,
        IArrayDictJournalStore store,
        ArrayDictJournalOptions options,
        ArrayDictStateSerializer serializer,
        ILogger<ArrayDictJournalGrainStorage> logger,
        IGrainContextAccessor? grainContexts = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentNullException.ThrowIfNull(logger);
        new ArrayDictJournalOptionsValidator(options, name).ValidateCompaction();
        _name = name;
        _store = store;
        _options = options;
        _serializer = serializer;
        _logger = logger;
        _grainContexts = grainContexts;
    }

    /// <summary>Gets the backend (tests reach its hooks through it).</summary>
    internal IArrayDictJournalStore Store => _store;

    /// <summary>Gets the number of bytes the last successful write of this instance sent to the store (a record or a base).</summary>
    public long LastWriteBytes { get; private set; }

    /// <summary>Gets whether the last successful write of this instance was a base snapshot (else a journal record).</summary>
    public bool LastWriteWasBase { get; private set; }

    /// <summary>Gets the storage key of a grain's state: escaped state name, grain type and grain key.</summary>
    /// <param name="stateName">The state name.</param>
    /// <param name="grainId">The grain.</param>
    /// <returns>A relative path.</returns>
    public static string GetKey(string stateName, GrainId grainId) =>
        Path.Combine(LocalFileNames.Escape(stateName), LocalFileNames.Escape(grainId.Type.ToString()!), LocalFileNames.Escape(grainId.Key.ToString()!));

    /// <summary>What this storage knows of the journal of <paramref name="grainId"/>, or null when it knows nothing (tests).</summary>
    internal JournalCursor? GetCursor(GrainId grainId) => _cursors.TryGetValue(grainId, out var cursor) ? cursor : null;

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = GetKey(stateName, grainId);
        ReleaseWhenDeactivated(grainId, key);
        try
        {
            var contents = await _store.ReadAsync(key, CancellationToken.None).ConfigureAwait(false);
            if (contents is null)
            {
                _cursors.TryRemove(grainId, out _);
                grainState.State = (T)(object)new ArrayDictState(trackChanges: true);
                grainState.ETag = null;
                grainState.RecordExists = false;
                return;
            }

            var (state, cursor) = Recover(contents, grainId);
            _cursors[grainId] = cursor;
            grainState.State = (T)(object)state;
            grainState.ETag = contents.Position.ToString();
            grainState.RecordExists = true;
        }
        catch (Exception exception)
        {
            _cursors.TryRemove(grainId, out _);
            LogReadFailed(exception, _name, grainId);
            throw Failure("read", grainId, exception);
        }
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = GetKey(stateName, grainId);
        var expected = ExpectedPosition(grainState.ETag, grainId);

        try
        {
            var state = State(grainState.State, grainId);
            var metadata = _serializer.EncodeMetadata(state);
            var cursor = _cursors.TryGetValue(grainId, out var known) && expected is { } position && known.Position == position && !known.NeedsBase
                ? known
                : null;
            var delta = state.PendingDelta;
            byte[]? record = cursor is null || delta is null || delta.IsEverything ? null : BuildRecord(state, delta, metadata);
            if (record is not null && cursor is not null && !WithinThreshold(cursor, record.Length))
            {
                record = null;
            }

            JournalCursor written;
            if (record is not null && cursor is not null)
            {
                await _store.AppendAsync(key, cursor.Position, record, CancellationToken.None).ConfigureAwait(false);
                written = cursor with
                {
                    Position = cursor.Position with { JournalLength = cursor.Position.JournalLength + record.Length },
                    ValidJournalBytes = cursor.ValidJournalBytes + record.Length,
                    Records = cursor.Records + 1,
                };
                Written(record.Length, isBase: false);
            }
            else
            {
                var snapshot = ArrayDictSnapshot.ToArray(state.Dict, metadata);
                long generation = expected is { } old ? old.Generation + 1 : NewGeneration();
                await _store.WriteBaseAsync(key, expected, generation, snapshot, CancellationToken.None).ConfigureAwait(false);
                written = new JournalCursor(new JournalPosition(generation, 0), snapshot.Length, 0, 0, NeedsBase: false);
                Written(snapshot.Length, isBase: true);
                LogBaseWritten(_name, grainId, generation, snapshot.Length);
            }

            _cursors[grainId] = written;
            grainState.ETag = written.Position.ToString();
            grainState.RecordExists = true;
        }
        catch (InconsistentStateException exception)
        {
            _cursors.TryRemove(grainId, out _);
            LogConflict(exception, _name, grainId);
            throw;
        }
        catch (Exception exception)
        {
            _cursors.TryRemove(grainId, out _);
            LogWriteFailed(exception, _name, grainId);
            throw Failure("write", grainId, exception);
        }
    }

    /// <summary>Releases what the store holds for every grain (leases, open files).</summary>
    public void Dispose() => (_store as IDisposable)?.Dispose();

    /// <summary>The stored position a write or clear expects: none for a new record, else the one its ETag names.</summary>
    private JournalPosition? ExpectedPosition(string? etag, GrainId grainId)
    {
        if (string.IsNullOrEmpty(etag))
        {
            return null;
        }

        return JournalPosition.TryParse(etag, out var position)
            ? position
            : throw new InconsistentStateException($"Journal storage '{_name}', grain {grainId}: the ETag '{etag}' is not a journal position.", null, etag);
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = GetKey(stateName, grainId);
        var expected = ExpectedPosition(grainState.ETag, grainId);

        try
        {
            _cursors.TryRemove(grainId, out _);
            await _store.DeleteAsync(key, expected, CancellationToken.None).ConfigureAwait(false);
            grainState.State = (T)(object)new ArrayDictState(trackChanges: true);
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
        catch (InconsistentStateException exception)
        {
            LogConflict(exception, _name, grainId);
            throw;
        }
        catch (Exception exception)
        {
            LogWriteFailed(exception, _name, grainId);
            throw Failure("clear", grainId, exception);
        }
    }

    /// <summary>A generation for a grain's first base: time-based, so that a grain cleared and written again never reuses a position (no ABA for stale writers).</summary>
    private static long NewGeneration() => Math.Max(1, DateTime.UtcNow.Ticks);

    private static ArrayDictState State<T>(T state, GrainId grainId) =>
        state as ArrayDictState
            ?? throw new NotSupportedException($"The journal storage keeps ArrayDict states only; grain {grainId} has a {typeof(T).FullName}.");

    private static byte[]? BuildRecord(ArrayDictState state, ArrayDictPendingDelta delta, byte[] metadata)
    {
        var changed = new HashSet<long>();
        var removed = new HashSet<long>();
        delta.Merge(changed, removed);
        changed.RemoveWhere(key =>
        {
            if (state.Dict.ContainsKey(key))
            {
                return false;
            }

            removed.Add(key);
            return true;
        });
        removed.RemoveWhere(state.Dict.ContainsKey);
        long size = ArrayDictJournalRecord.GetSize(changed.Count, state.Dict.Width, removed.Count, metadata.Length);
        return size > int.MaxValue / 2 ? null : ArrayDictJournalRecord.Build(state.Dict, changed, removed, metadata);
    }

    private bool WithinThreshold(JournalCursor cursor, long recordBytes)
    {
        long after = cursor.ValidJournalBytes + recordBytes;
        if (cursor.Records + 1 > _options.MaxRecords)
        {
            return false;
        }

        return after <= _options.CompactionMinBytes || after <= _options.CompactionRatio * cursor.BaseBytes;
    }

    private (ArrayDictState State, JournalCursor Cursor) Recover(JournalStoreContents contents, GrainId grainId)
    {
        var snapshot = ArrayDictSnapshot.ReadWithMetadata(new System.Buffers.ReadOnlySequence<byte>(contents.Base));
        var state = new ArrayDictState(trackChanges: true) { Dict = snapshot.Dict };
        _serializer.DecodeMetadata(snapshot.Metadata, state);
        var journal = contents.Journal.Span;
        long offset = 0;
        int records = 0;
        bool torn = false;
        while (offset < journal.Length)
        {
            var rest = journal[(int)offset..];
            var check = ArrayDictJournalRecord.Check(rest, out long length, out string? problem);
            if (check == ArrayDictJournalRecord.RecordCheck.Valid)
            {
                var metadata = ArrayDictJournalRecord.Apply(rest[..(int)length], state.Dict);
                _serializer.DecodeMetadata(metadata.ToArray(), state);
                offset += length;
                records++;
                continue;
            }

            bool last = check == ArrayDictJournalRecord.RecordCheck.Truncated
                || (check == ArrayDictJournalRecord.RecordCheck.BadChecksum && RecordEndsJournal(rest))
                || (check == ArrayDictJournalRecord.RecordCheck.Damaged && !ArrayDictJournalRecord.AnyValidRecordIn(rest[1..]));
            if (!last)
            {
                throw new SnapshotFormatException(
                    $"Journal record {records + 1} of generation {contents.Generation} at byte {offset} is damaged ({problem}) and is not the last thing in the journal: the stored state cannot be recovered without losing returned calls.");
            }

            LogTornRecord(_name, grainId, contents.Generation, offset, journal.Length - offset, problem ?? "torn");
            torn = true;
            break;
        }

        return (state, new JournalCursor(contents.Position, contents.Base.Length, offset, records, NeedsBase: torn));
    }

    /// <summary>When the activation that is reading <paramref name="grainId"/> ends, forget the grain and let the store release it.</summary>
    private void ReleaseWhenDeactivated(GrainId grainId, string key)
    {
        if (_grainContexts?.GrainContext is not { } context || context.GrainId != grainId)
        {
            return;
        }

        var reader = new object();
        _readers[grainId] = reader;
        context.Deactivated.ContinueWith(
            _ => ReleaseAsync(grainId, key, reader),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task ReleaseAsync(GrainId grainId, string key, object reader)
    {
        if (!_readers.TryRemove(new KeyValuePair<GrainId, object>(grainId, reader)))
        {
            return;
        }

        _cursors.TryRemove(grainId, out _);
        try
        {
            await _store.ReleaseAsync(key).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            LogReleaseFailed(exception, _name, grainId);
        }
    }

    private void Written(long bytes, bool isBase)
    {
        LastWriteBytes = bytes;
        LastWriteWasBase = isBase;
        ArrayDictMetrics.SnapshotBytes.Add(bytes, new KeyValuePair<string, object?>("kind", isBase ? "base" : "record"));
    }

    private static bool RecordEndsJournal(ReadOnlySpan<byte> rest) =>
        rest.Length >= ArrayDictJournalRecord.HeaderSize
        && System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(rest[8..]) == rest.Length;

    private ArrayDictJournalStorageException Failure(string operation, GrainId grainId, Exception exception) =>
        new($"Journal storage '{_name}' failed to {operation} the ArrayDict state of grain {grainId}: {exception.GetType().Name}: {exception.Message}", exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Name}: failed to read the journal of grain {GrainId}")]
    private partial void LogReadFailed(Exception exception, string name, GrainId grainId);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Name}: failed to write the journal of grain {GrainId}")]
    private partial void LogWriteFailed(Exception exception, string name, GrainId grainId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name}: could not release grain {GrainId} after its deactivation; its lease ends with the process")]
    private partial void LogReleaseFailed(Exception exception, string name, GrainId grainId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Name}: ETag conflict on the journal of grain {GrainId}")]
    private partial void LogConflict(Exception exception, string name, GrainId grainId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Name}: grain {GrainId} wrote base generation {Generation} ({Bytes} bytes)")]
    private partial void LogBaseWritten(string name, GrainId grainId, long generation, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name}: grain {GrainId}, generation {Generation}: dropped a torn last record at byte {Offset} ({Bytes} bytes: {Problem}); the next write starts a new base")]
    private partial void LogTornRecord(string name, GrainId grainId, long generation, long offset, long bytes, string problem);
}
