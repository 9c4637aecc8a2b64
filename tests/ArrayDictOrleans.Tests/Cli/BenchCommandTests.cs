using ArrayDictOrleans.Client.Bench;
using ArrayDictOrleans.Client.Cli;
using ArrayDictOrleans.Tests.Workload;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Tests.Cli;

public sealed class BenchCommandTests
{
    [Fact]
    public async Task Bench_Json_DefaultVariants_ReportsEveryVariantAndBytesPerCall()
    {
        using var data = new TempDirectory();

        var result = await CliRunner.RunAsync(
            "bench", "--json", "--data-dir", data.Path, "--objects", "12", "--rows", "60", "--iterations", "3",
            "--bytes-rows", "100", "1000", "--bytes-objects", "2");

        var json = result.Json();
        var variants = json.GetProperty("variants").EnumerateArray().ToArray();
        Assert.Equal(
            ["raw", "orleans-bare", "orleans", "orleans-journal", "orleans-journal-unsynced", "orleans-snapshots", "orleans-json-snapshots"],
            variants.Select(v => v.GetProperty("name").GetString()));
        Assert.Equal(1.0, variants[0].GetProperty("ratioToRaw").GetDouble());
        foreach (var variant in variants)
        {
            Assert.True(variant.GetProperty("loopSeconds").GetDouble() > 0);
            Assert.True(variant.GetProperty("callsPerSecond").GetDouble() > 0);
            Assert.True(variant.GetProperty("ratioToRaw").GetDouble() > 0);
            Assert.Single(variant.GetProperty("roundSeconds").EnumerateArray());
            Assert.False(variant.TryGetProperty("efficiency", out _), "efficiency is reported only with --work-us");
            Assert.True(variant.GetProperty("allocatedBytesPerCall").GetDouble() > 0, $"{variant.GetProperty("name")}: no allocation was counted in its loop");
            Assert.True(variant.GetProperty("gcPauseSeconds").GetDouble() >= 0, $"{variant.GetProperty("name")}: a negative pause");
        }

        foreach (var persisted in variants.Where(v => v.GetProperty("name").GetString()!.StartsWith("orleans-j", StringComparison.Ordinal) || v.GetProperty("name").GetString() == "orleans-snapshots"))
        {
            Assert.True(persisted.GetProperty("storedBytes").GetInt64() > 0, $"{persisted.GetProperty("name")} stored nothing");
        }

        var expected = PlainSw1Loop.Run(new Sw1Parameters(Objects: 12, Rows: 60, Budget: 3));
        Assert.Equal(expected.TotalRows, json.GetProperty("totalRows").GetInt64());
        Assert.Equal(expected.Checksum, json.GetProperty("checksum").GetDouble(), Math.Abs(expected.Checksum) * 1e-9);

        var bytes = json.GetProperty("bytesPerCall").EnumerateArray().ToArray();
        Assert.Equal([100, 1000], bytes.Select(b => b.GetProperty("rows").GetInt32()));
        Assert.All(bytes, b => Assert.True(b.GetProperty("bytes").GetDouble() > 0, "no bytes were measured over the gateway connection"));

        // Each run had its own data directory under --data-dir, and deleted it.
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.Path));
    }

    [Fact]
    public async Task Bench_Json_TwoWarmupRounds_RunUntimedFirstAndStayOutOfTheMedian()
    {
        using var data = new TempDirectory();

        var json = (await CliRunner.RunAsync(
            "bench", "--json", "--no-bytes", "--data-dir", data.Path, "--objects", "8", "--rows", "40", "--iterations", "3",
            "--variants", "raw", "orleans", "--rounds", "1", "--warmup", "2")).Json();

        Assert.Equal(2, json.GetProperty("warmupRounds").GetInt32());
        Assert.Equal(1, json.GetProperty("rounds").GetInt32());
        foreach (var variant in json.GetProperty("variants").EnumerateArray())
        {
            double[] warmups = [.. variant.GetProperty("warmupRoundSeconds").EnumerateArray().Select(r => r.GetDouble())];
            double[] rounds = [.. variant.GetProperty("roundSeconds").EnumerateArray().Select(r => r.GetDouble())];
            Assert.Equal(2, warmups.Length);
            Assert.All(warmups, seconds => Assert.True(seconds > 0));
            Assert.Equal(rounds[0], variant.GetProperty("loopSeconds").GetDouble());
        }
    }

    [Fact]
    public async Task Bench_Json_ThreeRounds_ThreeRoundValuesAndMedianIsTheMiddleOne()
    {
        using var data = new TempDirectory();

        var json = (await CliRunner.RunAsync(
            "bench", "--json", "--no-bytes", "--data-dir", data.Path, "--objects", "8", "--rows", "40", "--iterations", "3",
            "--variants", "raw", "orleans-bare", "orleans", "--rounds", "3")).Json();

        Assert.Equal(3, json.GetProperty("rounds").GetInt32());
        var variants = json.GetProperty("variants").EnumerateArray().ToArray();
        Assert.Equal(["raw", "orleans-bare", "orleans"], variants.Select(v => v.GetProperty("name").GetString()));
        foreach (var variant in variants)
        {
            double[] rounds = [.. variant.GetProperty("roundSeconds").EnumerateArray().Select(r => r.GetDouble())];
            Assert.Equal(3, rounds.Length);
            Assert.All(rounds, seconds => Assert.True(seconds > 0));
            Assert.Equal(rounds.Order().ElementAt(1), variant.GetProperty("loopSeconds").GetDouble());
        }

        double rawMedian = variants[0].GetProperty("loopSeconds").GetDouble();
        Assert.Equal(variants[2].GetProperty("loopSeconds").GetDouble() / rawMedian, variants[2].GetProperty("ratioToRaw").GetDouble(), 1e-12);
    }

    [Fact]
    public async Task Bench_Json_WorkUs_ReportsEfficiencyPerVariant()
    {
        using var data = new TempDirectory();

        var json = (await CliRunner.RunAsync(
            "bench", "--json", "--no-bytes", "--data-dir", data.Path, "--objects", "8", "--rows", "40", "--iterations", "3",
            "--variants", "raw", "orleans", "--work-us", "200")).Json();

        Assert.Equal(200, json.GetProperty("workMicroseconds").GetInt32());
        Assert.True(json.GetProperty("workIterations").GetInt64() > 0);
        Assert.Equal(Environment.ProcessorCount, json.GetProperty("cores").GetInt32());
        foreach (var variant in json.GetProperty("variants").EnumerateArray())
        {
            Assert.True(variant.GetProperty("efficiency").GetDouble() > 0, $"{variant.GetProperty("name")} has no efficiency");
        }

        // The work goes into the results, not the rows: the checksum is the one without work.
        var expected = PlainSw1Loop.Run(new Sw1Parameters(Objects: 8, Rows: 40, Budget: 3));
        Assert.Equal(expected.Checksum, json.GetProperty("checksum").GetDouble(), Math.Abs(expected.Checksum) * 1e-9);
    }

    [Theory]
    [InlineData(new[] { 0.3, 0.1, 0.2 }, 0.2)]
    [InlineData(new[] { 0.4, 0.1, 0.3, 0.2 }, 0.25)]
    [InlineData(new[] { 0.7 }, 0.7)]
    public void BenchReport_Median_Values_MiddleOrMeanOfMiddleTwo(double[] values, double expected)
    {
        Assert.Equal(expected, BenchReport.Median(values), 1e-12);
    }

    [Fact]
    public async Task Bench_StorageMemory_RefusedAsUsage()
    {
        var result = await CliRunner.RunAsync("bench", "--storage", "Memory", "--variants", "raw", "--no-bytes");

        result.AssertFailed(ExitCodes.Usage, "--storage");
    }

    [Fact]
    public async Task Bench_AzureBlob_UnsyncedJournalNamed_RefusedAsUsage()
    {
        var result = await CliRunner.RunAsync(
            "bench", "--storage", "AzureBlob", "--connection-string", "UseDevelopmentStorage=true", "--variants", "orleans-journal-unsynced", "--no-bytes");

        result.AssertFailed(ExitCodes.Usage, "orleans-journal-unsynced");
    }
}
