using System.Diagnostics;
using ArrayDictOrleans.Client;
using Xunit.Abstractions;

namespace ArrayDictOrleans.Tests.Cluster;

/// <summary>
/// The crash matrix: Azurite and 3 silo processes sharing one local data directory, SW1 through the SDK with its step
/// declared replayable, and one silo killed with SIGKILL at a random moment of the loop, for each combination of
/// <c>PersistEvery</c> (1, 4, 0), <c>SnapshotMode</c> (Journal, Full) and syncing (on, off). Every run must end with the
/// exact totals of a fault-free run, or fail loudly naming what was lost (<see cref="LostEpochsException"/>): never a
/// different checksum reported as success. CI runs <see cref="CiCases"/>; <c>scripts/crash-matrix.sh</c> sets
/// <see cref="AllVariable"/> and runs all twelve, as many times as asked.
/// </summary>
[Collection(MultiProcessClusterCollection.Name)]
public sealed class CrashMatrixTests(ITestOutputHelper output)
{
    /// <summary>Set to <c>all</c>, the theory runs the whole matrix instead of the CI subset.</summary>
    public const string AllVariable = "ARRAYDICT_CRASH_MATRIX";

    private static readonly TimeSpan PrepareTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);

    /// <summary>The cases CI runs: a policy that loses returned calls on a crash, in each mode, one unsynced.</summary>
    public static TheoryData<int, string, bool> CiCases => Environment.GetEnvironmentVariable(AllVariable) == "all"
        ? AllCases()
        : new TheoryData<int, string, bool> { { 4, "Journal", true }, { 0, "Full", false } };

    [Theory]
    [MemberData(nameof(CiCases))]
    public async Task CrashMatrix_SiloKilledAtRandom_ExactTotalsOrLoudFailure(int persistEvery, string snapshotMode, bool synced)
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        int killIteration = random.Next(1, 6);
        double killFraction = 0.1 + (random.NextDouble() * 0.8);
        int victimIndex = random.Next(3);
        var settings = new Dictionary<string, string>
        {
            ["--persist-every"] = persistEvery.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["--snapshot-mode"] = snapshotMode,
            ["--allow-lost-calls-on-machine-crash"] = synced ? "false" : "true",
        };
        string name = $"crash-p{persistEvery}-{snapshotMode}-{(synced ? "synced" : "unsynced")}";
        output.WriteLine($"{name}: seed {seed}, kill silo{victimIndex} at {killFraction:P0} of iteration {killIteration}");

        var total = Stopwatch.StartNew();
        await using var cluster = await LocalCluster.StartAsync(name.ToLowerInvariant(), silos: 3, localJournal: true, settings);
        var client = await cluster.ConnectAsync(options => options.MaxRetries = 12);
        using (var prepare = new CancellationTokenSource(PrepareTimeout))
        {
            await ClusterSw1.PrepareAsync(client.Sdk, prepare.Token);
        }

        var victim = cluster.Silos[victimIndex];
        var trigger = new ProgressTrigger();
        trigger.At(killIteration, killFraction, () =>
        {
            victim.Kill();
            output.WriteLine($"killed {victim.Name} (SIGKILL) at {total.Elapsed.TotalSeconds:0.0} s");
        });

        Sw1ClusterOutcome outcome;
        try
        {
            using var run = new CancellationTokenSource(RunTimeout);
            outcome = await ClusterSw1.RunAsync(client.Sdk, trigger, run.Token, replayable: true).WaitAsync(RunTimeout);
        }
        catch (LostEpochsException lost)
        {
            // Loud and named: acceptable, but only for a policy under which returned calls can be lost.
            output.WriteLine($"loud failure: {lost.Message}");
            Assert.NotEqual(1, persistEvery);
            Assert.Contains("epoch", lost.Message, StringComparison.OrdinalIgnoreCase);
            return;
        }

        Assert.Equal(1, trigger.Fired);
        output.WriteLine($"run: {outcome.Calls} calls, {outcome.Retries} retried, {outcome.Replays} replayed, in {outcome.Elapsed.TotalSeconds:0.0} s; totalRows {outcome.TotalRows}, checksum {outcome.Checksum:R}");
        Assert.Equal(ClusterSw1.Expected.TotalRows, outcome.TotalRows);
        Assert.Equal(ClusterSw1.Expected.Checksum, outcome.Checksum, Math.Abs(ClusterSw1.Expected.Checksum) * 1e-9);
        if (persistEvery == 1)
        {
            Assert.Equal(0, outcome.Replays);
        }
    }

    private static TheoryData<int, string, bool> AllCases()
    {
        var cases = new TheoryData<int, string, bool>();
        foreach (int persistEvery in new[] { 1, 4, 0 })
        {
            foreach (string mode in new[] { "Journal", "Full" })
            {
                foreach (bool synced in new[] { true, false })
                {
                    cases.Add(persistEvery, mode, synced);
                }
            }
        }

        return cases;
    }
}
