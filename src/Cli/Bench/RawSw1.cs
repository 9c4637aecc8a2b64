using System.Diagnostics;
using ArrayDictOrleans.Client.Cli;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Client.Bench;

/// <summary>SW1 as a plain in-process loop over ArrayDict objects with <c>Parallel.For</c>: no Orleans, no persistence; the floor.</summary>
internal static class RawSw1
{
    public static (TimeSpan Fill, Sw1LoopResult Loop, (long Bytes, TimeSpan Pause) Collector) Run(Sw1Parameters parameters, CancellationToken cancellationToken)
    {
        var parallel = new ParallelOptions { CancellationToken = cancellationToken };
        var fillWatch = Stopwatch.StartNew();
        var dicts = new ArrayDict[parameters.Objects];
        Parallel.For(0, dicts.Length, parallel, i =>
        {
            dicts[i] = new ArrayDict(parameters.Width);
            Sw1.Fill(dicts[i], parameters);
        });
        var fill = fillWatch.Elapsed;

        var allocation = LoopAllocation.Start();
        var loopWatch = Stopwatch.StartNew();
        var last = new Sw1StepResult[parameters.Objects];
        var considered = Enumerable.Range(0, parameters.Objects).ToArray();
        long calls = 0;
        int t = 0;
        while (considered.Length > 0)
        {
            var ids = considered;
            int iteration = t;
            Parallel.For(0, ids.Length, parallel, k => last[ids[k]] = Sw1.Step(dicts[ids[k]], parameters, ids[k], iteration));
            calls += ids.Length;
            considered = [.. ids.Where(i => !last[i].Done)];
            t++;
        }

        var elapsed = loopWatch.Elapsed;
        var collector = allocation.Stop();
        return (fill, new Sw1LoopResult(elapsed, t, calls, dicts.Sum(d => (long)d.Count), last.Sum(r => r.Sum), Retries: 0, Replays: 0), collector);
    }
}
