using System.Diagnostics.Metrics;

namespace ArrayDictOrleans.Client.Bench;

/// <summary>
/// Counts the bytes of the messages Orleans sends over its connections in this process, from Orleans' own messaging
/// meter (<c>Microsoft.Orleans</c>, instrument <c>orleans-messaging-sent-messages-size</c>: one measurement per message,
/// header and body). With a client and a silo in one process talking over a loopback socket, that is both directions of
/// every call. Calls between a silo and a client hosted together never touch a socket, so they are not counted.
/// </summary>
internal sealed class MessageBytesMeter : IDisposable
{
    private const string MeterName = "Microsoft.Orleans";
    private const string SentSize = "orleans-messaging-sent-messages-size";

    private readonly MeterListener _listener = new();
    private long _bytes;
    private long _messages;

    public MessageBytesMeter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && instrument.Name == SentSize)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((_, value, _, _) => Add(value));
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Add(value));
        _listener.SetMeasurementEventCallback<double>((_, value, _, _) => Add((long)value));
        _listener.Start();
    }

    /// <summary>Bytes sent since the last <see cref="Reset"/>.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Messages sent since the last <see cref="Reset"/>.</summary>
    public long Messages => Interlocked.Read(ref _messages);

    public void Reset()
    {
        Interlocked.Exchange(ref _bytes, 0);
        Interlocked.Exchange(ref _messages, 0);
    }

    public void Dispose() => _listener.Dispose();

    private void Add(long value)
    {
        Interlocked.Add(ref _bytes, value);
        Interlocked.Increment(ref _messages);
    }
}
