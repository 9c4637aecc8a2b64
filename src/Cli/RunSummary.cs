using System.Globalization;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>The summary of <c>arraydict run</c>; with <c>--json</c>, printed as one object with these names in camelCase.</summary>
/// <param name="Objects">N.</param>
/// <param name="Rows">R, the initial rows per ArrayDict.</param>
/// <param name="Updates">U.</param>
/// <param name="Appends">A.</param>
/// <param name="Iterations">Iterations the driver ran (T when N >= T).</param>
/// <param name="Width">W.</param>
/// <param name="IterationBudget">T, the <c>--iterations</c> flag: object i is done after (i mod T) + 1 calls.</param>
/// <param name="Calls">MyMethod calls made.</param>
/// <param name="WorkMicroseconds">K, the <c>--work-us</c> flag: CPU work per call on top of SW1's own, in µs; 0 for none.</param>
/// <param name="WorkIterations">The kernel steps per call that K was calibrated to.</param>
/// <param name="StartSeconds">Wall time to start the embedded silo, or to connect to the cluster.</param>
/// <param name="FillSeconds">Wall time to clear and fill the ArrayDicts.</param>
/// <param name="LoopSeconds">Wall time of the driver loop.</param>
/// <param name="StopSeconds">Wall time to stop the embedded silo (its grains deactivate) or the client.</param>
/// <param name="WallSeconds">Wall time from the process's start to the end of the stop.</param>
/// <param name="CallsPerSecond">Calls over loop time.</param>
/// <param name="SecondsPerIteration">Loop time over iterations.</param>
/// <param name="Efficiency">With K > 0 on the embedded silo: calls x K µs over loop seconds x cores (1 = the cores did nothing but the work); else null.</param>
/// <param name="TotalRows">The sum of the final row counts.</param>
/// <param name="Checksum">The sum of each object's last sum.</param>
/// <param name="Retries">Calls retried after a transient failure (applied once all the same).</param>
/// <param name="Replays">Calls made again because an ArrayDict had lost calls which had returned (a crash with a setting that allows it); their epochs were replayed in order.</param>
/// <param name="SnapshotsWritten">Snapshots the embedded silo wrote during fill and loop; null against a remote cluster.</param>
/// <param name="SnapshotBytesWritten">Their bytes; null against a remote cluster.</param>
/// <param name="Durability">When a call that returned is safe, from the embedded silo's settings; against a remote cluster, that its silos decide.</param>
/// <param name="Syncs">Syncs to the disk during the loop; null against a remote cluster.</param>
/// <param name="SyncedWrites">Writes those syncs made durable; null against a remote cluster.</param>
/// <param name="Cluster">Where it ran.</param>
/// <param name="Reference">For SW1's public sizes, whether totalRows and checksum equal the reference values (<c>equal</c>, <c>different</c>); null for other sizes.</param>
internal sealed record RunSummary(
    int Objects,
    int Rows,
    int Updates,
    int Appends,
    int Iterations,
    int Width,
    int IterationBudget,
    long Calls,
    int WorkMicroseconds,
    long WorkIterations,
    double StartSeconds,
    double FillSeconds,
    double LoopSeconds,
    double StopSeconds,
    double WallSeconds,
    double CallsPerSecond,
    double SecondsPerIteration,
    double? Efficiency,
    long TotalRows,
    double Checksum,
    long Retries,
    long Replays,
    long? SnapshotsWritten,
    long? SnapshotBytesWritten,
    string Durability,
    long? Syncs,
    long? SyncedWrites,
    string Cluster,
    string? Reference)
{
    public IEnumerable<(string, string)> TableRows()
    {
        var c = CultureInfo.InvariantCulture;
        yield return ("objects x rows (width)", string.Create(c, $"{Objects:N0} x {Rows:N0} ({Width})"));
        yield return ("updates, appends per call", string.Create(c, $"{Updates:N0}, {Appends:N0}"));
        if (WorkMicroseconds > 0)
        {
            yield return ("work per call", string.Create(c, $"{WorkMicroseconds:N0} µs ({WorkIterations:N0} steps)"));
        }

        yield return ("iterations", string.Create(c, $"{Iterations:N0} (budget {IterationBudget:N0})"));
        yield return ("calls", Calls.ToString("N0", c));
        yield return ("start", Seconds(StartSeconds));
        yield return ("fill", Seconds(FillSeconds));
        yield return ("loop", Seconds(LoopSeconds));
        yield return ("stop", Seconds(StopSeconds));
        yield return ("wall (whole process)", Seconds(WallSeconds));
        yield return ("calls per second", CallsPerSecond.ToString("N0", c));
        yield return ("time per iteration", string.Create(c, $"{SecondsPerIteration * 1000:F1} ms"));
        if (Efficiency is { } efficiency)
        {
            yield return ("parallel efficiency", string.Create(c, $"{efficiency:F2} ({Environment.ProcessorCount} cores)"));
        }

        yield return ("totalRows", TotalRows.ToString("N0", c));
        yield return ("checksum", Checksum.ToString("R", c));
        yield return ("reference values", Sw1Reference.Describe(new Workload.Sw1Parameters(Objects, Rows, Updates, Appends, IterationBudget, Width), Reference));
        if (Retries > 0)
        {
            yield return ("retried calls", Retries.ToString("N0", c));
        }

        if (Replays > 0)
        {
            yield return ("replayed calls (lost epochs)", Replays.ToString("N0", c));
        }

        yield return ("snapshot bytes written", SnapshotBytesWritten is { } bytes
            ? string.Create(c, $"{bytes:N0} ({SnapshotsWritten:N0} snapshots)")
            : "not measured (remote cluster)");
    }

    /// <summary>The line under the table: how durable the calls were, and the syncs made for them.</summary>
    public string DurabilityLine() => Cli.Durability.Line(Durability, Syncs, Calls);

    private static string Seconds(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds:F3} s");
}
