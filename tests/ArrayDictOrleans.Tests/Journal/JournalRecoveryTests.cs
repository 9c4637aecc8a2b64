using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Tests.Persistence;
using ArrayDictOrleans.Workload;
using Orleans.Storage;
using static ArrayDictOrleans.Tests.Journal.JournalTestStorage;

namespace ArrayDictOrleans.Tests.Journal;

/// <summary>Recovery from damaged journals, and fencing of stale writers.</summary>
public sealed class JournalRecoveryTests : IDisposable
{
    private readonly string _directory = NewDirectory();
    private readonly ArrayDictJournalGrainStorage _storage;
    private readonly LocalFileJournalStore _store;

    public JournalRecoveryTests() => (_storage, _store) = Create(_directory);

    public void Dispose() => DeleteDirectory(_directory);

    [Fact]
    public async Task Journal_WriteAfterBase_AppendsOnlyChangedRows()
    {
        var (grainId, grainState, states) = await WriteBaseAndRecordsAsync(records: 3);

        Assert.False(_storage.LastWriteWasBase);
        Assert.Equal(3, _storage.GetCursor(grainId)!.Records);
        var read = await ReadAsync(Create(_directory).Storage, grainId);
        AssertSameState(states[^1], read.State, "base + 3 records");
        Assert.Equal(grainState.ETag, read.ETag);
    }

    [Fact]
    public async Task Journal_TruncatedLastRecord_IsDroppedAndNextWriteStartsNewBase()
    {
        var (grainId, _, states) = await WriteBaseAndRecordsAsync(records: 3);
        var journal = JournalPath(grainId);
        await using (var file = new FileStream(journal, FileMode.Open))
        {
            file.SetLength(file.Length - 5);
        }

        var read = await ReadAsync(_storage, grainId);
        AssertSameState(states[^2], read.State, "the torn last record is dropped");

        Change(read.State, 999);
        var expected = Copy(read.State);
        await WriteAsync(_storage, grainId, read);
        Assert.True(_storage.LastWriteWasBase);
        AssertSameState(expected, (await ReadAsync(Create(_directory).Storage, grainId)).State, "after the new base");
    }

    [Fact]
    public async Task Journal_CutAtEveryByte_ReadsExactlyTheWholeRecordsBeforeTheCut()
    {
        var (grainId, _, states) = await WriteBaseAndRecordsAsync(records: 4);
        var path = JournalPath(grainId);
        var journal = await File.ReadAllBytesAsync(path);
        var ends = new List<long>();
        for (long end = 0; end < journal.Length;)
        {
            end += BitConverter.ToInt64(journal, (int)end + 8);
            ends.Add(end);
        }

        Assert.Equal(4, ends.Count);
        for (int cut = 0; cut <= journal.Length; cut++)
        {
            await File.WriteAllBytesAsync(path, journal.AsMemory(0, cut));
            int whole = ends.Count(end => end <= cut);

            var read = await ReadAsync(Create(_directory).Storage, grainId);

            // A cut inside a record (a torn append) drops that record and nothing before it; a cut at a record boundary
            // is a shorter journal, which the storage alone cannot tell from one that never had the later records.
            AssertSameState(states[whole], read.State, $"journal cut at byte {cut} of {journal.Length} ({whole} whole records)");
        }
    }

    [Fact]
    public async Task Journal_LastRecordChecksumFails_IsDropped()
    {
        var (grainId, _, states) = await WriteBaseAndRecordsAsync(records: 3);
        var bytes = await File.ReadAllBytesAsync(JournalPath(grainId));
        bytes[^20] ^= 0x40;
        await File.WriteAllBytesAsync(JournalPath(grainId), bytes);

        var read = await ReadAsync(_storage, grainId);

        AssertSameState(states[^2], read.State, "the last record failed its checksum");
    }

    [Fact]
    public async Task Journal_ZeroFilledTail_IsDropped()
    {
        var (grainId, _, states) = await WriteBaseAndRecordsAsync(records: 2);
        await using (var file = new FileStream(JournalPath(grainId), FileMode.Append))
        {
            file.Write(new byte[200]);
        }

        var read = await ReadAsync(_storage, grainId);

        AssertSameState(states[^1], read.State, "zeros after the last record (a crash that extended the file)");
    }

    [Fact]
    public async Task Journal_GarbageTailWithUnreadableHeader_IsDropped()
    {
        var (grainId, _, states) = await WriteBaseAndRecordsAsync(records: 2);
        await using (var file = new FileStream(JournalPath(grainId), FileMode.Append))
        {
            file.Write(Enumerable.Range(0, 300).Select(i => (byte)(i * 37)).ToArray());
        }

        var read = await ReadAsync(_storage, grainId);

        AssertSameState(states[^1], read.State, "garbage after the last record");
    }

