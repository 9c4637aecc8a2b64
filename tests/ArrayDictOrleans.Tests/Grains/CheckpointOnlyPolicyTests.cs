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
