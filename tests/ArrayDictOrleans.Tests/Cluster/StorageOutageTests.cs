using System.Diagnostics;
using ArrayDictOrleans.Client;
using Xunit.Abstractions;

namespace ArrayDictOrleans.Tests.Cluster;

/// <summary>
/// A storage outage in the middle of a run: Azurite (data on disk) is stopped, writes fail with a clear storage error
/// within a bounded time instead of hanging or succeeding silently, Azurite comes back on the same ports with the same
/// data, and the run, retrying with the same epochs, ends with exactly the fault-free totals.
/// </summary>
[Collection(MultiProcessClusterCollection.Name)]
public sealed class StorageOutageTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PrepareTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    /// <summary>A generous bound on how long a write may take to fail while storage is down: not a speed claim, a no-hang check.</summary>
    private static readonly TimeSpan FailureBound = TimeSpan.FromSeconds(60);

    /// <summary>How long storage stays down after the failure was seen.</summary>
    private static readonly TimeSpan OutageAfterFailure = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Sw1_AzuriteStoppedAndRestarted_WritesFailClearlyThenRunFinishesWithFaultFreeChecksum()
    {
        var total = Stopwatch.StartNew();
        await using var cluster = await LocalCluster.StartAsync("outage", silos: 2);
        output.WriteLine($"cluster {cluster.ClusterId}: {string.Join(", ", cluster.Silos.Select(s => s.Name))}; Azurite pid {cluster.Azurite.ProcessId}; started in {total.Elapsed.TotalSeconds:0.0} s");

        // Retries must outlast the outage: 30 retries, backing off from 500 ms to the SDK's 10 s cap, span minutes.
        var client = await cluster.ConnectAsync(options =>
        {
            options.MaxRetries = 30;
            options.RetryDelay = TimeSpan.FromMilliseconds(500);
        });
        using (var prepare = new CancellationTokenSource(PrepareTimeout))
        {
            await ClusterSw1.PrepareAsync(client.Sdk, prepare.Token);
        }

        // A grain outside the run, active before the outage, probes what a caller sees while storage is down.
        var probe = client.Sdk.Get(ClusterSw1.Parameters.Objects + 1);
        await probe.SetValueAsync(1, 1.0);

        var outage = new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously);
        var trigger = new ProgressTrigger().At(2, 0.3, () => outage.TrySetResult(Task.Run(cluster.Azurite.StopAsync)));
        using var runTimeout = new CancellationTokenSource(RunTimeout);
        var run = ClusterSw1.RunAsync(client.Sdk, trigger, runTimeout.Token);
        await (await outage.Task.WaitAsync(RunTimeout));
        output.WriteLine($"stopped Azurite (SIGTERM; it saved its data and exited) at {total.Elapsed.TotalSeconds:0.0} s, during iteration 2");

        var probing = Stopwatch.StartNew();
        var failure = await Record.ExceptionAsync(() => probe.SetValueAsync(1, 2.0).WaitAsync(FailureBound));
        probing.Stop();
        Assert.False(failure is TimeoutException && probing.Elapsed >= FailureBound, $"a write during the outage neither failed nor succeeded within {FailureBound.TotalSeconds:0} s");
        Assert.NotNull(failure);
        output.WriteLine($"a write during the outage failed after {probing.Elapsed.TotalSeconds:0.0} s with {failure.GetType().Name}: {failure.Message}");
        var storageFailure = Assert.IsType<ArrayDictStorageException>(failure);
        Assert.Contains("could not write its snapshot", storageFailure.Message, StringComparison.Ordinal);
        Assert.True(TransientFailures.IsTransient(storageFailure));

        await Task.Delay(OutageAfterFailure);
        await cluster.Azurite.RestartAsync();
        output.WriteLine($"restarted Azurite (pid {cluster.Azurite.ProcessId}, same ports and data) at {total.Elapsed.TotalSeconds:0.0} s");

        var outcome = await run.WaitAsync(RunTimeout);
        output.WriteLine($"run: {outcome.Iterations} iterations, {outcome.Calls} calls, {outcome.Retries} retried, in {outcome.Elapsed.TotalSeconds:0.0} s; retries by cause: {SiloFailoverTests.Format(client.Log.RetriesByCause())}");
        ClusterSw1.AssertMatchesPlainLoop(outcome);

        // The write that failed was rolled back, not kept in memory only: the probe reads the value storage holds.
        Assert.Equal(1.0, await probe.GetValueAsync(1));
        output.WriteLine($"totalRows {outcome.TotalRows}, checksum {outcome.Checksum:R}; test took {total.Elapsed.TotalSeconds:0.0} s");
    }
}
