namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>
/// Replaces or deletes a grain's Full snapshot unconditionally, whatever it holds (a damaged one too): the steps of a
/// forced clear that a Full provider's ETag-checked clear cannot take.
/// </summary>
internal interface IFullSnapshotEraser
{
    /// <summary>
    /// Replaces whatever Full snapshot the grain has (or none) by a tombstone, a snapshot with no data and an ETag it
    /// never had: newer, by the rule of docs/journal.md ("Which form is newer"), than any journal of the grain.
    /// </summary>
    /// <param name="stateName">The state name.</param>
    /// <param name="grainId">The grain.</param>
    /// <returns>A task that completes when the tombstone is stored.</returns>
    Task WriteTombstoneAsync(string stateName, GrainId grainId);

    /// <summary>Deletes the grain's Full snapshot or tombstone, if any.</summary>
    /// <param name="stateName">The state name.</param>
    /// <param name="grainId">The grain.</param>
    /// <returns>A task that completes when it is deleted.</returns>
    Task DeleteAsync(string stateName, GrainId grainId);
}
