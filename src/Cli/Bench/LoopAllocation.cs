namespace ArrayDictOrleans.Client.Bench;

/// <summary>
/// What the garbage collector saw between <see cref="Start"/> and <see cref="Stop"/>, on every thread: in a bench run the
/// driver, the client and the embedded silo share the process, so this is what the loop's calls cost the collector. The
/// bytes allocated do not move with the machine's load, as wall time does.
/// </summary>
internal readonly struct LoopAllocation
{
    private readonly long _startedBytes;
    private readonly TimeSpan _startedPause;

    private LoopAllocation(long startedBytes, TimeSpan startedPause)
    {
        _startedBytes = startedBytes;
        _startedPause = startedPause;
    }

    /// <summary>Starts counting.</summary>
    /// <returns>The count to stop.</returns>
    public static LoopAllocation Start() => new(GC.GetTotalAllocatedBytes(precise: true), GC.GetTotalPauseDuration());

    /// <summary>Stops counting.</summary>
    /// <returns>The bytes allocated since <see cref="Start"/>, and how long the collector paused the process meanwhile.</returns>
    public (long Bytes, TimeSpan Pause) Stop() => (GC.GetTotalAllocatedBytes(precise: true) - _startedBytes, GC.GetTotalPauseDuration() - _startedPause);
}
