using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>
/// The storage the ArrayDict grain's state goes through (<see cref="ArrayDictGrainOptions.GrainStorageName"/>): it passes
/// everything to the storage named <see cref="ArrayDictGrainOptions.StorageName"/>, except that a read that fails because
/// of what is stored (<see cref="IsDamage"/>) gives the grain a damaged state instead of failing its activation. The
/// grain then refuses every call with that read error but a forced clear. A forced clear (of a damaged state, or one the
/// grain asks for with <see cref="ArrayDictState.ForceClearRequested"/>) deletes what is stored whatever it holds
/// (<see cref="IForcedClearStorage"/>). Storage that cannot be reached still fails the activation, as before: retrying
/// can cure it.
/// </summary>
/// <param name="inner">The ArrayDict storage.</param>
/// <param name="logger">The logger.</param>
internal sealed partial class DamageTolerantGrainStorage(IGrainStorage inner, ILogger<DamageTolerantGrainStorage> logger) : IGrainStorage
{
    /// <summary>The ETag of a damaged state: no write accepts it; a clear with it is a forced clear.</summary>
    public const string DamagedETag = "~damaged";

    /// <summary>Gets the storage this one passes calls to.</summary>
    public IGrainStorage Inner => inner;

    /// <summary>
    /// Whether <paramref name="exception"/> says the stored state is unreadable because of what it holds: a
    /// <see cref="SnapshotFormatException"/>, an <see cref="InvalidDataException"/> (a checksum or header of a local file)
    /// or an <see cref="EndOfStreamException"/> (a file shorter than it says) anywhere among its causes.
    /// </summary>
    /// <param name="exception">A read error.</param>
    /// <returns>Whether it is damage rather than unreachable storage.</returns>
    public static bool IsDamage(Exception exception) =>
        ExceptionCauses.Of(exception).Any(cause => cause is SnapshotFormatException or InvalidDataException or EndOfStreamException);

    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        try
        {
            await inner.ReadStateAsync(stateName, grainId, grainState, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (typeof(T) == typeof(ArrayDictState) && IsDamage(exception))
        {
            LogDamaged(exception, grainId, stateName);
            grainState.State = (T)(object)new ArrayDictState { ReadFailure = exception };
            grainState.ETag = DamagedETag;
            grainState.RecordExists = true;
        }
    }

    /// <inheritdoc />
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        return grainState.ETag == DamagedETag
            ? throw new InconsistentStateException($"Grain {grainId}: its stored state '{stateName}' is damaged; only a forced clear may replace it.", DamagedETag, DamagedETag)
            : inner.WriteStateAsync(stateName, grainId, grainState, cancellationToken);
    }

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        bool damaged = grainState.ETag == DamagedETag;
        if (!damaged && (grainState.State is not ArrayDictState { ForceClearRequested: true } || inner is not IForcedClearStorage))
        {
            // A readable state in a storage that has no forced clear (memory): its plain clear deletes all there is.
            await inner.ClearStateAsync(stateName, grainId, grainState, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (inner is not IForcedClearStorage forced)
        {
            throw new NotSupportedException($"Grain {grainId}: the storage {inner.GetType().FullName} of state '{stateName}' cannot delete a stored state whatever it holds (a forced clear).");
        }

        await forced.ForceClearStateAsync(stateName, grainId, grainState).ConfigureAwait(false);
        LogForceCleared(grainId, stateName);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Grain {GrainId}: its stored state {StateName} cannot be read; it activates damaged and refuses every call but a forced clear")]
    private partial void LogDamaged(Exception exception, GrainId grainId, string stateName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Grain {GrainId}: a forced clear deleted its stored state {StateName}, whatever it held")]
    private partial void LogForceCleared(GrainId grainId, string stateName);
}
