namespace ArrayDictOrleans.Tests.Cli;

/// <summary>Flags that only a silo hosted in the program uses are refused, not ignored, when the program is a client of a running cluster.</summary>
public sealed class EmbeddedSiloFlagTests
{
    [Theory]
    [InlineData("--persist-every", "0")]
    [InlineData("--data-dir", "elsewhere")]
    [InlineData("--storage", "Memory")]
    public async Task Cli_EmbeddedSiloFlagWithGateway_ExitsTwoNamingTheFlag(string flag, string value)
    {
        var result = await CliRunner.RunAsync("run", "--gateway", "127.0.0.1:1", flag, value, "--connect-timeout", "1");

        result.AssertFailed(2, $"{flag} applies only to a silo hosted in this process, and with --gateway");
    }

    [Fact]
    public async Task Cli_EmbeddedSiloFlagWithAzureTableClustering_ExitsTwoNamingTheFlag()
    {
        var result = await CliRunner.RunAsync(
            "info", "1", "--clustering", "AzureTable", "--connection-string", "UseDevelopmentStorage=true", "--persist-every", "3", "--connect-timeout", "1");

        result.AssertFailed(2, "--persist-every applies only to a silo hosted in this process, and with AzureTable clustering");
    }
}
