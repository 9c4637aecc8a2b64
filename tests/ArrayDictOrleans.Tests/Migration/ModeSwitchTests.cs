using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Tests.Persistence;
using ArrayDictOrleans.Workload;
using Orleans.Storage;
using static ArrayDictOrleans.Tests.Journal.JournalTestStorage;

namespace ArrayDictOrleans.Tests.Migration;

/// <summary>
/// Switching <c>SnapshotMode</c> between Full and Journal on stored data (docs/journal.md, "Switching modes"), the same
/// cases on every backend: data written in one mode, epoch and kept result included, reads back in the other; the
/// first write in the new mode removes the old form, a read alone leaves it; an interruption between the two steps
/// reads the newer form in both modes; a clear removes both forms. Each <see cref="ModeStorage"/> stands for one silo run.
/// </summary>
public abstract class ModeSwitchTests
{
    /// <summary>Starts a silo run in Full mode on this test's data.</summary>
    private protected abstract Task<ModeStorage> StartFullAsync();

    /// <summary>Starts a silo run in Journal mode on this test's data.</summary>
    private protected abstract Task<ModeStorage> StartJournalAsync();

    /// <summary>Whether a Full snapshot of the grain is stored.</summary>
    protected abstract Task<bool> FullSnapshotExistsAsync(GrainId grainId);

    /// <summary>Whether anything of the journal form of the grain (base, journal) is stored.</summary>
    protected abstract Task<bool> JournalExistsAsync(GrainId grainId);

    [Fact]
    public async Task ModeSwitch_FullToJournal_ReadsSnapshotWithEpochAndResult_AndLeavesItWithoutAWrite()
    {
        var grainId = NewGrainId();
        ArrayDictState written;
        string? fullETag;
        await using (var full = await StartFullAsync())
        {
            (written, fullETag) = await FillAsync(full.Storage, grainId, epochs: 2);
        }

        await using (var journal = await StartJournalAsync())
        {
            var read = await ReadAsync(journal.Storage, grainId);
            AssertSameState(written, read.State!, "the journal mode reads the Full snapshot");
            Assert.True(read.RecordExists);
            Assert.NotNull(read.State!.PendingDelta);
        }

        Assert.True(await FullSnapshotExistsAsync(grainId), "a read alone leaves the Full snapshot");
        Assert.False(await JournalExistsAsync(grainId), "a read alone writes no journal");
        await using (var full = await StartFullAsync())
        {
            var back = await ReadAsync(full.Storage, grainId);
            AssertSameState(written, back.State!, "switched back to Full");
            Assert.Equal(fullETag, back.ETag);
        }
    }

    [Fact]
    public async Task ModeSwitch_FullToJournal_FirstWriteStoresBaseThenRemovesSnapshot()
    {
        var grainId = NewGrainId();
        await using (var full = await StartFullAsync())
        {
            await FillAsync(full.Storage, grainId, epochs: 1);
        }

        ArrayDictState expected;
        await using (var journal = await StartJournalAsync())
        {
            var read = await ReadAsync(journal.Storage, grainId);
            Step(read.State!, 2);
            await WriteAsync(journal.Storage, grainId, read);
            Assert.True(journal.Journal.LastWriteWasBase, "the adopted snapshot becomes the journal's base");
            Assert.False(await FullSnapshotExistsAsync(grainId), "removed after the base is stored");
            Assert.True(JournalPosition.TryParse(read.ETag, out _), $"a plain journal position after the switch, not '{read.ETag}'");

            Step(read.State!, 3);
            await WriteAsync(journal.Storage, grainId, read);
            Assert.False(journal.Journal.LastWriteWasBase, "the next write appends");
            expected = Copy(read.State!);
        }

        await using (var journal = await StartJournalAsync())
        {
            AssertSameState(expected, (await ReadAsync(journal.Storage, grainId)).State!, "base + record after the switch");
        }

        await using (var full = await StartFullAsync())
        {
            AssertSameState(expected, (await ReadAsync(full.Storage, grainId)).State!, "and back in Full mode");
        }
    }

