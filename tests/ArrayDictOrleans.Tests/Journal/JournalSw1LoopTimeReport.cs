using System.Diagnostics;
using System.Globalization;
using ArrayDictOrleans.Tests.Workload;
using ArrayDictOrleans.Workload;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace ArrayDictOrleans.Tests.Journal;

/// <summary>
/// A measuring harness, run as a test at a small size: the SW1 driver loop through a one-silo in-process cluster
/// without persistence, with a full snapshot per call and with the journal, each checked against the plain loop.
/// For the figures: <c>ARRAYDICT_BENCH_N=100 ARRAYDICT_BENCH_R=100000 dotnet test --filter JournalSw1LoopTimeReport</c>
/// (<c>ARRAYDICT_BENCH_FSYNC=1</c> adds the variants that sync to the disk; <c>ARRAYDICT_BENCH_VARIANTS=none,journal,...</c>
/// picks and repeats variants). Times are printed, never asserted.
/// </summary>
public sealed class JournalSw1LoopTimeReport(ITestOutputHelper output)
{
    [Fact]
    public async Task JournalSw1LoopTimeReport_Variants_MatchPlainLoopAndReportTimes()
    {
        int n = Setting("ARRAYDICT_BENCH_N", 8);
        int r = Setting("ARRAYDICT_BENCH_R", 2000);
        var parameters = new Sw1Parameters(Objects: n, Rows: r, Updates: 100, Appends: 10, Budget: 8, Width: 1);
        var expected = PlainSw1Loop.Run(parameters);
        var variants = new List<string> { "none", "full", "journal" };
        if (Environment.GetEnvironmentVariable("ARRAYDICT_BENCH_FSYNC") == "1")
        {
            variants.AddRange(["full-fsync", "journal-fsync"]);
        }

        if (Environment.GetEnvironmentVariable("ARRAYDICT_BENCH_VARIANTS") is { Length: > 0 } chosen)
        {
            variants = [.. chosen.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        }

        foreach (var variant in variants)
        {
            var (fill, loop, checksum, rows) = await RunAsync(variant, parameters);
            Assert.Equal(expected.TotalRows, rows);
            Assert.Equal(expected.Checksum, checksum, Math.Abs(expected.Checksum) * 1e-9);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SW1 N={n} R={r} {variant,-14}: fill {fill.TotalSeconds:F2} s, loop {loop.TotalSeconds:F2} s ({expected.Calls / loop.TotalSeconds:F0} calls/s)"));
        }
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out int value) ? value : fallback;

    private static async Task<(TimeSpan Fill, TimeSpan Loop, double Checksum, long Rows)> RunAsync(string variant, Sw1Parameters parameters)
    {
        string directory = Path.Combine(Path.GetTempPath(), "arraydict-journal-bench-" + Guid.NewGuid().ToString("N"));
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddArrayDictGrains(grains => grains.PersistEvery = variant == "none" ? 0 : 1);
            switch (variant)
            {
                case "none":
                    silo.AddArrayDictMemoryStorage();
                    break;
                case "full" or "full-fsync":
                    silo.AddArrayDictLocalStorage(directory, flushToDisk: variant == "full-fsync");
                    break;
                default:
                    silo.AddArrayDictLocalJournalStorage(directory, journal => journal.AllowLostCallsOnMachineCrash = variant != "journal-fsync");
                    break;
            }

            silo.Configure<SiloMessagingOptions>(messaging => messaging.ResponseTimeout = TimeSpan.FromMinutes(10));
        });
        builder.ConfigureClient(client => client.Configure<ClientMessagingOptions>(messaging => messaging.ResponseTimeout = TimeSpan.FromMinutes(10)));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            var grains = Enumerable.Range(0, parameters.Objects).Select(i => cluster.Client.GetGrain<IArrayDictGrain>(i)).ToList();
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(grains.Select(grain => grain.ApplyAsync(new Sw1FillMethod(parameters))));
            var fill = Stopwatch.GetElapsedTime(started);

            started = Stopwatch.GetTimestamp();
            var last = new Sw1StepResult[parameters.Objects];
            var considered = Enumerable.Range(0, parameters.Objects).ToList();
            for (int t = 0; considered.Count > 0; t++)
            {
                int iteration = t;
                var results = await Task.WhenAll(considered.Select(i => grains[i].ApplyAsync(new Sw1StepMethod(parameters, i, iteration), epoch: iteration)));
                for (int j = 0; j < considered.Count; j++)
                {
                    last[considered[j]] = results[j];
                }

                considered = considered.Where((_, j) => !results[j].Done).ToList();
            }

            var loop = Stopwatch.GetElapsedTime(started);
            return (fill, loop, last.Sum(x => x.Sum), last.Sum(x => (long)x.Rows));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
