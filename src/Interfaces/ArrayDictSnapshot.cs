using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace ArrayDictOrleans;

/// <summary>
/// The binary snapshot format of an <see cref="ArrayDict"/>: a versioned header, the keys and the values of
/// the rows in use as raw little-endian arrays, optional opaque metadata, and an XxHash64 checksum over all
/// of it. A row costs <c>8 + 8 * Width</c> bytes; the rest is <see cref="Overhead"/> bytes plus the metadata.
/// The bytes are described in <c>docs/snapshot-format.md</c>.
/// </summary>
public static class ArrayDictSnapshot
{
    /// <summary>The first 8 bytes of every snapshot: <c>"ADSNAP\r\n"</c>.</summary>
    public static ReadOnlySpan<byte> Magic => "ADSNAP\r\n"u8;

    /// <summary>The format version this build writes and reads.</summary>
    public const ushort FormatVersion = 1;

    /// <summary>Bytes before the keys.</summary>
    public const int HeaderSize = ArrayDictSnapshotHeader.Size;

    /// <summary>Bytes of a snapshot beyond its rows and metadata: the header and the trailing checksum.</summary>
    public const int Overhead = HeaderSize + sizeof(ulong);

    /// <summary>
    /// The most metadata a snapshot may carry: 64 MiB. Writers refuse more, and readers refuse a header that claims more
    /// before they allocate for it.
    /// </summary>
    public const int MaxMetadataLength = 64 << 20;

    private const int ChunkSize = 1 << 20;

    /// <summary>The exact size of the snapshot of <paramref name="dict"/> with <paramref name="metadataLength"/> bytes of metadata.</summary>
    public static long GetSize(ArrayDict dict, int metadataLength = 0)
    {
        ArgumentNullException.ThrowIfNull(dict);
        ArgumentOutOfRangeException.ThrowIfNegative(metadataLength);
        return Overhead + ((long)dict.Count * (sizeof(long) + (sizeof(double) * dict.Width))) + metadataLength;
    }

    /// <summary>Writes the snapshot of <paramref name="dict"/>, followed by <paramref name="metadata"/>, to <paramref name="destination"/>.</summary>
    public static void Write(ArrayDict dict, Stream destination, ReadOnlySpan<byte> metadata = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var plan = WritePlan.Create(dict, metadata.Length);
        var hash = new XxHash64();
        Span<byte> header = stackalloc byte[HeaderSize];
        plan.WriteHeader(header);
        hash.Append(header);
        destination.Write(header);
        foreach (var segment in plan.Segments)
        {
            var bytes = plan.Bytes(segment);
            hash.Append(bytes);
            destination.Write(bytes);
        }

        hash.Append(metadata);
        destination.Write(metadata);
        Span<byte> checksum = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(checksum, hash.GetCurrentHashAsUInt64());
        destination.Write(checksum);
    }

