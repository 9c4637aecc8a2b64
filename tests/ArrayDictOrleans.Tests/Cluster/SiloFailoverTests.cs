using System.Diagnostics;
using Xunit.Abstractions;

namespace ArrayDictOrleans.Tests.Cluster;

/// <summary>
/// Failover without loss: Azurite and 3 silo processes (Azure Table clustering, Azure Blob snapshots, the fast-failover
/// profile); SW1 runs through the SDK while one silo is killed with SIGKILL; the run ends with exactly the fault-free
/// totals, since a retried call carries the same epoch and its grain applies it at most once.
/// </summary>
[Collection(MultiProcessClusterCollection.Name)]
public sealed class SiloFailoverTests(ITestOutputHelper output)
{
    /// <summary>A file to which each run appends one summary line (for scripts/failover-repeat.sh).</summary>
    public const string RecordVariable = "ARRAYDICT_FAILOVER_RECORD";

    private static readonly TimeSpan PrepareTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan EvictionTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Where in the run the silo dies.</summary>
    public enum KillPoint
    {
        /// <summary>After every ArrayDict is filled, before iteration 0.</summary>
        AfterFill,

        /// <summary>Halfway through iteration 1's calls.</summary>
        DuringIteration1,

        /// <summary>Halfway through iteration 4's calls.</summary>
        DuringIteration4,
    }

    [Theory]
    [InlineData(KillPoint.AfterFill, 1)]
    [InlineData(KillPoint.DuringIteration1, 0)]
    [InlineData(KillPoint.DuringIteration4, 2)]
    public Task Sw1_SiloKilled_Failover_FinishesWithFaultFreeChecksum(KillPoint point, int victimIndex) =>
        RunWithKillAsync(point, victimIndex, localJournal: false);

    /// <summary>
    /// The default storage: every silo keeps its grains in the synced local journal under one shared data directory. The
    /// killed silo's grains are reactivated on the others, which read the files it left (its leases died with it).
    /// </summary>
    [Fact]
    public Task Sw1_DefaultLocalJournal_SiloKilledMidRun_FinishesWithFaultFreeChecksum() =>
        RunWithKillAsync(KillPoint.DuringIteration1, victimIndex: 1, localJournal: true);

    private async Task RunWithKillAsync(KillPoint point, int victimIndex, bool localJournal)
    {
        var total = Stopwatch.StartNew();
        await using var cluster = await LocalCluster.StartAsync(localJournal ? "failover-journal" : "failover", silos: 3, localJournal);
        output.WriteLine($"cluster {cluster.ClusterId}: {string.Join(", ", cluster.Silos.Select(s => s.Name))}; started in {total.Elapsed.TotalSeconds:0.0} s");
        var client = await cluster.ConnectAsync(options => options.MaxRetries = 12);
        using (var prepare = new CancellationTokenSource(PrepareTimeout))
        {
            await ClusterSw1.PrepareAsync(client.Sdk, prepare.Token);
        }

        var victim = cluster.Silos[victimIndex];
        var placement = await client.GetPlacementAsync();
        output.WriteLine($"placement after fill (ArrayDict activations by silo port): {Format(placement)}; the victim is {victim.Name}");
        Task<TimeSpan>? eviction = null;
        void KillVictim()
        {
            victim.Kill();
            output.WriteLine($"killed {victim.Name} (SIGKILL) at {total.Elapsed.TotalSeconds:0.0} s");
            eviction = Task.Run(() => client.WaitForSiloStatusAsync(victim.SiloPort, SiloStatus.Dead, EvictionTimeout, $"the cluster to declare {victim.Name} dead"));
        }

        var trigger = new ProgressTrigger();
        switch (point)
        {
            case KillPoint.AfterFill:
                KillVictim();
                break;
            case KillPoint.DuringIteration1:
                trigger.At(1, 0.5, KillVictim);
                break;
            case KillPoint.DuringIteration4:
                trigger.At(4, 0.5, KillVictim);
                break;
        }

        Sw1ClusterOutcome outcome;
        using (var run = new CancellationTokenSource(RunTimeout))
        {
            outcome = await ClusterSw1.RunAsync(client.Sdk, trigger, run.Token).WaitAsync(RunTimeout);
        }

        output.WriteLine($"run: {outcome.Iterations} iterations, {outcome.Calls} calls, {outcome.Retries} retried, in {outcome.Elapsed.TotalSeconds:0.0} s; retries by cause: {Format(client.Log.RetriesByCause())}");
        Assert.True(eviction is not null, $"the run ended before the kill point {point} was reached");
        var evictedAfter = await eviction;
        output.WriteLine($"{victim.Name} declared dead {evictedAfter.TotalSeconds:0.0} s after the kill");
        bool exact = outcome.TotalRows == ClusterSw1.Expected.TotalRows
            && Math.Abs(outcome.Checksum - ClusterSw1.Expected.Checksum) <= Math.Abs(ClusterSw1.Expected.Checksum) * 1e-9;
        Record(FormattableString.Invariant(
            $"storage={(localJournal ? "local-journal" : "azure-blob")} point={point} victim=silo{victimIndex} evicted={evictedAfter.TotalSeconds:0.0}s run={outcome.Elapsed.TotalSeconds:0.0}s retries={outcome.Retries} ({Format(client.Log.RetriesByCause())}) totalRows={outcome.TotalRows} checksum={outcome.Checksum:R} {(exact ? "exact" : "MISMATCH")}"));
        ClusterSw1.AssertMatchesPlainLoop(outcome);
        output.WriteLine($"totalRows {outcome.TotalRows}, checksum {outcome.Checksum:R} (fault-free: {ClusterSw1.Expected.TotalRows}, {ClusterSw1.Expected.Checksum:R}); test took {total.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>With <see cref="RecordVariable"/> set (scripts/failover-repeat.sh sets it), appends one line about the run to that file.</summary>
    private static void Record(string line)
    {
        if (Environment.GetEnvironmentVariable(RecordVariable) is { Length: > 0 } file)
        {
            File.AppendAllText(file, line + Environment.NewLine);
        }
    }

    internal static string Format<TKey, TValue>(IReadOnlyDictionary<TKey, TValue> counts)
        where TKey : notnull =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.Select(pair => $"{pair.Key}: {pair.Value}"));
}
