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
    public void ArrayDictJournalRecord_Build_AChangedKeyIsMissing_Null()
    {
        var source = new ArrayDict(1);
        source.SetRow(1, [1.0]);

        Assert.Null(ArrayDictJournalRecord.Build(source, [1, 2], [], []));
    }
}