    [Fact]
    public async Task ModeSwitch_JournalToFull_ReadsJournalWithEpochAndResult_AndLeavesItWithoutAWrite()
    {
        var grainId = NewGrainId();
        ArrayDictState written;
        string? journalETag;
        await using (var journal = await StartJournalAsync())
        {
            (written, journalETag) = await FillAsync(journal.Storage, grainId, epochs: 3);
            Assert.False(journal.Journal.LastWriteWasBase, "the journal holds records after its base");
        }

        await using (var full = await StartFullAsync())
        {
            var read = await ReadAsync(full.Storage, grainId);
            AssertSameState(written, read.State!, "the Full mode reads base + journal");
            Assert.True(read.RecordExists);
            Assert.Null(read.State!.PendingDelta);
        }

        Assert.True(await JournalExistsAsync(grainId), "a read alone leaves the journal");
        Assert.False(await FullSnapshotExistsAsync(grainId), "a read alone writes no snapshot");
        await using (var journal = await StartJournalAsync())
        {
            var back = await ReadAsync(journal.Storage, grainId);
            AssertSameState(written, back.State!, "switched back to Journal");
            Assert.Equal(journalETag, back.ETag);
        }
    }

    [Fact]
    public async Task ModeSwitch_JournalToFull_FirstWriteStoresSnapshotThenRemovesJournal()
    {
        var grainId = NewGrainId();
        await using (var journal = await StartJournalAsync())
        {
            await FillAsync(journal.Storage, grainId, epochs: 2);
        }

        ArrayDictState expected;
        await using (var full = await StartFullAsync())
        {
            var read = await ReadAsync(full.Storage, grainId);
            Step(read.State!, 3);
            await WriteAsync(full.Storage, grainId, read);
            Assert.False(await JournalExistsAsync(grainId), "deleted after the snapshot is stored");
            Assert.True(await FullSnapshotExistsAsync(grainId));
            Assert.False(read.ETag!.StartsWith('~'), $"a plain snapshot ETag after the switch, not '{read.ETag}'");

            Step(read.State!, 4);
            await WriteAsync(full.Storage, grainId, read);
            expected = Copy(read.State!);
        }

        await using (var full = await StartFullAsync())
        {
            AssertSameState(expected, (await ReadAsync(full.Storage, grainId)).State!, "the snapshot after the switch");
        }

        await using (var journal = await StartJournalAsync())
        {
            AssertSameState(expected, (await ReadAsync(journal.Storage, grainId)).State!, "and back in Journal mode");
        }
    }

    [Fact]
    public async Task ModeSwitch_FullToJournal_InterruptedBeforeSnapshotRemoved_BothModesReadTheJournal()
    {
        var grainId = NewGrainId();
        ArrayDictState older;
        await using (var full = await StartFullAsync())
        {
            (older, _) = await FillAsync(full.Storage, grainId, epochs: 1);
        }

        ArrayDictState newer;
        await using (var journal = await StartJournalAsync())
        {
            var crashing = journal.JournalFailingToRemoveSnapshot();
            var read = await ReadAsync(crashing, grainId);
            Step(read.State!, 2);
            newer = Copy(read.State!);
            var failure = await Assert.ThrowsAsync<ArrayDictJournalStorageException>(() => crashing.WriteStateAsync(StateName, grainId, read));
            Assert.IsType<IOException>(failure.InnerException);

            // The base landed but the write failed: any later write of this activation must conflict, so that it reloads.
            Step(read.State!, 3);
            await Assert.ThrowsAsync<InconsistentStateException>(() => crashing.WriteStateAsync(StateName, grainId, read));
        }

        Assert.True(await FullSnapshotExistsAsync(grainId) && await JournalExistsAsync(grainId), "the interruption leaves both forms");
        await using (var journal = await StartJournalAsync())
        {
            var read = await ReadAsync(journal.Storage, grainId);
            AssertSameState(newer, read.State!, "Journal mode: the journal adopted exactly this snapshot, so it is newer");
        }

        await using (var full = await StartFullAsync())
        {
            var read = await ReadAsync(full.Storage, grainId);
            AssertSameState(newer, read.State!, "Full mode: the same rule, not the older snapshot");
            Assert.False(older.Dict.ContentEquals(read.State!.Dict), "the older rows are not what is read");
        }

        Assert.True(await FullSnapshotExistsAsync(grainId) && await JournalExistsAsync(grainId), "reads alone leave both forms");
        await using (var journal = await StartJournalAsync())
        {
            var read = await ReadAsync(journal.Storage, grainId);
            Step(read.State!, 3);
            var expected = Copy(read.State!);
            await WriteAsync(journal.Storage, grainId, read);
            Assert.False(await FullSnapshotExistsAsync(grainId), "the next write finishes the switch first");
            AssertSameState(expected, (await ReadAsync(journal.Storage, grainId)).State!, "after the finished switch");
        }
    }

