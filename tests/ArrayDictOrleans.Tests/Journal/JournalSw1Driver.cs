using ArrayDictOrleans.Tests.Workload;
using ArrayDictOrleans.Workload;
using Orleans.TestingHost;

namespace ArrayDictOrleans.Tests.Journal;

/// <summary>The SW1 driver loop over grains <c>first .. first + N - 1</c>, deactivating some grains between iterations.</summary>
internal static class JournalSw1Driver
{
    /// <summary>Runs SW1 and checks it against the plain loop; every other iteration deactivates every other running grain.</summary>
    public static async Task RunAndCheckAsync(InProcessTestCluster cluster, Sw1Parameters parameters, long first)
    {
        var expected = PlainSw1Loop.Run(parameters);
        var grains = Enumerable.Range(0, parameters.Objects).Select(i => cluster.Client.GetGrain<IArrayDictGrain>(first + i)).ToList();
        await Task.WhenAll(grains.Select(grain => grain.ClearAsync(parameters.Width)));
        await Task.WhenAll(grains.Select(grain => grain.ApplyAsync(new Sw1FillMethod(parameters))));

        var last = new Dictionary<int, Sw1StepResult>();
        var considered = Enumerable.Range(0, parameters.Objects).ToList();
        long calls = 0;
        for (int t = 0; considered.Count > 0; t++)
        {
            int iteration = t;
            var results = await Task.WhenAll(considered.Select(i => grains[i].ApplyAsync(new Sw1StepMethod(parameters, i, iteration), epoch: iteration)));
            calls += considered.Count;
            for (int j = 0; j < considered.Count; j++)
            {
                last[considered[j]] = results[j];
            }

            considered = considered.Where((_, j) => !results[j].Done).ToList();
            if (t % 2 == 1)
            {
                foreach (int i in considered.Where(i => i % 2 == t / 2 % 2))
                {
                    await cluster.DeactivateAsync(grains[i]);
                }
            }
        }

        Assert.Equal(expected.Calls, calls);
        Assert.Equal(expected.TotalRows, last.Values.Sum(r => (long)r.Rows));
        Assert.Equal(expected.Checksum, last.Values.Sum(r => r.Sum), Math.Abs(expected.Checksum) * 1e-9);

        // After one more deactivation, what storage gives back is the same data.
        await cluster.DeactivateAsync(grains[0]);
        Assert.Equal(last[0].Rows, (await grains[0].GetInfoAsync()).Count);
    }
}
