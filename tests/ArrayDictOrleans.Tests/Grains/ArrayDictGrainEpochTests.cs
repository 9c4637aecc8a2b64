using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Methods;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace ArrayDictOrleans.Tests.Grains;

/// <summary>The epoch protocol of one grain: the caller's last seen epoch checked, results kept as bytes tied to their call.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ArrayDictGrainEpochTests(ClusterFixture fixture)
{
    [Fact]
    public async Task ArrayDictGrain_ApplyNextAsync_InOrderAndRepeated_RunsEachEpochOnce()
    {
        var grain = fixture.NewGrain();
        string counter = MethodRuns.NewKey();

        Assert.Equal(1, await grain.ApplyNextAsync(new CountedIncrementMethod(counter + "/0", 1, 1), epoch: 0, afterEpoch: null));
        Assert.Equal(3, await grain.ApplyNextAsync(new CountedIncrementMethod(counter + "/2", 1, 2), epoch: 2, afterEpoch: 0));
        Assert.Equal(3, await grain.ApplyNextAsync(new CountedIncrementMethod(counter + "/2", 1, 2), epoch: 2, afterEpoch: 0));

        Assert.Equal(3, await grain.GetValueAsync(1));
        Assert.Equal(2, (await grain.GetInfoAsync()).LastAppliedEpoch);
        Assert.Equal(1, MethodRuns.Of(counter + "/0"));
        Assert.Equal(1, MethodRuns.Of(counter + "/2"));
    }

    [Fact]
    public async Task ArrayDictGrain_ApplyNextAsync_GrainBehindCaller_RefusesNamingBothEpochsAndRunsNothing()
    {
        long id = ClusterFixture.NewKey();
        var grain = fixture.Grains.GetGrain<IArrayDictGrain>(id);
        await grain.ApplyNextAsync(new IncrementMethod(1, 1), epoch: 2, afterEpoch: null);
        string counter = MethodRuns.NewKey();

        var error = await Assert.ThrowsAsync<EpochMismatchException>(() => grain.ApplyNextAsync(new CountedIncrementMethod(counter, 1, 1), epoch: 6, afterEpoch: 5));

        Assert.True(error.IsBehind);
        Assert.Equal((id, 6L, (long?)5, (long?)2), (error.ArrayDictId, error.Epoch, error.AfterEpoch, error.LastAppliedEpoch));
        Assert.Contains($"ArrayDict {id} refused epoch 6", error.Message);
        Assert.Contains("last saw epoch 5 applied", error.Message);
        Assert.Contains("back at epoch 2", error.Message);
        Assert.Contains("epochs 3 to 5", error.Message);
        Assert.Equal(0, MethodRuns.Of(counter));
        Assert.Equal(1, await grain.GetValueAsync(1));
        Assert.Equal(2, (await grain.GetInfoAsync()).LastAppliedEpoch);
    }

    [Fact]
    public async Task ArrayDictGrain_ApplyNextAsync_GrainWithoutEpochBehindCaller_RefusesAsBehind()
    {
        var grain = fixture.NewGrain();

        var error = await Assert.ThrowsAsync<EpochMismatchException>(() => grain.ApplyNextAsync(new IncrementMethod(1, 1), epoch: 4, afterEpoch: 3));

        Assert.True(error.IsBehind);
        Assert.Null(error.LastAppliedEpoch);
        Assert.Contains("back at no epoch", error.Message);
        Assert.Contains("every epoch up to 3", error.Message);
    }

    [Theory]
    [InlineData(5L, 2L)]
    [InlineData(9L, null)]
    [InlineData(2L, 1L)]
    public async Task ArrayDictGrain_ApplyNextAsync_GrainAheadOfCaller_RefusesNamingBothEpochsAndRunsNothing(long epoch, long? afterEpoch)
    {
        long id = ClusterFixture.NewKey();
        var grain = fixture.Grains.GetGrain<IArrayDictGrain>(id);
        await grain.ApplyNextAsync(new IncrementMethod(1, 1), epoch: 3, afterEpoch: null);
        string counter = MethodRuns.NewKey();

        var error = await Assert.ThrowsAsync<EpochMismatchException>(() => grain.ApplyNextAsync(new CountedIncrementMethod(counter, 1, 1), epoch, afterEpoch));

        Assert.False(error.IsBehind);
        Assert.Equal(3, error.LastAppliedEpoch);
        Assert.Contains($"ArrayDict {id} refused epoch {epoch}", error.Message);
        Assert.Contains(afterEpoch is { } after ? $"last saw epoch {after} applied" : "last saw no epoch applied", error.Message);
        Assert.Contains("has applied epoch 3", error.Message);
        Assert.Equal(0, MethodRuns.Of(counter));
        Assert.Equal(1, await grain.GetValueAsync(1));
    }

    [Theory]
    [InlineData(-1L, null)]
    [InlineData(3L, 3L)]
    [InlineData(3L, 4L)]
    [InlineData(3L, -1L)]
    public async Task ArrayDictGrain_ApplyNextAsync_EpochsOutOfOrder_ThrowsArgumentOutOfRange(long epoch, long? afterEpoch)
    {
        var grain = fixture.NewGrain();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => grain.ApplyNextAsync(new IncrementMethod(1, 1), epoch, afterEpoch));

        Assert.Null((await grain.GetInfoAsync()).LastAppliedEpoch);
    }

    [Fact]
    public async Task ArrayDictGrain_ApplyAsync_RepeatedEpochWithNullResult_ReturnsNullWithoutRunningAgain()
    {
        var grain = fixture.NewGrain();
        string counter = MethodRuns.NewKey();

        Assert.Null(await grain.ApplyAsync(new CountedNullMethod(counter, 1), epoch: 4));
        Assert.Null(await grain.ApplyAsync(new CountedNullMethod(counter, 1), epoch: 4));
        await fixture.Cluster.DeactivateAsync(grain);
        Assert.Null(await grain.ApplyNextAsync(new CountedNullMethod(counter, 1), epoch: 4, afterEpoch: 3));

        Assert.Equal(1, MethodRuns.Of(counter));
        Assert.Equal(1, await grain.GetValueAsync(1));
    }

    [Fact]
    public async Task ArrayDictGrain_ApplyAsync_RepeatedEpochWithOtherCall_ThrowsKeptResultAndRunsNothing()
    {
        long id = ClusterFixture.NewKey();
        var grain = fixture.Grains.GetGrain<IArrayDictGrain>(id);
        string counter = MethodRuns.NewKey();
        await grain.ApplyAsync(new CountedIncrementMethod(counter, 1, 5), epoch: 7);

        var otherArguments = await Assert.ThrowsAsync<KeptResultException>(() => grain.ApplyAsync(new CountedIncrementMethod(counter, 1, 6), epoch: 7));
        var otherMethod = await Assert.ThrowsAsync<KeptResultException>(() => grain.ApplyAsync(new ScaleMethod(2), epoch: 7));

        Assert.Equal((id, 7L), (otherArguments.ArrayDictId, otherArguments.Epoch));
        Assert.Contains($"ArrayDict {id} already applied epoch 7 with another call", otherArguments.Message);
        Assert.Contains("System.Int32", otherMethod.Message);
        Assert.Equal(1, MethodRuns.Of(counter));
        Assert.Equal(5, await grain.GetValueAsync(1));
        Assert.Equal(5, await grain.ApplyAsync(new CountedIncrementMethod(counter, 1, 5), epoch: 7));
    }

    [Fact]
    public async Task ArrayDictGrain_KeptResultUnreadable_GrainActivatesAndOnlyThatRetryFails()
    {
        long id = ClusterFixture.NewKey();
        var grain = fixture.Grains.GetGrain<IArrayDictGrain>(id);
        string counter = MethodRuns.NewKey();
        await grain.ApplyAsync(new CountedIncrementMethod(counter, 1, 5), epoch: 3);
        await fixture.Cluster.DeactivateAsync(grain);

        // As if the result's type had changed since it was kept: same call, bytes that no longer read as a double.
        var storage = fixture.Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(ClusterFixture.InnerStorageName);
        var stored = new GrainState<ArrayDictState>();
        await storage.ReadStateAsync("arraydict", grain.GetGrainId(), stored);
        var kept = stored.State!.LastResult!;
        stored.State.LastResult = kept with { Bytes = [0xFF, 0xFE, 0xFD, 0xFC] };
        await storage.WriteStateAsync("arraydict", grain.GetGrainId(), stored);

        var info = await grain.GetInfoAsync();
        var retry = await Assert.ThrowsAsync<KeptResultException>(() => grain.ApplyAsync(new CountedIncrementMethod(counter, 1, 5), epoch: 3));

        Assert.Equal(3, info.LastAppliedEpoch);
        Assert.Equal(5, await grain.GetValueAsync(1));
        Assert.Contains($"ArrayDict {id} already applied epoch 3, but the result it kept for it can no longer be read as System.Double", retry.Message);
        Assert.Equal(1, MethodRuns.Of(counter));
        Assert.Equal(7, await grain.ApplyNextAsync(new IncrementMethod(1, 2), epoch: 4, afterEpoch: 3));
    }

    [Fact]
    public async Task ArrayDictGrain_ApplyAsync_StorageFailsForGood_RolledBackAndSaysItIsNotTransient()
    {
        var grain = fixture.NewGrain();
        await grain.SetValueAsync(1, 10);
        FaultPlan.Add(grain.GetGrainId(), WriteFault.FailForGood);

        var error = await Assert.ThrowsAsync<ArrayDictStorageException>(() => grain.ApplyAsync(new IncrementMethod(1, 5), epoch: 1));

        Assert.False(error.IsTransient);
        Assert.Contains("would fail the same way if repeated", error.Message);
        Assert.Contains("never will be", error.Message);
        Assert.Equal(10, await grain.GetValueAsync(1));
        Assert.Null((await grain.GetInfoAsync()).LastAppliedEpoch);
    }

    [Fact]
    public async Task ArrayDictGrain_ApplyAsync_StorageUnreachable_SaysItIsTransient()
    {
        var grain = fixture.NewGrain();
        FaultPlan.Add(grain.GetGrainId(), WriteFault.FailBeforeWrite);

        var error = await Assert.ThrowsAsync<ArrayDictStorageException>(() => grain.ApplyAsync(new IncrementMethod(1, 5), epoch: 1));

        Assert.True(error.IsTransient);
        Assert.Contains("can be repeated", error.Message);
    }
}
