using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ArrayDictOrleans.Client.Files;

/// <summary>
/// Writes the project's snapshot format from pages. The header is written first (the row count is known from the first
/// page); each page's keys and values go straight to their places in the file, so no page is kept; the trailing
/// checksum, which covers the bytes in file order, is computed by one sequential pass over the finished file.
/// The bytes are those <see cref="ArrayDictSnapshot.Write(ArrayDict, Stream, ReadOnlySpan{byte})"/> writes.
/// </summary>
internal sealed class SnapshotFileWriter(string path) : IArrayDictFileWriter
{
    private const int BufferSize = 1 << 20;

    private readonly TemporaryFile _file = new(path);
    private SnapshotFileLayout _layout;
    private long _written = -1;

    public void Begin(int width, int count)
    {
        _layout = new SnapshotFileLayout(width, count, MetadataLength: 0);
        Span<byte> header = stackalloc byte[ArrayDictSnapshot.HeaderSize];
        _layout.WriteHeader(header);
        RandomAccess.SetLength(_file.Handle, _layout.FileLength);
        RandomAccess.Write(_file.Handle, header, 0);
        _written = 0;
    }

    public void WriteRows(RowBatch rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        PageChecks.CheckPage(_written, _layout.Width, _layout.Count, rows);
        RandomAccess.Write(_file.Handle, MemoryMarshal.AsBytes(rows.Keys.AsSpan()), _layout.KeyOffset(_written));
        RandomAccess.Write(_file.Handle, MemoryMarshal.AsBytes(rows.Values.AsSpan()), _layout.ValueOffset(_written));
        _written += rows.Count;
    }

    public void Complete()
    {
        PageChecks.CheckComplete(_written, _layout.Count);
        Span<byte> checksum = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(checksum, HashRange(_file.Handle, _layout.ChecksumOffset));
        RandomAccess.Write(_file.Handle, checksum, _layout.ChecksumOffset);
        _file.Commit();
    }

    public void Dispose() => _file.Dispose();

    /// <summary>XXH64 of bytes <c>[0, length)</c> of the file, read in order.</summary>
    internal static ulong HashRange(SafeFileHandle handle, long length)
    {
        var hash = new XxHash64();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            for (long offset = 0; offset < length;)
            {
                int chunk = (int)Math.Min(buffer.Length, length - offset);
                int read = RandomAccess.Read(handle, buffer.AsSpan(0, chunk), offset);
                if (read <= 0)
                {
                    throw new EndOfStreamException($"The file ended at byte {offset} of {length}.");
                }

                hash.Append(buffer.AsSpan(0, read));
                offset += read;
            }

            return hash.GetCurrentHashAsUInt64();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
