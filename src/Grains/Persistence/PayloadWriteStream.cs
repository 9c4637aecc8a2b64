using System.IO.Hashing;

namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>
/// A write-only, forward-only stream through which a streaming serializer writes the payload into the state file,
/// counting and hashing the bytes as they pass. Disposing it leaves the file open.
/// </summary>
internal sealed class PayloadWriteStream(Stream inner) : Stream
{
    private readonly XxHash3 _hash = new();
    private long _length;

    /// <summary>Gets the number of payload bytes written.</summary>
    public long PayloadLength => _length;

    /// <summary>Gets the XxHash3 of the payload bytes written.</summary>
    public ulong PayloadHash => _hash.GetCurrentHashAsUInt64();

    /// <inheritdoc />
    public override bool CanRead => false;

    /// <inheritdoc />
    public override bool CanSeek => false;

    /// <inheritdoc />
    public override bool CanWrite => true;

    /// <inheritdoc />
    public override long Length => throw new NotSupportedException("The payload stream is forward-only.");

    /// <inheritdoc />
    public override long Position
    {
        get => throw new NotSupportedException("The payload stream is forward-only.");
        set => throw new NotSupportedException("The payload stream is forward-only.");
    }

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _hash.Append(buffer);
        _length += buffer.Length;
        inner.Write(buffer);
    }

    /// <inheritdoc />
    public override void WriteByte(byte value) => Write([value]);

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _hash.Append(buffer.Span);
        _length += buffer.Length;
        await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override void Flush() => inner.Flush();

    /// <inheritdoc />
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("The payload stream is write-only.");

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException("The payload stream is forward-only.");

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException("The payload stream is forward-only.");
}
