using Orleans.Serialization;
using Orleans.Storage;

namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>
/// The grain-storage serializer for <see cref="ArrayDictState"/>: the ArrayDict's binary snapshot
/// (<see cref="ArrayDictSnapshot"/>), with the epoch and its kept result as the snapshot's metadata, written
/// and read in Orleans' binary format. Streams straight to and from storage where the provider allows.
/// Any other state type goes through <see cref="OrleansGrainStorageSerializer"/>.
/// </summary>
public sealed class ArrayDictStateSerializer(Serializer serializer) : IGrainStorageSerializer, IGrainStorageStreamingSerializer
{
    private static readonly KeyValuePair<string, object?> FullSnapshot = new("kind", "full");

    private readonly OrleansGrainStorageSerializer _otherStates = new(serializer);

    /// <inheritdoc />
    public BinaryData Serialize<T>(T? input)
    {
        if (input is ArrayDictState state)
        {
            var bytes = ArrayDictSnapshot.ToArray(state.Dict, EncodeMetadata(state));
            ArrayDictMetrics.SnapshotBytes.Add(bytes.Length, FullSnapshot);
            return new BinaryData(bytes);
        }

        return _otherStates.Serialize(input);
    }

    /// <inheritdoc />
    public T Deserialize<T>(BinaryData input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (typeof(T) == typeof(ArrayDictState))
        {
            var contents = ArrayDictSnapshot.ReadWithMetadata(new System.Buffers.ReadOnlySequence<byte>(input.ToMemory()));
            return (T)(object)DecodeState(contents);
        }

        return _otherStates.Deserialize<T>(input)!;
    }

    /// <inheritdoc />
    public async ValueTask SerializeAsync<T>(T? input, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (input is ArrayDictState state)
        {
            var metadata = EncodeMetadata(state);
            await ArrayDictSnapshot.WriteAsync(state.Dict, destination, metadata, cancellationToken).ConfigureAwait(false);
            ArrayDictMetrics.SnapshotBytes.Add(ArrayDictSnapshot.GetSize(state.Dict, metadata.Length), FullSnapshot);
            return;
        }

        var bytes = _otherStates.Serialize(input);
        await destination.WriteAsync(bytes.ToMemory(), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<T?> DeserializeAsync<T>(Stream input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (typeof(T) == typeof(ArrayDictState))
        {
            var contents = await ArrayDictSnapshot.ReadWithMetadataAsync(input, cancellationToken).ConfigureAwait(false);
            await EnsureEndOfStreamAsync(input, cancellationToken).ConfigureAwait(false);
            return (T)(object)DecodeState(contents);
        }

        var bytes = await BinaryData.FromStreamAsync(input, cancellationToken).ConfigureAwait(false);
        return _otherStates.Deserialize<T>(bytes);
    }

    /// <summary>A stored state is exactly one snapshot: bytes after it mean the record is not what was written.</summary>
    private static async ValueTask EnsureEndOfStreamAsync(Stream input, CancellationToken cancellationToken)
    {
        if (input.CanSeek)
        {
            if (input.Position != input.Length)
            {
                throw new SnapshotFormatException($"{input.Length - input.Position} bytes follow the snapshot in the stored state.");
            }

            return;
        }

        byte[] probe = new byte[1];
        if (await input.ReadAsync(probe, cancellationToken).ConfigureAwait(false) != 0)
        {
            throw new SnapshotFormatException("Bytes follow the snapshot in the stored state.");
        }
    }

    /// <summary>The epoch and its kept result in Orleans' binary format, as a snapshot's (or a journal record's) metadata.</summary>
    /// <param name="state">The state.</param>
    /// <param name="adoptedFullETag">For a journal's base adopted from a Full snapshot: that snapshot's ETag; else null.</param>
    internal byte[] EncodeMetadata(ArrayDictState state, string? adoptedFullETag = null) =>
        serializer.SerializeToArray(new ArrayDictStateMetadata { LastEpoch = state.LastEpoch, KeptResult = state.LastResult, AdoptedFullETag = adoptedFullETag });

    /// <summary>
    /// Reads the epoch and its kept result written by <see cref="EncodeMetadata"/> (or by an earlier version, which kept
    /// the result as an object) into <paramref name="state"/>. A result of an earlier version whose type this silo cannot
    /// load is dropped, so that the ArrayDict still loads: only a retry of that epoch then fails.
    /// </summary>
    /// <returns>The ETag of the Full snapshot a journal's base was adopted from, or null.</returns>
    internal string? DecodeMetadata(ReadOnlyMemory<byte> metadata, ArrayDictState state)
    {
        ArrayDictStateMetadata? decoded;
        try
        {
            decoded = serializer.Deserialize<ArrayDictStateMetadata>(metadata);
        }
        catch (Exception exception)
        {
            ArrayDictStateMetadataWithoutLegacyResult? withoutResult;
            try
            {
                withoutResult = serializer.Deserialize<ArrayDictStateMetadataWithoutLegacyResult>(metadata);
            }
            catch (Exception)
            {
                throw new SnapshotFormatException("The snapshot's checksum holds, but its epoch metadata cannot be read (was it written by another version?).", exception);
            }

            state.LastEpoch = withoutResult?.LastEpoch;
            state.LastResult = withoutResult?.KeptResult;
            return withoutResult?.AdoptedFullETag;
        }

        state.LastEpoch = decoded?.LastEpoch;
        state.LastResult = decoded?.KeptResult ?? (decoded?.LegacyResult is { } legacy ? KeptResult.FromLegacy(serializer, legacy) : null);
        return decoded?.AdoptedFullETag;
    }

    private ArrayDictState DecodeState(SnapshotContents contents)
    {
        var state = new ArrayDictState { Dict = contents.Dict };
        DecodeMetadata(contents.Metadata, state);
        return state;
    }
}