    /// <summary>Writes the snapshot of <paramref name="dict"/>, followed by <paramref name="metadata"/>, to <paramref name="destination"/>, in chunks of at most 1 MiB.</summary>
    public static async ValueTask WriteAsync(ArrayDict dict, Stream destination, ReadOnlyMemory<byte> metadata = default, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var plan = WritePlan.Create(dict, metadata.Length);
        var hash = new XxHash64();
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(ChunkSize, Math.Max(HeaderSize, plan.TotalBytes)));
        try
        {
            plan.WriteHeader(buffer);
            hash.Append(buffer.AsSpan(0, HeaderSize));
            await destination.WriteAsync(buffer.AsMemory(0, HeaderSize), cancellationToken).ConfigureAwait(false);
            foreach (var segment in plan.Segments)
            {
                for (int done = 0; done < segment.ByteLength;)
                {
                    int chunk = (int)Math.Min(buffer.Length, segment.ByteLength - done);
                    plan.Bytes(segment).Slice(done, chunk).CopyTo(buffer);
                    hash.Append(buffer.AsSpan(0, chunk));
                    await destination.WriteAsync(buffer.AsMemory(0, chunk), cancellationToken).ConfigureAwait(false);
                    done += chunk;
                }
            }

            hash.Append(metadata.Span);
            await destination.WriteAsync(metadata, cancellationToken).ConfigureAwait(false);
            BinaryPrimitives.WriteUInt64LittleEndian(buffer, hash.GetCurrentHashAsUInt64());
            await destination.WriteAsync(buffer.AsMemory(0, sizeof(ulong)), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes the snapshot of <paramref name="dict"/>, followed by <paramref name="metadata"/>, to <paramref name="destination"/>.</summary>
    public static void Write(ArrayDict dict, IBufferWriter<byte> destination, ReadOnlySpan<byte> metadata = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var plan = WritePlan.Create(dict, metadata.Length);
        var hash = new XxHash64();
        Span<byte> header = destination.GetSpan(HeaderSize)[..HeaderSize];
        plan.WriteHeader(header);
        hash.Append(header);
        destination.Advance(HeaderSize);
        foreach (var segment in plan.Segments)
        {
            CopyToWriter(plan.Bytes(segment), destination, hash);
        }

        CopyToWriter(metadata, destination, hash);
        BinaryPrimitives.WriteUInt64LittleEndian(destination.GetSpan(sizeof(ulong)), hash.GetCurrentHashAsUInt64());
        destination.Advance(sizeof(ulong));
    }

    /// <summary>Writes the snapshot of <paramref name="dict"/> into a new array (for small dicts and tests; prefer the stream and buffer-writer overloads).</summary>
    public static byte[] ToArray(ArrayDict dict, ReadOnlySpan<byte> metadata = default)
    {
        long size = GetSize(dict, metadata.Length);
        if (size > Array.MaxLength)
        {
            throw new InvalidOperationException($"The snapshot would take {size} bytes, more than one array holds; write it to a stream instead.");
        }

        var writer = new ArrayBufferWriter<byte>((int)size);
        Write(dict, writer, metadata);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a snapshot from <paramref name="source"/>, which is left just after it.</summary>
    /// <exception cref="SnapshotFormatException">The bytes are not a whole, intact snapshot of a known version.</exception>
    public static ArrayDict Read(Stream source) => ReadWithMetadata(source).Dict;

    /// <summary>Reads a snapshot and its metadata from <paramref name="source"/>, which is left just after it.</summary>
    /// <exception cref="SnapshotFormatException">The bytes are not a whole, intact snapshot of a known version.</exception>
    public static SnapshotContents ReadWithMetadata(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var hash = new XxHash64();
        Span<byte> header = stackalloc byte[HeaderSize];
        ReadExactly(source, header, "header");
        hash.Append(header);
        if (!source.CanSeek)
        {
            return ReadUnprovenBody(source, header, hash);
        }

        var plan = ReadPlan.Create(header, source.Length - source.Position);
        for (int part = 0; part < plan.PartCount; part++)
        {
            var bytes = plan.Part(part);
            ReadExactly(source, bytes, plan.PartName(part));
            hash.Append(bytes);
        }

        Span<byte> checksum = stackalloc byte[sizeof(ulong)];
        ReadExactly(source, checksum, "checksum");
        return plan.Complete(hash, checksum);
    }

    /// <summary>Reads a snapshot and its metadata from <paramref name="source"/>, in chunks of at most 1 MiB; the stream is left just after it.</summary>
    /// <exception cref="SnapshotFormatException">The bytes are not a whole, intact snapshot of a known version.</exception>
    public static async ValueTask<SnapshotContents> ReadWithMetadataAsync(Stream source, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        var hash = new XxHash64();
        byte[] header = new byte[HeaderSize];
        await ReadExactlyAsync(source, header, "header", cancellationToken).ConfigureAwait(false);
        hash.Append(header);
        if (!source.CanSeek)
        {
            return await ReadUnprovenBodyAsync(source, header, hash, cancellationToken).ConfigureAwait(false);
        }

        var plan = ReadPlan.Create(header, source.Length - source.Position);
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(ChunkSize, Math.Max(sizeof(ulong), plan.BodyBytes)));
        try
        {
            for (int part = 0; part < plan.PartCount; part++)
            {
                int length = plan.Part(part).Length;
                for (int done = 0; done < length;)
                {
                    int chunk = Math.Min(buffer.Length, length - done);
                    await ReadExactlyAsync(source, buffer.AsMemory(0, chunk), plan.PartName(part), cancellationToken).ConfigureAwait(false);
                    hash.Append(buffer.AsSpan(0, chunk));
                    buffer.AsSpan(0, chunk).CopyTo(plan.Part(part)[done..]);
                    done += chunk;
                }
            }

            await ReadExactlyAsync(source, buffer.AsMemory(0, sizeof(ulong)), "checksum", cancellationToken).ConfigureAwait(false);
            return plan.Complete(hash, buffer.AsSpan(0, sizeof(ulong)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Reads a snapshot that fills <paramref name="source"/> exactly.</summary>
    /// <exception cref="SnapshotFormatException">The bytes are not a whole, intact snapshot of a known version, or bytes follow it.</exception>
    public static ArrayDict Read(ReadOnlySequence<byte> source) => ReadWithMetadata(source).Dict;

    /// <summary>Reads a snapshot and its metadata that fill <paramref name="source"/> exactly.</summary>
    /// <exception cref="SnapshotFormatException">The bytes are not a whole, intact snapshot of a known version, or bytes follow it.</exception>
    public static SnapshotContents ReadWithMetadata(ReadOnlySequence<byte> source)
    {
        if (source.Length < Overhead)
        {
            throw Truncated("header", source.Length, Overhead);
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        source.Slice(0, HeaderSize).CopyTo(header);
        var plan = ReadPlan.Create(header, source.Length - HeaderSize);
        long expected = HeaderSize + plan.BodyBytes + sizeof(ulong);
        if (source.Length != expected)
        {
            throw new SnapshotFormatException($"The snapshot should take {expected} bytes, but {source.Length} were given: it is truncated or has bytes appended.");
        }

        var hash = new XxHash64();
        foreach (var memory in source.Slice(0, expected - sizeof(ulong)))
        {
            hash.Append(memory.Span);
        }

        long position = HeaderSize;
        for (int part = 0; part < plan.PartCount; part++)
        {
            var bytes = plan.Part(part);
            source.Slice(position, bytes.Length).CopyTo(bytes);
            position += bytes.Length;
        }

        Span<byte> checksum = stackalloc byte[sizeof(ulong)];
        source.Slice(position, sizeof(ulong)).CopyTo(checksum);
        return plan.Complete(hash, checksum);
    }

    /// <summary>Reads a snapshot that fills <paramref name="source"/> exactly.</summary>
    /// <exception cref="SnapshotFormatException">The bytes are not a whole, intact snapshot of a known version, or bytes follow it.</exception>
    public static ArrayDict Read(ReadOnlyMemory<byte> source) => ReadWithMetadata(new ReadOnlySequence<byte>(source)).Dict;

    /// <summary>Reads a snapshot that fills <paramref name="source"/> exactly.</summary>
    /// <exception cref="SnapshotFormatException">The bytes are not a whole, intact snapshot of a known version, or bytes follow it.</exception>
    public static ArrayDict Read(BinaryData source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Read(source.ToMemory());
    }

    /// <summary>
    /// Reads the body of a snapshot whose stream cannot tell how much it holds: in chunks, each allocated only once the
    /// chunks before it arrived, so that a header claiming more than the stream holds costs at most one chunk. The
    /// ArrayDict is allocated once the whole body and its checksum are read and match.
    /// </summary>
    private static SnapshotContents ReadUnprovenBody(Stream source, ReadOnlySpan<byte> header, XxHash64 hash)
    {
        var body = new ChunkedBody(BodyLength(header));
        try
        {
            while (body.NextChunk() is { } chunk)
            {
                ReadExactly(source, chunk.Span, "body");
                hash.Append(chunk.Span);
            }

            Span<byte> checksum = stackalloc byte[sizeof(ulong)];
            ReadExactly(source, checksum, "checksum");
            return body.Complete(header, hash, checksum);
        }
        finally
        {
            body.Dispose();
        }
    }

    /// <inheritdoc cref="ReadUnprovenBody"/>
    private static async ValueTask<SnapshotContents> ReadUnprovenBodyAsync(Stream source, byte[] header, XxHash64 hash, CancellationToken cancellationToken)
    {
        var body = new ChunkedBody(BodyLength(header));
        try
        {
            while (body.NextChunk() is { } chunk)
            {
                await ReadExactlyAsync(source, chunk, "body", cancellationToken).ConfigureAwait(false);
                hash.Append(chunk.Span);
            }

            byte[] checksum = new byte[sizeof(ulong)];
            await ReadExactlyAsync(source, checksum, "checksum", cancellationToken).ConfigureAwait(false);
            return body.Complete(header, hash, checksum);
        }
        finally
        {
            body.Dispose();
        }
    }

    private static long BodyLength(ReadOnlySpan<byte> header) => ArrayDictSnapshotHeader.Read(header).TotalLength - HeaderSize - sizeof(ulong);

    private static void CopyToWriter(ReadOnlySpan<byte> bytes, IBufferWriter<byte> destination, XxHash64 hash)
    {
        hash.Append(bytes);
        while (!bytes.IsEmpty)
        {
            var target = destination.GetSpan(Math.Min(bytes.Length, ChunkSize));
            int chunk = Math.Min(target.Length, bytes.Length);
            bytes[..chunk].CopyTo(target);
            destination.Advance(chunk);
            bytes = bytes[chunk..];
        }
    }

    private static void ReadExactly(Stream source, Span<byte> target, string part)
    {
        int read = source.ReadAtLeast(target, target.Length, throwOnEndOfStream: false);
        if (read < target.Length)
        {
            throw Truncated(part, read, target.Length);
        }
    }

    private static async ValueTask ReadExactlyAsync(Stream source, Memory<byte> target, string part, CancellationToken cancellationToken)
    {
        int read = await source.ReadAtLeastAsync(target, target.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < target.Length)
        {
            throw Truncated(part, read, target.Length);
        }
    }

    private static SnapshotFormatException Truncated(string part, long got, long wanted) =>
        new($"The snapshot is truncated: its {part} needs {wanted} bytes, only {got} were left.");

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ArrayDict snapshots are raw little-endian arrays; this machine is big-endian.");
        }
    }

    /// <summary>A snapshot body read in pooled chunks, copied into its ArrayDict once it has all arrived and its checksum matched.</summary>
    private sealed class ChunkedBody(long length) : IDisposable
    {
        private readonly List<byte[]> _chunks = [];
        private long _requested;

        /// <summary>The next chunk to fill, or null when the whole body has been asked for.</summary>
        public Memory<byte>? NextChunk()
        {
            if (_requested == length)
            {
                return null;
            }

            int size = (int)Math.Min(ChunkSize, length - _requested);
            byte[] chunk = ArrayPool<byte>.Shared.Rent(size);
            _chunks.Add(chunk);
            _requested += size;
            return chunk.AsMemory(0, size);
        }

        public SnapshotContents Complete(ReadOnlySpan<byte> header, XxHash64 hash, ReadOnlySpan<byte> checksum)
        {
            ulong expected = BinaryPrimitives.ReadUInt64LittleEndian(checksum);
            if (expected != hash.GetCurrentHashAsUInt64())
            {
                // Refused before the ArrayDict is allocated: damaged bytes cost no more than the chunks they filled.
                throw new SnapshotFormatException($"The snapshot is corrupted: its checksum is {expected:X16}, its content hashes to {hash.GetCurrentHashAsUInt64():X16}.");
            }

            var plan = ReadPlan.Create(header, length + sizeof(ulong));
            int chunkIndex = 0;
            int offset = 0;
            for (int part = 0; part < plan.PartCount; part++)
            {
                var target = plan.Part(part);
                while (!target.IsEmpty)
                {
                    var chunk = ChunkSpan(chunkIndex);
                    int take = Math.Min(target.Length, chunk.Length - offset);
                    chunk.Slice(offset, take).CopyTo(target);
                    target = target[take..];
                    offset += take;
                    if (offset == chunk.Length)
                    {
                        chunkIndex++;
                        offset = 0;
                    }
                }
            }

            return plan.Complete(hash, checksum);
        }

        public void Dispose()
        {
            foreach (byte[] chunk in _chunks)
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            _chunks.Clear();
        }

        private ReadOnlySpan<byte> ChunkSpan(int index) =>
            _chunks[index].AsSpan(0, (int)Math.Min(ChunkSize, length - ((long)index * ChunkSize)));
    }

    /// <summary>What is written, in order: runs of rows in use, keys first, then values.</summary>
    private sealed class WritePlan
    {
        private readonly ArrayDict _dict;
        private readonly int _metadataLength;

        private WritePlan(ArrayDict dict, int metadataLength, List<Segment> segments)
        {
            _dict = dict;
            _metadataLength = metadataLength;
            Segments = segments;
        }

        public List<Segment> Segments { get; }

        public long TotalBytes => GetSize(_dict, _metadataLength);

        public static WritePlan Create(ArrayDict dict, int metadataLength)
        {
            ArgumentNullException.ThrowIfNull(dict);
            if (metadataLength > MaxMetadataLength)
            {
                throw new InvalidOperationException($"A snapshot carries at most {MaxMetadataLength} bytes of metadata; {metadataLength} were given (a kept result that large cannot be stored).");
            }

            EnsureLittleEndian();
            var runs = new List<(int Start, int Length)>();
            if (dict.FreeRowCount == 0)
            {
                runs.Add((0, dict.RowLimit));
            }
            else
            {
                for (int row = 0; row < dict.RowLimit;)
                {
                    while (row < dict.RowLimit && dict.IsFree(row))
                    {
                        row++;
                    }

                    int start = row;
                    while (row < dict.RowLimit && !dict.IsFree(row))
                    {
                        row++;
                    }

                    if (row > start)
                    {
                        runs.Add((start, row - start));
                    }
                }
            }

            var segments = new List<Segment>(runs.Count * 2);
            foreach (var (start, length) in runs)
            {
                Segment.AddRange(segments, isKeys: true, start, length, dict.Width);
            }

            foreach (var (start, length) in runs)
            {
                Segment.AddRange(segments, isKeys: false, start, length, dict.Width);
            }

            return new WritePlan(dict, metadataLength, segments);
        }

        public void WriteHeader(Span<byte> header) =>
            new ArrayDictSnapshotHeader(_dict.Width, _dict.Count, _metadataLength).WriteTo(header);

        public ReadOnlySpan<byte> Bytes(Segment segment) => segment.Bytes(_dict);
    }

    /// <summary>Rows of the keys or of the values, at most 1 GiB of them so that one span covers them.</summary>
    private readonly record struct Segment(bool IsKeys, int StartRow, int Rows, long ByteLength)
    {
        private const int MaxBytes = 1 << 30;

        public static void AddRange(List<Segment> segments, bool isKeys, int start, int rows, int width)
        {
            int rowBytes = isKeys ? sizeof(long) : sizeof(double) * width;
            int maxRows = Math.Max(1, MaxBytes / rowBytes);
            for (int done = 0; done < rows;)
            {
                int take = Math.Min(maxRows, rows - done);
                segments.Add(new Segment(isKeys, start + done, take, (long)take * rowBytes));
                done += take;
            }
        }

        public Span<byte> Bytes(ArrayDict dict) => IsKeys
            ? MemoryMarshal.AsBytes(dict.KeyArray.AsSpan(StartRow, Rows))
            : MemoryMarshal.AsBytes(dict.ValueArray.AsSpan(StartRow * dict.Width, Rows * dict.Width));
    }

    /// <summary>Where the parts of a snapshot go once its header is known: straight into the new dict's arrays, then the metadata.</summary>
    private sealed class ReadPlan
    {
        private readonly ArrayDict _dict;
        private readonly int _count;
        private readonly byte[] _metadata;
        private readonly List<Segment> _segments = [];

        private ReadPlan(ArrayDict dict, int count, byte[] metadata)
        {
            _dict = dict;
            _count = count;
            _metadata = metadata;
            Segment.AddRange(_segments, isKeys: true, 0, count, dict.Width);
            Segment.AddRange(_segments, isKeys: false, 0, count, dict.Width);
        }

        public int PartCount => _segments.Count + 1;

        public long BodyBytes => (long)_count * (sizeof(long) + (sizeof(double) * _dict.Width)) + _metadata.Length;

        public string PartName(int part) => part == _segments.Count ? "metadata" : _segments[part].IsKeys ? "keys" : "values";

        public Span<byte> Part(int part) => part == _segments.Count ? _metadata : _segments[part].Bytes(_dict);

        public static ReadPlan Create(ReadOnlySpan<byte> header, long? bytesAvailable)
        {
            EnsureLittleEndian();
            var parsed = ArrayDictSnapshotHeader.Read(header);
            long needed = parsed.TotalLength - HeaderSize;
            if (bytesAvailable is { } available && available < needed)
            {
                throw Truncated("body", available, needed);
            }

            return new ReadPlan(new ArrayDict(parsed.Width, (int)parsed.Count), (int)parsed.Count, new byte[parsed.MetadataLength]);
        }

        public SnapshotContents Complete(XxHash64 hash, ReadOnlySpan<byte> storedChecksum)
        {
            ulong expected = BinaryPrimitives.ReadUInt64LittleEndian(storedChecksum);
            ulong actual = hash.GetCurrentHashAsUInt64();
            if (expected != actual)
            {
                throw new SnapshotFormatException($"The snapshot is corrupted: its checksum is {expected:X16}, its content hashes to {actual:X16}.");
            }

            if (_dict.AdoptRows(_count) is { } duplicate)
            {
                throw new SnapshotFormatException($"The snapshot holds the key {duplicate} twice.");
            }

            return new SnapshotContents(_dict, _metadata);
        }
    }
}
