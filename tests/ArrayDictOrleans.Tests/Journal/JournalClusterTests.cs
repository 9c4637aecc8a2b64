using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Tests.Grains;
using ArrayDictOrleans.Tests.Workload;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Tests.Journal;

/// <summary>SW1 through an in-process cluster whose grains persist every call to the journal.</summary>
[Collection(JournalClusterCollection.Name)]
public sealed class JournalClusterTests(JournalClusterFixture fixture)
{
    [Fact]
    public async Task JournalCluster_Sw1WithLostResponses_MatchesPlainLoop()
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

        var run = await client.RunUntilDoneAsync(
            keys,
            (key, t) => new Sw1StepMethod(parameters, key - first, t),
            result => result.Done,
            firstEpoch: 0);

        Assert.Equal(4, run.Retries);
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
}
