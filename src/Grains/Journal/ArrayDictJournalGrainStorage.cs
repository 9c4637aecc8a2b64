using ArrayDictOrleans.Grains.Persistence;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace ArrayDictOrleans.Grains.Journal;

/// <summary>
/// Grain storage for <see cref="ArrayDictState"/> that keeps a base snapshot plus a journal of delta records in an
/// <see cref="IArrayDictJournalStore"/> (see docs/journal.md). A write appends one record holding the rows the
/// state's <see cref="ArrayDictState.PendingDelta"/> names, the removed keys and the epoch; it writes a new base
/// instead when nothing is stored, when the delta is "everything", when the stored form is not the one this state
/// was read from, after a torn record, or when the journal passes the compaction threshold. A read replays the
/// journal over the base. The ETag is the stored <see cref="JournalPosition"/>.
/// </summary>
public sealed partial class ArrayDictJournalGrainStorage : IGrainStorage
{
    private readonly string _name;
    private readonly IArrayDictJournalStore _store;
    private readonly ArrayDictJournalOptions _options;
    private readonly ArrayDictStateSerializer _serializer;
    private readonly ILogger _logger;

    /// <summary>Initializes a new instance of the <see cref="ArrayDictJournalGrainStorage"/> class.</summary>
    /// <param name="name">The provider's name.</param>
    /// <param name="store">The backend.</param>
    /// <param name="options">When to compact.</param>
    /// <param name="serializer">Encodes the epoch metadata and reads base snapshots.</param>
    /// <param name="logger">The logger.</param>
    public ArrayDictJournalGrainStorage(string name, IArrayDictJournalStore store, ArrayDictJournalOptions options, ArrayDictStateSerializer serializer, ILogger<ArrayDictJournalGrainStorage> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serializer);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate(name);
        _name = name;
        _store = store;
        _options = options;
        _serializer = serializer;
        _logger = logger;
    }

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

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = GetKey(stateName, grainId);
        try
        {
            var contents = await _store.ReadAsync(key, CancellationToken.None).ConfigureAwait(false);
            if (contents is null)
            {
                grainState.State = (T)(object)new ArrayDictState();
                grainState.ETag = null;
                grainState.RecordExists = false;
                return;
            }

            var state = Recover(contents, grainId);
            grainState.State = (T)(object)state;
            grainState.ETag = contents.Position.ToString();
            grainState.RecordExists = true;
        }
        catch (Exception exception)
        {
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
            var cursor = state.Journal is { } known && expected is { } position && known.Position == position && ReferenceEquals(known.Dict, state.Dict) && !known.NeedsBase
                ? known
                : null;
            byte[]? record = cursor is null || state.PendingDelta.IsEverything ? null : BuildRecord(state, metadata);
            if (record is not null && cursor is not null && !WithinThreshold(cursor, record.Length))
            {
                record = null;
            }

            if (record is not null && cursor is not null)
            {
                await _store.AppendAsync(key, cursor.Position, record, CancellationToken.None).ConfigureAwait(false);
                state.Journal = cursor with
                {
                    Position = cursor.Position with { JournalLength = cursor.Position.JournalLength + record.Length },
                    ValidJournalBytes = cursor.ValidJournalBytes + record.Length,
                    Records = cursor.Records + 1,
                };
                LastWriteBytes = record.Length;
                state.LastWrittenBytes = record.Length;
                LastWriteWasBase = false;
            }
            else
            {
                var snapshot = ArrayDictSnapshot.ToArray(state.Dict, metadata);
                long generation = expected is { } old ? old.Generation + 1 : NewGeneration();
                await _store.WriteBaseAsync(key, expected, generation, snapshot, CancellationToken.None).ConfigureAwait(false);
                state.Journal = new JournalCursor(new JournalPosition(generation, 0), state.Dict, snapshot.Length, 0, 0, NeedsBase: false);
                LastWriteBytes = snapshot.Length;
                state.LastWrittenBytes = snapshot.Length;
                LastWriteWasBase = true;
                LogBaseWritten(_name, grainId, generation, snapshot.Length);
            }

            state.PendingDelta.Reset();
            grainState.ETag = state.Journal.Position.ToString();
            grainState.RecordExists = true;
        }
        catch (InconsistentStateException exception)
        {
            LogConflict(exception, _name, grainId);
            throw;
        }
        catch (Exception exception)
        {
            LogWriteFailed(exception, _name, grainId);
            throw Failure("write", grainId, exception);
        }
    }

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
            await _store.DeleteAsync(key, expected, CancellationToken.None).ConfigureAwait(false);
            grainState.State = (T)(object)new ArrayDictState();
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

    private byte[]? BuildRecord(ArrayDictState state, byte[] metadata)
    {
        var changed = new HashSet<long>();
        var removed = new HashSet<long>();
        state.PendingDelta.Merge(changed, removed);
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

    private ArrayDictState Recover(JournalStoreContents contents, GrainId grainId)
    {
        var snapshot = ArrayDictSnapshot.ReadWithMetadata(new System.Buffers.ReadOnlySequence<byte>(contents.Base));
        var state = new ArrayDictState { Dict = snapshot.Dict };
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

        state.Journal = new JournalCursor(contents.Position, state.Dict, contents.Base.Length, offset, records, NeedsBase: torn);
        return state;
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Name}: ETag conflict on the journal of grain {GrainId}")]
    private partial void LogConflict(Exception exception, string name, GrainId grainId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Name}: grain {GrainId} wrote base generation {Generation} ({Bytes} bytes)")]
    private partial void LogBaseWritten(string name, GrainId grainId, long generation, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name}: grain {GrainId}, generation {Generation}: dropped a torn last record at byte {Offset} ({Bytes} bytes: {Problem}); the next write starts a new base")]
    private partial void LogTornRecord(string name, GrainId grainId, long generation, long offset, long bytes, string problem);
}
