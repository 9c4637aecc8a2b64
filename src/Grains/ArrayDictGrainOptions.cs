namespace ArrayDictOrleans.Grains;

/// <summary>How ArrayDict grains trade durability for speed.</summary>
public sealed class ArrayDictGrainOptions
{
    /// <summary>The name of the grain storage provider that holds ArrayDict snapshots.</summary>
    public const string StorageName = "arraydict";

    /// <summary>
    /// The name of the storage the grain's state goes through: the one named <see cref="StorageName"/>, except that a
    /// damaged stored state activates the grain in a damaged state rather than failing its activation (registered by
    /// <c>AddArrayDictGrains</c>).
    /// </summary>
    public const string GrainStorageName = "arraydict-grain";

    /// <summary>
    /// Persist after every <c>PersistEvery</c> successful changes: 1 (the default) makes every call that
    /// returned durable; K &gt; 1 writes every K changes; 0 writes only on <see cref="IArrayDictGrain.CheckpointAsync"/>
    /// and on deactivation. A silo that dies loses the changes not yet written (and their epochs, so that
    /// retries apply them again).
    /// </summary>
    public int PersistEvery { get; set; } = 1;

    /// <summary>What one request may cost (<c>ArrayDict:Limits</c>); checked before anything is allocated or changed.</summary>
    public ArrayDictLimits Limits { get; set; } = new();
}
