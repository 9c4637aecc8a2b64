using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using ArrayDictOrleans.Tests.Workload;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Tests.Journal;

/// <summary>SW1 through an in-process cluster whose grains persist every call to the journal.</summary>
[Collection(JournalClusterCollection.Name)]
public sealed class JournalClusterTests(JournalClusterFixture fixture)
{
    [Fact]
    public async Task JournalCluster_Sw1WithLostResponses_RunsEveryStepOnceAndMatchesPlainLoop()
    {
        var parameters = new Sw1Parameters(Objects: 24, Rows: 300, Updates: 50, Appends: 7, Budget: 6, Width: 2);
        var expected = PlainSw1Loop.Run(parameters);
        var client = fixture.CreateClient();
        long first = ClusterFixture.NewKeyBlock(parameters.Objects);
        var keys = Enumerable.Range(0, parameters.Objects).Select(i => first + i).ToList();
        await Task.WhenAll(keys.Select(key => client.Get(key).ClearAsync(parameters.Width)));
        await client.ApplyManyAsync(keys, _ => new Sw1FillMethod(parameters));
        foreach (long key in keys.Take(4))
        {
            FaultPlan.Add(client.Get(key).GetGrainId(), WriteFault.FailAfterWrite);
        }

        string runKey = MethodRuns.NewKey();
        var run = await client.RunUntilDoneAsync(
            keys,
            (key, t) => new CountedSw1StepMethod(runKey, new Sw1StepMethod(parameters, key - first, t)),
            result => result.Done,
            firstEpoch: 0);

        Assert.Equal(4, run.Retries);
        Assert.Equal(0, run.Replays);
        for (int i = 0; i < parameters.Objects; i++)
        {
            for (int t = 0; t < parameters.CallsFor(i); t++)
            {
                Assert.True(MethodRuns.Of(CountedSw1StepMethod.Key(runKey, i, t)) == 1, $"the step of object {i}, iteration {t} ran {MethodRuns.Of(CountedSw1StepMethod.Key(runKey, i, t))} times");
            }
        }

        Assert.Equal(expected.Calls, run.Calls);
        Assert.Equal(expected.TotalRows, run.LastResults.Values.Sum(r => (long)r.Rows));
        Assert.Equal(expected.Checksum, run.LastResults.Values.Sum(r => r.Sum), Math.Abs(expected.Checksum) * 1e-9);
        Assert.NotEmpty(Directory.EnumerateFiles(fixture.DataDirectory, "*" + LocalFileJournalStore.JournalExtension, SearchOption.AllDirectories));
    }

    [Fact]
    public async Task JournalCluster_Sw1DeactivatingGrainsMidRun_MatchesPlainLoop()
    {
        var parameters = new Sw1Parameters(Objects: 16, Rows: 500, Updates: 40, Appends: 5, Budget: 7, Width: 1);

        await JournalSw1Driver.RunAndCheckAsync(fixture.Cluster, parameters, ClusterFixture.NewKeyBlock(parameters.Objects));
    }

    [Fact]
    public async Task JournalCluster_CrashBetweenWriteAndSync_CallHasNotReturnedAndItsRetryRunsNothingAgain()
    {
        var client = fixture.CreateClient();
        long key = ClusterFixture.NewKey();
        string counter = MethodRuns.NewKey();
        await client.Get(key).SetValueAsync(1, 5);
        var committers = fixture.Cluster.Silos
            .Select(silo => silo.ServiceProvider.GetRequiredKeyedService<IGrainStorage>(ClusterFixture.InnerStorageName))
            .Select(storage => ((LocalFileJournalStore)((ArrayDictJournalGrainStorage)storage).Store).Committer!)
            .ToList();
        using var crash = new ManualResetEventSlim();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int hooked = 0;
        void BeforeSync(int count)
        {
            if (Interlocked.Exchange(ref hooked, 1) == 0)
            {
                reached.TrySetResult();
                Assert.True(crash.Wait(TimeSpan.FromSeconds(30)), "the test never crashed the sync");
                throw new IOException("Simulated crash between the write and its sync.");
            }
        }

        committers.ForEach(committer => committer.BeforeSync = BeforeSync);
        try
        {
            var call = client.ApplyAsync(key, new CountedIncrementMethod(counter, 1, 5), epoch: 9);
            await reached.Task.WaitAsync(TimeSpan.FromSeconds(30));

            // The record is written and waits for its sync: the call has not returned.
            Assert.False(call.IsCompleted, "the call returned before its record was synced");
            crash.Set();

            // The sync failed, so the call failed inside the silo; the SDK retried it with the same epoch, and the grain,
            // reloaded from its files (the record had reached them), answered with the kept result: the method ran once.
            Assert.Equal(10, await call.WaitAsync(TimeSpan.FromSeconds(60)));
            Assert.Equal(10, await client.Get(key).GetValueAsync(1));
            Assert.Equal(1, MethodRuns.Of(counter));
            Assert.Equal(9, (await client.Get(key).GetInfoAsync()).LastAppliedEpoch);
        }
        finally
        {
            committers.ForEach(committer => committer.BeforeSync = null);
        }
    }
}
