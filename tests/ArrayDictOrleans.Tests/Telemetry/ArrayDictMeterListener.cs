using System.Diagnostics.Metrics;
using ArrayDictOrleans.Grains;

namespace ArrayDictOrleans.Tests.Telemetry;

/// <summary>Adds up what the <see cref="ArrayDictMetrics.MeterName"/> meter records in this process, as an exporter would.</summary>
public sealed class ArrayDictMeterListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _applies;
    private long _rollbacks;
    private long _retriedEpochs;
    private long _snapshotBytes;
    private long _snapshotDurations;

    public ArrayDictMeterListener()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ArrayDictMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Add(instrument.Name, value));
        _listener.SetMeasurementEventCallback<double>((instrument, _, _, _) => Add(instrument.Name, 1));
        _listener.Start();
    }

    /// <summary>The totals so far.</summary>
    public ArrayDictMeasurements Snapshot() => new(
        Interlocked.Read(ref _applies),
        Interlocked.Read(ref _rollbacks),
        Interlocked.Read(ref _retriedEpochs),
        Interlocked.Read(ref _snapshotBytes),
        Interlocked.Read(ref _snapshotDurations));

    public void Dispose() => _listener.Dispose();

    private void Add(string instrument, long value)
    {
        switch (instrument)
        {
            case "arraydict.applies":
                Interlocked.Add(ref _applies, value);
                break;
            case "arraydict.rollbacks":
                Interlocked.Add(ref _rollbacks, value);
                break;
            case "arraydict.retried_epochs":
                Interlocked.Add(ref _retriedEpochs, value);
                break;
            case "arraydict.snapshot.bytes":
                Interlocked.Add(ref _snapshotBytes, value);
                break;
            case "arraydict.snapshot.duration":
                Interlocked.Add(ref _snapshotDurations, value);
                break;
        }
    }
}

/// <summary>Totals of the ArrayDict instruments; <c>SnapshotDurations</c> counts the duration histogram's measurements.</summary>
public readonly record struct ArrayDictMeasurements(long Applies, long Rollbacks, long RetriedEpochs, long SnapshotBytes, long SnapshotDurations)
{
    public static ArrayDictMeasurements operator -(ArrayDictMeasurements after, ArrayDictMeasurements before) => new(
        after.Applies - before.Applies,
        after.Rollbacks - before.Rollbacks,
        after.RetriedEpochs - before.RetriedEpochs,
        after.SnapshotBytes - before.SnapshotBytes,
        after.SnapshotDurations - before.SnapshotDurations);
}
