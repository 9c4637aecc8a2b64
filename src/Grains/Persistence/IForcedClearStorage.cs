namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>A grain storage that can delete a grain's stored state whatever it holds, a damaged state included: a forced clear.</summary>
internal interface IForcedClearStorage
{
    /// <summary>
    /// Deletes every stored form of the grain's state, without comparing ETags and without reading it, and leaves
    /// <paramref name="grainState"/> as a clear does. Crash-safe: interrupted at any step, what is stored reads as
    /// before or as nothing, and the call can be repeated.
    /// </summary>
    /// <param name="stateName">The state name.</param>
    /// <param name="grainId">The grain.</param>
    /// <param name="grainState">The grain's state, reset on success.</param>
    /// <returns>A task that completes when nothing of the state is stored.</returns>
    Task ForceClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState);
}
