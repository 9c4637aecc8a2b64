using System.Globalization;
using System.Text.Json;
using ArrayDictOrleans.Client.Cli;
using ArrayDictOrleans.Tests.Workload;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Tests.Cli;

public sealed class RunCommandTests
{
    [Theory]
    [InlineData(20, 200, 100, 10, 8, 1)]
    [InlineData(13, 150, 40, 7, 5, 3)]
    public async Task Run_Json_SmallSize_MatchesPlainLoop(int n, int r, int u, int a, int t, int w)
    {
        using var data = new TempDirectory();
        var expected = PlainSw1Loop.Run(new Sw1Parameters(n, r, u, a, t, w));

        var result = await CliRunner.RunAsync(
            "run", "--json", "--data-dir", data.Path,
            "--objects", Text(n), "--rows", Text(r), "--updates", Text(u), "--appends", Text(a), "--iterations", Text(t), "--width", Text(w));

        var json = result.Json();
        Assert.Equal(n, json.GetProperty("objects").GetInt32());
        Assert.Equal(r, json.GetProperty("rows").GetInt32());
        Assert.Equal(u, json.GetProperty("updates").GetInt32());
        Assert.Equal(a, json.GetProperty("appends").GetInt32());
        Assert.Equal(w, json.GetProperty("width").GetInt32());
        Assert.Equal(expected.Iterations, json.GetProperty("iterations").GetInt32());
        Assert.Equal(expected.Calls, json.GetProperty("calls").GetInt64());
        Assert.Equal(expected.TotalRows, json.GetProperty("totalRows").GetInt64());
        Assert.Equal(expected.Checksum, json.GetProperty("checksum").GetDouble(), Math.Abs(expected.Checksum) * 1e-9);
        Assert.True(json.GetProperty("fillSeconds").GetDouble() > 0);
        Assert.True(json.GetProperty("loopSeconds").GetDouble() > 0);
        Assert.True(json.GetProperty("callsPerSecond").GetDouble() > 0);

        // Persistence after every call (the default): a snapshot per fill and per call (at least: the meter sees every
        // silo of the process, and other tests run silos beside this one).
        Assert.True(json.GetProperty("snapshotsWritten").GetInt64() >= n + expected.Calls);
        Assert.True(json.GetProperty("snapshotBytesWritten").GetInt64() > (n + expected.Calls) * ArrayDictSnapshot.Overhead);
        Assert.True(Directory.EnumerateFiles(data.Path, "*", SearchOption.AllDirectories).Any(), "the run left no snapshot in its data directory");
    }

    [Fact]
    public async Task Run_WithCallTimeout_EveryCallThroughTheCancellableTwin_MatchesPlainLoop()
    {
        using var data = new TempDirectory();
        var expected = PlainSw1Loop.Run(new Sw1Parameters(Objects: 15, Rows: 120));

        var result = await CliRunner.RunAsync("run", "--json", "--data-dir", data.Path, "--objects", "15", "--rows", "120", "--call-timeout", "90");

        var json = result.Json();
        Assert.Equal(expected.Calls, json.GetProperty("calls").GetInt64());
        Assert.Equal(expected.TotalRows, json.GetProperty("totalRows").GetInt64());
        Assert.Equal(expected.Checksum, json.GetProperty("checksum").GetDouble(), Math.Abs(expected.Checksum) * 1e-9);
    }

    [Fact]
    public async Task Run_Text_PrintsSummaryTable()
    {
        using var data = new TempDirectory();
        var expected = PlainSw1Loop.Run(new Sw1Parameters(Objects: 10, Rows: 100));

        var result = await CliRunner.RunAsync("run", "--data-dir", data.Path, "--objects", "10", "--rows", "100");

        Assert.True(result.ExitCode == 0, result.Stderr);
        foreach (string measure in new[] { "iterations", "calls", "start", "fill", "loop", "stop", "calls per second", "totalRows", "checksum", "snapshot bytes written", "Durability: " })
        {
            Assert.Contains(measure, result.Stdout);
        }

        Assert.Contains(expected.TotalRows.ToString("N0", CultureInfo.InvariantCulture), result.Stdout);
        Assert.Contains(expected.Checksum.ToString("R", CultureInfo.InvariantCulture), result.Stdout);
        Assert.Equal(string.Empty, result.Stderr);
    }

