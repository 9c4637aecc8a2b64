using System.Buffers;

namespace ArrayDictOrleans.Tests.Snapshots;

/// <summary>The ways a snapshot is written and read back, as named test data.</summary>
internal static class SnapshotChannels
{
    /// <summary>Every writer/reader pairing.</summary>
    public static readonly string[] All =
    [
        "stream",
        "stream-async",
        "non-seekable-stream",
        "non-seekable-stream-async",
        "buffer-writer-sequence",
        "segmented-buffer-writer",
        "multi-segment-sequence",
        "memory",
        "binary-data",
    ];

    /// <summary>Every reader of bytes already written.</summary>
    public static readonly string[] Readers =
    [
        "stream",
        "stream-async",
        "non-seekable-stream",
        "non-seekable-stream-async",
        "sequence",
        "multi-segment-sequence",
    ];

    /// <summary>Writes <paramref name="dict"/> through <paramref name="channel"/> and reads it back; metadata is null where the reader does not return it.</summary>
    public static async Task<(ArrayDict Dict, byte[]? Metadata, long Size)> RoundTripAsync(ArrayDict dict, byte[] metadata, string channel)
    {
        switch (channel)
        {
            case "stream":
            {
                using var stream = new MemoryStream();
                ArrayDictSnapshot.Write(dict, stream, metadata);
                long size = stream.Length;
                stream.Position = 0;
                var contents = ArrayDictSnapshot.ReadWithMetadata(stream);
                Assert.Equal(size, stream.Position);
                return (contents.Dict, contents.Metadata, size);
            }

            case "stream-async":
            {
                using var stream = new MemoryStream();
                await ArrayDictSnapshot.WriteAsync(dict, stream, metadata);
                long size = stream.Length;
                stream.Position = 0;
                var contents = await ArrayDictSnapshot.ReadWithMetadataAsync(stream);
                Assert.Equal(size, stream.Position);
                return (contents.Dict, contents.Metadata, size);
            }

            case "non-seekable-stream":
            {
                using var target = new MemoryStream();
                ArrayDictSnapshot.Write(dict, new NonSeekableStream(target), metadata);
                var contents = ArrayDictSnapshot.ReadWithMetadata(new NonSeekableStream(new MemoryStream(target.ToArray()), maxReadSize: 4099));
                return (contents.Dict, contents.Metadata, target.Length);
            }

            case "non-seekable-stream-async":
            {
                using var target = new MemoryStream();
                await ArrayDictSnapshot.WriteAsync(dict, new NonSeekableStream(target), metadata);
                var contents = await ArrayDictSnapshot.ReadWithMetadataAsync(new NonSeekableStream(new MemoryStream(target.ToArray()), maxReadSize: 4099));
                return (contents.Dict, contents.Metadata, target.Length);
            }

            case "buffer-writer-sequence":
            {
                var writer = new ArrayBufferWriter<byte>();
                ArrayDictSnapshot.Write(dict, writer, metadata);
                var contents = ArrayDictSnapshot.ReadWithMetadata(new ReadOnlySequence<byte>(writer.WrittenMemory));
                return (contents.Dict, contents.Metadata, writer.WrittenCount);
            }

            case "segmented-buffer-writer":
            {
                var writer = new SegmentedBufferWriter(blockSize: 16);
                ArrayDictSnapshot.Write(dict, writer, metadata);
                var sequence = writer.ToSequence();
                Assert.True(writer.SegmentCount >= 2);
                var contents = ArrayDictSnapshot.ReadWithMetadata(sequence);
                return (contents.Dict, contents.Metadata, sequence.Length);
            }

            case "multi-segment-sequence":
            {
                byte[] bytes = ArrayDictSnapshot.ToArray(dict, metadata);
                var sequence = ChunkedSequence.Create(bytes, 1, 7, 40, 3, 4093, 65_541);
                Assert.False(sequence.IsSingleSegment);
                var contents = ArrayDictSnapshot.ReadWithMetadata(sequence);
                return (contents.Dict, contents.Metadata, bytes.Length);
            }

            case "memory":
            {
                byte[] bytes = ArrayDictSnapshot.ToArray(dict, metadata);
                return (ArrayDictSnapshot.Read(bytes.AsMemory()), null, bytes.Length);
            }

            case "binary-data":
            {
                var data = new BinaryData(ArrayDictSnapshot.ToArray(dict, metadata));
                return (ArrayDictSnapshot.Read(data), null, data.ToMemory().Length);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(channel), channel, "Unknown channel.");
        }
    }

    /// <summary>Reads <paramref name="bytes"/> through <paramref name="reader"/>.</summary>
    public static async Task<SnapshotContents> ReadAsync(byte[] bytes, string reader)
    {
        switch (reader)
        {
            case "stream":
                return ArrayDictSnapshot.ReadWithMetadata(new MemoryStream(bytes, writable: false));
            case "stream-async":
                return await ArrayDictSnapshot.ReadWithMetadataAsync(new MemoryStream(bytes, writable: false));
            case "non-seekable-stream":
                return ArrayDictSnapshot.ReadWithMetadata(new NonSeekableStream(new MemoryStream(bytes, writable: false), maxReadSize: 5));
            case "non-seekable-stream-async":
                return await ArrayDictSnapshot.ReadWithMetadataAsync(new NonSeekableStream(new MemoryStream(bytes, writable: false), maxReadSize: 5));
            case "sequence":
                return ArrayDictSnapshot.ReadWithMetadata(new ReadOnlySequence<byte>(bytes));
            case "multi-segment-sequence":
                return ArrayDictSnapshot.ReadWithMetadata(ChunkedSequence.Create(bytes, 1, 3, 16));
            default:
                throw new ArgumentOutOfRangeException(nameof(reader), reader, "Unknown reader.");
        }
    }
}
