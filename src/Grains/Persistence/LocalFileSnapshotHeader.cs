using System.Buffers.Binary;
using System.IO.Hashing;

namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>
/// The fixed 64-byte header in front of every file that <see cref="LocalFileGrainStorage"/> writes. The serializer's
/// payload follows it directly. All numbers are little-endian.
/// </summary>
/// <remarks>
/// <code>
/// offset size field
///      0    8 magic "ADLFGS\r\n" (bytes 41 44 4C 46 47 53 0D 0A)
///      8    2 format version (1)
///     10    2 flags (bit 0: tombstone, a cleared state kept for its ETag; its payload is empty)
///     12    4 reserved, zero
///     16   16 ETag, a GUID (<see cref="Guid.TryWriteBytes(Span{byte})"/> layout); the ETag string is its "N" format
///     32    8 payload length in bytes; the file is exactly 64 + this long
///     40    8 XxHash3 (64-bit, seed 0) of the payload
///     48   12 reserved, zero
///     60    4 CRC-32 of bytes 0..59
/// </code>
/// </remarks>
internal readonly record struct LocalFileSnapshotHeader(Guid ETag, bool IsTombstone, long PayloadLength, ulong PayloadHash)
{
    /// <summary>The size of the header in bytes.</summary>
    public const int Size = 64;

    /// <summary>The format version this code writes and reads.</summary>
    public const ushort CurrentVersion = 1;

    private const ushort TombstoneFlag = 1;
    private const int CrcOffset = 60;

    private static ReadOnlySpan<byte> Magic => "ADLFGS\r\n"u8;

    /// <summary>Gets the ETag as the string a grain state carries.</summary>
    public string ETagString => ETag.ToString("N");

    /// <summary>Writes this header into <paramref name="destination"/>, which must hold <see cref="Size"/> bytes.</summary>
    /// <param name="destination">Where to write.</param>
    public void Write(Span<byte> destination)
    {
        destination = destination[..Size];
        destination.Clear();
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[8..], CurrentVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[10..], IsTombstone ? TombstoneFlag : (ushort)0);
        if (!ETag.TryWriteBytes(destination[16..32]))
        {
            throw new InvalidOperationException("A GUID did not fit into 16 bytes.");
        }

        BinaryPrimitives.WriteInt64LittleEndian(destination[32..], PayloadLength);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[40..], PayloadHash);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[CrcOffset..], Crc32.HashToUInt32(destination[..CrcOffset]));
    }

    /// <summary>
    /// Reads a header, checking everything that the header alone can tell: magic, version, header checksum, flags,
    /// and that the payload length agrees with <paramref name="fileLength"/>.
    /// </summary>
    /// <param name="source">The first <see cref="Size"/> bytes of the file.</param>
    /// <param name="fileLength">The length of the whole file.</param>
    /// <returns>The header.</returns>
    /// <exception cref="InvalidDataException">The header is not one this code wrote, or is damaged, or the file is truncated.</exception>
    public static LocalFileSnapshotHeader Read(ReadOnlySpan<byte> source, long fileLength)
    {
        if (fileLength < Size || source.Length < Size)
        {
            throw new InvalidDataException($"The file is {fileLength} bytes long, shorter than the {Size}-byte header: it is truncated or not a grain state file.");
        }

        if (!source[..Magic.Length].SequenceEqual(Magic))
        {
            throw new InvalidDataException("The file does not start with the grain state file signature: it is not a grain state file or its header is damaged.");
        }

        var storedCrc = BinaryPrimitives.ReadUInt32LittleEndian(source[CrcOffset..]);
        var actualCrc = Crc32.HashToUInt32(source[..CrcOffset]);
        if (storedCrc != actualCrc)
        {
            throw new InvalidDataException($"The header checksum does not match (stored 0x{storedCrc:X8}, computed 0x{actualCrc:X8}): the header is damaged.");
        }

        var version = BinaryPrimitives.ReadUInt16LittleEndian(source[8..]);
        if (version != CurrentVersion)
        {
            throw new InvalidDataException($"The file has format version {version}; this code reads version {CurrentVersion} only.");
        }

        var flags = BinaryPrimitives.ReadUInt16LittleEndian(source[10..]);
        if ((flags & ~TombstoneFlag) != 0)
        {
            throw new InvalidDataException($"The file has unknown flags 0x{flags:X4}.");
        }

        var payloadLength = BinaryPrimitives.ReadInt64LittleEndian(source[32..]);
        if (payloadLength < 0 || payloadLength != fileLength - Size)
        {
            throw new InvalidDataException($"The header announces a {payloadLength}-byte payload but the file holds {fileLength - Size} bytes after the header: the file is truncated or damaged.");
        }

        var isTombstone = (flags & TombstoneFlag) != 0;
        if (isTombstone && payloadLength != 0)
        {
            throw new InvalidDataException("A tombstone file carries a payload.");
        }

        return new LocalFileSnapshotHeader(
            new Guid(source[16..32]),
            isTombstone,
            payloadLength,
            BinaryPrimitives.ReadUInt64LittleEndian(source[40..]));
    }
}
