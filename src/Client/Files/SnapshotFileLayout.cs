using System.Buffers.Binary;
using System.IO.Hashing;

namespace ArrayDictOrleans.Client.Files;

/// <summary>
/// Where the parts of a snapshot file lie (<c>docs/snapshot-format.md</c>): the 40-byte header, the keys from byte 40,
/// the values after them, the metadata, the trailing XXH64 checksum. Lets a file be written and read in pages.
/// </summary>
internal readonly record struct SnapshotFileLayout(int Width, int Count, long MetadataLength)
{
    private const int HashedHeaderSize = 32;

    public static long KeysOffset => ArrayDictSnapshot.HeaderSize;

    public long ValuesOffset => KeysOffset + ((long)Count * sizeof(long));

    public long MetadataOffset => ValuesOffset + ((long)Count * Width * sizeof(double));

    public long ChecksumOffset => MetadataOffset + MetadataLength;

    public long FileLength => ChecksumOffset + sizeof(ulong);

    public long KeyOffset(long row) => KeysOffset + (row * sizeof(long));

    public long ValueOffset(long row) => ValuesOffset + (row * Width * sizeof(double));

    public void WriteHeader(Span<byte> header)
    {
        ArrayDictSnapshot.Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[8..], ArrayDictSnapshot.FormatVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(header[10..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], Width);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], Count);
        BinaryPrimitives.WriteInt64LittleEndian(header[24..], MetadataLength);
        BinaryPrimitives.WriteUInt64LittleEndian(header[32..], XxHash64.HashToUInt64(header[..HashedHeaderSize]));
    }

    /// <summary>Reads and checks a header; <paramref name="fileLength"/> must be exactly what the header announces.</summary>
    public static SnapshotFileLayout ReadHeader(ReadOnlySpan<byte> header, long fileLength, string path)
    {
        if (!header[..ArrayDictSnapshot.Magic.Length].SequenceEqual(ArrayDictSnapshot.Magic))
        {
            throw new ArrayDictFileException($"{path} is not an ArrayDict snapshot: it does not begin with \"ADSNAP\\r\\n\".");
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(header[32..]) != XxHash64.HashToUInt64(header[..HashedHeaderSize]))
        {
            throw new ArrayDictFileException($"{path} is a corrupted ArrayDict snapshot: its header checksum does not match.");
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(header[10..]);
        if (version != ArrayDictSnapshot.FormatVersion || flags != 0)
        {
            throw new ArrayDictFileException($"{path} is an ArrayDict snapshot of format version {version} (flags 0x{flags:X4}); this program reads version {ArrayDictSnapshot.FormatVersion} without flags.");
        }

        int width = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        long count = BinaryPrimitives.ReadInt64LittleEndian(header[16..]);
        long metadataLength = BinaryPrimitives.ReadInt64LittleEndian(header[24..]);
        if (width < 1 || count < 0 || count > Array.MaxLength / width || metadataLength < 0 || metadataLength > Array.MaxLength)
        {
            throw new ArrayDictFileException($"{path} is a corrupted ArrayDict snapshot: its header claims {count} rows of width {width} and {metadataLength} bytes of metadata.");
        }

        var layout = new SnapshotFileLayout(width, (int)count, metadataLength);
        if (fileLength != layout.FileLength)
        {
            throw new ArrayDictFileException(fileLength < layout.FileLength
                ? $"{path} is a truncated ArrayDict snapshot: {count} rows of width {width} take {layout.FileLength} bytes, the file has {fileLength}."
                : $"{path} has {fileLength - layout.FileLength} bytes after its ArrayDict snapshot of {layout.FileLength} bytes.");
        }

        return layout;
    }
}
