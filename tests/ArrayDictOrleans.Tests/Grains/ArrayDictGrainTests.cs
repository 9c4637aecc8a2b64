using ArrayDictOrleans.Methods;

namespace ArrayDictOrleans.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class ArrayDictGrainTests(ClusterFixture fixture)
{
    [Fact]
    public async Task ArrayDictGrain_SetValueAsync_ThenGetValueAsync_ReturnsValue()
    {
        var grain = fixture.NewGrain();
        await grain.SetValueAsync(1234, 12.5);
        await grain.SetValueAsync(10, 3);

        Assert.Equal(12.5, await grain.GetValueAsync(1234));
        Assert.Equal(3, await grain.GetValueAsync(10));
    }

    [Fact]
    public async Task ArrayDictGrain_GetValueAsync_MissingKey_ThrowsKeyNotFoundNamingKey()
    {
        var grain = fixture.NewGrain();
        await grain.SetValueAsync(1, 1);

        var error = await Assert.ThrowsAsync<KeyNotFoundException>(() => grain.GetValueAsync(987654321));
        Assert.Contains("987654321", error.Message);
    }

    [Fact]
    public async Task ArrayDictGrain_GetValueAsync_WideRows_ThrowsInvalidOperation()
    {
        var grain = fixture.NewGrain();
        await grain.ClearAsync(width: 3);
        await grain.SetRowAsync(5, [1, 2, 3]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.GetValueAsync(5));
        Assert.Contains("GetRow", error.Message);
    }

    [Fact]
    public async Task ArrayDictGrain_SetRowAsync_ThenGetRowAsync_ReturnsRow()
    {
        var grain = fixture.NewGrain();
        await grain.ClearAsync(width: 3);
        await grain.SetRowAsync(7, [1.5, 2.5, 3.5]);

        Assert.Equal(new double[] { 1.5, 2.5, 3.5 }, await grain.GetRowAsync(7));
    }

