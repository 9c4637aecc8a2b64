using System.Buffers.Binary;
using System.IO.Hashing;
using ArrayDictOrleans.Grains.Journal;

namespace ArrayDictOrleans.Tests.Journal;

public sealed class JournalRecordSizeTests
{
    [Theory]
    [InlineData(ArrayDictJournalRecord.RawKeysVersion)]
    [InlineData(ArrayDictJournalRecord.CompactKeysVersion)]
    public void ArrayDictJournalRecord_Check_SizesThatOverflowToAValidLength_Damaged(ushort version)
    {
        // 2^30 changed rows of width int.MaxValue: 8 * 2^30 * (1 + (2^31 - 1)) = 2^64, which unchecked arithmetic wraps to 0,
        // so the header's sizes would "add up" to a bare 56-byte record. A crafted header with a recomputed checksum tries that.
        byte[] record = new byte[ArrayDictJournalRecord.HeaderSize + sizeof(ulong)];
        var span = record.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, 0x524A4441);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], version);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], record.Length);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], int.MaxValue);
        BinaryPrimitives.WriteInt32LittleEndian(span[20..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(span[24..], 1L << 30);
        BinaryPrimitives.WriteInt64LittleEndian(span[32..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(span[40..], XxHash64.HashToUInt64(span[..40]));
        BinaryPrimitives.WriteUInt64LittleEndian(span[48..], XxHash64.HashToUInt64(span[..48]));

        var check = ArrayDictJournalRecord.Check(record, out long length, out string? problem);

        Assert.Equal(ArrayDictJournalRecord.RecordCheck.Damaged, check);
        Assert.Equal(0, length);
        Assert.Contains("sizes are inconsistent", problem, StringComparison.Ordinal);
        Assert.Throws<OverflowException>(() => ArrayDictJournalRecord.GetSize(1L << 30, int.MaxValue, 0, 0));
    }
}
