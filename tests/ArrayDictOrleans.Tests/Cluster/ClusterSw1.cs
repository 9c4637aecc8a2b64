using ArrayDictOrleans.Client;
using ArrayDictOrleans.Tests.Workload;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Tests.Cluster;

/// <summary>SW1 through the SDK against a <see cref="LocalCluster"/>, and the check against the plain loop.</summary>
internal static class ClusterSw1
{
    /// <summary>The size of the cluster tests' runs: N = 300, R = 1000 (1342 calls over 8 iterations).</summary>
    public static readonly Sw1Parameters Parameters = new(Objects: 300, Rows: 1000);

    private const int ClearAttempts = 10;
    private static readonly TimeSpan ClearRetryDelay = TimeSpan.FromMilliseconds(500);
    private static readonly Lazy<(long Calls, int Iterations, long TotalRows, double Checksum)> FaultFree = new(() => PlainSw1Loop.Run(Parameters));

    /// <summary>The fault-free plain loop's result for <see cref="Parameters"/>.</summary>
    public static (long Calls, int Iterations, long TotalRows, double Checksum) Expected => FaultFree.Value;

    /// <summary>Clears every ArrayDict of the run (to the run's width) and fills it inside its grain with epoch 0.</summary>
    public static async Task PrepareAsync(ArrayDictClient sdk, CancellationToken cancellationToken)
    {
        var ids = Ids();
        await Parallel.ForEachAsync(ids, cancellationToken, async (id, token) =>
        {
            // ClearAsync carries no epoch, so the SDK does not retry it; clearing twice is harmless, so retry here.
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    await sdk.Get(id).ClearAsync(Parameters.Width);
                    return;
                }
                catch (Exception exception) when (TransientFailures.IsTransient(exception) && attempt < ClearAttempts)
                {
                    await Task.Delay(ClearRetryDelay, token);
                }
            }
        });
        var filled = await sdk.ApplyManyAsync(ids, _ => new Sw1FillMethod(Parameters), epoch: 0, cancellationToken: cancellationToken);
        Assert.All(filled.Values, rows => Assert.Equal(Parameters.Rows, rows));
    }

    /// <summary>The driver loop: epochs 1, 2, ... for iterations 0, 1, ...; returns totals.</summary>
    public static async Task<Sw1ClusterOutcome> RunAsync(ArrayDictClient sdk, IProgress<IterationProgress>? progress, CancellationToken cancellationToken, bool replayable = false)
    {
        var started = TimeProvider.System.GetTimestamp();
        var run = await sdk.RunUntilDoneAsync(
            Ids(),
            (id, t) => new Sw1StepMethod(Parameters, id, t),
            result => result.Done,
            firstEpoch: 1,
            progress: progress,
            maxIterations: Parameters.Budget + 1,
            stepIsReplayable: replayable,
            cancellationToken: cancellationToken);
        var elapsed = TimeProvider.System.GetElapsedTime(started);
        return new Sw1ClusterOutcome(
            run.Iterations,
            run.Calls,
            run.Retries,
            run.LastResults.Values.Sum(result => (long)result.Rows),
            run.LastResults.Values.Sum(result => result.Sum),
            elapsed,
            run.Replays);
    }

    /// <summary>Asserts that <paramref name="outcome"/> is the fault-free plain loop's: same calls and rows, checksum within 1e-9 relative.</summary>
    public static void AssertMatchesPlainLoop(Sw1ClusterOutcome outcome)
    {
        var expected = Expected;
        Assert.Equal(expected.Iterations, outcome.Iterations);
        Assert.Equal(expected.Calls, outcome.Calls);
        Assert.Equal(expected.TotalRows, outcome.TotalRows);
        Assert.True(
            Math.Abs(outcome.Checksum - expected.Checksum) <= Math.Abs(expected.Checksum) * 1e-9,
            $"checksum {outcome.Checksum:R} differs from the fault-free {expected.Checksum:R} by more than 1e-9 relative: an update was lost or applied twice.");
    }

    /// <summary>The workload's ArrayDict ids.</summary>
    public static List<long> Ids() => Enumerable.Range(0, Parameters.Objects).Select(i => (long)i).ToList();
}

/// <summary>What a cluster run of SW1 produced.</summary>
internal sealed record Sw1ClusterOutcome(int Iterations, long Calls, long Retries, long TotalRows, double Checksum, TimeSpan Elapsed, long Replays = 0);

/// <summary>Runs an action once, from the SDK's progress reports, when the run reaches a given point of a given iteration.</summary>
internal sealed class ProgressTrigger : IProgress<IterationProgress>
{
    private readonly List<(int Iteration, double Fraction, Action Action)> _points = [];
    private readonly HashSet<int> _fired = [];
    private readonly Lock _lock = new();

    /// <summary>Runs <paramref name="action"/> once the given share of <paramref name="iteration"/>'s calls have returned (0: at its first).</summary>
    public ProgressTrigger At(int iteration, double fraction, Action action)
    {
        _points.Add((iteration, fraction, action));
        return this;
    }

    /// <summary>How many points have fired.</summary>
    public int Fired
    {
        get
        {
            lock (_lock)
            {
                return _fired.Count;
            }
        }
    }

    public void Report(IterationProgress value)
    {
        for (int i = 0; i < _points.Count; i++)
        {
            var (iteration, fraction, action) = _points[i];
            if (value.Iteration != iteration || value.Completed < Math.Max(1, fraction * value.Considered))
            {
                continue;
            }

            lock (_lock)
            {
                if (!_fired.Add(i))
                {
                    continue;
                }
            }

            action();
        }
    }
}
