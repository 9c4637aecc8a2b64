using ArrayDictOrleans.Grains.Journal;
using Orleans.Storage;
using static ArrayDictOrleans.Tests.Journal.JournalTestStorage;

namespace ArrayDictOrleans.Tests.Journal;

/// <summary>
/// The local journal's group commit: a write returns only after the sync that covers it, writes that arrive while a sync
/// runs share the next one, and a failed sync fails every write it covered.
/// </summary>
public sealed class JournalGroupCommitTests : IDisposable
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(30);

    private readonly string _directory = NewDirectory();
    private readonly ArrayDictJournalGrainStorage _storage;
    private readonly LocalFileJournalStore _store;

    // One sync at a time, on the committer's thread, with its writes just before (the write-ahead log, the default on
    // Linux, syncs on a thread of its own while the next batches are written: JournalWriteAheadLogTests).
    public JournalGroupCommitTests() => (_storage, _store) = Create(_directory, new LocalFileJournalStorageOptions
    {
        SyncMethod = OperatingSystem.IsLinux() ? JournalSyncMethod.FileSystem : JournalSyncMethod.Files,
    });

    public void Dispose()
    {
        _storage.Dispose();
        DeleteDirectory(_directory);
    }

    [Fact]
    public async Task GroupCommit_ManyGrainsWriteWhileASyncRuns_NoneReturnsBeforeTheSyncThatCoversIt()
    {
        const int Grains = 51;
        var committer = _store.Committer!;
        var grains = new List<(GrainId Id, TestGrainState State)>();
        for (int i = 0; i < Grains; i++)
        {
            var grainId = NewGrainId();
            var state = await ReadAsync(_storage, grainId);
            JournalRecoveryTests.Change(state.State, 1);
            await WriteAsync(_storage, grainId, state);
            grains.Add((grainId, state));
        }

        using var release = new ManualResetEventSlim();
        var held = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        int syncs = 0;
        committer.BeforeSync = count =>
        {
            if (Interlocked.Increment(ref syncs) == 1)
            {
                held.TrySetResult(count);
                Assert.True(release.Wait(Bounded), "the test never released the first sync");
            }
        };
        long syncsBefore = committer.Syncs;

        foreach (var (_, state) in grains)
        {
            JournalRecoveryTests.Change(state.State, 2);
        }

        var first = WriteAsync(_storage, grains[0].Id, grains[0].State);
        Assert.Equal(1, await held.Task.WaitAsync(Bounded));
        var rest = grains.Skip(1).Select(g => WriteAsync(_storage, g.Id, g.State)).ToList();

        // None of the writes has returned: the first one's record is in its file and waits for the held sync; the others
        // are handed over to the committer, which writes them with the next batch, just before that batch's sync.
        Assert.Equal(Grains - 1, committer.Waiting);
        Assert.False(first.IsCompleted, "a write returned while the sync that covers it was held");
        Assert.All(rest, write => Assert.False(write.IsCompleted, "a write returned before any sync covered it"));
        Assert.True(JournalLength(grains[0].Id) > _storage.GetCursor(grains[0].Id)!.Position.JournalLength, "the record was not written before its sync");
        foreach (var (grainId, _) in grains.Skip(1))
        {
            var cursor = _storage.GetCursor(grainId)!;
            Assert.Equal(0, cursor.Records);
            Assert.Equal(cursor.Position.JournalLength, JournalLength(grainId));
        }

        release.Set();
        await Task.WhenAll(rest.Append(first)).WaitAsync(Bounded);

        Assert.Equal(2, committer.Syncs - syncsBefore);
        Assert.All(grains, g => Assert.Equal(1, _storage.GetCursor(g.Id)!.Records));
        Assert.All(grains, g => Assert.Equal(_storage.GetCursor(g.Id)!.Position.JournalLength, JournalLength(g.Id)));
    }

    [Fact]
    public async Task GroupCommit_SyncFails_WriteFailsAndStoredStateIsBeforeOrAfterIt()
    {
        var grainId = NewGrainId();
        var grainState = await ReadAsync(_storage, grainId);
        JournalRecoveryTests.Change(grainState.State, 1);
        await WriteAsync(_storage, grainId, grainState);
        var before = Copy(grainState.State);
        _store.Committer!.BeforeSync = _ => throw new IOException("Simulated: the disk failed the sync.");

        JournalRecoveryTests.Change(grainState.State, 2);
        var failure = await Assert.ThrowsAsync<ArrayDictJournalStorageException>(() => _storage.WriteStateAsync(StateName, grainId, grainState));
        _store.Committer.BeforeSync = null;

        Assert.Contains("Simulated: the disk failed the sync.", failure.ToString(), StringComparison.Ordinal);

        // The activation no longer trusts its position: its next write is refused, so that the grain reloads.
        JournalRecoveryTests.Change(grainState.State, 3);
        await Assert.ThrowsAsync<InconsistentStateException>(() => _storage.WriteStateAsync(StateName, grainId, grainState));

        // What a new activation finds is whole: the state before the failed write or the one it carried, never a mix.
        var read = await ReadAsync(Create(_directory).Storage, grainId);
        Assert.True(read.State.LastEpoch is 1 or 2, $"epoch {read.State.LastEpoch}");
        if (read.State.LastEpoch == 1)
        {
            AssertSameState(before, read.State, "the failed write is not there");
        }
    }

    [Fact]
    public async Task GroupCommit_OneWriteOfABatchFails_OnlyThatWriteFailsAndTheOthersAreSynced()
    {
        var committer = _store.Committer!;
        var grains = new List<(GrainId Id, TestGrainState State)>();
        for (int i = 0; i < 3; i++)
        {
            var grainId = NewGrainId();
            var state = await ReadAsync(_storage, grainId);
            JournalRecoveryTests.Change(state.State, 1);
            await WriteAsync(_storage, grainId, state);
            JournalRecoveryTests.Change(state.State, 2);
            grains.Add((grainId, state));
        }

        // The first write's sync is held, so that the two others are handed over in one batch.
        using var release = new ManualResetEventSlim();
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        committer.BeforeSync = _ =>
        {
            if (held.TrySetResult())
            {
                Assert.True(release.Wait(Bounded), "the test never released the first sync");
            }
        };
        var first = WriteAsync(_storage, grains[0].Id, grains[0].State);
        await held.Task.WaitAsync(Bounded);
        var failing = _storage.WriteStateAsync(StateName, grains[1].Id, grains[1].State);
        var other = WriteAsync(_storage, grains[2].Id, grains[2].State);
        int torn = 0;
        _store.FaultPoint = step =>
        {
            if (step == "append:torn" && Interlocked.Increment(ref torn) == 1)
            {
                throw new IOException("Simulated: the disk failed this write.");
            }
        };
        release.Set();

        var failure = await Assert.ThrowsAsync<ArrayDictJournalStorageException>(() => failing.WaitAsync(Bounded));
        await Task.WhenAll(first, other).WaitAsync(Bounded);
        _store.FaultPoint = null;

        Assert.Contains("Simulated: the disk failed this write.", failure.ToString(), StringComparison.Ordinal);
        var reread = Create(_directory).Storage;
        Assert.Equal(2, (await ReadAsync(reread, grains[0].Id)).State.LastEpoch);
        Assert.Equal(2, (await ReadAsync(reread, grains[2].Id)).State.LastEpoch);
        var damaged = await ReadAsync(reread, grains[1].Id);
        Assert.Equal(1, damaged.State.LastEpoch);
    }

    [Fact]
    public async Task GroupCommit_WritesNotSynced_ReturnWithoutASync()
    {
        var (storage, store) = Create(_directory, new LocalFileJournalStorageOptions { AllowLostCallsOnMachineCrash = true });
        var grainId = NewGrainId();
        var grainState = await ReadAsync(storage, grainId);
        JournalRecoveryTests.Change(grainState.State, 1);

        await WriteAsync(storage, grainId, grainState);

        Assert.Null(store.Committer);
        AssertSameState(grainState.State, (await ReadAsync(Create(_directory).Storage, grainId)).State, "written without a sync");
    }

    private long JournalLength(GrainId grainId) => new FileInfo(JournalFile(grainId)).Length;

    private string JournalFile(GrainId grainId) =>
        Assert.Single(Directory.GetFiles(_store.GetGrainDirectory(ArrayDictJournalGrainStorage.GetKey(StateName, grainId)), "*" + LocalFileJournalStore.JournalExtension));
}
