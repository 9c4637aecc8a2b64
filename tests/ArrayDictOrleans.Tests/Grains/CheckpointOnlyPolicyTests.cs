namespace ArrayDictOrleans.Tests.Grains;

[Collection(CheckpointOnlyClusterCollection.Name)]
public sealed class CheckpointOnlyPolicyTests(CheckpointOnlyClusterFixture fixture)
{
    [Fact]
    public async Task ArrayDictGrain_PersistEveryZero_ChangesStayUnsavedUntilCheckpoint()
    {
        var grain = fixture.NewGrain();
        await grain.ApplyAsync(new IncrementMethod(1, 1), epoch: 0);
        await grain.ApplyAsync(new IncrementMethod(1, 1), epoch: 1);

        var unsaved = await grain.GetInfoAsync();
        await grain.CheckpointAsync();
        var saved = await grain.GetInfoAsync();

        Assert.Equal(2, unsaved.UnsavedChanges);
        Assert.Null(unsaved.LastSnapshotAt);
        Assert.Equal(0, saved.UnsavedChanges);
        Assert.NotNull(saved.LastSnapshotAt);
    }

    [Fact]
    public async Task ArrayDictGrain_CheckpointAsync_NextActivationReadsTheCheckpointedState()
    {
        var grain = fixture.NewGrain();
        await grain.SetValueAsync(1, 42);
        await grain.CheckpointAsync();
        await grain.SetValueAsync(1, 99);

        // The deactivation's own write fails: the next activation can only read what the checkpoint stored.
        FaultPlan.Add(grain.GetGrainId(), WriteFault.FailBeforeWrite);
        await fixture.Cluster.DeactivateAsync(grain);

        Assert.Equal(0, FaultPlan.Remaining(grain.GetGrainId()));
        Assert.Equal(42, await grain.GetValueAsync(1));
    }

    [Fact]
    public async Task ArrayDictGrain_PersistEveryZero_DeactivationPersistsUnsavedChanges()
    {
        var grain = fixture.NewGrain();
        await grain.ApplyAsync(new IncrementMethod(1, 2.5), epoch: 0);
        Assert.Equal(1, (await grain.GetInfoAsync()).UnsavedChanges);

        await fixture.Cluster.DeactivateAsync(grain);

        Assert.Equal(2.5, await grain.GetValueAsync(1));
        Assert.Equal(0, (await grain.GetInfoAsync()).LastAppliedEpoch);
    }
}
