namespace ArrayDictOrleans.Client.Bench;

/// <summary>
/// The bytes this process allocated between <see cref="Start"/> and <see cref="Stop"/>, on every thread: in a bench run
/// the driver, the client and the embedded silo share the process, so this is what the loop's calls cost the garbage
/// collector. Unlike wall time it does not move with the machine's load.
/// </summary>
internal readonly struct LoopAllocation
{
    private readonly long _started;

    private LoopAllocation(long started) => _started = started;

    /// <summary>Starts counting.</summary>
    /// <returns>The count to stop.</returns>
    public static LoopAllocation Start() => new(GC.GetTotalAllocatedBytes(precise: true));

    /// <summary>Stops counting.</summary>
    /// <returns>The bytes allocated since <see cref="Start"/>.</returns>
    public long Stop() => GC.GetTotalAllocatedBytes(precise: true) - _started;
}
