using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using ArrayDictOrleans.Grains.Persistence;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;

namespace ArrayDictOrleans.Grains;

/// <summary>
/// One ArrayDict in memory. Orleans runs one activation per key and one call at a time on it, so no lock
/// is needed. Every change runs inside a change scope: a failed method or a failed snapshot rolls it back.
/// A call with an epoch keeps its result, serialized and tied to the call, to answer a retry.
/// </summary>
public sealed partial class ArrayDictGrain(
    [PersistentState("arraydict", ArrayDictGrainOptions.GrainStorageName)] IPersistentState<ArrayDictState> state,
    IOptions<ArrayDictGrainOptions> options,
    Serializer serializer,
    ILogger<ArrayDictGrain> logger) : Grain, IArrayDictGrain
{
    private readonly int _persistEvery = options.Value.PersistEvery;
    private readonly ArrayDictLimits _limits = options.Value.Limits;
    private int _unsavedChanges;
    private DateTimeOffset? _lastSnapshotAt;
    private long? _lastSnapshotBytes;

    private ArrayDict Dict => state.State.Dict;

    /// <inheritdoc />
    public Task<double> GetValueAsync(long key)
    {
        ThrowIfDamaged();
        return Task.FromResult(Dict[key]);
    }

    /// <inheritdoc />
    public Task SetValueAsync(long key, double value)
    {
        ThrowIfDamaged();
        CheckAdding(Dict.ContainsKey(key) ? 0 : 1, "SetValue");
        return ChangeAsync(dict => dict[key] = value);
    }

    /// <inheritdoc />
    public Task<double[]> GetRowAsync(long key)
    {
        ThrowIfDamaged();
        return Task.FromResult(Dict.GetRowReadOnly(key).ToArray());
    }

    /// <inheritdoc />
    public Task SetRowAsync(long key, double[] values)
    {
        ThrowIfDamaged();
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != Dict.Width)
        {
            throw new ArgumentException($"ArrayDict {this.GetPrimaryKeyLong()} has rows of {Dict.Width} values; the row given for key {key} has {values.Length}. Nothing was changed.", nameof(values));
        }

        CheckAdding(Dict.ContainsKey(key) ? 0 : 1, "SetRow");
        return ChangeAsync(dict => dict.SetRow(key, values));
    }

    /// <inheritdoc />
    public Task<RowBatch> GetManyAsync(long[] keys)
    {
        ThrowIfDamaged();
        ArgumentNullException.ThrowIfNull(keys);
        var dict = Dict;
        _limits.CheckCall(keys.Length, dict.Width, $"GetMany on ArrayDict {this.GetPrimaryKeyLong()}");

        var values = new double[(long)keys.Length * dict.Width];
        for (int i = 0; i < keys.Length; i++)
        {
            dict.GetRowReadOnly(keys[i]).CopyTo(values.AsSpan(i * dict.Width, dict.Width));
        }

        return Task.FromResult(new RowBatch(dict.Width, keys, values));
    }

    /// <inheritdoc />
    public Task SetManyAsync(RowBatch rows)
    {
        ThrowIfDamaged();
        ArgumentNullException.ThrowIfNull(rows);
        rows.Validate(Dict.Width);
        _limits.CheckCall(rows.Count, rows.Width, $"SetMany on ArrayDict {this.GetPrimaryKeyLong()}");
        int added = 0;
        foreach (long key in rows.Keys)
        {
            added += Dict.ContainsKey(key) ? 0 : 1;
        }

        CheckAdding(added, "SetMany");
        return ChangeAsync(dict =>
        {
            for (int i = 0; i < rows.Count; i++)
            {
                dict.SetRow(rows.Keys[i], rows.Row(i));
            }
        });
    }

    /// <inheritdoc />
    public Task<bool> RemoveAsync(long key)
    {
        ThrowIfDamaged();
        return ChangeAsync(dict => dict.Remove(key), epoch: null);
    }

    /// <inheritdoc />
    public Task<ArrayDictInfo> GetInfoAsync()
    {
        ThrowIfDamaged();
        var dict = Dict;
        return Task.FromResult(new ArrayDictInfo(
            this.GetPrimaryKeyLong(), dict.Count, dict.Width, dict.Capacity, dict.MemoryBytes,
            state.State.LastEpoch, _lastSnapshotAt, _lastSnapshotBytes, _unsavedChanges));
    }

    /// <inheritdoc />
    public Task<ArrayDict> ExportAsync()
    {
        ThrowIfDamaged();
        _limits.CheckCallBytes(Dict.Count, Dict.Width, $"A whole export of ArrayDict {this.GetPrimaryKeyLong()} (export it in pages instead)");
        return Task.FromResult(Dict.Clone());
    }

    /// <inheritdoc />
    public async Task ImportAsync(ArrayDict dict)
    {
        ThrowIfDamaged();
        ArgumentNullException.ThrowIfNull(dict);
        _limits.CheckSize(dict.Count, dict.Width, $"An import into ArrayDict {this.GetPrimaryKeyLong()}");
        var previous = Dict;
        NoteChange();
        var delta = state.State.PendingDelta;
        var deltaMark = delta?.GetMark();
        state.State.Dict = dict;
        delta?.MarkEverything();
        _unsavedChanges++;
        try
        {
            await PersistIfDueAsync(epoch: null);
        }
        catch (Exception exception)
        {
            state.State.Dict = previous;
            if (deltaMark is { } mark)
            {
                delta!.RestoreTo(mark);
            }

            _unsavedChanges--;
            if (exception is InconsistentStateException or ArrayDictStorageException)
            {
                DeactivateOnIdle();
            }

            throw;
        }
    }

    /// <inheritdoc />
    public Task ClearAsync(int? width = null)
    {
        ThrowIfDamaged();
        return ClearStoredAsync(width);
    }

    /// <inheritdoc />
    public async Task<string?> ForceClearAsync(int? width = null)
    {
        var damage = state.State.ReadFailure;
        state.State.ForceClearRequested = true;
        try
        {
            await ClearStoredAsync(width);
        }
        finally
        {
            state.State.ForceClearRequested = false;
        }

        if (damage is not null)
        {
            LogForceCleared(damage, this.GetPrimaryKeyLong());
        }

        return damage?.Message;
    }

    /// <summary>Empties the ArrayDict and deletes what storage holds of it: <see cref="ClearAsync"/>, and <see cref="ForceClearAsync"/> on a damaged one.</summary>
    private async Task ClearStoredAsync(int? width)
    {
        if (width is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "A row holds at least 1 value.");
        }

        if (width is { } asked)
        {
            _limits.CheckWidth(asked, $"A clear of ArrayDict {this.GetPrimaryKeyLong()}");
        }

        int newWidth = width ?? Dict.Width;
        try
        {
            await state.ClearStateAsync();
        }
        catch (Exception exception)
        {
            // What storage holds is unknown now (the clear may have gone part of the way, or landed and only its answer
            // been lost): the next call reloads it rather than trust this copy.
            DeactivateOnIdle();
            if (exception is InconsistentStateException)
            {
                throw;
            }

            long id = this.GetPrimaryKeyLong();
            throw new ArrayDictStorageException(id, $"ArrayDict {id} could not delete its snapshot, so it was not cleared: {exception.GetBaseException().Message}", exception, StorageFailures.MayPass(exception));
        }

        NoteChange();
        state.State.Dict = new ArrayDict(newWidth);
        state.State.LastEpoch = null;
        state.State.LastResult = null;
        state.State.PendingDelta?.MarkEverything();
        _unsavedChanges = 0;
        _lastSnapshotAt = null;
        _lastSnapshotBytes = null;
    }

    /// <summary>
    /// Refuses the call, with the read error, when the stored state could not be read: every public method but
    /// <see cref="ForceClearAsync"/> begins with it. (A check in each method, not a grain call filter: a filter makes
    /// Orleans build an invoker for every call, 8 to 15% of an SW1 call's time.)
    /// </summary>
    private void ThrowIfDamaged()
    {
        if (state.State.ReadFailure is { } damage)
        {
            RefuseDamaged(damage);
        }
    }

    [DoesNotReturn]
    private void RefuseDamaged(Exception damage)
    {
        // Reloaded by the next call: a stored state repaired or restored by hand is then read.
        DeactivateOnIdle();
        throw new ArrayDictDamagedException(this.GetPrimaryKeyLong(), damage);
    }

    /// <inheritdoc />
    public Task CheckpointAsync()
    {
        ThrowIfDamaged();
        return WriteSnapshotAsync();
    }

    /// <inheritdoc />
    public Task<TResult> ApplyAsync<TResult>(IArrayDictMethod<TResult> method, long? epoch = null)
    {
        ThrowIfDamaged();
        ArgumentNullException.ThrowIfNull(method);
        if (epoch is not { } requested)
        {
            CheckMethod(method);
            return ChangeAsync(method.Invoke, epoch: null);
        }

        ArgumentOutOfRangeException.ThrowIfNegative(requested, nameof(epoch));
        CheckEpoch(requested);
        ulong fingerprint = KeptResult.MethodFingerprintOf(serializer, method);
        if (state.State.LastEpoch is { } last)
        {
            if (requested == last)
            {
                return Task.FromResult(Repeat<TResult>(requested, fingerprint));
            }

            if (requested < last)
            {
                throw new StaleEpochException(this.GetPrimaryKeyLong(), requested, last);
            }
        }

        CheckMethod(method);
        return ChangeAsync(method.Invoke, requested, fingerprint);
    }

    /// <inheritdoc />
    public Task<TResult> ApplyNextAsync<TResult>(IArrayDictMethod<TResult> method, long epoch, long? afterEpoch)
    {
        ThrowIfDamaged();
        ArgumentNullException.ThrowIfNull(method);
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if (afterEpoch is < 0 || afterEpoch >= epoch)
        {
            throw new ArgumentOutOfRangeException(nameof(afterEpoch), afterEpoch, $"The last epoch a caller saw applied is not negative and comes before the call's epoch {epoch}.");
        }

        CheckEpoch(epoch);

        ulong fingerprint = KeptResult.MethodFingerprintOf(serializer, method);
        long? last = state.State.LastEpoch;
        if (last == epoch)
        {
            return Task.FromResult(Repeat<TResult>(epoch, fingerprint));
        }

        if (last != afterEpoch)
        {
            throw new EpochMismatchException(this.GetPrimaryKeyLong(), epoch, afterEpoch, last);
        }

        CheckMethod(method);
        return ChangeAsync(method.Invoke, epoch, fingerprint);
    }

    /// <inheritdoc />
    public Task<TResult> ApplyCancellableAsync<TResult>(IArrayDictMethod<TResult> method, long? epoch, CancellationToken cancellationToken)
    {
        // The method itself is not interrupted: a change it began is all or nothing, and the caller's retry finds it kept.
        cancellationToken.ThrowIfCancellationRequested();
        return ApplyAsync(method, epoch);
    }

    /// <inheritdoc />
    public Task<TResult> ApplyNextCancellableAsync<TResult>(IArrayDictMethod<TResult> method, long epoch, long? afterEpoch, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ApplyNextAsync(method, epoch, afterEpoch);
    }

    /// <inheritdoc />
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_unsavedChanges > 0)
        {
            LogPersistOnDeactivation(this.GetPrimaryKeyLong(), _unsavedChanges, reason.ReasonCode);
            await WriteSnapshotAsync();
        }

        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    private Task ChangeAsync(Action<ArrayDict> change) => ChangeAsync(
        dict =>
        {
            change(dict);
            return true;
        },
        epoch: null);

    /// <summary>
    /// Runs <paramref name="change"/> in a change scope, records the epoch with its result (tied to the method of
    /// <paramref name="methodFingerprint"/>), persists as the policy says; any failure rolls all of it back.
    /// </summary>
    private async Task<TResult> ChangeAsync<TResult>(Func<ArrayDict, TResult> change, long? epoch, ulong methodFingerprint = KeptResult.Unknown)
    {
        var current = state.State;
        NoteChange();
        long? previousEpoch = current.LastEpoch;
        var previousResult = current.LastResult;
        var delta = current.PendingDelta;
        var deltaMark = delta?.GetMark();
        using var scope = current.Dict.BeginChanges();
        bool counted = false;
        TResult result;
        try
        {
            result = change(current.Dict);
            if (!_limits.AllowsSize(current.Dict.Count, current.Dict.Width))
            {
                _limits.CheckSize(current.Dict.Count, current.Dict.Width, $"The change to ArrayDict {this.GetPrimaryKeyLong()}");
            }
            if (epoch is { } applied)
            {
                current.LastResult = Keep(result, applied, methodFingerprint);
                current.LastEpoch = applied;
            }

            if (delta is not null)
            {
                // What the call changed, for a journaling storage: read from the scope before it commits. Writes that only
                // come at checkpoints cover many calls, and then a whole snapshot is the write to make.
                if (_persistEvery == 0)
                {
                    delta.MarkEverything();
                }
                else
                {
                    delta.Record(scope);
                }
            }

            _unsavedChanges++;
            counted = true;
            await PersistIfDueAsync(epoch);
        }
        catch (Exception exception)
        {
            scope.Rollback();
            if (deltaMark is { } mark)
            {
                delta!.RestoreTo(mark);
            }

            current.LastEpoch = previousEpoch;
            current.LastResult = previousResult;
            if (counted)
            {
                _unsavedChanges--;
            }

            ArrayDictMetrics.Rollbacks.Add(1);
            LogRolledBack(exception, this.GetPrimaryKeyLong(), epoch);
            if (exception is InconsistentStateException or ArrayDictStorageException)
            {
                // After a failed or conflicting write, what storage holds is unknown (the write may have landed
                // and only its answer been lost): let the next call reload it rather than trust this copy.
                DeactivateOnIdle();
            }

            throw;
        }

        scope.Commit();
        ArrayDictMetrics.Applies.Add(1);
        return result;
    }

    /// <summary>Refuses, before it runs, a method whose arguments ask for more than the limits allow.</summary>
    private void CheckMethod<TResult>(IArrayDictMethod<TResult> method)
    {
        if (method is IBoundedArrayDictMethod bounded)
        {
            bounded.CheckLimits(Dict, _limits);
        }
    }

    // Every call checks its epoch: the message is formatted only for a refusal.
    private void CheckEpoch(long epoch)
    {
        if (epoch > _limits.MaxEpoch)
        {
            _limits.CheckEpoch(epoch, $"A call to ArrayDict {this.GetPrimaryKeyLong()}");
        }
    }

    /// <summary>Refuses a call that would add <paramref name="rows"/> rows to an ArrayDict already at its limits.</summary>
    private void CheckAdding(long rows, string what)
    {
        if (rows > 0)
        {
            _limits.CheckSize(Dict.Count + rows, Dict.Width, $"{what} on ArrayDict {this.GetPrimaryKeyLong()}");
        }
    }

    private KeptResult Keep<TResult>(TResult result, long epoch, ulong methodFingerprint)
    {
        try
        {
            return KeptResult.Of(serializer, result, methodFingerprint);
        }
        catch (Exception exception)
        {
            long id = this.GetPrimaryKeyLong();
            throw new InvalidOperationException(
                $"ArrayDict {id} cannot keep the result of epoch {epoch} to answer a retry, so the call was rolled back: Orleans cannot serialize {typeof(TResult)} (mark it [GenerateSerializer]): {exception.Message}",
                exception);
        }
    }

    /// <summary>The kept result of <paramref name="epoch"/>, the last applied, for a retry of it with the method of <paramref name="methodFingerprint"/>.</summary>
    private TResult Repeat<TResult>(long epoch, ulong methodFingerprint)
    {
        long id = this.GetPrimaryKeyLong();
        var kept = state.State.LastResult
            ?? throw new KeptResultException(id, epoch, $"ArrayDict {id} already applied epoch {epoch} but keeps no result for it (an earlier version kept one that this silo cannot load, or none): the method was not run again.");
        if (!kept.IsFrom<TResult>(methodFingerprint))
        {
            throw new KeptResultException(
                id,
                epoch,
                $"ArrayDict {id} already applied epoch {epoch} with another call (another method, other arguments or another result type than {typeof(TResult)}): a retry must repeat the same call. The method was not run again.");
        }

        TResult result;
        try
        {
            result = kept.Read<TResult>(serializer);
        }
        catch (Exception exception)
        {
            throw new KeptResultException(
                id,
                epoch,
                $"ArrayDict {id} already applied epoch {epoch}, but the result it kept for it can no longer be read as {typeof(TResult)} (was the type changed or removed?): {exception.Message}. The method was not run again.",
                exception);
        }

        ArrayDictMetrics.RetriedEpochs.Add(1);
        LogRetriedEpoch(id, epoch);
        return result;
    }

    private Task PersistIfDueAsync(long? epoch) =>
        _persistEvery > 0 && _unsavedChanges >= _persistEvery ? WriteSnapshotAsync(epoch) : Task.CompletedTask;

    private async Task WriteSnapshotAsync(long? epoch = null)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception exception) when (exception is not InconsistentStateException)
        {
            long id = this.GetPrimaryKeyLong();
            string change = epoch is null ? "the change" : $"epoch {epoch}";
            bool mayPass = StorageFailures.MayPass(exception);
            string repeat = mayPass ? "can be repeated" : "would fail the same way if repeated";
            throw new ArrayDictStorageException(
                id,
                $"ArrayDict {id} could not write its snapshot, so {change} was rolled back and {repeat}: {exception.GetBaseException().Message}",
                exception,
                mayPass);
        }

        _unsavedChanges = 0;
        state.State.PendingDelta?.Reset();
        _lastSnapshotAt = DateTimeOffset.UtcNow;
        _lastSnapshotBytes = ArrayDictSnapshot.GetSize(Dict);
        ArrayDictMetrics.SnapshotSeconds.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "ArrayDict {Id}: a forced clear deleted its stored state, which could not be read.")]
    private partial void LogForceCleared(Exception readError, long id);

    [LoggerMessage(Level = LogLevel.Debug, Message = "ArrayDict {Id} repeated epoch {Epoch}: returned the kept result without running the method again.")]
    private partial void LogRetriedEpoch(long id, long epoch);

    [LoggerMessage(Level = LogLevel.Information, Message = "ArrayDict {Id} writes {Unsaved} unsaved changes before deactivating ({Reason}).")]
    private partial void LogPersistOnDeactivation(long id, int unsaved, DeactivationReasonCode reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ArrayDict {Id} rolled back a change (epoch {Epoch}) that failed.")]
    private partial void LogRolledBack(Exception exception, long id, long? epoch);
}
