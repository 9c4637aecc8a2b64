using ArrayDictOrleans.Grains.Journal;
using static ArrayDictOrleans.Tests.Journal.JournalTestStorage;

namespace ArrayDictOrleans.Tests.Journal;

/// <summary>
/// The write-ahead log of the local journal's group commit (the default on Linux): a batch of appends is durable by one
/// sync of the log, and after a crash of the machine recovery writes back, from the log, what the journal files lost
/// before any grain is read. A crash of the machine is imitated by a store that leaves the journal files unwritten
/// (<see cref="LocalFileJournalStore.LoseUnsyncedJournalWrites"/>, what the operating system would have lost) and then
/// stops without its last sync (<see cref="LocalFileJournalStore.Abandon"/>).
/// </summary>
public sealed class JournalWriteAheadLogTests : JournalDirectoryTests
{
    [Fact]
    public void Default_OnLinux_IsTheWriteAheadLog()
    {
        var (_, store) = Open();

        Assert.Equal(OperatingSystem.IsLinux() ? JournalSyncMethod.WriteAheadLog : JournalSyncMethod.Files, store.Committer!.Method);
    }

    [Fact]
    public async Task GroupCommit_LogSyncHeld_NoWriteReturnsBeforeASyncCoversIt_AndOneSyncCoversAllThatArrivedMeanwhile()
    {
        const int Grains = 20;
        var (storage, store) = Open();
        var grains = await WriteGrainsAsync(storage, count: Grains + 1, epochs: 2);
        var committer = store.Committer!;
        using var release = new ManualResetEventSlim();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        committer.BeforeSync = _ =>
        {
            if (held.TrySetResult())
            {
                Assert.True(release.Wait(TimeSpan.FromSeconds(30)), "the test never released the first sync");
            }
        };
        long syncsBefore = committer.Syncs;
        foreach (var (_, state) in grains)
        {
            JournalRecoveryTests.Change(state.State, 3);
        }

        var first = WriteAsync(storage, grains[0].Id, grains[0].State);
        await held.Task.WaitAsync(TimeSpan.FromSeconds(30));
        long entries = committer.Log!.EntriesWritten;
        var rest = grains.Skip(1).Select(g => WriteAsync(storage, g.Id, g.State)).ToList();

        // While the first sync is held, the others wait together for the next one.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (committer.Waiting < Grains && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.Equal(Grains, committer.Waiting);
        Assert.False(first.IsCompleted, "a write returned while the sync that covers it was held");
        Assert.All(rest, write => Assert.False(write.IsCompleted, "a write returned before any sync covered it"));

        release.Set();
        await Task.WhenAll(rest.Append(first)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(2, committer.Syncs - syncsBefore);
        Assert.Equal(Grains, committer.Log.EntriesWritten - entries);
        Assert.All(grains, g => Assert.Equal(2, storage.GetCursor(g.Id)!.Records));
    }

    [Fact]
    public async Task MachineCrash_JournalFilesLostTheirLastWrites_RecoveryWritesThemBackFromTheLog()
    {
        var (storage, store) = Open();
        var grains = await WriteGrainsAsync(storage, count: 5, epochs: 2);
        var lengths = grains.ToDictionary(g => g.Id, g => JournalLength(store, g.Id));

        store.LoseUnsyncedJournalWrites = true;
        foreach (var (grainId, state) in grains)
        {
            for (long epoch = 3; epoch <= 6; epoch++)
            {
                JournalRecoveryTests.Change(state.State, epoch);
                await WriteAsync(storage, grainId, state);
            }
        }

        Assert.All(grains, g => Assert.Equal(lengths[g.Id], JournalLength(store, g.Id)));
        store.Abandon();
        string log = Assert.Single(LogFiles());

        var (recovered, recoveredStore) = Open();
        foreach (var (grainId, state) in grains)
        {
            AssertSameState(state.State, (await ReadAsync(recovered, grainId)).State, "the calls that returned are written back from the log");
        }

        Assert.Equal(1, recoveredStore.Recovery.Logs);
        Assert.True(recoveredStore.Recovery.Replayed >= grains.Count * 4, $"{recoveredStore.Recovery.Replayed} entries replayed");
        Assert.False(File.Exists(log), "the replayed log was kept");
    }

    [Fact]
    public async Task MachineCrash_LogDeleted_TheLostWritesAreGone()
    {
        // The control of the test above: without the log, what the journal files lost stays lost.
        var (storage, store) = Open();
        var (grainId, state) = Assert.Single(await WriteGrainsAsync(storage, count: 1, epochs: 2));
        store.WriteDeferred();
        store.LoseUnsyncedJournalWrites = true;
        JournalRecoveryTests.Change(state.State, 3);
        await WriteAsync(storage, grainId, state);
        store.Abandon();

        File.Delete(Assert.Single(LogFiles()));

        Assert.Equal(2, (await ReadAsync(Open().Storage, grainId)).State.LastEpoch);
    }

    [Fact]
    public async Task Checkpoint_LogFull_StartsOverAndRecoveryReplaysOnlyTheLastCycle()
    {
        var options = new LocalFileJournalStorageOptions { WriteAheadLogBytes = JournalWriteAheadLog.MinimumCapacity };
        var (storage, store) = Open(options);
        var (grainId, state) = Assert.Single(await WriteGrainsAsync(storage, count: 1, epochs: 2));
        for (long epoch = 3; store.Committer!.Log!.Checkpoints < 3; epoch++)
        {
            JournalRecoveryTests.Change(state.State, epoch);
            await WriteAsync(storage, grainId, state);
        }

        long written = state.State.LastEpoch!.Value;
        store.LoseUnsyncedJournalWrites = true;
        for (long epoch = written + 1; epoch <= written + 5; epoch++)
        {
            JournalRecoveryTests.Change(state.State, epoch);
            await WriteAsync(storage, grainId, state);
        }

        store.Abandon();

        var (recovered, recoveredStore) = Open(options);
        AssertSameState(state.State, (await ReadAsync(recovered, grainId)).State, "the last cycle's entries are written back");
        Assert.InRange(recoveredStore.Recovery.Replayed, 5, written + 4);
    }

    [Fact]
    public async Task Recovery_GrainClearedAndWrittenAgain_OldEntriesLeaveTheNewFilesAlone()
    {
        var (storage, store) = Open();
        var (grainId, state) = Assert.Single(await WriteGrainsAsync(storage, count: 1, epochs: 4));
        await storage.ClearStateAsync(StateName, grainId, state);

        var again = await ReadAsync(storage, grainId);
        Assert.Equal(0, again.State.Dict.Count);
        for (long epoch = 1; epoch <= 2; epoch++)
        {
            JournalRecoveryTests.Change(again.State, epoch * 7);
            await WriteAsync(storage, grainId, again);
        }

        store.Abandon();

        var (recovered, recoveredStore) = Open();
        AssertSameState(again.State, (await ReadAsync(recovered, grainId)).State, "entries of the cleared grain's files are not replayed into its new ones");
        Assert.True(recoveredStore.Recovery.Skipped >= 3, $"{recoveredStore.Recovery.Skipped} entries skipped");
    }

    [Fact]
    public async Task Recovery_AnotherStoreHoldsItsLog_LeavesItAlone()
    {
        var (storage, store) = Open();
        var (grainId, state) = Assert.Single(await WriteGrainsAsync(storage, count: 1, epochs: 2));
        string log = Assert.Single(LogFiles());

        var (other, otherStore) = Open();
        var otherGrain = NewGrainId();
        await ReadAsync(other, otherGrain);

        Assert.Equal(0, otherStore.Recovery.Logs);
        Assert.True(File.Exists(log), "a live store's log was recovered from under it");
        JournalRecoveryTests.Change(state.State, 3);
        await WriteAsync(storage, grainId, state);
        Assert.Equal(3, (await ReadAsync(Open().Storage, grainId)).State.LastEpoch);
    }

    [Fact]
    public async Task Recovery_LastEntryTorn_StopsBeforeIt()
    {
        // A small log: the test reads it whole.
        var options = new LocalFileJournalStorageOptions { WriteAheadLogBytes = JournalWriteAheadLog.MinimumCapacity };
        var (storage, store) = Open(options);
        var (grainId, state) = Assert.Single(await WriteGrainsAsync(storage, count: 1, epochs: 2));
        store.LoseUnsyncedJournalWrites = true;
        for (long epoch = 3; epoch <= 4; epoch++)
        {
            JournalRecoveryTests.Change(state.State, epoch);
            await WriteAsync(storage, grainId, state);
        }

        store.Abandon();

        // The crash came while the last batch was written to the log: its entry's last byte is wrong.
        string log = Assert.Single(LogFiles());
        var bytes = File.ReadAllBytes(log);
        int last = Array.FindLastIndex(bytes, b => b != 0);
        bytes[last] ^= 0xFF;
        File.WriteAllBytes(log, bytes);

        Assert.Equal(3, (await ReadAsync(Open(options).Storage, grainId)).State.LastEpoch);
    }

    [Fact]
    public async Task Recovery_BothHeaderSlotsDamaged_FailsNamingTheLogAndKeepsIt()
    {
        var (storage, store) = Open();
        var (grainId, _) = Assert.Single(await WriteGrainsAsync(storage, count: 1, epochs: 2));
        store.Abandon();
        string log = Assert.Single(LogFiles());
        using (var file = File.OpenHandle(log, FileMode.Open, FileAccess.Write))
        {
            RandomAccess.Write(file, new byte[2 * JournalWriteAheadLog.SlotBytes], 0);
        }

        var (recovered, _) = Open();
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => ReadAsync(recovered, grainId));

        Assert.Contains(log, failure.ToString(), StringComparison.Ordinal);
        Assert.Contains("neither of its header slots is valid", failure.ToString(), StringComparison.Ordinal);
        Assert.True(File.Exists(log));
    }

