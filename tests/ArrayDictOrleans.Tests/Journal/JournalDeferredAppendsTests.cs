using ArrayDictOrleans.Grains.Journal;
using static ArrayDictOrleans.Tests.Journal.JournalTestStorage;

namespace ArrayDictOrleans.Tests.Journal;

/// <summary>
/// With the write-ahead log (the default on Linux), an append is written to the log only and reaches its journal file
/// at the log's next checkpoint or when the store lets the grain go. A store that takes a grain's lease replays first the
/// logs of silos that died (their liveness bytes are free, <see cref="JournalLogSlots"/>), never a live silo's; a crash
/// of a silo process is imitated by <see cref="LocalFileJournalStore.Abandon"/>, which stops without writing what only the
/// log holds.
/// </summary>
public sealed class JournalDeferredAppendsTests : JournalDirectoryTests
{
    [Fact]
    public async Task Append_OnlyInTheLog_UntilTheReleaseWritesItToTheJournalFile()
    {
        var (storage, store) = Open();
        var (grainId, state) = await WriteGrainAsync(storage, epochs: 3);
        string key = ArrayDictJournalGrainStorage.GetKey(StateName, grainId);

        Assert.Equal(0, JournalLength(store, grainId));

        await store.ReleaseAsync(key);

        Assert.True(JournalLength(store, grainId) > 0, "the release did not write the appends to the journal file");
        Assert.True(store.Committer!.Log!.EntriesWritten >= 3, $"{store.Committer.Log.EntriesWritten} entries in the log");
        AssertSameState(state.State, (await ReadAsync(Open().Storage, grainId)).State, "the journal file holds every append");
    }