    [Fact]
    public async Task ModeSwitch_JournalToFull_InterruptedBeforeJournalDeleted_BothModesReadTheSnapshot()
    {
        var grainId = NewGrainId();
        ArrayDictState older;
        await using (var journal = await StartJournalAsync())
        {
            (older, _) = await FillAsync(journal.Storage, grainId, epochs: 2);
        }

        ArrayDictState newer;
        await using (var full = await StartFullAsync())
        {
            var crashing = full.FullFailingToDeleteJournal();
            var read = await ReadAsync(crashing, grainId);
            Step(read.State!, 3);
            newer = Copy(read.State!);
            var failure = await Assert.ThrowsAsync<ArrayDictJournalStorageException>(() => crashing.WriteStateAsync(StateName, grainId, read));
            Assert.IsType<IOException>(failure.InnerException);

            Step(read.State!, 4);
            await Assert.ThrowsAsync<InconsistentStateException>(() => crashing.WriteStateAsync(StateName, grainId, read));
        }

        Assert.True(await FullSnapshotExistsAsync(grainId) && await JournalExistsAsync(grainId), "the interruption leaves both forms");
        await using (var journal = await StartJournalAsync())
        {
            var read = await ReadAsync(journal.Storage, grainId);
            AssertSameState(newer, read.State!, "Journal mode: the snapshot was written after the journal's base named another, so it is newer");
            Assert.NotEqual(older.LastEpoch, read.State!.LastEpoch);
        }

        await using (var full = await StartFullAsync())
        {
            AssertSameState(newer, (await ReadAsync(full.Storage, grainId)).State!, "Full mode: the same rule");
        }

        await using (var journal = await StartJournalAsync())
        {
            // Adopting replaces the older journal (conditionally on its position) and then removes the snapshot.
            var read = await ReadAsync(journal.Storage, grainId);
            Step(read.State!, 4);
            var expected = Copy(read.State!);
            await WriteAsync(journal.Storage, grainId, read);
            Assert.False(await FullSnapshotExistsAsync(grainId));
            AssertSameState(expected, (await ReadAsync(journal.Storage, grainId)).State!, "after adopting over the older journal");
        }
    }

    [Fact]
    public async Task ModeSwitch_ClearInJournalModeAfterSwitch_RemovesBothForms()
    {
        var grainId = NewGrainId();
        await using (var full = await StartFullAsync())
        {
            await FillAsync(full.Storage, grainId, epochs: 1);
        }

        await using (var journal = await StartJournalAsync())
        {
            var read = await ReadAsync(journal.Storage, grainId);
            await journal.Storage.ClearStateAsync(StateName, grainId, read);
            Assert.False(read.RecordExists);
            Assert.Equal(0, read.State!.Dict.Count);
        }

        await AssertNothingStoredAsync(grainId);
    }