    [Fact]
    public async Task Journal_LastRecordHeaderDamaged_IsDroppedButEarlierHeaderDamage_Throws()
    {
        var (grainId, _, states) = await WriteBaseAndRecordsAsync(records: 3);
        var bytes = await File.ReadAllBytesAsync(JournalPath(grainId));
        long recordLength = BitConverter.ToInt64(bytes, 8);
        var lastHeaderDamaged = (byte[])bytes.Clone();
        lastHeaderDamaged[(2 * recordLength) + 12] ^= 0x01;
        await File.WriteAllBytesAsync(JournalPath(grainId), lastHeaderDamaged);

        AssertSameState(states[^2], (await ReadAsync(_storage, grainId)).State, "the last record's header is unreadable");

        var middleHeaderDamaged = (byte[])bytes.Clone();
        middleHeaderDamaged[recordLength + 12] ^= 0x01;
        await File.WriteAllBytesAsync(JournalPath(grainId), middleHeaderDamaged);

        var exception = await Assert.ThrowsAsync<ArrayDictJournalStorageException>(() => ReadAsync(_storage, grainId));
        Assert.Contains("record 2", exception.InnerException!.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(10)]
    public async Task Journal_DamagedRecordFollowedByGoodOnes_ThrowsNamingTheRecord(int offsetInRecord)
    {
        var (grainId, _, _) = await WriteBaseAndRecordsAsync(records: 3);
        var bytes = await File.ReadAllBytesAsync(JournalPath(grainId));
        bytes[offsetInRecord] ^= 0x40;
        await File.WriteAllBytesAsync(JournalPath(grainId), bytes);

        var exception = await Assert.ThrowsAsync<ArrayDictJournalStorageException>(() => ReadAsync(_storage, grainId));

        var format = Assert.IsType<SnapshotFormatException>(exception.InnerException);
        Assert.Contains("record 1", format.Message, StringComparison.Ordinal);
        Assert.Contains("not the last", format.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Journal_BaseMissingJournalPresent_ThrowsMissingBase()
    {
        var (grainId, _, _) = await WriteBaseAndRecordsAsync(records: 2);
        File.Delete(Assert.Single(Directory.GetFiles(_store.GetGrainDirectory(Key(grainId)), "*" + LocalFileJournalStore.BaseExtension)));

        var exception = await Assert.ThrowsAsync<ArrayDictJournalStorageException>(() => ReadAsync(_storage, grainId));

        Assert.Contains("no base snapshot", Assert.IsType<SnapshotFormatException>(exception.InnerException).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Journal_ActivationTakenOver_ItsAppendAndCompactionAreRefused()
    {
        var (grainId, old, _) = await WriteBaseAndRecordsAsync(records: 1);
        var (newerStorage, _) = Create(_directory);
        var newer = await ReadAsync(newerStorage, grainId);

        Change(old.State, 500);
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(StateName, grainId, old));

        // A compaction (a change of every row) by the taken-over activation is refused too.
        old.State.PendingDelta!.MarkEverything();
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(StateName, grainId, old));

        Change(newer.State, 600);
        await WriteAsync(newerStorage, grainId, newer);
        var read = await ReadAsync(Create(_directory).Storage, grainId);
        AssertSameState(newer.State, read.State, "the newer activation's writes stand");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Journal_WriteWithStaleETag_IsRefused(bool compactFirst)
    {
        var (grainId, live, _) = await WriteBaseAndRecordsAsync(records: 1);
        var stale = new TestGrainState { State = Copy(live.State), ETag = live.ETag, RecordExists = true };
        if (compactFirst)
        {
            live.State.PendingDelta!.MarkEverything();
        }
        else
        {
            Change(live.State, 700);
        }

        await WriteAsync(_storage, grainId, live);
        Assert.Equal(compactFirst, _storage.LastWriteWasBase);

        Change(stale.State, 800);
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(StateName, grainId, stale));
        stale.State.PendingDelta!.MarkEverything();
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(StateName, grainId, stale));

        var read = await ReadAsync(Create(_directory).Storage, grainId);
        AssertSameState(live.State, read.State, "the live writes stand");
    }

    [Fact]
    public async Task Journal_ConcurrentAppendsWithSameETag_ExactlyOneWins()
    {
        var (grainId, _, _) = await WriteBaseAndRecordsAsync(records: 1);
        var readers = new List<TestGrainState>();
        for (int i = 0; i < 6; i++)
        {
            var read = await ReadAsync(_storage, grainId);
            Change(read.State, 800 + i);
            readers.Add(read);
        }

        var outcomes = await Task.WhenAll(readers.Select(r => Record.ExceptionAsync(() => Create(_directory).Storage.WriteStateAsync(StateName, grainId, r))));

        Assert.Single(outcomes, o => o is null);
        Assert.All(outcomes.Where(o => o is not null), o => Assert.IsType<InconsistentStateException>(o));
    }

    /// <summary>Sets one row and records the change as the grain would, with a new epoch.</summary>
    internal static void Change(ArrayDictState state, long epoch)
    {
        using var scope = state.Dict.BeginChanges();
        state.Dict[epoch * 10] = epoch;
        if (state.Dict.Count > 3)
        {
            state.Dict.Remove(state.Dict.RowKeys[0]);
        }

        state.PendingDelta!.Record(scope);
        scope.Commit();
        state.LastEpoch = epoch;
        state.LastResult = TestKeptResults.Of(new Sw1StepResult(epoch, state.Dict.Count, Done: false));
    }

    private static string Key(GrainId grainId) => ArrayDictJournalGrainStorage.GetKey(StateName, grainId);

    private string JournalPath(GrainId grainId) =>
        Assert.Single(Directory.GetFiles(_store.GetGrainDirectory(Key(grainId)), "*" + LocalFileJournalStore.JournalExtension));

    private async Task<(GrainId GrainId, TestGrainState State, List<ArrayDictState> States)> WriteBaseAndRecordsAsync(int records)
    {
        var grainId = NewGrainId();
        var grainState = await ReadAsync(_storage, grainId);
        for (int i = 0; i < 50; i++)
        {
            grainState.State.Dict[i] = i * 0.5;
        }

        var states = new List<ArrayDictState>();
        await WriteAsync(_storage, grainId, grainState);
        Assert.True(_storage.LastWriteWasBase);
        states.Add(Copy(grainState.State));
        for (int r = 1; r <= records; r++)
        {
            Change(grainState.State, r);
            await WriteAsync(_storage, grainId, grainState);
            Assert.False(_storage.LastWriteWasBase);
            states.Add(Copy(grainState.State));
        }

        return (grainId, grainState, states);
    }
}