    [Fact]
    public async Task Recovery_StoreThatDoesNotLog_StillReplaysTheLogsItFinds()
    {
        var (storage, store) = Open();
        var (grainId, state) = Assert.Single(await WriteGrainsAsync(storage, count: 1, epochs: 1));
        store.LoseUnsyncedJournalWrites = true;
        JournalRecoveryTests.Change(state.State, 2);
        await WriteAsync(storage, grainId, state);
        store.Abandon();

        var (recovered, _) = Open(new LocalFileJournalStorageOptions { AllowLostCallsOnMachineCrash = true });

        Assert.Equal(2, (await ReadAsync(recovered, grainId)).State.LastEpoch);
    }

    [Fact]
    public async Task GroupCommit_AfterAFailedSync_NextBatchSyncsTheFileSystemThenTheLogAgain()
    {
        var (storage, store) = Open();
        var (grainId, state) = Assert.Single(await WriteGrainsAsync(storage, count: 1, epochs: 1));
        var committer = store.Committer!;
        committer.BeforeSync = _ => throw new IOException("Simulated: the disk failed the sync.");
        JournalRecoveryTests.Change(state.State, 2);
        await Assert.ThrowsAsync<ArrayDictJournalStorageException>(() => storage.WriteStateAsync(StateName, grainId, state));
        committer.BeforeSync = null;

        // The failed batch's record may be in the journal file without being in the log: the next sync covers the file system.
        var reread = await ReadAsync(storage, grainId);
        long before = committer.FileSystemSyncs;
        JournalRecoveryTests.Change(reread.State, reread.State.LastEpoch!.Value + 1);
        await WriteAsync(storage, grainId, reread);
        Assert.Equal(before + 1, committer.FileSystemSyncs);

        JournalRecoveryTests.Change(reread.State, reread.State.LastEpoch!.Value + 1);
        await WriteAsync(storage, grainId, reread);
        Assert.Equal(before + 1, committer.FileSystemSyncs);
    }

