using System.Buffers;

namespace ArrayDictOrleans.Tests.Snapshots;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/>s, as pipes and network buffers hand them out.</summary>
internal static class ChunkedSequence
{
    /// <summary>Splits <paramref name="bytes"/> into segments whose lengths cycle through <paramref name="chunkSizes"/> (no copy).</summary>
    public static ReadOnlySequence<byte> Create(ReadOnlyMemory<byte> bytes, params int[] chunkSizes)
    {
        var chunks = new List<ReadOnlyMemory<byte>>();
        for (int i = 0, offset = 0; offset < bytes.Length; i++)
        {
            int length = Math.Min(chunkSizes[i % chunkSizes.Length], bytes.Length - offset);
            chunks.Add(bytes.Slice(offset, length));
            offset += length;
        }

        return FromChunks(chunks);
    }

    /// <summary>Chains <paramref name="chunks"/>, in order, into one sequence (no copy).</summary>
    public static ReadOnlySequence<byte> FromChunks(IEnumerable<ReadOnlyMemory<byte>> chunks)
    {
        Segment? first = null;
        Segment? last = null;
        foreach (var chunk in chunks)
        {
            last = last is null ? first = new Segment(chunk, 0) : last.Append(chunk);
        }

        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
