namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>
/// A read-only, seekable view of the payload region of a state file: position 0 is the first payload byte and the
/// stream ends where the payload ends, so a streaming serializer sees exactly what it wrote. Disposing the view leaves
/// the file open.
/// </summary>
/// <remarks>
/// Every read fills the requested buffer as far as the payload allows: some readers (the Orleans serializer among them)
/// take a short read for the end of the data.
/// </remarks>
internal sealed class PayloadReadStream : Stream
{
    private readonly Stream _inner;
    private readonly long _start;
    private readonly long _length;
    private long _position;

    /// <summary>Initializes a new instance of the <see cref="PayloadReadStream"/> class.</summary>
    /// <param name="inner">The file stream, which must be seekable.</param>
    /// <param name="start">The offset of the payload in the file.</param>
    /// <param name="length">The length of the payload.</param>
    public PayloadReadStream(Stream inner, long start, long length)
    {
        if (!inner.CanSeek || !inner.CanRead)
        {
            throw new ArgumentException("The stream must be readable and seekable.", nameof(inner));
        }

        _inner = inner;
        _start = start;
        _length = length;
    }

    /// <inheritdoc />
    public override bool CanRead => true;

    /// <inheritdoc />
    public override bool CanSeek => true;

    /// <inheritdoc />
    public override bool CanWrite => false;

    /// <inheritdoc />
    public override long Length => _length;

    /// <inheritdoc />
    public override long Position
    {
        get => _position;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    /// <inheritdoc />
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc />
    public override int Read(Span<byte> buffer)
    {
        var wanted = (int)Math.Min(buffer.Length, Math.Max(0, _length - _position));
        if (wanted == 0)
        {
            return 0;
        }

        SyncInnerPosition();
        var total = 0;
        while (total < wanted)
        {
            var read = _inner.Read(buffer[total..wanted]);
            if (read == 0)
            {
                throw new EndOfStreamException("The state file ended inside its payload.");
            }

            total += read;
        }

        _position += total;
        return total;
    }

    /// <inheritdoc />
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var wanted = (int)Math.Min(buffer.Length, Math.Max(0, _length - _position));
        if (wanted == 0)
        {
            return 0;
        }

        SyncInnerPosition();
        var total = 0;
        while (total < wanted)
        {
            var read = await _inner.ReadAsync(buffer[total..wanted], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException("The state file ended inside its payload.");
            }

            total += read;
        }

        _position += total;
        return total;
    }

    /// <inheritdoc />
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc />
    public override int ReadByte()
    {
        if (_position >= _length)
        {
            return -1;
        }

        SyncInnerPosition();
        var value = _inner.ReadByte();
        if (value < 0)
        {
            throw new EndOfStreamException("The state file ended inside its payload.");
        }

        _position++;
        return value;
    }

    /// <inheritdoc />
    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        Position = target;
        return target;
    }

    /// <inheritdoc />
    public override void Flush()
    {
    }

    /// <inheritdoc />
    public override void SetLength(long value) => throw new NotSupportedException("The payload view is read-only.");

    /// <inheritdoc />
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("The payload view is read-only.");

    private void SyncInnerPosition()
    {
        var wanted = _start + _position;
        if (_inner.Position != wanted)
        {
            _inner.Position = wanted;
        }
    }
}