    [Fact]
    public async Task ManyAppendsKeptForOneGrain_ReachTheJournalFileWholeAndInOrder()
    {
        var (storage, store) = Open();
        var (grainId, state) = await WriteGrainAsync(storage, epochs: 1);
        long entriesBefore = store.Committer!.Log!.EntriesWritten;

        // Far more bytes than the grain's first buffer of kept appends holds: it grows several times.
        const int appends = 400;
        for (long epoch = 2; epoch <= appends + 1; epoch++)
        {
            JournalRecoveryTests.Change(state.State, epoch);
            await WriteAsync(storage, grainId, state);
        }

        Assert.Equal(appends, store.Committer.Log.EntriesWritten - entriesBefore);
        Assert.True(KeptBytes(state) > 16 * 1024, $"{KeptBytes(state)} bytes of appends");
        await AssertReleaseWritesEveryKeptAppendAsync(store, grainId, state, lastEpoch: appends + 1);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1_500)]
    [InlineData(600_000_000)]
    [InlineData(int.MaxValue / 2)]
    public void FirstKeptBuffer_HoldsTheFirstRecordAndRoomForMore_WithinWhatAnArrayHolds(int recordBytes)
    {
        int bytes = LocalFileJournalStore.FirstKeptBufferBytes(recordBytes);

        Assert.InRange(bytes, Math.Max(recordBytes, 4096), Array.MaxLength);
        if (4L * recordBytes <= Array.MaxLength)
        {
            Assert.Equal(Math.Max(4096, 4 * recordBytes), bytes);
        }
    }

    [Fact]
    public async Task InterleavedAppendsOfTwoGrains_KeptTogether_ReachEachItsOwnJournalFileWholeAndInOrder()
    {
        var (storage, store) = Open();
        var grains = new[] { await WriteGrainAsync(storage, epochs: 1), await WriteGrainAsync(storage, epochs: 1) };

        // Each grain's records alternate with the other's, in the log and in the store's memory.
        const int appends = 600;
        for (long epoch = 2; epoch <= appends + 1; epoch++)
        {
            foreach (var (id, state) in grains)
            {
                JournalRecoveryTests.Change(state.State, epoch);
                await WriteAsync(storage, id, state);
            }
        }

        foreach (var (id, state) in grains)
        {
            await AssertReleaseWritesEveryKeptAppendAsync(store, id, state, lastEpoch: appends + 1);
        }
    }

    [Fact]
    public async Task SiloDiedWithAppendsOnlyInItsLog_AnotherStoreReplaysTheLogWhenItTakesTheLease()
    {
        var (survivor, survivorStore) = Open();
        await WriteGrainAsync(survivor, epochs: 1);
        var (victim, victimStore) = Open();
        var (grainId, state) = await WriteGrainAsync(victim, epochs: 4);
        string victimLog = Assert.Single(LogFiles(), log => !OwnLogs(survivorStore).Contains(log));

        victimStore.Abandon();

        Assert.Equal(0, JournalLength(survivorStore, grainId));
        AssertSameState(state.State, (await ReadAsync(survivor, grainId)).State, "the dead silo's appends are replayed from its log");
        Assert.Equal(0, survivorStore.Recovery.Logs);
        Assert.False(File.Exists(victimLog), "the replayed log was kept");
    }

    [Fact]
    public async Task LiveSilosLog_IsNotReplayedByAnotherStore()
    {
        var (first, firstStore) = Open();
        var (grainId, state) = await WriteGrainAsync(first, epochs: 3);
        string firstLog = Assert.Single(LogFiles());
        var (second, _) = Open();

        await WriteGrainAsync(second, epochs: 2);

        Assert.True(File.Exists(firstLog), "a live store's log was replayed and deleted");
        Assert.Equal(0, JournalLength(firstStore, grainId));
        Assert.NotEqual(Assert.Single(OwnLogs(firstStore)), Assert.Single(LogFiles(), log => log != firstLog));
        JournalRecoveryTests.Change(state.State, 4);
        await WriteAsync(first, grainId, state);
        firstStore.Dispose();
        AssertSameState(state.State, (await ReadAsync(Open().Storage, grainId)).State, "the live store went on appending");
    }

    [Fact]
    public async Task TakenOverInThisProcess_TheOldHolderWritesItsAppendsBeforeTheNewOneReads()
    {
        var (first, firstStore) = Open();
        var (grainId, state) = await WriteGrainAsync(first, epochs: 4);
        Assert.Equal(0, JournalLength(firstStore, grainId));

        var (second, _) = Open();

        AssertSameState(state.State, (await ReadAsync(second, grainId)).State, "the new holder reads the old holder's appends");
        Assert.True(JournalLength(firstStore, grainId) > 0, "the takeover did not write the appends");
    }

    [Fact]
    public async Task Checkpoint_WritesTheAppendsToTheirFilesBeforeTheLogStartsOver()
    {
        var (storage, store) = Open(new LocalFileJournalStorageOptions { WriteAheadLogBytes = JournalWriteAheadLog.MinimumCapacity });
        var (grainId, state) = await WriteGrainAsync(storage, epochs: 1);
        long epoch = 1;
        while (store.Committer!.Log!.Checkpoints == 0 && epoch < 1000)
        {
            JournalRecoveryTests.Change(state.State, ++epoch);
            await WriteAsync(storage, grainId, state);
        }

        long checkpointedAt = epoch;
        Assert.Equal(1, store.Committer.Log.Checkpoints);
        JournalRecoveryTests.Change(state.State, ++epoch);
        await WriteAsync(storage, grainId, state);
        store.Abandon();

        // Without the log, only what the checkpoint wrote to the journal file is left.
        File.Delete(Assert.Single(LogFiles()));
        long recovered = (await ReadAsync(Open().Storage, grainId)).State.LastEpoch ?? 0;
        Assert.True(recovered >= checkpointedAt, $"epoch {recovered} read back; the checkpoint came with epoch {checkpointedAt}");
    }


    private static async Task<(GrainId Id, TestGrainState State)> WriteGrainAsync(ArrayDictJournalGrainStorage storage, int epochs)
    {
        var grainId = NewGrainId();
        var state = await ReadAsync(storage, grainId);
        for (long epoch = 1; epoch <= epochs; epoch++)
        {
            JournalRecoveryTests.Change(state.State, epoch);
            await WriteAsync(storage, grainId, state);
        }

        return (grainId, state);
    }

    /// <summary>
    /// Releases the grain, whose appends are all kept in the store's memory: its journal file then holds exactly them, and
    /// reads back as <paramref name="state"/> at <paramref name="lastEpoch"/>.
    /// </summary>
    private async Task AssertReleaseWritesEveryKeptAppendAsync(LocalFileJournalStore store, GrainId grainId, TestGrainState state, long lastEpoch)
    {
        long kept = KeptBytes(state);
        Assert.Equal(0, JournalLength(store, grainId));

        await store.ReleaseAsync(ArrayDictJournalGrainStorage.GetKey(StateName, grainId));

        Assert.Equal(kept, JournalLength(store, grainId));
        var read = (await ReadAsync(Open().Storage, grainId)).State;
        Assert.Equal(lastEpoch, read.LastEpoch);
        AssertSameState(state.State, read, "the journal file holds every kept append, in order");
    }

    /// <summary>The length of the grain's journal as its ETag names it.</summary>
    private static long KeptBytes(TestGrainState state) =>
        JournalPosition.TryParse(state.ETag, out var position) ? position.Value.JournalLength : -1;

    private static string[] OwnLogs(LocalFileJournalStore store) =>
        store.Committer?.Log is { } log ? [log.FilePath] : [];
}
