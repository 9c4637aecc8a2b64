using Orleans.Storage;

namespace ArrayDictOrleans.Client.Bench;

/// <summary>
/// The storage of the bench's <c>orleans</c> variant, ours without persistence: it reads nothing and keeps nothing, so
/// that the variant pays neither for snapshots (the fill's checkpoint, the silo's stop) nor, at large sizes, for the
/// collector marking a second copy of every ArrayDict, as Orleans' memory storage would keep one.
/// </summary>
internal sealed class DiscardingGrainStorage : IGrainStorage
{
    /// <inheritdoc />
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.CompletedTask;

    /// <inheritdoc />
    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }
}
