using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ArrayDictOrleans.Client.Files;

/// <summary>
/// Reads a file in the project's snapshot format page by page. Opening it checks the header, the length and the trailing
/// checksum (one sequential pass), so a damaged file is refused before any row is sent anywhere.
/// </summary>
internal sealed class SnapshotFileReader : IArrayDictFileReader
{
    private readonly SafeFileHandle _handle;
    private readonly SnapshotFileLayout _layout;

    private SnapshotFileReader(SafeFileHandle handle, SnapshotFileLayout layout)
    {
        _handle = handle;
        _layout = layout;
    }

    public int Width => _layout.Width;

    public int Count => _layout.Count;

    public static SnapshotFileReader Open(string path)
    {
        var handle = FileOpening.OpenForReading(path);
        try
        {
            long length = RandomAccess.GetLength(handle);
            Span<byte> header = stackalloc byte[ArrayDictSnapshot.HeaderSize];
            if (length < ArrayDictSnapshot.Overhead || RandomAccess.Read(handle, header, 0) != header.Length)
            {
                throw new ArrayDictFileException($"{path} is not an ArrayDict snapshot: it has {length} bytes, fewer than the {ArrayDictSnapshot.Overhead} of an empty one.");
            }

            var layout = SnapshotFileLayout.ReadHeader(header, length, path);
            Span<byte> stored = stackalloc byte[sizeof(ulong)];
            RandomAccess.Read(handle, stored, layout.ChecksumOffset);
            ulong expected = BinaryPrimitives.ReadUInt64LittleEndian(stored);
            ulong actual = SnapshotFileWriter.HashRange(handle, layout.ChecksumOffset);
            if (expected != actual)
            {
                throw new ArrayDictFileException($"{path} is a corrupted ArrayDict snapshot: its checksum is {expected:X16}, its content hashes to {actual:X16}.");
            }

            return new SnapshotFileReader(handle, layout);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    public IEnumerable<RowBatch> ReadPages(int pageRows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageRows, 1);
        for (int row = 0; row < Count;)
        {
            int take = Math.Min(pageRows, Count - row);
            var keys = new long[take];
            var values = new double[(long)take * Width];
            ReadExactly(MemoryMarshal.AsBytes(keys.AsSpan()), _layout.KeyOffset(row));
            ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()), _layout.ValueOffset(row));
            row += take;
            yield return new RowBatch(Width, keys, values);
        }
    }

    public void Dispose() => _handle.Dispose();

    private void ReadExactly(Span<byte> target, long offset)
    {
        while (!target.IsEmpty)
        {
            int read = RandomAccess.Read(_handle, target, offset);
            if (read <= 0)
            {
                throw new ArrayDictFileException($"The snapshot file ended early, at byte {offset}: was it changed while being imported?");
            }

            target = target[read..];
            offset += read;
        }
    }
}