    [Fact]
    public async Task FirstBase_Small_IsLoggedBeforeItsRename_OneSyncOfTheFileSystem()
    {
        var (storage, store) = Open();
        await WriteGrainsAsync(storage, count: 1, epochs: 1);
        var committer = store.Committer!;
        long fileSystemSyncs = committer.FileSystemSyncs;
        long syncs = committer.Syncs;

        var (grainId, state) = Assert.Single(await WriteGrainsAsync(storage, count: 1, epochs: 1));

        Assert.Equal(fileSystemSyncs + 1, committer.FileSystemSyncs);
        Assert.Equal(syncs + 2, committer.Syncs);
        AssertSameState(state.State, (await ReadAsync(Open().Storage, grainId)).State, "the base reads back");
    }

    [Fact]
    public async Task FirstBase_Large_IsSyncedWithTheFileSystemNotLogged()
    {
        var (storage, store) = Open();
        await WriteGrainsAsync(storage, count: 1, epochs: 1);
        var committer = store.Committer!;
        var grainId = NewGrainId();
        var state = await ReadAsync(storage, grainId);
        using (var scope = state.State.Dict.BeginChanges())
        {
            // 40,000 rows of one value: about 640 KB, above what the log takes.
            for (long key = 0; key < 40_000; key++)
            {
                state.State.Dict[key] = key;
            }

            state.State.PendingDelta!.Record(scope);
            scope.Commit();
        }

        state.State.LastEpoch = 1;
        long fileSystemSyncs = committer.FileSystemSyncs;

        await WriteAsync(storage, grainId, state);

        Assert.Equal(fileSystemSyncs + 2, committer.FileSystemSyncs);
        AssertSameState(state.State, (await ReadAsync(Open().Storage, grainId)).State, "the large base reads back");
    }

