using ArrayDictOrleans.Client;
using ArrayDictOrleans.Methods;
using ArrayDictOrleans.Tests.Workload;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Tests.Grains;

[Collection(ClusterCollection.Name)]
public sealed class ArrayDictClientTests(ClusterFixture fixture)
{
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
    public async Task ArrayDictClient_RunUntilDoneAsync_LostResponses_RetriedOnceEachAndExact()
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

        var run = await client.RunUntilDoneAsync(
            keys,
            (key, t) => new Sw1StepMethod(parameters, key - first, t),
            result => result.Done);

        Assert.Equal(5, run.Retries);
        Assert.Equal(expected.TotalRows, run.LastResults.Values.Sum(r => (long)r.Rows));
        Assert.Equal(expected.Checksum, run.LastResults.Values.Sum(r => r.Sum), Math.Abs(expected.Checksum) * 1e-9);
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
