using System.Diagnostics.Metrics;

namespace ArrayDictOrleans.Grains;

/// <summary>The project's own meter: applies, rollbacks, retried epochs and snapshots.</summary>
public static class ArrayDictMetrics
{
    /// <summary>The meter's name, to export it with OpenTelemetry.</summary>
    public const string MeterName = "ArrayDictOrleans";

    private static readonly Meter Meter = new(MeterName);

    internal static readonly Counter<long> Applies = Meter.CreateCounter<long>("arraydict.applies", description: "Changes applied to an ArrayDict.");

    internal static readonly Counter<long> Rollbacks = Meter.CreateCounter<long>("arraydict.rollbacks", description: "Changes rolled back because the method or the snapshot failed.");

    internal static readonly Counter<long> RetriedEpochs = Meter.CreateCounter<long>("arraydict.retried_epochs", description: "Calls that repeated an applied epoch and got the kept result.");

    internal static readonly Counter<long> SnapshotBytes = Meter.CreateCounter<long>("arraydict.snapshot.bytes", unit: "By", description: "Bytes of snapshots written.");

    internal static readonly Counter<long> Syncs = Meter.CreateCounter<long>("arraydict.storage.syncs", description: "Syncs to the disk that made writes durable (one group commit covers many writes).");

    internal static readonly Counter<long> SyncedWrites = Meter.CreateCounter<long>("arraydict.storage.synced_writes", description: "Writes made durable by those syncs.");

    internal static readonly Histogram<double> SnapshotSeconds = Meter.CreateHistogram<double>("arraydict.snapshot.duration", unit: "s", description: "Time to write a snapshot.");
}