    [Fact]
    public async Task ModeSwitch_ClearInFullModeAfterSwitch_RemovesBothForms()
    {
        var grainId = NewGrainId();
        await using (var journal = await StartJournalAsync())
        {
            await FillAsync(journal.Storage, grainId, epochs: 2);
        }

        await using (var full = await StartFullAsync())
        {
            var read = await ReadAsync(full.Storage, grainId);
            await full.Storage.ClearStateAsync(StateName, grainId, read);
            Assert.False(read.RecordExists);
            Assert.Equal(0, read.State!.Dict.Count);
        }

        await AssertNothingStoredAsync(grainId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ModeSwitch_ClearWithBothFormsLeftByInterruption_RemovesBothForms(bool clearInFullMode)
    {
        var grainId = NewGrainId();
        await using (var full = await StartFullAsync())
        {
            await FillAsync(full.Storage, grainId, epochs: 1);
        }

        await using (var journal = await StartJournalAsync())
        {
            var crashing = journal.JournalFailingToRemoveSnapshot();
            var read = await ReadAsync(crashing, grainId);
            Step(read.State!, 2);
            await Assert.ThrowsAsync<ArrayDictJournalStorageException>(() => crashing.WriteStateAsync(StateName, grainId, read));
        }

        await using (var run = clearInFullMode ? await StartFullAsync() : await StartJournalAsync())
        {
            var read = await ReadAsync(run.Storage, grainId);
            Assert.Equal(2, read.State!.LastEpoch);
            await run.Storage.ClearStateAsync(StateName, grainId, read);
        }

        await AssertNothingStoredAsync(grainId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ModeSwitch_ClearWithOlderJournalLeftByInterruption_RemovesBothForms(bool clearInFullMode)
    {
        var grainId = NewGrainId();
        await using (var journal = await StartJournalAsync())
        {
            await FillAsync(journal.Storage, grainId, epochs: 1);
        }

        await using (var full = await StartFullAsync())
        {
            var crashing = full.FullFailingToDeleteJournal();
            var read = await ReadAsync(crashing, grainId);
            Step(read.State!, 2);
            await Assert.ThrowsAsync<ArrayDictJournalStorageException>(() => crashing.WriteStateAsync(StateName, grainId, read));
        }

        await using (var run = clearInFullMode ? await StartFullAsync() : await StartJournalAsync())
        {
            var read = await ReadAsync(run.Storage, grainId);
            Assert.Equal(2, read.State!.LastEpoch);
            await run.Storage.ClearStateAsync(StateName, grainId, read);
        }

        await AssertNothingStoredAsync(grainId);
    }

    [Fact]
    public async Task ModeSwitch_ClearInterruptedWhileJournalIsNewer_NeverShowsTheOlderSnapshot()
    {
        var grainId = NewGrainId();
        await using (var full = await StartFullAsync())
        {
            await FillAsync(full.Storage, grainId, epochs: 1);
        }

        await using (var journal = await StartJournalAsync())
        {
            var crashing = journal.JournalFailingToRemoveSnapshot();
            var read = await ReadAsync(crashing, grainId);
            Step(read.State!, 2);
            await Assert.ThrowsAsync<ArrayDictJournalStorageException>(() => crashing.WriteStateAsync(StateName, grainId, read));
        }

        await using (var journal = await StartJournalAsync())
        {
            // The older form goes first: failing there, the clear has removed nothing.
            var crashing = journal.JournalFailingToRemoveSnapshot();
            var read = await ReadAsync(crashing, grainId);
            await Assert.ThrowsAsync<ArrayDictJournalStorageException>(() => crashing.ClearStateAsync(StateName, grainId, read));
        }

        await AssertBothModesReadEpochAsync(grainId, 2);
    }

    [Fact]
    public async Task ModeSwitch_ClearInterruptedWhileSnapshotIsNewer_NeverShowsTheOlderJournal()
    {
        var grainId = NewGrainId();
        await using (var journal = await StartJournalAsync())
        {
            await FillAsync(journal.Storage, grainId, epochs: 1);
        }

        await using (var full = await StartFullAsync())
        {
            var crashing = full.FullFailingToDeleteJournal();
            var read = await ReadAsync(crashing, grainId);
            Step(read.State!, 2);
            await Assert.ThrowsAsync<ArrayDictJournalStorageException>(() => crashing.WriteStateAsync(StateName, grainId, read));
        }

        await using (var full = await StartFullAsync())
        {
            var crashing = full.FullFailingToDeleteJournal();
            var read = await ReadAsync(crashing, grainId);
            await Assert.ThrowsAsync<ArrayDictJournalStorageException>(() => crashing.ClearStateAsync(StateName, grainId, read));
        }

        await AssertBothModesReadEpochAsync(grainId, 2);
    }

    /// <summary>A new grain filled in <paramref name="storage"/>, then changed by <paramref name="epochs"/> calls, each written; returns its state and last ETag.</summary>
    private protected static async Task<(ArrayDictState State, string? ETag)> FillAsync(IGrainStorage storage, GrainId grainId, int epochs)
    {
        var grainState = await ReadAsync(storage, grainId);
        Assert.False(grainState.RecordExists, "a new grain");
        var state = grainState.State!;
        using (var scope = state.Dict.BeginChanges())
        {
            for (int i = 0; i < 40; i++)
            {
                state.Dict[3 * i] = i * 0.5;
            }

            state.PendingDelta?.Record(scope);
            scope.Commit();
        }

        await WriteAsync(storage, grainId, grainState);
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            Step(state, epoch);
            await WriteAsync(storage, grainId, grainState);
        }

        return (Copy(state), grainState.ETag);
    }

    /// <summary>Changes rows as a call would, with its epoch and result; records the change when the state tracks changes.</summary>
    private protected static void Step(ArrayDictState state, long epoch)
    {
        using (var scope = state.Dict.BeginChanges())
        {
            state.Dict[1000 + epoch] = epoch;
            state.Dict[0] = state.Dict.ContainsKey(0) ? state.Dict[0] + epoch : epoch;
            state.Dict.Remove(3 * epoch);
            state.PendingDelta?.Record(scope);
            scope.Commit();
        }

        state.LastEpoch = epoch;
        state.LastResult = TestKeptResults.Of(new Sw1StepResult(epoch, state.Dict.Count, Done: false));
    }

    private protected static async Task<GrainState<ArrayDictState>> ReadAsync(IGrainStorage storage, GrainId grainId)
    {
        var grainState = new GrainState<ArrayDictState>();
        await storage.ReadStateAsync(StateName, grainId, grainState);
        return grainState;
    }

    /// <summary>Writes as the grain does: on success, what was recorded is forgotten.</summary>
    private protected static async Task WriteAsync(IGrainStorage storage, GrainId grainId, GrainState<ArrayDictState> grainState)
    {
        await storage.WriteStateAsync(StateName, grainId, grainState);
        grainState.State!.PendingDelta?.Reset();
    }

    private async Task AssertBothModesReadEpochAsync(GrainId grainId, long epoch)
    {
        await using (var full = await StartFullAsync())
        {
            Assert.Equal(epoch, (await ReadAsync(full.Storage, grainId)).State!.LastEpoch);
        }

        await using (var journal = await StartJournalAsync())
        {
            Assert.Equal(epoch, (await ReadAsync(journal.Storage, grainId)).State!.LastEpoch);
        }
    }

    private async Task AssertNothingStoredAsync(GrainId grainId)
    {
        Assert.False(await FullSnapshotExistsAsync(grainId), "the clear removed the Full snapshot");
        Assert.False(await JournalExistsAsync(grainId), "the clear removed the journal");
        await using (var full = await StartFullAsync())
        {
            var read = await ReadAsync(full.Storage, grainId);
            Assert.False(read.RecordExists, "Full mode after the clear");
            Assert.Equal(0, read.State!.Dict.Count);
        }

        await using (var journal = await StartJournalAsync())
        {
            var read = await ReadAsync(journal.Storage, grainId);
            Assert.False(read.RecordExists, "Journal mode after the clear");
            Assert.Equal(0, read.State!.Dict.Count);
        }
    }
}
