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
/// <remarks>
/// Given the Full-mode provider of the same data (<c>fullSnapshots</c>), a read also looks for a Full snapshot and,
/// when it is the current form, returns it; the grain's first write then stores it as a base that names the snapshot's
/// ETag, and only after that removes the snapshot (docs/journal.md, "Switching modes").
/// </remarks>
public sealed partial class ArrayDictJournalGrainStorage : IGrainStorage, IDisposable, IForcedClearStorage
{
    private readonly string _name;
    private readonly IArrayDictJournalStore _store;
    private readonly ArrayDictJournalOptions _options;
    private readonly ArrayDictStateSerializer _serializer;
    private readonly ILogger _logger;
    private readonly IGrainContextAccessor? _grainContexts;
    private readonly IGrainStorage? _fullSnapshots;
    private readonly IFullSnapshotEraser? _fullSnapshotEraser;
    private readonly ConcurrentDictionary<GrainId, KnownGrain> _known = new();

    // The activation that read each grain last: only its end releases the grain (a newer activation may have read it since).
    private readonly ConcurrentDictionary<GrainId, object> _readers = new();

    /// <summary>Initializes a new instance of the <see cref="ArrayDictJournalGrainStorage"/> class.</summary>
    /// <param name="name">The provider's name.</param>
    /// <param name="store">The backend; disposed with this storage when it is disposable.</param>
    /// <param name="options">When to compact.</param>
    /// <param name="serializer">Encodes the epoch metadata and reads base snapshots.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="grainContexts">Tells which activation reads a grain, to release the grain when it deactivates; null outside a silo.</param>
    /// <param name="fullSnapshots">
    /// The Full-mode provider of the same data, whose snapshots this storage reads and adopts (a switch from Full to
    /// Journal), or null for none. Its clear must delete (as with <c>DeleteStateOnClear</c>), never leave a tombstone.
    /// </param>
    /// <exception cref="OrleansConfigurationException">The compaction options are invalid.</exception>
    public ArrayDictJournalGrainStorage(
        string name,
        IArrayDictJournalStore store,
        ArrayDictJournalOptions options,
        ArrayDictStateSerializer serializer,
        ILogger<ArrayDictJournalGrainStorage> logger,
        IGrainContextAccessor? grainContexts = null,
        IGrainStorage? fullSnapshots = null)
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
        _fullSnapshots = fullSnapshots;
        _fullSnapshotEraser = fullSnapshots as IFullSnapshotEraser;
    }

    /// <summary>Initializes a new instance of the <see cref="ArrayDictJournalGrainStorage"/> class, with the way to erase Full snapshots for a forced clear.</summary>
    /// <param name="name">The provider's name.</param>
    /// <param name="store">The backend.</param>
    /// <param name="options">When to compact.</param>
    /// <param name="serializer">Encodes the epoch metadata and reads base snapshots.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="grainContexts">Tells which activation reads a grain; null outside a silo.</param>
    /// <param name="fullSnapshots">The Full-mode provider of the same data, or null.</param>
    /// <param name="fullSnapshotEraser">Replaces and deletes its snapshots whatever they hold; null when <paramref name="fullSnapshots"/> does it itself.</param>
    internal ArrayDictJournalGrainStorage(
        string name,
        IArrayDictJournalStore store,
        ArrayDictJournalOptions options,
        ArrayDictStateSerializer serializer,
        ILogger<ArrayDictJournalGrainStorage> logger,
        IGrainContextAccessor? grainContexts,
        IGrainStorage? fullSnapshots,
        IFullSnapshotEraser? fullSnapshotEraser)
        : this(name, store, options, serializer, logger, grainContexts, fullSnapshots)
    {
        _fullSnapshotEraser = fullSnapshotEraser ?? _fullSnapshotEraser;
    }

    /// <summary>A test hook called between the steps of a clear, by name; throwing from it simulates a crash there.</summary>
    internal Action<string>? FaultPoint { get; set; }

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
    internal JournalCursor? GetCursor(GrainId grainId) => _known.TryGetValue(grainId, out var known) ? known.Cursor : null;

    /// <summary>Forgets what this storage knows of the journal of <paramref name="grainId"/>, as a failed write does (tests imitate a lost answer with it).</summary>
    internal void Forget(GrainId grainId) => _known.TryRemove(grainId, out _);

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = GetKey(stateName, grainId);
        ReleaseWhenDeactivated(grainId, key);
        try
        {
            // The other mode's snapshot is looked for at the same time: one stat or one request for a grain without one.
            var journalRead = _store.ReadAsync(key, CancellationToken.None);
            var fullRead = _fullSnapshots is null ? Task.FromResult<FullSnapshot?>(null) : ReadFullSnapshotAsync(stateName, grainId);
            await Task.WhenAll(journalRead, fullRead).ConfigureAwait(false);
            var contents = await journalRead.ConfigureAwait(false);
            var full = await fullRead.ConfigureAwait(false);
            if (contents is null && full is null)
            {
                _known.TryRemove(grainId, out _);
                grainState.State = (T)(object)new ArrayDictState(trackChanges: true);
                grainState.ETag = null;
                grainState.RecordExists = false;
                return;
            }

            var stored = contents is null ? null : ReadBase(contents, trackChanges: true);
            if (full is not null && (stored is null || stored.AdoptedFullETag != full.ETag))
            {
                // The Full snapshot is the current form: the first write adopts it (and replaces any older journal).
                _known.TryRemove(grainId, out _);
                grainState.State = (T)(object)new ArrayDictState(trackChanges: true)
                {
                    Dict = full.State.Dict,
                    LastEpoch = full.State.LastEpoch,
                    LastResult = full.State.LastResult,
                };
                grainState.ETag = new ModeMigrationETag(JournalIsCurrent: false, contents?.Position, full.ETag).ToString();
                grainState.RecordExists = full.RecordExists;
                LogFullSnapshotRead(_name, grainId, full.ETag, contents?.Position.ToString() ?? "none");
                return;
            }

            var cursor = Replay(contents!, stored!.State, grainId);
            _known[grainId] = new KnownGrain(stateName, key, cursor);
            grainState.State = (T)(object)stored.State;
            grainState.RecordExists = true;
            if (full is null)
            {
                grainState.ETag = contents!.Position.ToString();
                return;
            }

            // The journal adopted exactly this Full snapshot, whose removal was interrupted: the first write or clear finishes it.
            grainState.ETag = new ModeMigrationETag(JournalIsCurrent: true, contents!.Position, full.ETag).ToString();
            LogAdoptedSnapshotLeft(_name, grainId, full.ETag);
        }
        catch (Exception exception)
        {
            _known.TryRemove(grainId, out _);
            LogReadFailed(exception, _name, grainId);
            throw Failure("read", grainId, exception);
        }
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (ModeMigrationETag.IsOne(grainState.ETag))
        {
            await WriteAfterSwitchAsync(stateName, grainId, grainState).ConfigureAwait(false);
            return;
        }

        var known = _known.TryGetValue(grainId, out var grain) && grain.StateName == stateName ? grain : null;
        var key = known?.Key ?? GetKey(stateName, grainId);
        var expected = ExpectedPosition(grainState.ETag, grainId);

        try
        {
            var state = State(grainState.State, grainId);
            var metadata = _serializer.EncodeMetadata(state);
            var cursor = known?.Cursor is { } last && expected is { } position && last.Position == position && !last.NeedsBase
                ? last
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
                known!.Cursor = written;
            }
            else
            {
                var snapshot = ArrayDictSnapshot.ToArray(state.Dict, metadata);
                long generation = expected is { } old ? old.Generation + 1 : NewGeneration();
                await _store.WriteBaseAsync(key, expected, generation, snapshot, CancellationToken.None).ConfigureAwait(false);
                written = new JournalCursor(new JournalPosition(generation, 0), snapshot.Length, 0, 0, NeedsBase: false);
                Written(snapshot.Length, isBase: true);
                LogBaseWritten(_name, grainId, generation, snapshot.Length);
                _known[grainId] = new KnownGrain(stateName, key, written);
            }

            grainState.ETag = written.Position.ToString();
            grainState.RecordExists = true;
        }
        catch (InconsistentStateException exception)
        {
            _known.TryRemove(grainId, out _);
            LogConflict(exception, _name, grainId);
            throw;
        }
        catch (Exception exception)
        {
            _known.TryRemove(grainId, out _);
            LogWriteFailed(exception, _name, grainId);
            throw Failure("write", grainId, exception);
        }
    }

    /// <summary>
    /// For the Full-mode storage: the grain's journal, if it has one, with its base read but not yet replayed. A local
    /// grain that never had a journal costs one stat (no lease); one that has one is held as a read of this storage holds it.
    /// </summary>
    /// <param name="stateName">The state name.</param>
    /// <param name="grainId">The grain.</param>
    /// <returns>The journal, or null.</returns>
    internal async Task<StoredJournal?> ReadJournalAsync(string stateName, GrainId grainId)
    {
        var key = GetKey(stateName, grainId);
        if (_store is LocalFileJournalStore local && !local.MayHold(key))
        {
            return null;
        }

        ReleaseWhenDeactivated(grainId, key);
        try
        {
            var contents = await _store.ReadAsync(key, CancellationToken.None).ConfigureAwait(false);
            return contents is null ? null : ReadBase(contents, trackChanges: false);
        }
        catch (Exception exception)
        {
            LogReadFailed(exception, _name, grainId);
            throw Failure("read", grainId, exception);
        }
    }

    /// <summary>For the Full-mode storage: the state <paramref name="journal"/> holds, its records replayed over its base.</summary>
    /// <param name="journal">A journal from <see cref="ReadJournalAsync"/>, not yet recovered.</param>
    /// <param name="grainId">The grain.</param>
    /// <returns>The state, whose changes are not tracked.</returns>
    internal ArrayDictState Recover(StoredJournal journal, GrainId grainId)
    {
        try
        {
            Replay(journal.Contents, journal.State, grainId);
            return journal.State;
        }
        catch (Exception exception)
        {
            LogReadFailed(exception, _name, grainId);
            throw Failure("read", grainId, exception);
        }
    }

    /// <summary>For the Full-mode storage: deletes the grain's journal if it is still at <paramref name="expected"/>.</summary>
    /// <param name="stateName">The state name.</param>
    /// <param name="grainId">The grain.</param>
    /// <param name="expected">The position read.</param>
    /// <exception cref="InconsistentStateException">The journal moved since.</exception>
    internal async Task DeleteJournalAsync(string stateName, GrainId grainId, JournalPosition expected)
    {
        try
        {
            _known.TryRemove(grainId, out _);
            await _store.DeleteAsync(GetKey(stateName, grainId), expected, CancellationToken.None).ConfigureAwait(false);
        }
        catch (InconsistentStateException exception)
        {
            LogConflict(exception, _name, grainId);
            throw;
        }
        catch (Exception exception)
        {
            LogWriteFailed(exception, _name, grainId);
            throw Failure("delete the journal of", grainId, exception);
        }
    }

    /// <summary>For the Full-mode storage's forced clear: deletes the grain's journal whatever it holds.</summary>
    /// <param name="stateName">The state name.</param>
    /// <param name="grainId">The grain.</param>
    internal async Task DeleteAnyJournalAsync(string stateName, GrainId grainId)
    {
        try
        {
            _known.TryRemove(grainId, out _);
            await _store.DeleteAnyAsync(GetKey(stateName, grainId), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            LogWriteFailed(exception, _name, grainId);
            throw Failure("delete the journal of", grainId, exception);
        }
    }

    /// <summary>
    /// A forced clear: when this storage also reads Full snapshots, a tombstone over whatever snapshot is stored first
    /// (from then on the grain reads as cleared in either mode), then the journal, then the tombstone; else the journal.
    /// </summary>
    async Task IForcedClearStorage.ForceClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var eraser = _fullSnapshotEraser;
        if (_fullSnapshots is not null && eraser is null)
        {
            throw new NotSupportedException($"Journal storage '{_name}': its Full provider {_fullSnapshots.GetType().FullName} cannot delete a snapshot it cannot read.");
        }

        try
        {
            FaultPoint?.Invoke("force:starting");
            if (eraser is not null)
            {
                await eraser.WriteTombstoneAsync(stateName, grainId).ConfigureAwait(false);
                FaultPoint?.Invoke("force:tombstoned");
            }

            _known.TryRemove(grainId, out _);
            await _store.DeleteAnyAsync(GetKey(stateName, grainId), CancellationToken.None).ConfigureAwait(false);
            if (eraser is not null)
            {
                FaultPoint?.Invoke("force:journal-deleted");
                await eraser.DeleteAsync(stateName, grainId).ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            LogWriteFailed(exception, _name, grainId);
            throw Failure("force the clear of", grainId, exception);
        }

        grainState.State = (T)(object)new ArrayDictState(trackChanges: true);
        grainState.ETag = null;
        grainState.RecordExists = false;
        LogForceCleared(_name, grainId);
        FaultPoint?.Invoke("force:done");
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
        try
        {
            _known.TryRemove(grainId, out _);
            FaultPoint?.Invoke("clear:starting");
            if (!ModeMigrationETag.IsOne(grainState.ETag) || await ClearOtherFormAsync(stateName, grainId, key, grainState).ConfigureAwait(false))
            {
                var expected = ExpectedPosition(grainState.ETag, grainId);
                await _store.DeleteAsync(key, expected, CancellationToken.None).ConfigureAwait(false);
            }

            grainState.State = (T)(object)new ArrayDictState(trackChanges: true);
            grainState.ETag = null;
            grainState.RecordExists = false;
            FaultPoint?.Invoke("clear:done");
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

    /// <summary>
    /// The first write after a read that found the other mode's form. When the journal is current, the Full snapshot an
    /// interrupted switch left behind is removed first (the journal holds all of it), then the write goes on as usual.
    /// When the Full snapshot is current, it is adopted: a base of the grain's state, naming the snapshot's ETag, replaces
    /// any older journal; the snapshot is removed only once that base is durable. Failing after the base landed, the
    /// write keeps the grain's ETag where it was, so that every later write of this activation conflicts and the grain
    /// reloads (the base is then the current form, as its ETag mark says).
    /// </summary>
    private async Task WriteAfterSwitchAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var migration = ParseMigration(grainState.ETag, grainId);
        var key = GetKey(stateName, grainId);
        if (migration.JournalIsCurrent)
        {
            try
            {
                await RemoveFullSnapshotAsync(stateName, grainId, migration.Full!).ConfigureAwait(false);
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

            grainState.ETag = migration.Journal!.Value.ToString();
            await WriteStateAsync(stateName, grainId, grainState).ConfigureAwait(false);
            return;
        }

        try
        {
            var state = State(grainState.State, grainId);
            var snapshot = ArrayDictSnapshot.ToArray(state.Dict, _serializer.EncodeMetadata(state, adoptedFullETag: migration.Full));
            long generation = migration.Journal is { } old ? old.Generation + 1 : NewGeneration();
            await _store.WriteBaseAsync(key, migration.Journal, generation, snapshot, CancellationToken.None).ConfigureAwait(false);
            var written = new JournalCursor(new JournalPosition(generation, 0), snapshot.Length, 0, 0, NeedsBase: false);
            _known[grainId] = new KnownGrain(stateName, key, written);
            Written(snapshot.Length, isBase: true);
            (_store as LocalFileJournalStore)?.MakeBaseDurable(key, generation);
            await RemoveFullSnapshotAsync(stateName, grainId, migration.Full!).ConfigureAwait(false);
            LogFullSnapshotAdopted(_name, grainId, migration.Full!, generation);
            grainState.ETag = written.Position.ToString();
            grainState.RecordExists = true;
        }
        catch (InconsistentStateException exception)
        {
            _known.TryRemove(grainId, out _);
            LogConflict(exception, _name, grainId);
            throw;
        }
        catch (Exception exception)
        {
            _known.TryRemove(grainId, out _);
            LogWriteFailed(exception, _name, grainId);
            throw Failure("write", grainId, exception);
        }
    }

    /// <summary>
    /// A clear after a read that found the other mode's form: removes the form that is not current first, so that an
    /// interruption leaves the current one (never an older state shown over it), and leaves the grain's ETag naming what
    /// remains.
    /// </summary>
    /// <returns>Whether the journal is left for the caller to delete (at the position the grain's ETag now names).</returns>
    private async Task<bool> ClearOtherFormAsync<T>(string stateName, GrainId grainId, string key, IGrainState<T> grainState)
    {
        var migration = ParseMigration(grainState.ETag, grainId);
        if (migration.JournalIsCurrent)
        {
            await RemoveFullSnapshotAsync(stateName, grainId, migration.Full!).ConfigureAwait(false);
            FaultPoint?.Invoke("clear:adopted-snapshot-removed");
            grainState.ETag = migration.Journal!.Value.ToString();
            return true;
        }

        // Also with no journal read: the delete then checks that none appeared since.
        await _store.DeleteAsync(key, migration.Journal, CancellationToken.None).ConfigureAwait(false);
        FaultPoint?.Invoke("clear:older-journal-deleted");
        grainState.ETag = new ModeMigrationETag(JournalIsCurrent: false, null, migration.Full).ToString();
        await RemoveFullSnapshotAsync(stateName, grainId, migration.Full!).ConfigureAwait(false);
        grainState.ETag = null;
        return false;
    }

    /// <summary>The grain's Full snapshot (data or tombstone) and its ETag, or null when it has none.</summary>
    private async Task<FullSnapshot?> ReadFullSnapshotAsync(string stateName, GrainId grainId)
    {
        var read = new GrainState<ArrayDictState>();
        await _fullSnapshots!.ReadStateAsync(stateName, grainId, read).ConfigureAwait(false);
        return read.ETag is null ? null : new FullSnapshot(read.State ?? new ArrayDictState(), read.ETag, read.RecordExists);
    }

    /// <summary>Deletes the grain's Full snapshot if its ETag is still <paramref name="eTag"/>.</summary>
    private Task RemoveFullSnapshotAsync(string stateName, GrainId grainId, string eTag) =>
        _fullSnapshots is null
            ? throw new InconsistentStateException($"Journal storage '{_name}', grain {grainId}: the ETag names a Full snapshot, but this storage reads none.", null, eTag)
            : _fullSnapshots.ClearStateAsync(stateName, grainId, new GrainState<ArrayDictState>(null, eTag));

    private ModeMigrationETag ParseMigration(string? etag, GrainId grainId) =>
        ModeMigrationETag.TryParse(etag, out var migration)
            ? migration
            : throw new InconsistentStateException($"Journal storage '{_name}', grain {grainId}: the ETag '{etag}' is neither a journal position nor a mode switch.", null, etag);

    /// <summary>A generation for a grain's first base: time-based, so that a grain cleared and written again never reuses a position (no ABA for stale writers).</summary>
    private static long NewGeneration() => Math.Max(1, DateTime.UtcNow.Ticks);

    private static ArrayDictState State<T>(T state, GrainId grainId) =>
        state as ArrayDictState
            ?? throw new NotSupportedException($"The journal storage keeps ArrayDict states only; grain {grainId} has a {typeof(T).FullName}.");

    private static byte[]? BuildRecord(ArrayDictState state, ArrayDictPendingDelta delta, byte[] metadata)
    {
        if (delta.TryGetSingle(out var changedByCall, out var removedByCall)
            && !Array.Exists(removedByCall, state.Dict.ContainsKey)
            && ArrayDictJournalRecord.GetSize(changedByCall.Length, state.Dict.Width, removedByCall.Length, metadata.Length) <= int.MaxValue / 2
            && ArrayDictJournalRecord.Build(state.Dict, changedByCall, removedByCall, metadata) is { } single)
        {
            // One call since the last write (PersistEvery 1): its keys are distinct and, all present, as they are now.
            return single;
        }

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
        return size > int.MaxValue / 2
            ? null
            : ArrayDictJournalRecord.Build(state.Dict, [.. changed], [.. removed], metadata)
                ?? throw new InvalidOperationException("A key kept as present left the ArrayDict while its journal record was built.");
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

    /// <summary>The base's state and the Full snapshot it adopted, before the journal is replayed over it.</summary>
    private StoredJournal ReadBase(JournalStoreContents contents, bool trackChanges)
    {
        var snapshot = ArrayDictSnapshot.ReadWithMetadata(new System.Buffers.ReadOnlySequence<byte>(contents.Base));
        var state = new ArrayDictState(trackChanges) { Dict = snapshot.Dict };
        string? adopted = _serializer.DecodeMetadata(snapshot.Metadata, state);
        return new StoredJournal(contents, state, adopted);
    }

    /// <summary>Applies the journal's valid records to <paramref name="state"/> (the base's), dropping a torn last one.</summary>
    private JournalCursor Replay(JournalStoreContents contents, ArrayDictState state, GrainId grainId)
    {
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

        return new JournalCursor(contents.Position, contents.Base.Length, offset, records, NeedsBase: torn);
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

        _known.TryRemove(grainId, out _);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "{Name}: grain {GrainId} read its Full snapshot (ETag {ETag}; journal: {Journal}); its first write stores it as a journal base")]
    private partial void LogFullSnapshotRead(string name, GrainId grainId, string eTag, string journal);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Name}: grain {GrainId} adopted its Full snapshot (ETag {ETag}) as base generation {Generation} and removed it")]
    private partial void LogFullSnapshotAdopted(string name, GrainId grainId, string eTag, long generation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name}: grain {GrainId} still has the Full snapshot (ETag {ETag}) that its journal adopted (an interrupted switch of mode); its next write removes it")]
    private partial void LogAdoptedSnapshotLeft(string name, GrainId grainId, string eTag);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name}: grain {GrainId}: a forced clear deleted its journal (and any Full snapshot), whatever they held")]
    private partial void LogForceCleared(string name, GrainId grainId);

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

    /// <summary>A Full snapshot read for a switch of mode.</summary>
    private sealed record FullSnapshot(ArrayDictState State, string ETag, bool RecordExists);

    /// <summary>
    /// What this storage knows of a grain it read or wrote: its key in the store and its cursor, which each append replaces
    /// in place (one lookup per write).
    /// </summary>
    private sealed class KnownGrain(string stateName, string key, JournalCursor cursor)
    {
        public string StateName { get; } = stateName;

        public string Key { get; } = key;

        public JournalCursor Cursor { get; set; } = cursor;
    }
}

/// <summary>A grain's journal as read: its contents, the state of its base (records not yet applied) and the Full snapshot's ETag the base adopted.</summary>
/// <param name="Contents">What the store holds.</param>
/// <param name="State">The base's state.</param>
/// <param name="AdoptedFullETag">The ETag of the Full snapshot the base was adopted from, or null.</param>
internal sealed record StoredJournal(JournalStoreContents Contents, ArrayDictState State, string? AdoptedFullETag)
{
    /// <summary>Gets the journal's stored position.</summary>
    public JournalPosition Position => Contents.Position;
}
