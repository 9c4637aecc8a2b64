using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace ArrayDictOrleans.Grains.Journal;

/// <summary>
/// One delta record of the journal (see docs/journal.md): a 48-byte header (magic <c>ADJR</c>, version, flags,
/// record length, row width, metadata length, changed-row count, removed-key count, XxHash64 of the header), the
/// changed keys, their rows (float64, width values each), the removed keys (int64), the epoch metadata (Orleans binary,
/// as in a base snapshot), and an XxHash64 of everything before it. Little-endian throughout. The changed keys are
/// int64 each (<see cref="RawKeysVersion"/>) or, when that is shorter, zigzag LEB128 varints of each key's difference
/// from the one before (<see cref="CompactKeysVersion"/>): a call's keys, listed in row order, are mostly close
/// together, and take one or two bytes each instead of eight.
/// </summary>
internal static class ArrayDictJournalRecord
{
    /// <summary>The header's size.</summary>
    public const int HeaderSize = 48;

    /// <summary>The version whose changed keys are int64 each.</summary>
    public const ushort RawKeysVersion = 1;

    /// <summary>The version whose changed keys are zigzag LEB128 varints of their differences (the first key's from 0).</summary>
    public const ushort CompactKeysVersion = 2;

    private const uint Magic = 0x524A4441; // "ADJR"
    private const int MaxVarintBytes = 10;

    /// <summary>Gets the size of a record whose changed keys take <c>8</c> bytes each: no record is larger.</summary>
    /// <exception cref="OverflowException">The sizes add up to more than a long holds (a damaged or crafted header).</exception>
    public static long GetSize(long changed, int width, long removed, int metadataLength) =>
        checked(GetSizeWithoutKeys(changed, width, removed, metadataLength) + (changed * sizeof(long)));

    private static long GetSizeWithoutKeys(long changed, int width, long removed, int metadataLength) =>
        checked(HeaderSize + (changed * width * sizeof(double)) + (removed * sizeof(long)) + metadataLength + sizeof(ulong));

