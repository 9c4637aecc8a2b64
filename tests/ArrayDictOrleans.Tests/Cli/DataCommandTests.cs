namespace ArrayDictOrleans.Tests.Cli;

/// <summary>The commands on one ArrayDict, each a separate run of the program on the embedded silo, sharing a data directory.</summary>
public sealed class DataCommandTests
{
    [Theory]
    [InlineData("npz")]
    [InlineData("adsnap")]
    public async Task Cli_SetExportImportGet_RoundTripsAcrossRuns(string extension)
    {
        using var data = new TempDirectory();
        string file = data.File("dict." + extension);
        string[] at = ["--data-dir", data.Path];

        Assert.Equal(0, (await CliRunner.RunAsync(["clear", "7", "--width", "3", .. at])).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(["set", "7", "10", "1", "2", "3", .. at])).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(["set", "7", "-11", "-1.5", "2e3", "0.1", .. at])).ExitCode);
        var export = (await CliRunner.RunAsync(["export", "7", "--out", file, "--json", .. at])).Json();
        var import = (await CliRunner.RunAsync(["import", "8", "--in", file, "--json", .. at])).Json();
        var info = (await CliRunner.RunAsync(["info", "8", "--json", .. at])).Json();
        var row = (await CliRunner.RunAsync(["get", "8", "-11", "--json", .. at])).Json();
        var text = await CliRunner.RunAsync(["get", "8", "10", .. at]);

        Assert.Equal(2, export.GetProperty("rows").GetInt64());
        Assert.Equal(3, export.GetProperty("width").GetInt32());
        Assert.Equal(new FileInfo(file).Length, export.GetProperty("fileBytes").GetInt64());
        Assert.Equal(2, import.GetProperty("rows").GetInt64());
        Assert.Equal(2, info.GetProperty("count").GetInt32());
        Assert.Equal(3, info.GetProperty("width").GetInt32());
        Assert.Equal([-1.5, 2000, 0.1], row.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal("1 2 3", text.Stdout.Trim());
    }

    [Fact]
    public async Task Cli_RemoveAndClear_ReportWhatHappened()
    {
        using var data = new TempDirectory();
        string[] at = ["--data-dir", data.Path];
        await CliRunner.RunAsync(["set", "3", "5", "2.5", .. at]);

        var removed = (await CliRunner.RunAsync(["remove", "3", "5", "--json", .. at])).Json();
        var again = (await CliRunner.RunAsync(["remove", "3", "5", "--json", .. at])).Json();
        var cleared = await CliRunner.RunAsync(["clear", "3", .. at]);

        Assert.True(removed.GetProperty("removed").GetBoolean());
        Assert.False(again.GetProperty("removed").GetBoolean());
        Assert.Equal(0, cleared.ExitCode);
        Assert.Contains("ArrayDict 3 cleared", cleared.Stdout);
    }
}