    [Fact]
    public async Task Run_AsRealProcess_JsonMatchesPlainLoop()
    {
        using var data = new TempDirectory();
        var expected = PlainSw1Loop.Run(new Sw1Parameters(Objects: 20, Rows: 200));

        var result = await CliRunner.RunProcessAsync(
            TimeSpan.FromMinutes(3), "run", "--json", "--objects", "20", "--rows", "200", "--data-dir", data.Path);

        var json = result.Json();
        Assert.Equal(expected.TotalRows, json.GetProperty("totalRows").GetInt64());
        Assert.Equal(expected.Checksum, json.GetProperty("checksum").GetDouble(), Math.Abs(expected.Checksum) * 1e-9);
        Assert.Equal(expected.Calls, json.GetProperty("calls").GetInt64());
    }

    [Fact]
    public async Task Run_Cancelled_ExitsInterruptedAndSnapshotsStayReadable()
    {
        using var data = new TempDirectory();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(3));

        var result = await CliRunner.RunAsync(
            ["run", "--data-dir", data.Path, "--objects", "3000", "--rows", "2000", "--iterations", "50"], cancel.Token);

        Assert.True(result.ExitCode == 130, $"exit code {result.ExitCode}; stderr: {result.Stderr}");
        Assert.Contains("interrupted", result.Stderr);
        Assert.DoesNotContain("   at ", result.Stderr);

