using ArrayDictOrleans.Client.Cli;
using ArrayDictOrleans.Tests.Workload;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Tests.Cli;

/// <summary>
/// <c>arraydict run</c> replaces SW1's own ArrayDicts but never, unless told to with <c>--overwrite</c>, data it did not
/// create; <c>--first-id</c> moves the run to other ids.
/// </summary>
public sealed class RunOwnershipTests
{
    [Fact]
    public async Task Run_ArrayDictHoldsUserRow_ExitsOneNamingItAndChangesNothing()
    {
        using var data = new TempDirectory();
        string[] at = ["--data-dir", data.Path];
        Assert.Equal(0, (await CliRunner.RunAsync(["set", "5", "424242", "7", .. at])).ExitCode);

        var run = await CliRunner.RunAsync(["run", "--objects", "10", "--rows", "50", .. at]);

        run.AssertFailed(1, "ArrayDict 5 holds data that SW1 did not create");
        Assert.Contains("--overwrite", run.Stderr);
        Assert.Contains("--first-id", run.Stderr);
        Assert.Equal("7", (await CliRunner.RunAsync(["get", "5", "424242", .. at])).Stdout.Trim());
        Assert.Equal(0, (await CliRunner.RunAsync(["info", "0", "--json", .. at])).Json().GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Run_Overwrite_ReplacesUserDataWithSw1()
    {
        using var data = new TempDirectory();
        string[] at = ["--data-dir", data.Path];
        var expected = PlainSw1Loop.Run(new Sw1Parameters(Objects: 10, Rows: 50));
        Assert.Equal(0, (await CliRunner.RunAsync(["set", "5", "424242", "7", .. at])).ExitCode);

        var json = (await CliRunner.RunAsync(["run", "--json", "--overwrite", "--objects", "10", "--rows", "50", .. at])).Json();

        Assert.Equal(expected.TotalRows, json.GetProperty("totalRows").GetInt64());
        Assert.Equal(expected.Checksum, json.GetProperty("checksum").GetDouble(), Math.Abs(expected.Checksum) * 1e-9);
        (await CliRunner.RunAsync(["get", "5", "424242", .. at])).AssertFailed(1, "The key 424242 is not present");
    }

    [Fact]
    public async Task Run_FirstId_RunsBesideUserDataWithTheReferenceResults()
    {
        using var data = new TempDirectory();
        string[] at = ["--data-dir", data.Path];
        var expected = PlainSw1Loop.Run(new Sw1Parameters(Objects: 10, Rows: 50));
        Assert.Equal(0, (await CliRunner.RunAsync(["set", "5", "424242", "7", .. at])).ExitCode);

        var json = (await CliRunner.RunAsync(["run", "--json", "--first-id", "10", "--objects", "10", "--rows", "50", .. at])).Json();

        Assert.Equal(expected.TotalRows, json.GetProperty("totalRows").GetInt64());
        Assert.Equal(expected.Checksum, json.GetProperty("checksum").GetDouble(), Math.Abs(expected.Checksum) * 1e-9);
        Assert.Equal("7", (await CliRunner.RunAsync(["get", "5", "424242", .. at])).Stdout.Trim());
        Assert.Equal(0, (await CliRunner.RunAsync(["info", "9", "--json", .. at])).Json().GetProperty("count").GetInt32());

        // Object i of the workload is ArrayDict 10 + i: object 0 makes 1 call, object 9 makes (9 mod 8) + 1 = 2.
        Assert.Equal(60, (await CliRunner.RunAsync(["info", "10", "--json", .. at])).Json().GetProperty("count").GetInt32());
        Assert.Equal(70, (await CliRunner.RunAsync(["info", "19", "--json", .. at])).Json().GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Run_UserKeyAddedToSw1ArrayDict_ExitsOneNamingIt()
    {
        using var data = new TempDirectory();
        string[] run = ["run", "--objects", "6", "--rows", "40", "--data-dir", data.Path];
        Assert.Equal(0, (await CliRunner.RunAsync(run)).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync("set", "3", "424242", "7", "--data-dir", data.Path)).ExitCode);

        var again = await CliRunner.RunAsync(run);

        again.AssertFailed(1, "ArrayDict 3 holds data that SW1 did not create");
        Assert.Equal("7", (await CliRunner.RunAsync("get", "3", "424242", "--data-dir", data.Path)).Stdout.Trim());
    }

    [Fact]
    public async Task Run_Sw1DataOfOtherRows_ExitsOneNamingTheFirstAndHowManyMore()
    {
        using var data = new TempDirectory();
        Assert.Equal(0, (await CliRunner.RunAsync("run", "--objects", "6", "--rows", "40", "--data-dir", data.Path)).ExitCode);

        var other = await CliRunner.RunAsync("run", "--objects", "6", "--rows", "30", "--data-dir", data.Path);

        other.AssertFailed(1, "ArrayDict 0 (and 5 more of ArrayDicts 0..5) holds data that SW1 did not create");
        Assert.Contains("--rows 30", other.Stderr);
    }

    [Fact]
    public async Task Run_RemoteCluster_RefusesUserDataThenFirstIdRunsBesideIt()
    {
        using var data = new TempDirectory();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var silo = await ClusterConnection.OpenAsync(
            new ConnectionSettings { DataDirectory = data.Path, Storage = "Memory" }, TextWriter.Null, timeout.Token, forceEmbedded: true);
        string[] at = ["--gateway", $"127.0.0.1:{silo.GatewayPort}"];
        Assert.Equal(0, (await CliRunner.RunAsync(["set", "2", "424242", "7", .. at])).ExitCode);

        var refused = await CliRunner.RunAsync(["run", "--objects", "4", "--rows", "20", .. at]);
        var beside = await CliRunner.RunAsync(["run", "--first-id", "100", "--objects", "4", "--rows", "20", .. at]);
        var again = await CliRunner.RunAsync(["run", "--first-id", "100", "--objects", "4", "--rows", "20", .. at]);

        refused.AssertFailed(1, "ArrayDict 2 holds data that SW1 did not create");
        Assert.True(beside.ExitCode == 0, beside.Stderr);
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Equal(7, await silo.Client.Get(2).GetValueAsync(424242));
    }

    [Theory]
    [InlineData("--first-id is -1; it must be at least 0", "--first-id", "-1")]
    [InlineData("--first-id 9223372036854775807 with --objects 2 goes past the largest id", "--first-id", "9223372036854775807", "--objects", "2")]
    public async Task Run_FirstIdOutOfRange_ExitsTwo(string mentions, params string[] args)
    {
        var result = await CliRunner.RunAsync(["run", .. args]);

        result.AssertFailed(2, mentions);
    }

    [Theory]
    [InlineData(10, 10, 1, new long[] { 0, 3, 6, 9, 12, 15, 18, 21, 24, 27 })]
    [InlineData(4, 7, 1, new long[] { 0, 3, 6, 9, 13, 16, 19 })]
    [InlineData(1000, 1010, 100_000, new long[] { 0, 2997, 3001, 3028 })]
    public void Sw1Ownership_ProbeKeys_CoverBothEndsOfBothParts(int rows, int count, int width, long[] expected)
    {
        long[] keys = Sw1Ownership.ProbeKeys(rows, count, width);

        Assert.Equal(expected, keys);
    }

    [Fact]
    public void Sw1Ownership_ProbeKeys_ManyRows_SixteenDistinctSw1Keys()
    {
        long[] keys = Sw1Ownership.ProbeKeys(1000, 1080, 1);

        Assert.Equal(16, keys.Distinct().Count());
        Assert.Contains(0, keys);
        Assert.Contains(2997, keys);
        Assert.Contains(3001, keys);
        Assert.Contains(3 * 1079 + 1, keys);
        Assert.All(keys, key => Assert.True(key % 3 == 0 ? key / 3 < 1000 : key % 3 == 1 && key / 3 >= 1000, $"{key} is not a key SW1 makes at R = 1000"));
    }
}
