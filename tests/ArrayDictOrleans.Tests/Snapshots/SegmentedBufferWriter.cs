using System.Buffers;

namespace ArrayDictOrleans.Tests.Snapshots;

/// <summary>An <see cref="IBufferWriter{T}"/> that writes into separate blocks, as a pipe does, and exposes them as a multi-segment sequence.</summary>
internal sealed class SegmentedBufferWriter(int blockSize) : IBufferWriter<byte>
{
    private readonly List<(byte[] Block, int Written)> _blocks = [];

    public void Advance(int count)
    {
        var (block, written) = _blocks[^1];
        if (count < 0 || written + count > block.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _blocks[^1] = (block, written + count);
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        int wanted = Math.Max(sizeHint, 1);
        if (_blocks.Count == 0 || _blocks[^1].Block.Length - _blocks[^1].Written < wanted)
        {
            _blocks.Add((new byte[Math.Max(wanted, blockSize)], 0));
        }

        var (block, written) = _blocks[^1];
        return block.AsMemory(written);
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public int SegmentCount => _blocks.Count(b => b.Written > 0);

    public ReadOnlySequence<byte> ToSequence() =>
        ChunkedSequence.FromChunks(_blocks.Where(b => b.Written > 0).Select(b => (ReadOnlyMemory<byte>)b.Block.AsMemory(0, b.Written)));
}
