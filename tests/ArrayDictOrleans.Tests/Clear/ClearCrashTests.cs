using ArrayDictOrleans.Methods;
using ArrayDictOrleans.Silo.Hosting;
using ArrayDictOrleans.Tests.Azure;
using ArrayDictOrleans.Tests.Journal;
using Orleans.Storage;
using static ArrayDictOrleans.Tests.Journal.JournalTestStorage;

namespace ArrayDictOrleans.Tests.Clear;

/// <summary>
/// A clear interrupted at each of its steps, through the grain in a real in-process cluster, on every storage and
/// snapshot mode: the grain reloads, and what it then reads is either the whole old state or an empty ArrayDict, never
/// a damaged or an older one; a repeated clear then succeeds and leaves nothing stored. Steps are found by running the
/// clear once with a hook that records them (the storages' <c>FaultPoint</c> hooks, the journal stores' hooks), then
/// the clear of a fresh grain is crashed at each one in turn. The same for a clear of a grain that holds both forms
/// (an interrupted switch of snapshot mode), and for a forced clear of a damaged grain.
/// </summary>
public abstract class ClearCrashTests(ClearClusters clusters)
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(30);

    public static TheoryData<SnapshotMode> Modes() => [SnapshotMode.Full, SnapshotMode.Journal];

    public static TheoryData<SnapshotMode, bool> ModesAndCurrentForm() => new()
    {
        { SnapshotMode.Full, true },
        { SnapshotMode.Full, false },
        { SnapshotMode.Journal, true },
        { SnapshotMode.Journal, false },
    };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ClearAsync_CrashAtEachStep_ReadsOldOrEmptyAndRepeatedClearLeavesNothing(SnapshotMode mode)
    {
        var cluster = await clusters.GetAsync(mode);
        var (recorded, _) = await FilledGrainAsync(cluster);
        var steps = await cluster.RecordStepsAsync(() => recorded.ClearAsync());

        await CrashAtEachStepAsync(cluster, steps, async () =>
        {
            var (grain, seen) = await FilledGrainAsync(cluster);
            return (grain, seen, null);
        });
    }

    [Theory]
    [MemberData(nameof(ModesAndCurrentForm))]
    public async Task ClearAsync_BothFormsStoredCrashAtEachStep_NeverShowsTheOlderForm(SnapshotMode mode, bool journalIsCurrent)
    {
        var cluster = await clusters.GetAsync(mode);
        var (grain, _, _) = await BothFormsGrainAsync(cluster, journalIsCurrent);
        var steps = await cluster.RecordStepsAsync(() => grain.ClearAsync());

        await CrashAtEachStepAsync(cluster, steps, () => BothFormsGrainAsync(cluster, journalIsCurrent));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ForceClearAsync_DamagedCrashAtEachStep_ReadsDamagedOrEmptyAndRepeatedForceClearLeavesNothing(SnapshotMode mode)
    {
        var cluster = await clusters.GetAsync(mode);
        var damaged = await DamagedGrainAsync(cluster, mode);
        var steps = await cluster.RecordStepsAsync(async () => await damaged.ForceClearAsync());
        Assert.Contains("force:tombstoned", steps);

        await CrashAtEachStepAsync(
            cluster,
            steps,
            async () => (await DamagedGrainAsync(cluster, mode), null, null),
            force: true);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task ForceClearAsync_DamagedJournalOverAdoptedSnapshotCrashAtEachStep_NeverShowsTheOlderSnapshot(SnapshotMode mode)
    {
        var cluster = await clusters.GetAsync(mode);

        // The journal adopted the Full snapshot (the older state) and is damaged: only the tombstone written first keeps
        // a crash from leaving that older snapshot as what the grain reads.
        async Task<(IArrayDictGrain, Seen?, Seen?)> DamagedOverOlderAsync()
        {
            var (grain, _, older) = await BothFormsGrainAsync(cluster, journalIsCurrent: true);
            await clusters.Place.DamageAsync(grain.GetGrainId(), SnapshotMode.Journal);
            return (grain, null, older);
        }

        var (recorded, _, _) = await DamagedOverOlderAsync();
        var steps = await cluster.RecordStepsAsync(async () => await recorded.ForceClearAsync());

        await CrashAtEachStepAsync(cluster, steps, DamagedOverOlderAsync, force: true);
    }

    /// <summary>
    /// For each step: a fresh grain from <paramref name="setUp"/> (what it holds, or null when it is damaged; the older
    /// state it must never show, or null), its clear crashed at that step, then a new activation's view classified as
    /// "old" or "empty". The views go from old to empty, never back; the last step's is empty, the first's old.
    /// </summary>
    private async Task CrashAtEachStepAsync(StorageCluster cluster, List<string> steps, Func<Task<(IArrayDictGrain Grain, Seen? Old, Seen? Older)>> setUp, bool force = false)
    {
        Assert.True(steps.Count >= 2, $"too few steps recorded: {string.Join(", ", steps)}");
        var outcomes = new List<string>();
        for (int i = 0; i < steps.Count; i++)
        {
            var (grain, old, older) = await setUp();
            string what = $"{clusters.Place.Name}, {cluster.Mode} mode, crash at step {i} ({steps[i]}) of [{string.Join(", ", steps)}]";
            var failure = await cluster.CrashAtAsync(i, force ? async () => await grain.ForceClearAsync() : () => grain.ClearAsync());
            Assert.True(
                failure is ArrayDictStorageException or InconsistentStateException,
                $"{what}: the clear failed with {failure.GetType().Name}: {failure.Message}");

            // The failed clear deactivates the grain by itself, so that the next call reads what is stored.
            await cluster.Cluster.WaitForDeactivationAsync(grain).WaitAsync(Bounded);
            string outcome = await OutcomeAsync(grain, old, older, what);
            outcomes.Add(outcome);

            if (force)
            {
                await grain.ForceClearAsync();
            }
            else
            {
                await grain.ClearAsync();
            }

            await cluster.Cluster.DeactivateAsync(grain);
            var info = await grain.GetInfoAsync();
            Assert.True(info.Count == 0 && info.LastAppliedEpoch is null, $"{what}: after a repeated clear, {info.Count} rows and epoch {info.LastAppliedEpoch}");

            // A normal clear after a crash may leave unread leftovers on Azure (a base blob); a forced clear removes everything.
            Assert.Null(await grain.ForceClearAsync());
            var stored = await clusters.Place.StoredAsync(grain.GetGrainId());
            Assert.True(stored.Count == 0, $"{what}: still stored: {string.Join(", ", stored)}");
        }

        string sequence = string.Join(", ", steps.Zip(outcomes, (step, outcome) => $"{step}: {outcome}"));
        Assert.True(outcomes[0] == "old", $"a crash at the first step must leave the old state: {sequence}");
        Assert.True(outcomes[^1] == "empty", $"a crash after the last step must leave the grain cleared: {sequence}");
        Assert.True(outcomes.SkipWhile(outcome => outcome == "old").All(outcome => outcome == "empty"), $"once cleared, a later crash must not bring the old state back: {sequence}");
    }

    /// <summary>"old" (what <paramref name="old"/> holds, or damaged when it is null) or "empty"; fails on anything else.</summary>
    private static async Task<string> OutcomeAsync(IArrayDictGrain grain, Seen? old, Seen? older, string what)
    {
        ArrayDictInfo info;
        ArrayDict dict;
        try
        {
            info = await grain.GetInfoAsync();
            dict = await grain.ExportAsync();
        }
        catch (ArrayDictDamagedException) when (old is null)
        {
            return "old";
        }

        if (info.Count == 0 && info.LastAppliedEpoch is null)
        {
            return "empty";
        }

        Assert.False(older is not null && older.Equals(dict, info), $"{what}: the grain reads the older form ({info.Count} rows, epoch {info.LastAppliedEpoch})");
        Assert.True(old is not null && old.Equals(dict, info), $"{what}: the grain reads neither the old state nor an empty one ({info.Count} rows, epoch {info.LastAppliedEpoch})");
        return "old";
    }

    /// <summary>A grain with rows and epochs written through it (in Journal mode: a base and records).</summary>
    private static async Task<(IArrayDictGrain grain, Seen seen)> FilledGrainAsync(StorageCluster cluster)
    {
        var grain = cluster.NewGrain();
        await grain.SetManyAsync(new RowBatch(1, [1, 2, 3, 4], [1.5, 2.5, 3.5, 4.5]));
        await grain.ApplyAsync(new ScaleMethod(2), epoch: 1);
        await grain.RemoveAsync(2);
        await grain.ApplyAsync(new ScaleMethod(3), epoch: 2);
        return (grain, new Seen(await grain.ExportAsync(), 2));
    }

    /// <summary>A grain filled through the cluster, deactivated, and its stored form of <paramref name="mode"/> damaged.</summary>
    private async Task<IArrayDictGrain> DamagedGrainAsync(StorageCluster cluster, SnapshotMode mode)
    {
        var (grain, _) = await FilledGrainAsync(cluster);
        await cluster.Cluster.DeactivateAsync(grain);
        await clusters.Place.DamageAsync(grain.GetGrainId(), mode);
        await Assert.ThrowsAsync<ArrayDictDamagedException>(grain.GetInfoAsync);
        return grain;
    }

    /// <summary>
    /// A grain stored in both forms, as a switch of mode interrupted between its two steps leaves it: the older state in
    /// one form, the newer in the other, which is current by the rule of docs/journal.md. Returns the grain, the newer
    /// state (which it reads) and the older one (which it must never read).
    /// </summary>
    private async Task<(IArrayDictGrain Grain, Seen? Newer, Seen? Older)> BothFormsGrainAsync(StorageCluster cluster, bool journalIsCurrent)
    {
        var grain = cluster.NewGrain();
        var grainId = grain.GetGrainId();
        var place = clusters.Place;
        Seen older;
        Seen newer;
        var first = journalIsCurrent ? SnapshotMode.Full : SnapshotMode.Journal;
        await using (var run = await place.StartAsync(first))
        {
            older = await WriteAsync(run.Storage, grainId, epoch: 1);
        }

        await using (var run = await place.StartAsync(journalIsCurrent ? SnapshotMode.Journal : SnapshotMode.Full))
        {
            IGrainStorage crashing = journalIsCurrent ? run.JournalFailingToRemoveSnapshot() : run.FullFailingToDeleteJournal();
            newer = await WriteAsync(crashing, grainId, epoch: 2, expectFailure: true);
        }

        var stored = await place.StoredAsync(grainId);
        Assert.True(stored.Count >= 2, $"both forms are stored: {string.Join(", ", stored)}");
        var info = await grain.GetInfoAsync();
        Assert.True(newer.Equals(await grain.ExportAsync(), info), $"the grain reads the newer form ({info.Count} rows, epoch {info.LastAppliedEpoch})");
        return (grain, newer, older);
    }

    /// <summary>Reads the grain's state through <paramref name="storage"/>, adds a row and the epoch, writes it (which may fail after its first step).</summary>
    private static async Task<Seen> WriteAsync(IGrainStorage storage, GrainId grainId, long epoch, bool expectFailure = false)
    {
        var grainState = await ReadAsync(storage, grainId);
        var state = grainState.State;
        using (var scope = state.Dict.BeginChanges())
        {
            for (int key = 0; key < 3; key++)
            {
                state.Dict[(epoch * 10) + key] = epoch + (key * 0.25);
            }

            state.PendingDelta?.Record(scope);
            scope.Commit();
        }

        state.LastEpoch = epoch;
        if (expectFailure)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => storage.WriteStateAsync(StateName, grainId, grainState));
        }
        else
        {
            await JournalTestStorage.WriteAsync(storage, grainId, grainState);
        }

        return new Seen(state.Dict.Clone(), epoch);
    }

    /// <summary>What a grain holds, as its callers see it: its rows and its last epoch.</summary>
    private protected sealed record Seen(ArrayDict Dict, long? Epoch)
    {
        public bool Equals(ArrayDict dict, ArrayDictInfo info) => info.LastAppliedEpoch == Epoch && dict.ContentEquals(Dict);
    }
}

public sealed class LocalClearCrashTests(LocalClearClusters clusters) : ClearCrashTests(clusters), IClassFixture<LocalClearClusters>;

[Collection(AzuriteCollection.Name)]
public sealed class AzureClearCrashTests(AzureClearClusters clusters) : ClearCrashTests(clusters), IClassFixture<AzureClearClusters>;