    [Fact]
    public async Task ArrayDictGrain_SetRowAsync_WrongLength_ThrowsArgumentNamingBothLengths()
    {
        var grain = fixture.NewGrain();
        await grain.ClearAsync(width: 3);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => grain.SetRowAsync(7, [1, 2]));
        Assert.Contains("3", error.Message);
        Assert.Contains("2", error.Message);
        Assert.Equal(0, (await grain.GetInfoAsync()).Count);
    }

    [Fact]
    public async Task ArrayDictGrain_GetRowAsync_MissingKey_ThrowsKeyNotFound()
    {
        var grain = fixture.NewGrain();
        var error = await Assert.ThrowsAsync<KeyNotFoundException>(() => grain.GetRowAsync(-42));
        Assert.Contains("-42", error.Message);
    }

    [Fact]
    public async Task ArrayDictGrain_SetManyAsync_ThenGetManyAsync_ReturnsRowsInKeyOrder()
    {
        var grain = fixture.NewGrain();
        await grain.ClearAsync(width: 2);
        await grain.SetManyAsync(new RowBatch(2, [1, 2, 3], [1, 1, 2, 2, 3, 3]));

        var rows = await grain.GetManyAsync([3, 1]);

        Assert.Equal([3L, 1L], rows.Keys);
        Assert.Equal([3.0, 3, 1, 1], rows.Values);
    }

    [Fact]
    public async Task ArrayDictGrain_GetManyAsync_OneKeyMissing_ThrowsKeyNotFoundNamingIt()
    {
        var grain = fixture.NewGrain();
        await grain.SetValueAsync(1, 1);

        var error = await Assert.ThrowsAsync<KeyNotFoundException>(() => grain.GetManyAsync([1, 77]));
        Assert.Contains("77", error.Message);
    }

    [Fact]
    public async Task ArrayDictGrain_SetManyAsync_MalformedBatch_ThrowsAndChangesNothing()
    {
        var grain = fixture.NewGrain();
        await grain.SetValueAsync(1, 1);

        await Assert.ThrowsAsync<ArgumentException>(() => grain.SetManyAsync(new RowBatch(1, [2, 3], [5])));
        await Assert.ThrowsAsync<ArgumentException>(() => grain.SetManyAsync(new RowBatch(2, [2], [5, 6])));

        Assert.Equal(1, (await grain.GetInfoAsync()).Count);
    }

    [Fact]
    public async Task ArrayDictGrain_RemoveAsync_ReturnsWhetherKeyWasPresent()
    {
        var grain = fixture.NewGrain();
        await grain.SetValueAsync(1, 1);

        Assert.True(await grain.RemoveAsync(1));
        Assert.False(await grain.RemoveAsync(1));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => grain.GetValueAsync(1));
    }

    [Fact]
    public async Task ArrayDictGrain_GetInfoAsync_ReportsSizeEpochAndSnapshot()
    {
        long id = ClusterFixture.NewKey();
        var grain = fixture.Grains.GetGrain<IArrayDictGrain>(id);
        await grain.ClearAsync(width: 2);
        await grain.SetManyAsync(new RowBatch(2, [1, 2, 3], new double[6]));
        await grain.ApplyAsync(new ScaleMethod(2), epoch: 4);

        var info = await grain.GetInfoAsync();

        Assert.Equal(id, info.Id);
        Assert.Equal(3, info.Count);
        Assert.Equal(2, info.Width);
        Assert.True(info.Capacity >= 3);
        Assert.True(info.MemoryBytes >= 3 * 2 * sizeof(double));
        Assert.Equal(4, info.LastAppliedEpoch);
        Assert.NotNull(info.LastSnapshotAt);
        Assert.Equal(ArrayDictSnapshot.Overhead + (3 * (8 + 16)), info.LastSnapshotBytes);
        Assert.Equal(0, info.UnsavedChanges);
    }

    [Fact]
    public async Task ArrayDictGrain_ExportAsync_ThenImportAsync_RoundTripsContent()
    {
        var source = fixture.NewGrain();
        var target = fixture.NewGrain();
        await source.ClearAsync(width: 2);
        await source.SetManyAsync(new RowBatch(2, [10, 20, 30], [1, 2, 3, 4, 5, 6]));
        await source.RemoveAsync(20);

        var exported = await source.ExportAsync();
        await target.ImportAsync(exported);

        var imported = await target.ExportAsync();
        Assert.True(imported.ContentEquals(exported));
        Assert.Equal(2, imported.Count);
        Assert.Equal(new double[] { 5.0, 6 }, await target.GetRowAsync(30));
    }

    [Fact]
    public async Task ArrayDictGrain_ClearAsync_DeletesSnapshotSoReactivationIsEmpty()
    {
        var grain = fixture.NewGrain();
        await grain.SetValueAsync(1, 1);
        await grain.ApplyAsync(new ScaleMethod(3), epoch: 1);

        await grain.ClearAsync();
        await fixture.Cluster.DeactivateAsync(grain);

        var info = await grain.GetInfoAsync();
        Assert.Equal(0, info.Count);
        Assert.Null(info.LastAppliedEpoch);
    }

    [Fact]
    public async Task ArrayDictGrain_ClearAsync_WidthBelowOne_ThrowsArgumentOutOfRange()
    {
        var grain = fixture.NewGrain();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => grain.ClearAsync(width: 0));
    }

    [Fact]
    public async Task ArrayDictGrain_Deactivation_StateComesBackFromLocalFiles()
    {
        var grain = fixture.NewGrain();
        await grain.ClearAsync(width: 3);
        await grain.SetManyAsync(new RowBatch(3, [1, 2], [1, 2, 3, 4, 5, 6]));
        await grain.ApplyAsync(new ScaleMethod(10), epoch: 3);
        var before = await grain.ExportAsync();

        await fixture.Cluster.DeactivateAsync(grain);

        var after = await grain.ExportAsync();
        Assert.True(after.ContentEquals(before));
        Assert.Equal(new double[] { 40.0, 50, 60 }, await grain.GetRowAsync(2));
        Assert.Equal(3, (await grain.GetInfoAsync()).LastAppliedEpoch);
        Assert.NotEmpty(Directory.EnumerateFiles(fixture.DataDirectory, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task ArrayDictGrain_ApplyAsync_MethodThrows_RollsBackEverythingAndReportsMessage()
    {
        var grain = fixture.NewGrain();
        await grain.SetManyAsync(new RowBatch(1, Enumerable.Range(0, 10).Select(i => (long)i).ToArray(), Enumerable.Range(0, 10).Select(i => (double)i).ToArray()));
        await grain.RemoveAsync(4);
        var before = await grain.ExportAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.ApplyAsync(new FailingMethod("the method failed on purpose"), epoch: 1));

        Assert.Equal("the method failed on purpose", error.Message);
        var after = await grain.ExportAsync();
        Assert.True(after.ContentEquals(before));
        Assert.Equal(before.RowLimit, after.RowLimit);
        Assert.Equal(before.FreeRowCount, after.FreeRowCount);
        Assert.Null((await grain.GetInfoAsync()).LastAppliedEpoch);
    }

    [Fact]
    public async Task ArrayDictGrain_ApplyAsync_MethodThrows_SameEpochCanBeAppliedAfterwards()
    {
        var grain = fixture.NewGrain();
        await Assert.ThrowsAsync<InvalidOperationException>(() => grain.ApplyAsync(new FailingMethod("no"), epoch: 1));

        Assert.Equal(1, await grain.ApplyAsync(new IncrementMethod(5, 1), epoch: 1));
    }

    [Fact]
    public async Task ArrayDictGrain_ApplyAsync_RepeatedEpoch_ReturnsKeptResultWithoutRunningAgain()
    {
        var grain = fixture.NewGrain();

        double first = await grain.ApplyAsync(new CountingMethod(1), epoch: 7);
        double repeated = await grain.ApplyAsync(new CountingMethod(1), epoch: 7);

        Assert.Equal(1, first);
        Assert.Equal(1, repeated);
        Assert.Equal(1, await grain.GetValueAsync(1));
    }

    [Fact]
    public async Task ArrayDictGrain_ApplyAsync_RepeatedEpochAfterDeactivation_ReturnsKeptResult()
    {
        var grain = fixture.NewGrain();
        await grain.ApplyAsync(new CountingMethod(1), epoch: 0);
        await grain.ApplyAsync(new CountingMethod(1), epoch: 1);

        await fixture.Cluster.DeactivateAsync(grain);

        Assert.Equal(2, await grain.ApplyAsync(new CountingMethod(1), epoch: 1));
        Assert.Equal(2, await grain.GetValueAsync(1));
        Assert.Equal(3, await grain.ApplyAsync(new CountingMethod(1), epoch: 2));
    }

    [Fact]
    public async Task ArrayDictGrain_ApplyAsync_OlderEpoch_ThrowsStaleEpochNamingBoth()
    {
        var grain = fixture.NewGrain();
        await grain.ApplyAsync(new CountingMethod(1), epoch: 5);

        var error = await Assert.ThrowsAsync<StaleEpochException>(() => grain.ApplyAsync(new CountingMethod(1), epoch: 4));

        Assert.Contains("epoch 4", error.Message);
        Assert.Contains("epoch 5", error.Message);
        Assert.Equal(1, await grain.GetValueAsync(1));
    }

    [Fact]
    public async Task ArrayDictGrain_ApplyAsync_NegativeEpoch_ThrowsArgumentOutOfRange()
    {
        var grain = fixture.NewGrain();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => grain.ApplyAsync(new CountingMethod(1), epoch: -1));
    }

    [Fact]
    public async Task ArrayDictGrain_ApplyAsync_WithoutEpoch_RunsEveryTime()
    {
        var grain = fixture.NewGrain();
        await grain.ApplyAsync(new CountingMethod(1));
        await grain.ApplyAsync(new CountingMethod(1));

        Assert.Equal(2, await grain.GetValueAsync(1));
        Assert.Null((await grain.GetInfoAsync()).LastAppliedEpoch);
    }

    [Fact]
    public async Task ArrayDictGrain_ApplyAsync_TenThousandConcurrentIncrements_NoneLost()
    {
        var grain = fixture.NewGrain();

        await Task.WhenAll(Enumerable.Range(0, 10_000).Select(_ => grain.ApplyAsync(new IncrementMethod(1, 1))));

        Assert.Equal(10_000, await grain.GetValueAsync(1));
    }

    [Fact]
    public async Task ArrayDictGrain_ApplyAsync_StorageFailsBeforeWrite_RollsBackAndReportsFailure()
    {
        var grain = fixture.NewGrain();
        await grain.SetValueAsync(1, 10);
        FaultPlan.Add(grain.GetGrainId(), WriteFault.FailBeforeWrite);

        var error = await Assert.ThrowsAsync<ArrayDictStorageException>(() => grain.ApplyAsync(new IncrementMethod(1, 5), epoch: 1));

        Assert.Contains("storage unreachable", error.Message);
        Assert.Contains("epoch 1", error.Message);

        Assert.Equal(10, await grain.GetValueAsync(1));
        Assert.Null((await grain.GetInfoAsync()).LastAppliedEpoch);
        Assert.Equal(15, await grain.ApplyAsync(new IncrementMethod(1, 5), epoch: 1));
    }

    [Fact]
    public async Task ArrayDictGrain_ApplyAsync_WriteSucceededButResponseLost_RetryWithSameEpochRunsMethodOnce()
    {
        var grain = fixture.NewGrain();
        await grain.SetValueAsync(1, 10);
        string counter = MethodRuns.NewKey();
        FaultPlan.Add(grain.GetGrainId(), WriteFault.FailAfterWrite);

        var lost = await Assert.ThrowsAsync<ArrayDictStorageException>(() => grain.ApplyAsync(new CountedIncrementMethod(counter, 1, 5), epoch: 1));
        double retried = await grain.ApplyAsync(new CountedIncrementMethod(counter, 1, 5), epoch: 1);

        Assert.True(lost.IsTransient);
        Assert.Equal(15, retried);
        Assert.Equal(15, await grain.GetValueAsync(1));
        Assert.Equal(1, MethodRuns.Of(counter));
    }
}
