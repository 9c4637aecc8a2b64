using System.Diagnostics;
using ArrayDictOrleans.Client.Cli;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Client.Bench;

/// <summary>SW1 on <see cref="IBareSw1Grain"/>s, fanned out with <c>Task.WhenAll</c> from a client hosted with the silo.</summary>
internal static class BareSw1
{
    public static async Task<(TimeSpan Fill, Sw1LoopResult Loop, (long Bytes, TimeSpan Pause) Collector)> RunAsync(IGrainFactory grains, Sw1Parameters parameters, CancellationToken cancellationToken)
    {
        var all = Enumerable.Range(0, parameters.Objects).Select(i => grains.GetGrain<IBareSw1Grain>(i)).ToArray();
        var fillWatch = Stopwatch.StartNew();
        await Task.WhenAll(all.Select(grain => grain.FillAsync(parameters)));
        var fill = fillWatch.Elapsed;

        await JitQuiescence.WaitAsync(cancellationToken);
        var allocation = LoopAllocation.Start();
        var loopWatch = Stopwatch.StartNew();
        var last = new Sw1StepResult[parameters.Objects];
        var considered = Enumerable.Range(0, parameters.Objects).ToArray();
        long calls = 0;
        int t = 0;
        while (considered.Length > 0)
        {
            var results = await Task.WhenAll(considered.Select(i => all[i].StepAsync(parameters, t)));
            for (int k = 0; k < considered.Length; k++)
            {
                last[considered[k]] = results[k];
            }

            calls += considered.Length;
            considered = [.. considered.Where(i => !last[i].Done)];
            t++;
        }

        var elapsed = loopWatch.Elapsed;
        var collector = allocation.Stop();
        return (fill, new Sw1LoopResult(elapsed, t, calls, last.Sum(r => (long)r.Rows), last.Sum(r => r.Sum), Retries: 0, Replays: 0), collector);
    }
}
