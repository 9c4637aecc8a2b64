using Orleans.Storage;

namespace ArrayDictOrleans.Tests.Persistence;

/// <summary>Hides the streaming interface of a serializer, so a provider has to take its byte-array path.</summary>
internal sealed class NonStreamingGrainStorageSerializer(IGrainStorageSerializer inner) : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => inner.Serialize(input);

    public T? Deserialize<T>(BinaryData input) => inner.Deserialize<T>(input);
}

/// <summary>Counts which of its paths a provider uses and what stream it is handed to read from.</summary>
internal sealed class RecordingStreamingSerializer(IGrainStorageStreamingSerializer inner) : IGrainStorageStreamingSerializer
{
    public int SerializeCalls { get; private set; }

    public int DeserializeCalls { get; private set; }

    public int SerializeAsyncCalls { get; private set; }

    public int DeserializeAsyncCalls { get; private set; }

    public bool? LastReadStreamCanSeek { get; private set; }

    public long? LastReadStreamLength { get; private set; }

    public BinaryData Serialize<T>(T? input)
    {
        SerializeCalls++;
        return inner.Serialize(input);
    }

    public T? Deserialize<T>(BinaryData input)
    {
        DeserializeCalls++;
        return inner.Deserialize<T>(input);
    }

    public ValueTask SerializeAsync<T>(T? input, Stream destination, CancellationToken cancellationToken = default)
    {
        SerializeAsyncCalls++;
        return inner.SerializeAsync(input, destination, cancellationToken);
    }

    public ValueTask<T?> DeserializeAsync<T>(Stream input, CancellationToken cancellationToken = default)
    {
        DeserializeAsyncCalls++;
        LastReadStreamCanSeek = input.CanSeek;
        LastReadStreamLength = input.CanSeek ? input.Length : null;
        return inner.DeserializeAsync<T>(input, cancellationToken);
    }
}

/// <summary>A serializer whose reading (or writing) fails, as one does on a payload it cannot understand.</summary>
internal sealed class FailingGrainStorageSerializer(IGrainStorageStreamingSerializer inner, bool failSerialize, bool failDeserialize)
    : IGrainStorageStreamingSerializer
{
    public const string SerializeMessage = "test serializer: cannot serialize";
    public const string DeserializeMessage = "test serializer: payload is not understood";

    public BinaryData Serialize<T>(T? input) =>
        failSerialize ? throw new InvalidOperationException(SerializeMessage) : inner.Serialize(input);

    public T? Deserialize<T>(BinaryData input) =>
        failDeserialize ? throw new InvalidOperationException(DeserializeMessage) : inner.Deserialize<T>(input);

    public async ValueTask SerializeAsync<T>(T? input, Stream destination, CancellationToken cancellationToken = default)
    {
        if (failSerialize)
        {
            // Write part of a payload first, like a serializer that fails half-way through a large state.
            await destination.WriteAsync(new byte[4096], cancellationToken);
            throw new InvalidOperationException(SerializeMessage);
        }

        await inner.SerializeAsync(input, destination, cancellationToken);
    }

    public ValueTask<T?> DeserializeAsync<T>(Stream input, CancellationToken cancellationToken = default) =>
        failDeserialize ? throw new InvalidOperationException(DeserializeMessage) : inner.DeserializeAsync<T>(input, cancellationToken);
}