    /// <summary>
    /// Builds the record of <paramref name="changed"/> rows as they are in <paramref name="dict"/> now, and
    /// <paramref name="removed"/> keys; null when a changed key is not in <paramref name="dict"/> (the caller then works
    /// out what to remove). Each row is looked up once.
    /// </summary>
    public static byte[]? Build(ArrayDict dict, ReadOnlySpan<long> changed, ReadOnlySpan<long> removed, ReadOnlySpan<byte> metadata)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Journal records are written on little-endian machines only.");
        }

        int width = dict.Width;
        long compactKeys = CompactKeysBytes(changed);
        bool compact = compactKeys < (long)changed.Length * sizeof(long);
        long keysBytes = compact ? compactKeys : (long)changed.Length * sizeof(long);
        long size = checked(GetSizeWithoutKeys(changed.Length, width, removed.Length, metadata.Length) + keysBytes);
        if (size > Array.MaxLength)
        {
            throw new InvalidOperationException($"A journal record of {size} bytes does not fit one array; a base snapshot is written instead.");
        }

        var bytes = GC.AllocateUninitializedArray<byte>((int)size);
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], compact ? CompactKeysVersion : RawKeysVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(span[6..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], size);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], width);
        BinaryPrimitives.WriteInt32LittleEndian(span[20..], metadata.Length);
        BinaryPrimitives.WriteInt64LittleEndian(span[24..], changed.Length);
        BinaryPrimitives.WriteInt64LittleEndian(span[32..], removed.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(span[40..], XxHash64.HashToUInt64(span[..40]));

        int keysAt = HeaderSize;
        int valuesAt = keysAt + (int)keysBytes;
        if (compact)
        {
            WriteCompactKeys(changed, span[keysAt..valuesAt]);
        }
        else
        {
            MemoryMarshal.AsBytes(changed).CopyTo(span[keysAt..]);
        }

        var values = MemoryMarshal.Cast<byte, double>(span.Slice(valuesAt, changed.Length * width * sizeof(double)));
        for (int i = 0; i < changed.Length; i++)
        {
            if (!dict.TryGetRow(changed[i], out var row))
            {
                return null;
            }

            row.CopyTo(values.Slice(i * width, width));
        }

        int removedAt = valuesAt + (changed.Length * width * sizeof(double));
        MemoryMarshal.AsBytes(removed).CopyTo(span[removedAt..]);
        int metadataAt = removedAt + (removed.Length * sizeof(long));
        metadata.CopyTo(span[metadataAt..]);
        int checksumAt = metadataAt + metadata.Length;
        BinaryPrimitives.WriteUInt64LittleEndian(span[checksumAt..], XxHash64.HashToUInt64(span[..checksumAt]));
        return bytes;
    }

    /// <summary>Checks the record that starts <paramref name="journal"/>.</summary>
    /// <param name="journal">The journal from the record's first byte to its end.</param>
    /// <param name="length">The record's length, when it is whole and valid.</param>
    /// <param name="problem">Why the record is not valid.</param>
    /// <returns>What the record is.</returns>
    public static RecordCheck Check(ReadOnlySpan<byte> journal, out long length, out string? problem)
    {
        length = 0;
        problem = null;
        if (journal.Length < HeaderSize)
        {
            problem = $"only {journal.Length} bytes of a {HeaderSize}-byte record header";
            return RecordCheck.Truncated;
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(journal[40..]) != XxHash64.HashToUInt64(journal[..40]))
        {
            problem = "the record header's checksum does not match";
            return RecordCheck.Damaged;
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(journal) != Magic)
        {
            problem = "the record does not start with the journal record magic";
            return RecordCheck.Damaged;
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(journal[4..]);
        if (version is not (RawKeysVersion or CompactKeysVersion))
        {
            problem = $"record format version {version}; this silo reads versions {RawKeysVersion} and {CompactKeysVersion}";
            return RecordCheck.Damaged;
        }

        long size = BinaryPrimitives.ReadInt64LittleEndian(journal[8..]);
        int width = BinaryPrimitives.ReadInt32LittleEndian(journal[16..]);
        int metadataLength = BinaryPrimitives.ReadInt32LittleEndian(journal[20..]);
        long changed = BinaryPrimitives.ReadInt64LittleEndian(journal[24..]);
        long removed = BinaryPrimitives.ReadInt64LittleEndian(journal[32..]);
        long keysBytes = width < 1 || metadataLength < 0 || changed < 0 || removed < 0 || changed > int.MaxValue || removed > int.MaxValue
            ? -1
            : KeysBytesOrMinusOne(version, size, changed, width, removed, metadataLength);
        if (keysBytes < 0)
        {
            problem = "the record header's sizes are inconsistent";
            return RecordCheck.Damaged;
        }

        if (journal.Length < size)
        {
            problem = $"only {journal.Length} of the record's {size} bytes";
            return RecordCheck.Truncated;
        }

        int checksumAt = (int)size - sizeof(ulong);
        if (BinaryPrimitives.ReadUInt64LittleEndian(journal[checksumAt..]) != XxHash64.HashToUInt64(journal[..checksumAt]))
        {
            problem = "the record's checksum does not match";
            return RecordCheck.BadChecksum;
        }

        if (version == CompactKeysVersion && !CompactKeysDecode(journal.Slice(HeaderSize, (int)keysBytes), (int)changed))
        {
            // Whole and checksummed, yet its keys do not decode: written wrong, never applied (half a record would be worse).
            problem = $"the record's {changed} compact keys do not fill its {keysBytes} key bytes exactly";
            return RecordCheck.Damaged;
        }

        length = size;
        return RecordCheck.Valid;
    }

    /// <summary>The bytes of the changed keys of a record of <paramref name="size"/> bytes, or -1 when the sizes do not fit together.</summary>
    private static long KeysBytesOrMinusOne(ushort version, long size, long changed, int width, long removed, int metadataLength)
    {
        try
        {
            long keysBytes = checked(size - GetSizeWithoutKeys(changed, width, removed, metadataLength));
            bool fits = version == RawKeysVersion
                ? keysBytes == checked(changed * sizeof(long))
                : keysBytes >= changed && keysBytes <= checked(changed * MaxVarintBytes);
            return fits ? keysBytes : -1;
        }
        catch (OverflowException)
        {
            return -1;
        }
    }

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    private static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    private static int VarintBytes(ulong value)
    {
        int bytes = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            bytes++;
        }

        return bytes;
    }

    private static long CompactKeysBytes(ReadOnlySpan<long> keys)
    {
        long bytes = 0;
        long previous = 0;
        foreach (long key in keys)
        {
            bytes += VarintBytes(ZigZag(unchecked(key - previous)));
            previous = key;
        }

        return bytes;
    }

    private static void WriteCompactKeys(ReadOnlySpan<long> keys, Span<byte> destination)
    {
        int at = 0;
        long previous = 0;
        foreach (long key in keys)
        {
            ulong value = ZigZag(unchecked(key - previous));
            while (value >= 0x80)
            {
                destination[at++] = (byte)(value | 0x80);
                value >>= 7;
            }

            destination[at++] = (byte)value;
            previous = key;
        }
    }

    /// <summary>Reads one varint at <paramref name="at"/>; false when it runs past the bytes or past 64 bits.</summary>
    private static bool TryReadVarint(ReadOnlySpan<byte> bytes, ref int at, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64 && at < bytes.Length; shift += 7)
        {
            byte next = bytes[at++];
            if (shift == 63 && next > 1)
            {
                return false;
            }

            value |= (ulong)(next & 0x7F) << shift;
            if (next < 0x80)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="keys"/> holds exactly <paramref name="count"/> varints.</summary>
    private static bool CompactKeysDecode(ReadOnlySpan<byte> keys, int count)
    {
        int at = 0;
        for (int i = 0; i < count; i++)
        {
            if (!TryReadVarint(keys, ref at, out _))
            {
                return false;
            }
        }

        return at == keys.Length;
    }

    /// <summary>
    /// Whether a whole, valid record starts anywhere in <paramref name="bytes"/>: tells garbage at the end of a
    /// journal (a torn write, or zeros of a file extended by a crash) from damage with good records after it.
    /// </summary>
    public static bool AnyValidRecordIn(ReadOnlySpan<byte> bytes)
    {
        Span<byte> magic = stackalloc byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(magic, Magic);
        int offset = 0;
        while (offset < bytes.Length)
        {
            int found = bytes[offset..].IndexOf(magic);
            if (found < 0)
            {
                return false;
            }

            offset += found;
            if (Check(bytes[offset..], out _, out _) == RecordCheck.Valid)
            {
                return true;
            }

            offset++;
        }

        return false;
    }

    /// <summary>Applies a valid record to <paramref name="dict"/> and returns its metadata.</summary>
    public static ReadOnlySpan<byte> Apply(ReadOnlySpan<byte> record, ArrayDict dict)
    {
        int width = BinaryPrimitives.ReadInt32LittleEndian(record[16..]);
        int metadataLength = BinaryPrimitives.ReadInt32LittleEndian(record[20..]);
        int changed = (int)BinaryPrimitives.ReadInt64LittleEndian(record[24..]);
        int removed = (int)BinaryPrimitives.ReadInt64LittleEndian(record[32..]);
        if (width != dict.Width)
        {
            throw new SnapshotFormatException($"A journal record holds rows of width {width}, but its base snapshot has width {dict.Width}.");
        }

        int keysAt = HeaderSize;
        int keysBytes = (int)BinaryPrimitives.ReadInt64LittleEndian(record[8..]) - (int)GetSizeWithoutKeys(changed, width, removed, metadataLength);
        int valuesAt = keysAt + keysBytes;
        var values = MemoryMarshal.Cast<byte, double>(record.Slice(valuesAt, changed * width * sizeof(double)));
        if (BinaryPrimitives.ReadUInt16LittleEndian(record[4..]) == CompactKeysVersion)
        {
            // Checked whole by Check: every varint decodes.
            var compactKeys = record.Slice(keysAt, keysBytes);
            int at = 0;
            long key = 0;
            for (int i = 0; i < changed; i++)
            {
                TryReadVarint(compactKeys, ref at, out ulong difference);
                key = unchecked(key + UnZigZag(difference));
                dict.SetRow(key, values.Slice(i * width, width));
            }
        }
        else
        {
            var keys = MemoryMarshal.Cast<byte, long>(record.Slice(keysAt, changed * sizeof(long)));
            for (int i = 0; i < changed; i++)
            {
                dict.SetRow(keys[i], values.Slice(i * width, width));
            }
        }

        int removedAt = valuesAt + (changed * width * sizeof(double));
        var removedKeys = MemoryMarshal.Cast<byte, long>(record.Slice(removedAt, removed * sizeof(long)));
        foreach (long key in removedKeys)
        {
            dict.Remove(key);
        }

        return record.Slice(removedAt + (removed * sizeof(long)), metadataLength);
    }

    /// <summary>What a record at some offset of the journal is.</summary>
    public enum RecordCheck
    {
        /// <summary>Whole, checksums hold.</summary>
        Valid,

        /// <summary>The journal ends inside it: a torn append when it is the last thing in the journal.</summary>
        Truncated,

        /// <summary>Whole, but its checksum fails: a torn append when it is the last record, damage otherwise.</summary>
        BadChecksum,

        /// <summary>Its header is unreadable: damage.</summary>
        Damaged,
    }
}
