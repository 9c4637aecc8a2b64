using System.Diagnostics.Metrics;
using ArrayDictOrleans.Grains;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>
/// Counts what the grains of this process write, from the project's meter (<see cref="ArrayDictMetrics.MeterName"/>):
/// snapshots and their bytes (<c>arraydict.snapshot.bytes</c>), syncs to the disk (<c>arraydict.storage.syncs</c>) and the
/// writes those syncs made durable (<c>arraydict.storage.synced_writes</c>). Sees only silos in this process: the embedded one.
/// </summary>
internal sealed class SnapshotMeter : IDisposable
{
    private const string BytesInstrument = "arraydict.snapshot.bytes";
    private const string SyncsInstrument = "arraydict.storage.syncs";
    private const string SyncedWritesInstrument = "arraydict.storage.synced_writes";

    private readonly MeterListener _listener = new();
    private long _bytes;
    private long _snapshots;
    private long _syncs;
    private long _syncedWrites;

    public SnapshotMeter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ArrayDictMetrics.MeterName && instrument.Name is BytesInstrument or SyncsInstrument or SyncedWritesInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            switch (instrument.Name)
            {
                case BytesInstrument:
                    Interlocked.Add(ref _bytes, value);
                    Interlocked.Increment(ref _snapshots);
                    break;
                case SyncsInstrument:
                    Interlocked.Add(ref _syncs, value);
                    break;
                case SyncedWritesInstrument:
                    Interlocked.Add(ref _syncedWrites, value);
                    break;
            }
        });
        _listener.Start();
    }

    /// <summary>Bytes of snapshots written since this meter started.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Snapshots written since this meter started.</summary>
    public long Snapshots => Interlocked.Read(ref _snapshots);

    /// <summary>Syncs to the disk since this meter started (one group commit is one sync, however many writes it covers).</summary>
    public long Syncs => Interlocked.Read(ref _syncs);

    /// <summary>Writes made durable by those syncs.</summary>
    public long SyncedWrites => Interlocked.Read(ref _syncedWrites);

    /// <summary>The sync counts now, to subtract from a later reading.</summary>
    public SyncCounts ReadSyncs() => new(Syncs, SyncedWrites);

    public void Dispose() => _listener.Dispose();
}

/// <summary>Syncs to the disk and the writes they made durable.</summary>
/// <param name="Syncs">Syncs.</param>
/// <param name="SyncedWrites">Writes they covered.</param>
internal readonly record struct SyncCounts(long Syncs, long SyncedWrites)
{
    public static SyncCounts operator -(SyncCounts later, SyncCounts earlier) =>
        new(later.Syncs - earlier.Syncs, later.SyncedWrites - earlier.SyncedWrites);
}