    [Fact]
    public async Task MachineCrash_BaseRenamedButItsBytesLost_RecoveryWritesThemBackFromTheLog()
    {
        var (storage, store) = Open();
        var grainId = NewGrainId();
        var state = await ReadAsync(storage, grainId);
        JournalRecoveryTests.Change(state.State, 1);
        store.FaultPoint = at =>
        {
            if (at == "base:renamed")
            {
                throw new IOException($"Simulated: the machine stopped at {at}.");
            }
        };
        await Assert.ThrowsAnyAsync<Exception>(() => storage.WriteStateAsync(StateName, grainId, state));
        store.FaultPoint = null;

        // What the disk kept: the rename (its directory's journal was committed), not the base's bytes.
        string basePath = Assert.Single(Directory.GetFiles(store.GetGrainDirectory(ArrayDictJournalGrainStorage.GetKey(StateName, grainId)), "*" + LocalFileJournalStore.BaseExtension));
        File.WriteAllBytes(basePath, []);
        store.Abandon();

        var (recovered, recoveredStore) = Open();
        AssertSameState(state.State, (await ReadAsync(recovered, grainId)).State, "the base's bytes are written back from the log");
        Assert.Equal(1, recoveredStore.Recovery.Logs);
        Assert.True(recoveredStore.Recovery.Replayed >= 1, $"{recoveredStore.Recovery.Replayed} entries replayed");
    }

    [Fact]
    public async Task Dispose_SyncsAndDeletesTheLog()
    {
        var (storage, store) = Open();
        await WriteGrainsAsync(storage, count: 2, epochs: 2);

        string log = Assert.Single(LogFiles());
        store.Dispose();

        Assert.False(File.Exists(log), "the log outlived its store");
    }

    [Theory]
    [InlineData(1024L)]
    [InlineData(JournalWriteAheadLog.MinimumCapacity - 1)]
    [InlineData(int.MaxValue + 1L)]
    public void Validator_WriteAheadLogBytesOutOfRange_FailsNamingIt(long bytes)
    {
        var validator = new ArrayDictJournalOptionsValidator(new LocalFileJournalStorageOptions { WriteAheadLogBytes = bytes }, "journal");

        var failure = Assert.Throws<OrleansConfigurationException>(validator.ValidateConfiguration);

        Assert.Contains($"WriteAheadLogBytes must be from {JournalWriteAheadLog.MinimumCapacity} to {int.MaxValue} bytes, not {bytes}", failure.Message, StringComparison.Ordinal);
    }


    private static async Task<List<(GrainId Id, TestGrainState State)>> WriteGrainsAsync(ArrayDictJournalGrainStorage storage, int count, int epochs)
    {
        var grains = new List<(GrainId, TestGrainState)>();
        for (int i = 0; i < count; i++)
        {
            var grainId = NewGrainId();
            var state = await ReadAsync(storage, grainId);
            for (long epoch = 1; epoch <= epochs; epoch++)
            {
                JournalRecoveryTests.Change(state.State, epoch);
                await WriteAsync(storage, grainId, state);
            }

            grains.Add((grainId, state));
        }

        return grains;
    }
}
