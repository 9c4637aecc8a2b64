using Orleans.Storage;

namespace ArrayDictOrleans.Grains.Journal;

/// <summary>
/// A "base snapshot plus append-only journal" store, one per storage backend. Every write is conditional on the
/// position the writer last saw and fails with <see cref="InconsistentStateException"/> when the stored position
/// differs; the journaling grain storage (<see cref="ArrayDictJournalGrainStorage"/>) builds on it.
/// </summary>
public interface IArrayDictJournalStore
{
    /// <summary>Reads the newest base and its journal, or null when the grain has none.</summary>
    /// <param name="key">The grain's storage key.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="SnapshotFormatException">A journal exists without its base.</exception>
    Task<JournalStoreContents?> ReadAsync(string key, CancellationToken cancellationToken);

    /// <summary>Appends one record to the journal of <paramref name="expected"/>'s generation, if the stored position is <paramref name="expected"/>.</summary>
    /// <param name="key">The grain's storage key.</param>
    /// <param name="expected">The position the writer last saw.</param>
    /// <param name="record">The record.</param>
    /// <param name="cancellationToken">Cancels the append.</param>
    /// <exception cref="InconsistentStateException">The stored position is not <paramref name="expected"/>.</exception>
    Task AppendAsync(string key, JournalPosition expected, ReadOnlyMemory<byte> record, CancellationToken cancellationToken);

    /// <summary>
    /// Writes the base of <paramref name="generation"/> with an empty journal, if the stored position is
    /// <paramref name="expected"/> (null: nothing stored), and drops older generations.
    /// </summary>
    /// <param name="key">The grain's storage key.</param>
    /// <param name="expected">The position the writer last saw, or null when it saw nothing stored.</param>
    /// <param name="generation">The new generation, higher than <paramref name="expected"/>'s.</param>
    /// <param name="snapshot">The base snapshot.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="InconsistentStateException">The stored position is not <paramref name="expected"/>.</exception>
    Task WriteBaseAsync(string key, JournalPosition? expected, long generation, ReadOnlyMemory<byte> snapshot, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes every generation, if the stored position is <paramref name="expected"/>. Crash-safe: interrupted at any
    /// step, what is stored reads either as before or as nothing, and the delete can be repeated.
    /// </summary>
    /// <param name="key">The grain's storage key.</param>
    /// <param name="expected">The position the writer last saw, or null when it saw nothing stored.</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    /// <exception cref="InconsistentStateException">The stored position is not <paramref name="expected"/>.</exception>
    Task DeleteAsync(string key, JournalPosition? expected, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes everything stored for the grain, whatever its position and even when it cannot be read (damaged): what a
    /// forced clear does. Crash-safe as <see cref="DeleteAsync"/>: interrupted, what is stored reads as before or as nothing.
    /// </summary>
    /// <param name="key">The grain's storage key.</param>
    /// <param name="cancellationToken">Cancels the delete.</param>
    Task DeleteAnyAsync(string key, CancellationToken cancellationToken);

    /// <summary>
    /// Lets go of what the store holds for the grain (a lease, open files, cached positions) when its activation ends.
    /// The next operation on the key starts afresh.
    /// </summary>
    /// <param name="key">The grain's storage key.</param>
    /// <returns>A task that completes when released.</returns>
    ValueTask ReleaseAsync(string key) => ValueTask.CompletedTask;
}
