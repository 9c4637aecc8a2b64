using System.Globalization;
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
    public async Task Run_Text_PrintsSummaryTable()
    {
        using var data = new TempDirectory();
        var expected = PlainSw1Loop.Run(new Sw1Parameters(Objects: 10, Rows: 100));

        var result = await CliRunner.RunAsync("run", "--data-dir", data.Path, "--objects", "10", "--rows", "100");

        Assert.True(result.ExitCode == 0, result.Stderr);
        foreach (string measure in new[] { "iterations", "calls", "fill", "loop", "calls per second", "totalRows", "checksum", "snapshot bytes written" })
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

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
