namespace ArrayDictOrleans.Grains;

/// <summary>The persisted state of an ArrayDict grain: the ArrayDict and what makes its epochs exactly-once.</summary>
public sealed class ArrayDictState
{
    /// <summary>Initializes a new instance of the <see cref="ArrayDictState"/> class whose changes are not tracked (a storage that writes whole snapshots).</summary>
    public ArrayDictState()
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ArrayDictState"/> class.</summary>
    /// <param name="trackChanges">
    /// Whether the grain tracks what each call changes in <see cref="PendingDelta"/>: a journaling storage creates its
    /// states this way, so that a write can store only those rows.
    /// </param>
    public ArrayDictState(bool trackChanges) => PendingDelta = trackChanges ? new ArrayDictPendingDelta() : null;

    /// <summary>The ArrayDict; a new grain starts with an empty one of width 1.</summary>
    public ArrayDict Dict { get; set; } = new();

    /// <summary>The last epoch applied, or null when none was.</summary>
    public long? LastEpoch { get; set; }

    /// <summary>
    /// The result the last epoch returned, tied to its call, kept to answer a retry of it; null when no epoch was applied
    /// (or when an earlier version kept a result this silo cannot read).
    /// </summary>
    public KeptResult? LastResult { get; set; }

    /// <summary>
    /// Why the stored state could not be read, or null when it was (not persisted). Set instead of failing the
    /// activation when what is stored is damaged (<see cref="Persistence.DamageTolerantGrainStorage"/>): the grain then
    /// refuses every call with it but a forced clear.
    /// </summary>
    public Exception? ReadFailure { get; init; }

    /// <summary>
    /// Set by the grain for the clear of <see cref="IArrayDictGrain.ForceClearAsync"/> (not persisted): the clear then
    /// deletes every stored form of the state whatever it holds, without comparing versions.
    /// </summary>
    internal bool ForceClearRequested { get; set; }

    /// <summary>
    /// What changed since the last successful write (not persisted), or null when changes are not tracked. The grain
    /// records into it and resets it after a successful write; a storage only reads it.
    /// </summary>
    public ArrayDictPendingDelta? PendingDelta { get; }
}
