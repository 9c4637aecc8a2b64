using System.Buffers.Binary;
using System.IO.Hashing;
using ArrayDictOrleans.Grains.Journal;

namespace ArrayDictOrleans.Tests.Journal;

public sealed class JournalRecordBuildTests
{
    [Fact]
    public void ArrayDictJournalRecord_Build_RowsRemovalsAndMetadata_ApplyRestoresThem()
    {
        var source = new ArrayDict(2);
        source.SetRow(7, [1.5, -2.0]);
        source.SetRow(-3, [4.25, 8.0]);
        source.SetRow(11, [0.0, 1e300]);
        byte[] metadata = [9, 8, 7];

        byte[]? record = ArrayDictJournalRecord.Build(source, [-3, 11], [5, 6], metadata);

        Assert.NotNull(record);
        Assert.Equal(ArrayDictJournalRecord.RecordCheck.Valid, ArrayDictJournalRecord.Check(record, out long length, out _));
        Assert.Equal(record.Length, length);
        var target = new ArrayDict(2);
        target.SetRow(5, [1.0, 1.0]);
        target.SetRow(11, [2.0, 2.0]);
        var applied = ArrayDictJournalRecord.Apply(record, target);
        Assert.Equal(metadata, applied.ToArray());
        Assert.False(target.ContainsKey(5));
        Assert.Equal([4.25, 8.0], target.GetRowReadOnly(-3).ToArray());
        Assert.Equal([0.0, 1e300], target.GetRowReadOnly(11).ToArray());
        Assert.Equal(2, target.Count);
    }

    [Fact]
    public void ArrayDictJournalRecord_Build_KeysCloseTogether_OneByteEachAndVersionTwo()
    {
        // SW1's keys at R=100: 3j for the updated rows in row order, then the appended keys 3R + 3k + 1.
        var source = new ArrayDict(1);
        long[] changed = [.. Enumerable.Range(0, 100).Select(j => 3L * j), .. Enumerable.Range(0, 10).Select(k => 301L + (3 * k))];
        foreach (long key in changed)
        {
            source.SetRow(key, [key * 0.5]);
        }

        byte[] record = ArrayDictJournalRecord.Build(source, changed, [], [1, 2, 3])!;

        Assert.Equal(ArrayDictJournalRecord.CompactKeysVersion, BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(4)));
        Assert.Equal(ArrayDictJournalRecord.HeaderSize + changed.Length + (changed.Length * sizeof(double)) + 3 + sizeof(ulong), record.Length);
        AssertRoundTrip(source, changed, record);
    }

    [Theory]
    [InlineData(new long[] { long.MaxValue, long.MinValue, 0, -1, 1, long.MinValue + 1, -3 })]
    [InlineData(new long[] { 5, 4, 3, 2, 1, 0, -1, -2 })]
    [InlineData(new long[] { 0 })]
    public void ArrayDictJournalRecord_Build_ExtremeAndDescendingKeys_ApplyRestoresThem(long[] changed)
    {
        var source = new ArrayDict(2);
        foreach (long key in changed)
        {
            source.SetRow(key, [key, -key]);
        }

        byte[] record = ArrayDictJournalRecord.Build(source, changed, [7], [])!;

        AssertRoundTrip(source, changed, record);
    }

    [Fact]
    public void ArrayDictJournalRecord_Build_KeysFarApart_RawKeysVersionOne()
    {
        // Each difference (2^62, -2^63, 2^63 + 1 wrapped, -2^63) needs ten varint bytes: eight bytes per key is shorter.
        var source = new ArrayDict(1);
        long[] changed = [1L << 62, -(1L << 62), (1L << 62) + 1, -(1L << 62) + 1];
        foreach (long key in changed)
        {
            source.SetRow(key, [1.0]);
        }

        byte[] record = ArrayDictJournalRecord.Build(source, changed, [], [])!;

        Assert.Equal(ArrayDictJournalRecord.RawKeysVersion, BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(4)));
        Assert.Equal(ArrayDictJournalRecord.GetSize(changed.Length, 1, 0, 0), record.Length);
        AssertRoundTrip(source, changed, record);
    }

    [Fact]
    public void ArrayDictJournalRecord_Check_CompactKeysThatDoNotDecode_DamagedNotApplied()
    {
        var source = new ArrayDict(1);
        long[] changed = [3, 6, 9];
        foreach (long key in changed)
        {
            source.SetRow(key, [1.0]);
        }

        byte[] record = ArrayDictJournalRecord.Build(source, changed, [], [])!;
        Assert.Equal(ArrayDictJournalRecord.CompactKeysVersion, BinaryPrimitives.ReadUInt16LittleEndian(record.AsSpan(4)));

        // The last key's varint says "more follows": the keys would run into the values. Checksum recomputed, as a bug would write it.
        record[ArrayDictJournalRecord.HeaderSize + 2] |= 0x80;
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(record.Length - 8), XxHash64.HashToUInt64(record.AsSpan(0, record.Length - 8)));

        Assert.Equal(ArrayDictJournalRecord.RecordCheck.Damaged, ArrayDictJournalRecord.Check(record, out long length, out string? problem));
        Assert.Equal(0, length);
        Assert.Contains("compact keys", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ArrayDictJournalRecord_Build_AChangedKeyIsMissing_Null()
    {
        var source = new ArrayDict(1);
        source.SetRow(1, [1.0]);

        Assert.Null(ArrayDictJournalRecord.Build(source, [1, 2], [], []));
    }

    private static void AssertRoundTrip(ArrayDict source, long[] changed, byte[] record)
    {
        Assert.Equal(ArrayDictJournalRecord.RecordCheck.Valid, ArrayDictJournalRecord.Check(record, out long length, out string? problem));
        Assert.True(record.Length == length, problem);
        var target = new ArrayDict(source.Width);
        ArrayDictJournalRecord.Apply(record, target);
        Assert.Equal(changed.Distinct().Count(), target.Count);
        foreach (long key in changed)
        {
            Assert.Equal(source.GetRowReadOnly(key).ToArray(), target.GetRowReadOnly(key).ToArray());
        }
    }
}
