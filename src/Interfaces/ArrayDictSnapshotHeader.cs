using System.Buffers.Binary;
using System.IO.Hashing;

namespace ArrayDictOrleans;

/// <summary>
/// The 40-byte header of an <see cref="ArrayDictSnapshot"/> (<c>docs/snapshot-format.md</c>): what follows it and where,
/// so that a snapshot can also be written and read in pages.
/// </summary>
/// <param name="Width">Values per row.</param>
/// <param name="Count">Rows stored.</param>
/// <param name="MetadataLength">Bytes of metadata after the values.</param>
public readonly record struct ArrayDictSnapshotHeader(int Width, long Count, long MetadataLength)
{
    /// <summary>Bytes of the header.</summary>
    public const int Size = 40;

    private const int HashedSize = 32;

    /// <summary>Where the keys begin.</summary>
    public static long KeysOffset => Size;

    /// <summary>Where the values begin.</summary>
    public long ValuesOffset => KeysOffset + (Count * sizeof(long));

    /// <summary>Where the metadata begins.</summary>
    public long MetadataOffset => ValuesOffset + (Count * Width * sizeof(double));

    /// <summary>Where the trailing checksum begins.</summary>
    public long ChecksumOffset => MetadataOffset + MetadataLength;

    /// <summary>The whole snapshot's length, header and checksum included.</summary>
    public long TotalLength => ChecksumOffset + sizeof(ulong);

    /// <summary>Writes the header, with its own checksum, into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Size, nameof(destination));
        ArrayDictSnapshot.Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], ArrayDictSnapshot.FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[10..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], Width);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], Count);
        BinaryPrimitives.WriteInt64LittleEndian(destination[24..], MetadataLength);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[32..], XxHash64.HashToUInt64(destination[..HashedSize]));
    }

    /// <summary>Reads and checks the header in the first <see cref="Size"/> bytes of <paramref name="source"/>.</summary>
    /// <exception cref="SnapshotFormatException">Not a snapshot, a damaged header, an unknown version or flags, or sizes out of range.</exception>
    public static ArrayDictSnapshotHeader Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Size)
        {
            throw new SnapshotFormatException($"The snapshot is truncated: its header needs {Size} bytes, only {source.Length} were left.");
        }

        var magic = ArrayDictSnapshot.Magic;
        if (!source[..magic.Length].SequenceEqual(magic))
        {
            throw new SnapshotFormatException($"These bytes are not an ArrayDict snapshot: they begin with {Convert.ToHexString(source[..magic.Length])}, not {Convert.ToHexString(magic)} (\"ADSNAP\\r\\n\").");
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(source[32..]) != XxHash64.HashToUInt64(source[..HashedSize]))
        {
            throw new SnapshotFormatException("The snapshot header is corrupted: its checksum does not match.");
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(source[8..]);
        if (version != ArrayDictSnapshot.FormatVersion)
        {
            throw new SnapshotFormatException($"The snapshot has format version {version}; this build reads version {ArrayDictSnapshot.FormatVersion} only.");
        }

        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(source[10..]);
        if (flags != 0)
        {
            throw new SnapshotFormatException($"The snapshot sets flags 0x{flags:X4}, which version {ArrayDictSnapshot.FormatVersion} does not define.");
        }

        int width = BinaryPrimitives.ReadInt32LittleEndian(source[12..]);
        long count = BinaryPrimitives.ReadInt64LittleEndian(source[16..]);
        long metadataLength = BinaryPrimitives.ReadInt64LittleEndian(source[24..]);
        if (width < 1)
        {
            throw new SnapshotFormatException($"The snapshot has row width {width}; a width is at least 1.");
        }

        if (count < 0 || count > ArrayDict.MaxCapacityFor(width))
        {
            throw new SnapshotFormatException($"The snapshot claims {count} rows of width {width}, outside 0..{ArrayDict.MaxCapacityFor(width)}.");
        }

        if (metadataLength < 0 || metadataLength > ArrayDictSnapshot.MaxMetadataLength)
        {
            throw new SnapshotFormatException($"The snapshot claims {metadataLength} bytes of metadata, outside 0..{ArrayDictSnapshot.MaxMetadataLength}.");
        }

        return new ArrayDictSnapshotHeader(width, count, metadataLength);
    }
}
