using System.Diagnostics;
using Xunit.Abstractions;

namespace ArrayDictOrleans.Tests.Cluster;

/// <summary>
/// Scale out and in during a run: a fourth silo joins, then one of the first three shuts down gracefully (SIGTERM);
/// the run ends with exactly the fault-free totals, and ArrayDicts that moved were placed on the new silo too.
/// </summary>
[Collection(MultiProcessClusterCollection.Name)]
public sealed class ScaleOutInTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PrepareTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(60);
    private const long ProbeIds = 1_000_000;

    [Fact]
    public async Task Sw1_SiloAddedThenOneStoppedGracefully_FinishesWithFaultFreeChecksumAndUsesNewSilo()
    {
        var total = Stopwatch.StartNew();
        await using var cluster = await LocalCluster.StartAsync("scale", silos: 3);
        output.WriteLine($"cluster {cluster.ClusterId}: {string.Join(", ", cluster.Silos.Select(s => s.Name))}; started in {total.Elapsed.TotalSeconds:0.0} s");
        var client = await cluster.ConnectAsync(options => options.MaxRetries = 12);
        using (var prepare = new CancellationTokenSource(PrepareTimeout))
        {
            await ClusterSw1.PrepareAsync(client.Sdk, prepare.Token);
        }

        var before = await client.GetPlacementAsync();
        output.WriteLine($"placement after fill (ArrayDict activations by silo port): {SiloFailoverTests.Format(before)}");
        var leaving = cluster.Silos[0];
        Task<SiloProcess>? joining = null;
        Task<int>? left = null;

        // Iteration 1 starts the fourth silo; iteration 2 holds its calls until the silo has joined (blocking one
        // progress report, so the run cannot finish first); iteration 3 stops the first silo while calls are in flight.
        var trigger = new ProgressTrigger()
            .At(1, 0.5, () =>
            {
                joining = Task.Run(cluster.AddSiloAsync);
                output.WriteLine($"starting a fourth silo at {total.Elapsed.TotalSeconds:0.0} s");
            })
            .At(2, 0, () =>
            {
                if (!joining!.Wait(JoinTimeout))
                {
                    throw new TimeoutException($"The fourth silo did not join within {JoinTimeout.TotalSeconds:0} s.");
                }

                output.WriteLine($"{joining.Result.Name} joined at {total.Elapsed.TotalSeconds:0.0} s");

                // So that the ArrayDicts that move below can be placed there: ids past the workload's, never called by the run.
                var probing = client.WaitUntilPlacedOnAsync(joining.Result.SiloPort, ProbeIds, JoinTimeout);
                if (!probing.Wait(JoinTimeout + JoinTimeout))
                {
                    throw new TimeoutException($"Probing the placement on {joining.Result.Name} did not end within {(2 * JoinTimeout).TotalSeconds:0} s.");
                }

                output.WriteLine($"{joining.Result.Name} took a placement after {probing.Result} fresh ArrayDicts, at {total.Elapsed.TotalSeconds:0.0} s");
            })
            .At(3, 0.5, () =>
            {
                leaving.Terminate();
                output.WriteLine($"sent SIGTERM to {leaving.Name} at {total.Elapsed.TotalSeconds:0.0} s");
                left = leaving.WaitForExitAsync(ShutdownTimeout);
            });

        Sw1ClusterOutcome outcome;
        using (var run = new CancellationTokenSource(RunTimeout))
        {
            outcome = await ClusterSw1.RunAsync(client.Sdk, trigger, run.Token).WaitAsync(RunTimeout);
        }

        output.WriteLine($"run: {outcome.Iterations} iterations, {outcome.Calls} calls, {outcome.Retries} retried, in {outcome.Elapsed.TotalSeconds:0.0} s; retries by cause: {SiloFailoverTests.Format(client.Log.RetriesByCause())}");
        Assert.True(left is not null, "the run ended before the graceful stop");
        Assert.Equal(0, await left);
        output.WriteLine($"{leaving.Name} exited with code 0 at {total.Elapsed.TotalSeconds:0.0} s");
        ClusterSw1.AssertMatchesPlainLoop(outcome);

        var newSilo = await joining!;
        var after = await client.GetPlacementAsync();
        output.WriteLine($"placement after the run: {SiloFailoverTests.Format(after)}; new silo {newSilo.SiloPort}, stopped silo {leaving.SiloPort}");
        Assert.False(after.ContainsKey(leaving.SiloPort), $"the stopped silo {leaving.SiloPort} still reports activations");
        var workload = await client.GetSiloPortsAsync(ClusterSw1.Ids());
        int moved = workload.Values.Count(port => port == newSilo.SiloPort);
        output.WriteLine($"the workload's ArrayDicts on the new silo: {moved}");
        Assert.True(moved > 0, $"no ArrayDict of the workload was placed on the new silo {newSilo.Name}: {SiloFailoverTests.Format(after)}");
        output.WriteLine($"totalRows {outcome.TotalRows}, checksum {outcome.Checksum:R}; test took {total.Elapsed.TotalSeconds:0.0} s");
    }
}
