using ArrayDictOrleans.Client;
using ArrayDictOrleans.Methods;
using ArrayDictOrleans.Tests.Workload;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class ArrayDictClientTests(ClusterFixture fixture)
{
    [Fact]
    public async Task ArrayDictClient_Get_ReferencesMadeAfterTheFirst_AddressTheirOwnArrayDicts()
    {
        var client = fixture.CreateClient();
        long first = ClusterFixture.NewKeyBlock(5);
        long[] ids = [first, first + 1, first + 2, first + 3, first + 4];

        // The first reference comes from Orleans' GetGrain; the later ones are made from its grain and interface types.
        var references = ids.Select(client.Get).ToArray();
        await Task.WhenAll(ids.Select((id, i) => references[i].SetValueAsync(7, id * 10.0)));

        for (int i = 0; i < ids.Length; i++)
        {
            var plain = fixture.Grains.GetGrain<IArrayDictGrain>(ids[i]);
            Assert.Equal(plain.GetGrainId(), references[i].GetGrainId());
            Assert.Equal(((GrainReference)plain).InterfaceType, ((GrainReference)references[i]).InterfaceType);
            Assert.Equal(ids[i] * 10.0, await plain.GetValueAsync(7));
            Assert.Same(references[i], client.Get(ids[i]));
        }
    }

    [Fact]
    public async Task ArrayDictClient_RunUntilDoneAsync_Sw1_MatchesPlainLoop()
    {
        var parameters = new Sw1Parameters(Objects: 40, Rows: 300, Updates: 50, Appends: 7, Budget: 5, Width: 2);
        var expected = PlainSw1Loop.Run(parameters);
        var client = fixture.CreateClient();
        long first = ClusterFixture.NewKeyBlock(parameters.Objects);
        var keys = Enumerable.Range(0, parameters.Objects).Select(i => first + i).ToList();
        await Task.WhenAll(keys.Select(key => client.Get(key).ClearAsync(parameters.Width)));
        await client.ApplyManyAsync(keys, _ => new Sw1FillMethod(parameters));

        var run = await client.RunUntilDoneAsync(
            keys,
            (key, t) => new Sw1StepMethod(parameters, key - first, t),
            result => result.Done,
            firstEpoch: 0);

        Assert.Equal(expected.Iterations, run.Iterations);
        Assert.Equal(expected.Calls, run.Calls);
        Assert.Equal(expected.TotalRows, run.LastResults.Values.Sum(r => (long)r.Rows));
        Assert.Equal(expected.Checksum, run.LastResults.Values.Sum(r => r.Sum), Math.Abs(expected.Checksum) * 1e-9);
    }

    [Fact]
    public async Task ArrayDictClient_RunUntilDoneAsync_LostResponses_RetriedOnceEachRunsEveryStepOnceAndExact()
    {
        var parameters = new Sw1Parameters(Objects: 12, Rows: 100, Updates: 20, Appends: 3, Budget: 4, Width: 1);
        var expected = PlainSw1Loop.Run(parameters);
        var client = fixture.CreateClient();
        long first = ClusterFixture.NewKeyBlock(parameters.Objects);
        var keys = Enumerable.Range(0, parameters.Objects).Select(i => first + i).ToList();
        await client.ApplyManyAsync(keys, _ => new Sw1FillMethod(parameters));
        foreach (long key in keys.Take(5))
        {
            FaultPlan.Add(client.Get(key).GetGrainId(), WriteFault.FailAfterWrite);
        }

        string runKey = MethodRuns.NewKey();
        var run = await client.RunUntilDoneAsync(
            keys,
            (key, t) => new CountedSw1StepMethod(runKey, new Sw1StepMethod(parameters, key - first, t)),
            result => result.Done);

        Assert.Equal(5, run.Retries);
        Assert.Equal(0, run.Replays);
        Assert.Equal(expected.TotalRows, run.LastResults.Values.Sum(r => (long)r.Rows));
        Assert.Equal(expected.Checksum, run.LastResults.Values.Sum(r => r.Sum), Math.Abs(expected.Checksum) * 1e-9);
        for (int i = 0; i < parameters.Objects; i++)
        {
            for (int t = 0; t < parameters.CallsFor(i); t++)
            {
                Assert.True(MethodRuns.Of(CountedSw1StepMethod.Key(runKey, i, t)) == 1, $"the step of object {i}, iteration {t} ran {MethodRuns.Of(CountedSw1StepMethod.Key(runKey, i, t))} times");
            }
        }
    }

    [Fact]
    public async Task ArrayDictClient_RunUntilDoneAsync_SecondRunWithoutFirstEpoch_ContinuesAfterEachLastEpoch()
    {
        var client = fixture.CreateClient();
        long first = ClusterFixture.NewKeyBlock(3);
        long[] keys = [first, first + 1, first + 2];
        await client.Get(first + 2).ApplyAsync(new IncrementMethod(1, 10), epoch: 40);

        var once = await client.RunUntilDoneAsync(keys, (_, _) => new IncrementMethod(1, 1), value => value % 10 >= 3);
        var twice = await client.RunUntilDoneAsync(keys, (_, _) => new IncrementMethod(1, 1), value => value % 10 >= 5);

        Assert.Equal(3, once.Iterations);
        Assert.Equal(2, twice.Iterations);
        long[] epochs = await Task.WhenAll(keys.Select(async key => (await client.Get(key).GetInfoAsync()).LastAppliedEpoch ?? -1));
        double[] values = await Task.WhenAll(keys.Select(key => client.Get(key).GetValueAsync(1)));
        Assert.Equal([4L, 4, 45], epochs);
        Assert.Equal([5.0, 5, 15], values);
    }

    [Fact]
    public async Task ArrayDictClient_RunUntilDoneAsync_FromInfos_ContinuesAfterEachInfosEpoch()
    {
        var client = fixture.CreateClient();
        long first = ClusterFixture.NewKeyBlock(3);
        long[] keys = [first, first + 1, first + 2];
        await client.Get(first + 2).ApplyAsync(new IncrementMethod(1, 10), epoch: 40);
        var infos = await Task.WhenAll(keys.Select(key => client.GetInfoAsync(key)));

        var run = await client.RunUntilDoneAsync(infos, (_, _) => new IncrementMethod(1, 1), value => value % 10 >= 3);

        Assert.Equal(3, run.Iterations);
        Assert.Equal(9, run.Calls);
        Assert.Equal([3.0, 3, 13], keys.Select(key => run.LastResults[key]));
        long[] epochs = await Task.WhenAll(keys.Select(async key => (await client.GetInfoAsync(key)).LastAppliedEpoch ?? -1));
        Assert.Equal([2L, 2, 43], epochs);
    }

    [Fact]
    public async Task ArrayDictClient_RunUntilDoneAsync_FromAnInfoOutOfDate_RefusedBeforeTheStepRuns()
    {
        var client = fixture.CreateClient();
        long first = ClusterFixture.NewKeyBlock(2);
        long[] keys = [first, first + 1];
        var infos = await Task.WhenAll(keys.Select(key => client.GetInfoAsync(key)));

        // Applied after its info was read: the run must not take it for an ArrayDict at no epoch.
        await client.Get(first + 1).ApplyAsync(new IncrementMethod(1, 10), epoch: 5);
        var error = await Assert.ThrowsAsync<EpochMismatchException>(() =>
            client.RunUntilDoneAsync(infos, (_, _) => new IncrementMethod(1, 1), value => value % 10 >= 3));

        Assert.False(error.IsBehind);
        Assert.Equal((first + 1, (long?)null, (long?)5), (error.ArrayDictId, error.AfterEpoch, error.LastAppliedEpoch));
        Assert.Equal(10.0, await client.Get(first + 1).GetValueAsync(1));
        Assert.Equal(5L, (await client.GetInfoAsync(first + 1)).LastAppliedEpoch);
    }

    [Fact]
    public async Task ArrayDictClient_RunUntilDoneAsync_FromAnInfoAheadOfItsArrayDict_ThrowsLostEpochsBeforeTheRun()
    {
        var client = fixture.CreateClient();
        long id = ClusterFixture.NewKey();
        var info = await client.GetInfoAsync(id);

        // An info that says epoch 7 for an ArrayDict at none: calls the run cannot rebuild, never a silent start from nothing.
        var error = await Assert.ThrowsAsync<LostEpochsException>(() =>
            client.RunUntilDoneAsync([info with { LastAppliedEpoch = 7 }], (_, _) => new IncrementMethod(1, 1), _ => true, stepIsReplayable: true));

        var lost = Assert.Single(error.Lost);
        Assert.Equal((id, (long?)null, 7L, LostEpochsReason.BeforeRun), (lost.ArrayDictId, lost.LastAppliedEpoch, lost.LastReturnedEpoch, lost.Reason));
        Assert.Equal(0, (await client.GetInfoAsync(id)).Count);
    }

    [Fact]
    public async Task ArrayDictClient_RunUntilDoneAsync_FromInfos_NullOrRepeatedInfo_ThrowsNamingIt()
    {
        var client = fixture.CreateClient();
        long id = ClusterFixture.NewKey();
        var info = await client.GetInfoAsync(id);

        await Assert.ThrowsAsync<ArgumentNullException>(() =>
            client.RunUntilDoneAsync((IReadOnlyCollection<ArrayDictInfo>)null!, (_, _) => new IncrementMethod(1, 1), _ => true));
        var missing = await Assert.ThrowsAsync<ArgumentException>(() =>
            client.RunUntilDoneAsync([info, null!], (_, _) => new IncrementMethod(1, 1), _ => true));
        var repeated = await Assert.ThrowsAsync<ArgumentException>(() =>
            client.RunUntilDoneAsync([info, info], (_, _) => new IncrementMethod(1, 1), _ => true));

        Assert.Contains("position 1", missing.Message);
        Assert.Contains($"id {id} appears more than once", repeated.Message);
        Assert.Null((await client.GetInfoAsync(id)).LastAppliedEpoch);
    }

    [Fact]
    public async Task ArrayDictClient_ApplyAsync_StorageFailsForGood_NotRetriedAndMethodRunsOnce()
    {
        var client = fixture.CreateClient();
        long id = ClusterFixture.NewKey();
        string counter = MethodRuns.NewKey();
        FaultPlan.Add(client.Get(id).GetGrainId(), WriteFault.FailForGood);

        var error = await Assert.ThrowsAsync<ArrayDictStorageException>(() => client.ApplyAsync(id, new CountedIncrementMethod(counter, 1, 1), epoch: 0));

        Assert.False(error.IsTransient);
        Assert.Equal(1, MethodRuns.Of(counter));
        Assert.Null((await client.Get(id).GetInfoAsync()).LastAppliedEpoch);
    }

    [Fact]
    public async Task ArrayDictClient_ApplyIdempotentAsync_Sw1FillResponseLost_RetriedToTheSameState()
    {
        var parameters = new Sw1Parameters(Objects: 1, Rows: 50, Width: 2);
        var client = fixture.CreateClient();
        long id = ClusterFixture.NewKey();
        await client.ClearAsync(id, parameters.Width);
        FaultPlan.Add(client.Get(id).GetGrainId(), WriteFault.FailAfterWrite);

        Assert.Equal(50, await client.ApplyIdempotentAsync(id, new Sw1FillMethod(parameters)));

        var expected = new ArrayDict(parameters.Width);
        Sw1.Fill(expected, parameters);
        Assert.True((await client.Get(id).ExportAsync()).ContentEquals(expected));
        Assert.Equal(0, FaultPlan.Remaining(client.Get(id).GetGrainId()));
    }

    [Fact]
    public async Task ArrayDictClient_ApplyManyAsync_CollectsResultsByIdAndReportsProgress()
    {
        var client = fixture.CreateClient();
        var ids = Enumerable.Range(0, 20).Select(_ => ClusterFixture.NewKey()).ToList();
        var reports = new List<IterationProgress>();
        var progress = new SynchronousProgress<IterationProgress>(reports.Add);

        var results = await client.ApplyManyAsync(ids, id => new IncrementMethod(1, id % 7), progress: progress);

        Assert.Equal(ids.Count, results.Count);
        Assert.All(ids, id => Assert.Equal(id % 7, results[id]));
        Assert.Equal(ids.Count, reports.Count);
        Assert.Equal(ids.Count, reports.Max(r => r.Completed));
        Assert.All(reports, r => Assert.Equal(ids.Count, r.Considered));
    }

    [Fact]
    public async Task ArrayDictClient_ApplyManyAsync_DuplicateId_ThrowsArgumentNamingIt()
    {
        var client = fixture.CreateClient();
        long id = ClusterFixture.NewKey();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.ApplyManyAsync([id, id], _ => new ScaleMethod(2)));

        Assert.Contains(id.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message);
    }

    [Fact]
    public async Task ArrayDictClient_ApplyAsync_MethodThrows_NotRetriedAndMessageKept()
    {
        var client = fixture.CreateClient();
        long id = ClusterFixture.NewKey();
        await client.Get(id).SetValueAsync(1, 1);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.ApplyAsync(id, new FailingMethod("bad input 17"), epoch: 0));

        Assert.Equal("bad input 17", error.Message);
        Assert.Equal(1, await client.Get(id).GetValueAsync(1));
    }

    [Fact]
    public async Task ArrayDictClient_ApplyAsync_StorageDownOnce_RetriedWithSameEpochAndApplied()
    {
        var client = fixture.CreateClient();
        long id = ClusterFixture.NewKey();
        FaultPlan.Add(client.Get(id).GetGrainId(), WriteFault.FailBeforeWrite);
        FaultPlan.Add(client.Get(id).GetGrainId(), WriteFault.FailBeforeWrite);

        double value = await client.ApplyAsync(id, new IncrementMethod(1, 1), epoch: 0);

        Assert.Equal(1, value);
        Assert.Equal(0, FaultPlan.Remaining(client.Get(id).GetGrainId()));
    }

    [Fact]
    public async Task ArrayDictClient_ApplyAsync_WithoutEpoch_NotRetried()
    {
        var client = fixture.CreateClient();
        long id = ClusterFixture.NewKey();
        FaultPlan.Add(client.Get(id).GetGrainId(), WriteFault.FailBeforeWrite);

        await Assert.ThrowsAsync<ArrayDictStorageException>(() => client.ApplyAsync(id, new IncrementMethod(1, 1)));
    }

    [Fact]
    public async Task ArrayDictClient_RunUntilDoneAsync_NeverDone_ThrowsAfterMaxIterations()
    {
        var client = fixture.CreateClient();
        var ids = new[] { ClusterFixture.NewKey() };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            client.RunUntilDoneAsync(ids, (_, _) => new IncrementMethod(1, 1), _ => false, maxIterations: 3));

        Assert.Contains("3 iterations", error.Message);
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        private readonly Lock _lock = new();

        public void Report(T value)
        {
            lock (_lock)
            {
                report(value);
            }
        }
    }
}