        // Every snapshot left behind reads back: none was left half written.
        foreach (string id in new[] { "0", "1", "2999" })
        {
            var info = await CliRunner.RunAsync("info", id, "--json", "--data-dir", data.Path);
            info.Json();
        }
    }

    [Fact]
    public async Task Run_Json_WorkUs_KeepsTotalRowsAndChecksumOfPlainRunAndLoop()
    {
        using var data = new TempDirectory();
        var expected = PlainSw1Loop.Run(new Sw1Parameters(Objects: 12, Rows: 80));
        string[] common = ["run", "--json", "--data-dir", data.Path, "--storage", "Memory", "--objects", "12", "--rows", "80"];

        var plain = (await CliRunner.RunAsync(common)).Json();
        var working = (await CliRunner.RunAsync([.. common, "--work-us", "200"])).Json();

        Assert.Equal(expected.TotalRows, plain.GetProperty("totalRows").GetInt64());
        Assert.Equal(expected.TotalRows, working.GetProperty("totalRows").GetInt64());
        Assert.Equal(expected.Checksum, plain.GetProperty("checksum").GetDouble(), Math.Abs(expected.Checksum) * 1e-9);
        Assert.Equal(plain.GetProperty("checksum").GetDouble(), working.GetProperty("checksum").GetDouble(), Math.Abs(expected.Checksum) * 1e-9);
        Assert.Equal(0, plain.GetProperty("workMicroseconds").GetInt32());
        Assert.Equal(0, plain.GetProperty("workIterations").GetInt64());
        Assert.Equal(JsonValueKind.Null, plain.GetProperty("efficiency").ValueKind);
        Assert.Equal(200, working.GetProperty("workMicroseconds").GetInt32());
        Assert.True(working.GetProperty("workIterations").GetInt64() > 0, "--work-us 200 was calibrated to no work at all");
        Assert.True(working.GetProperty("efficiency").GetDouble() > 0);
    }

    [Theory]
    [InlineData("2", "1")]
    [InlineData("1", "1")]
    public async Task Run_TwiceOnOneDataDirectory_SecondRunStartsFromScratch(string firstWidth, string secondWidth)
    {
        using var data = new TempDirectory();
        var expected = PlainSw1Loop.Run(new Sw1Parameters(Objects: 9, Rows: 30, Width: int.Parse(secondWidth, CultureInfo.InvariantCulture)));
        string[] common = ["run", "--json", "--data-dir", data.Path, "--objects", "9", "--rows", "30"];

        (await CliRunner.RunAsync([.. common, "--width", firstWidth])).Json();
        var second = (await CliRunner.RunAsync([.. common, "--width", secondWidth])).Json();

        Assert.Equal(expected.TotalRows, second.GetProperty("totalRows").GetInt64());
        Assert.Equal(expected.Checksum, second.GetProperty("checksum").GetDouble(), Math.Abs(expected.Checksum) * 1e-9);
        Assert.Equal(0, second.GetProperty("retries").GetInt64());
        Assert.Equal(0, second.GetProperty("replays").GetInt64());
    }

    [Fact]
    public async Task Run_Json_ReportsEachPhase_WallCoversThemAll()
    {
        using var data = new TempDirectory();

        var json = (await CliRunner.RunAsync("run", "--json", "--data-dir", data.Path, "--objects", "10", "--rows", "50")).Json();

        double sum = 0;
        foreach (string phase in new[] { "startSeconds", "fillSeconds", "loopSeconds", "stopSeconds" })
        {
            double seconds = json.GetProperty(phase).GetDouble();
            Assert.True(seconds > 0, $"{phase} is {seconds}");
            sum += seconds;
        }

        double wall = json.GetProperty("wallSeconds").GetDouble();
        Assert.True(wall >= sum, $"wallSeconds {wall} is less than start + fill + loop + stop = {sum}");
    }

    [Fact]
    public async Task Run_Json_EmbeddedSilo_SaysHowDurableAndCountsSyncs()
    {
        using var data = new TempDirectory();

        var json = (await CliRunner.RunAsync("run", "--json", "--data-dir", data.Path, "--objects", "10", "--rows", "50")).Json();

        Assert.Equal("every call durable on return (journal, synced, group commit)", json.GetProperty("durability").GetString());

        // Every call of the loop was synced before it returned, and a sync covers one write or more. (The meter counts the
        // whole process, where other tests may write too: hence bounds, not equalities.)
        long calls = json.GetProperty("calls").GetInt64();
        long syncs = json.GetProperty("syncs").GetInt64();
        long syncedWrites = json.GetProperty("syncedWrites").GetInt64();
        Assert.True(syncedWrites >= calls, $"{syncedWrites} synced writes for {calls} calls");
        Assert.InRange(syncs, 1, syncedWrites);
    }

    [Fact]
    public async Task Run_Text_SummaryHasPhasesAndDurabilityLine()
    {
        using var data = new TempDirectory();
        long calls = new Sw1Parameters(Objects: 10, Rows: 50).TotalCalls();

        var result = await CliRunner.RunAsync("run", "--data-dir", data.Path, "--objects", "10", "--rows", "50");

        Assert.True(result.ExitCode == 0, result.Stderr);
        string durability = Assert.Single(result.Stdout.Split('\n'), line => line.StartsWith("Durability: ", StringComparison.Ordinal));
        Assert.Matches(@"^Durability: every call durable on return \(.+\); [0-9,]+ syncs for " + calls.ToString("N0", CultureInfo.InvariantCulture) + @" calls in the loop\.$", durability.TrimEnd());
        foreach (string measure in new[] { "start", "stop", "wall (whole process)" })
        {
            Assert.Contains(measure, result.Stdout);
        }
    }

    [Fact]
    public async Task Run_Json_RemoteCluster_DurabilityAsSilosConfigured_NoCountsNoEfficiency()
    {
        using var data = new TempDirectory();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var silo = await ClusterConnection.OpenAsync(
            new ConnectionSettings { DataDirectory = data.Path, Storage = "Memory" }, TextWriter.Null, timeout.Token, forceEmbedded: true);
        var expected = PlainSw1Loop.Run(new Sw1Parameters(Objects: 6, Rows: 40));

        var json = (await CliRunner.RunAsync("run", "--json", "--gateway", $"127.0.0.1:{silo.GatewayPort}", "--objects", "6", "--rows", "40", "--work-us", "50")).Json();

        Assert.Equal(expected.TotalRows, json.GetProperty("totalRows").GetInt64());
        Assert.Equal(expected.Checksum, json.GetProperty("checksum").GetDouble(), Math.Abs(expected.Checksum) * 1e-9);
        Assert.True(json.GetProperty("workIterations").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("efficiency").ValueKind);
        Assert.Equal("as the cluster's silos are configured", json.GetProperty("durability").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("syncs").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("syncedWrites").ValueKind);
        Assert.True(json.GetProperty("stopSeconds").GetDouble() > 0);
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
