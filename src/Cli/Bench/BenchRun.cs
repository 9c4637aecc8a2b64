using ArrayDictOrleans.Client.Cli;

namespace ArrayDictOrleans.Client.Bench;

/// <summary>One run of one variant.</summary>
/// <param name="Fill">Wall time of the fill.</param>
/// <param name="Loop">The loop.</param>
/// <param name="StoredBytes">Bytes in its storage after the loop; 0 without persistence.</param>
/// <param name="Collector">Bytes the process allocated during the loop, and the collector's pauses then (<see cref="LoopAllocation"/>).</param>
internal sealed record BenchRun(TimeSpan Fill, Sw1LoopResult Loop, long StoredBytes, (long Bytes, TimeSpan Pause) Collector);
