using ArrayDictOrleans.Grains.Journal;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>
/// The storage of <c>SnapshotMode=Full</c>: a whole snapshot per write, kept by a Full provider (<see cref="LocalFileGrainStorage"/>
/// or Orleans' <see cref="AzureBlobGrainStorage"/>), which also reads what the journal mode left (docs/journal.md,
/// "Switching modes"). A read looks for a journal beside the snapshot (one stat, or one request, for a grain without
/// one); when the journal is the current form, the grain gets its state, and the grain's first write stores it as a
/// Full snapshot and only then deletes the journal. Everything else goes straight to the Full provider.
/// </summary>
public sealed partial class ArrayDictFullGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>, IDisposable, IForcedClearStorage
{
    private readonly string _name;
    private readonly IGrainStorage _snapshots;
    private readonly ArrayDictJournalGrainStorage? _journal;
    private readonly ILogger _logger;
    private readonly IFullSnapshotEraser? _eraser;

    /// <summary>Initializes a new instance of the <see cref="ArrayDictFullGrainStorage"/> class.</summary>
    /// <param name="name">The provider's name, for messages.</param>
    /// <param name="snapshots">The Full provider, which does the work; it takes part in the silo lifecycle through this storage.</param>
    /// <param name="journal">The journal storage of the same data, used to read and delete journals only; null to read none. Disposed with this storage.</param>
    /// <param name="logger">The logger.</param>
    public ArrayDictFullGrainStorage(string name, IGrainStorage snapshots, ArrayDictJournalGrainStorage? journal, ILogger<ArrayDictFullGrainStorage> logger)
        : this(name, snapshots, journal, logger, eraser: null)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ArrayDictFullGrainStorage"/> class.</summary>
    /// <param name="name">The provider's name, for messages.</param>
    /// <param name="snapshots">The Full provider.</param>
    /// <param name="journal">The journal storage of the same data; null to read none.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="eraser">Replaces and deletes a Full snapshot whatever it holds, for a forced clear; null when <paramref name="snapshots"/> does it itself.</param>
    internal ArrayDictFullGrainStorage(string name, IGrainStorage snapshots, ArrayDictJournalGrainStorage? journal, ILogger<ArrayDictFullGrainStorage> logger, IFullSnapshotEraser? eraser)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(snapshots);
        ArgumentNullException.ThrowIfNull(logger);
        _name = name;
        _snapshots = snapshots;
        _journal = journal;
        _logger = logger;
        _eraser = eraser ?? snapshots as IFullSnapshotEraser;
    }

    /// <summary>A test hook called between the steps of a clear, by name; throwing from it simulates a crash there.</summary>
    internal Action<string>? FaultPoint { get; set; }

    /// <summary>Gets the Full provider.</summary>
    public IGrainStorage Snapshots => _snapshots;

    /// <summary>Gets the journal storage whose journals this storage reads (tests reach its store through it).</summary>
    internal ArrayDictJournalGrainStorage? Journal => _journal;

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) => (_snapshots as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (_journal is null || typeof(T) != typeof(ArrayDictState))
        {
            await ReadSnapshotAsync(stateName, grainId, grainState).ConfigureAwait(false);
            return;
        }

        var snapshotRead = ReadSnapshotAsync(stateName, grainId, grainState);
        var journalRead = _journal.ReadJournalAsync(stateName, grainId);
        await Task.WhenAll(snapshotRead, journalRead).ConfigureAwait(false);
        var journal = await journalRead.ConfigureAwait(false);
        if (journal is null)
        {
            return;
        }

        string? full = grainState.ETag;
        if (full is not null && journal.AdoptedFullETag != full)
        {
            // The snapshot is current; the journal is what an interrupted switch to Full left: the next write or clear deletes it first.
            grainState.ETag = new ModeMigrationETag(JournalIsCurrent: false, journal.Position, full).ToString();
            LogJournalLeft(_name, grainId, journal.Position.ToString());
            return;
        }

        grainState.State = (T)(object)_journal.Recover(journal, grainId);
        grainState.ETag = new ModeMigrationETag(JournalIsCurrent: true, journal.Position, full).ToString();
        grainState.RecordExists = true;
        LogJournalRead(_name, grainId, journal.Position.ToString(), full ?? "none");
    }

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (!ModeMigrationETag.IsOne(grainState.ETag))
        {
            await _snapshots.WriteStateAsync(stateName, grainId, grainState).ConfigureAwait(false);
            return;
        }

        var (migration, journal) = Parse(grainState.ETag, grainId);
        if (!migration.JournalIsCurrent)
        {
            await DeleteJournalAsync(journal, stateName, grainId, migration.Journal).ConfigureAwait(false);
            grainState.ETag = migration.Full;
            await _snapshots.WriteStateAsync(stateName, grainId, grainState).ConfigureAwait(false);
            return;
        }

        // Written beside the grain's state holder: until the journal is gone, a failure leaves the grain's ETag as read,
        // so that every later write of this activation conflicts and the grain reloads whichever form is then current.
        var written = new GrainState<T>(grainState.State, migration.Full);
        await _snapshots.WriteStateAsync(stateName, grainId, written).ConfigureAwait(false);
        if (_snapshots is LocalFileGrainStorage local)
        {
            SyncSnapshot(local, stateName, grainId);
        }

        await DeleteJournalAsync(journal, stateName, grainId, migration.Journal).ConfigureAwait(false);
        LogJournalReplaced(_name, grainId, migration.Journal!.Value.ToString(), written.ETag ?? "none");
        grainState.ETag = written.ETag;
        grainState.RecordExists = written.RecordExists;
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        FaultPoint?.Invoke("clear:starting");
        if (!ModeMigrationETag.IsOne(grainState.ETag))
        {
            await _snapshots.ClearStateAsync(stateName, grainId, grainState).ConfigureAwait(false);
            FaultPoint?.Invoke("clear:done");
            return;
        }

        // The form that is not current goes first: interrupted, what remains is the current one, never an older state.
        var (migration, journal) = Parse(grainState.ETag, grainId);
        if (!migration.JournalIsCurrent)
        {
            await DeleteJournalAsync(journal, stateName, grainId, migration.Journal).ConfigureAwait(false);
            FaultPoint?.Invoke("clear:older-journal-deleted");
            grainState.ETag = migration.Full;
            await _snapshots.ClearStateAsync(stateName, grainId, grainState).ConfigureAwait(false);
            FaultPoint?.Invoke("clear:done");
            return;
        }

        var cleared = new GrainState<T>(grainState.State, migration.Full);
        if (migration.Full is not null)
        {
            await _snapshots.ClearStateAsync(stateName, grainId, cleared).ConfigureAwait(false);

            // A tombstone left by the clear is newer than the journal (it is not the snapshot the journal adopted): the
            // grain reads as cleared from here on. Without one, the journal is still current until it is deleted.
            grainState.ETag = cleared.ETag is { } tombstone
                ? new ModeMigrationETag(JournalIsCurrent: false, migration.Journal, tombstone).ToString()
                : new ModeMigrationETag(JournalIsCurrent: true, migration.Journal, null).ToString();
        }

        FaultPoint?.Invoke("clear:adopted-snapshot-cleared");
        await DeleteJournalAsync(journal, stateName, grainId, migration.Journal).ConfigureAwait(false);
        grainState.State = migration.Full is null ? (T)(object)new ArrayDictState() : cleared.State;
        grainState.ETag = migration.Full is null ? null : cleared.ETag;
        grainState.RecordExists = false;
        FaultPoint?.Invoke("clear:done");
    }

    /// <summary>
    /// A forced clear: a tombstone over whatever Full snapshot is stored first (from then on the grain reads as cleared
    /// in either mode, whatever journal it also has), then the journal, then the tombstone.
    /// </summary>
    async Task IForcedClearStorage.ForceClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var eraser = _eraser
            ?? throw new NotSupportedException($"Full-snapshot storage '{_name}': its Full provider {_snapshots.GetType().FullName} cannot delete a snapshot it cannot read.");
        FaultPoint?.Invoke("force:starting");
        await eraser.WriteTombstoneAsync(stateName, grainId).ConfigureAwait(false);
        FaultPoint?.Invoke("force:tombstoned");
        if (_journal is not null)
        {
            await _journal.DeleteAnyJournalAsync(stateName, grainId).ConfigureAwait(false);
            FaultPoint?.Invoke("force:journal-deleted");
        }

        await eraser.DeleteAsync(stateName, grainId).ConfigureAwait(false);
        grainState.State = typeof(T) == typeof(ArrayDictState) ? (T)(object)new ArrayDictState() : Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
        LogForceCleared(_name, grainId);
        FaultPoint?.Invoke("force:done");
    }

    /// <summary>Releases the journal storage's hold on every grain it read.</summary>
    public void Dispose() => _journal?.Dispose();

    /// <summary>
    /// Reads the Full snapshot. The error of a provider of another library that found the snapshot damaged is wrapped, so
    /// that the message names this storage, the provider, the state and the grain (the grain shows it to its callers).
    /// </summary>
    private async Task ReadSnapshotAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        try
        {
            await _snapshots.ReadStateAsync(stateName, grainId, grainState).ConfigureAwait(false);
        }
        catch (Exception exception) when (_snapshots is not LocalFileGrainStorage && DamageTolerantGrainStorage.IsDamage(exception))
        {
            throw new SnapshotFormatException(
                $"Full-snapshot storage '{_name}' ({_snapshots.GetType().Name}) cannot read state '{stateName}' of grain {grainId}: {exception.GetType().Name}: {exception.Message}",
                exception);
        }
    }

    /// <summary>
    /// Makes the new snapshot's bytes and name durable whatever <see cref="LocalFileGrainStorageOptions.FlushToDisk"/>
    /// says, before the journal it replaces is deleted (a machine crash must not leave neither). Once per grain.
    /// </summary>
    private static void SyncSnapshot(LocalFileGrainStorage local, string stateName, GrainId grainId) =>
        LocalFileDurability.SyncFileAndDirectories(local.GetStateFilePath(stateName, grainId), local.ProviderDirectory);

    private static Task DeleteJournalAsync(ArrayDictJournalGrainStorage journal, string stateName, GrainId grainId, JournalPosition? position) =>
        position is { } expected ? journal.DeleteJournalAsync(stateName, grainId, expected) : Task.CompletedTask;

    private (ModeMigrationETag Migration, ArrayDictJournalGrainStorage Journal) Parse(string? eTag, GrainId grainId)
    {
        if (_journal is null || !ModeMigrationETag.TryParse(eTag, out var migration))
        {
            throw new InconsistentStateException($"Full-snapshot storage '{_name}', grain {grainId}: the ETag '{eTag}' names a switch of mode this storage did not read.", null, eTag);
        }

        return (migration, _journal);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Name}: grain {GrainId} read its journal (position {Position}, beside Full snapshot {FullETag}); its first write stores it as a Full snapshot")]
    private partial void LogJournalRead(string name, GrainId grainId, string position, string fullETag);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Name}: grain {GrainId} replaced its journal (position {Position}) by a Full snapshot (ETag {ETag}) and deleted it")]
    private partial void LogJournalReplaced(string name, GrainId grainId, string position, string eTag);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name}: grain {GrainId}: a forced clear deleted its Full snapshot and journal, whatever they held")]
    private partial void LogForceCleared(string name, GrainId grainId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name}: grain {GrainId} still has a journal (position {Position}) older than its Full snapshot (an interrupted switch of mode); its next write deletes it")]
    private partial void LogJournalLeft(string name, GrainId grainId, string position);
}
