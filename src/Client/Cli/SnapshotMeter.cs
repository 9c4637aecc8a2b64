using System.Diagnostics.Metrics;
using ArrayDictOrleans.Grains;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>
/// Counts the snapshots the grains of this process write and their bytes, from the project's meter
/// (<c>arraydict.snapshot.bytes</c>). Sees only silos in this process: the embedded one.
/// </summary>
internal sealed class SnapshotMeter : IDisposable
{
    private const string BytesInstrument = "arraydict.snapshot.bytes";

    private readonly MeterListener _listener = new();
    private long _bytes;
    private long _snapshots;

    public SnapshotMeter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ArrayDictMetrics.MeterName && instrument.Name == BytesInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
        {
            Interlocked.Add(ref _bytes, value);
            Interlocked.Increment(ref _snapshots);
        });
        _listener.Start();
    }

    /// <summary>Bytes of snapshots written since this meter started.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Snapshots written since this meter started.</summary>
    public long Snapshots => Interlocked.Read(ref _snapshots);

    public void Dispose() => _listener.Dispose();
}
