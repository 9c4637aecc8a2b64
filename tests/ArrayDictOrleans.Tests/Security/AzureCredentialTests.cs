using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Tests.Cli;
using ArrayDictOrleans.Tests.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Clustering.AzureStorage;
using Orleans.Configuration;

namespace ArrayDictOrleans.Tests.Security;

/// <summary>Azure reached by service URI and TokenCredential instead of a key; a connection string never shown.</summary>
public sealed class AzureCredentialTests
{
    // A recognisable account key (valid base64) inside connection strings that cannot be used.
    private const string Key = "U2VjcmV0S2V5Rm9yVGhlTGVha1Rlc3Q0NzEx";

    public static TheoryData<string> MalformedConnectionStrings => new()
    {
        $"AccountName=x;AccountKey={Key};BlobEndpoint=::not a url",
        $"DefaultEndpointsProtocol=https;AccountKey={Key}",
        $"garbage {Key}",
    };

    [Theory]
    [InlineData("Full")]
    [InlineData("Journal")]
    public void AddArrayDictSilo_ServiceUrisWithoutConnectionString_BlobAndTableClientsUseThem(string mode)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ArrayDict:Storage"] = "AzureBlob",
            ["ArrayDict:SnapshotMode"] = mode,
            ["ArrayDict:Clustering"] = "AzureTable",
            ["ArrayDict:AzureBlobServiceUri"] = "https://example.blob.core.windows.net",
            ["ArrayDict:AzureTableServiceUri"] = "https://example.table.core.windows.net",
        });

        builder.AddArrayDictSilo();
        using var host = builder.Build();

        var blobs = mode == "Full"
            ? host.Services.GetRequiredService<IOptionsMonitor<AzureBlobStorageOptions>>().Get(ArrayDictGrainOptions.StorageName).BlobServiceClient
            : host.Services.GetRequiredService<IOptionsMonitor<AzureBlobJournalStorageOptions>>().Get(ArrayDictGrainOptions.StorageName).BlobServiceClient;
        Assert.Equal(new Uri("https://example.blob.core.windows.net"), blobs!.Uri);
        var tables = host.Services.GetRequiredService<IOptions<AzureStorageClusteringOptions>>().Value.TableServiceClient;
        Assert.Equal("example", tables!.AccountName);
    }

    [Fact]
    public void AddArrayDictSilo_AzureBlobWithoutConnectionStringOrUri_RefusedNamingBoth()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ArrayDict:Storage"] = "AzureBlob", ["ArrayDict:AzureTableServiceUri"] = "not a uri" });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddArrayDictSilo());

        Assert.Contains("ArrayDict:AzureStorageConnectionString or ArrayDict:AzureBlobServiceUri", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddArrayDictClient_TableServiceUriWithoutConnectionString_Accepted()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ArrayDict:Clustering"] = "AzureTable",
            ["ArrayDict:AzureTableServiceUri"] = "https://example.table.core.windows.net",
        });

        builder.AddArrayDictClient();
        using var host = builder.Build();

        Assert.NotNull(host.Services.GetRequiredService<ArrayDictOrleans.Client.ArrayDictClient>());
    }

    [Theory]
    [MemberData(nameof(MalformedConnectionStrings))]
    public async Task Cli_MalformedConnectionString_FailsWithoutShowingTheKey(string connectionString)
    {
        using var data = new TempDirectory();

        var result = await CliRunner.RunAsync("info", "1", "--storage", "AzureBlob", "--connection-string", connectionString, "--data-dir", data.Path, "--verbose");

        Assert.NotEqual(0, result.ExitCode);
        AssertNoLineHasKey(result.Stdout + "\n" + result.Stderr);
    }

    [Theory]
    [MemberData(nameof(MalformedConnectionStrings))]
    public async Task SiloProgram_MalformedConnectionStringInEnvironment_FailsWithoutShowingTheKey(string connectionString)
    {
        using var data = new TempDirectory();
        var environment = new Dictionary<string, string>
        {
            ["ArrayDict__AzureStorageConnectionString"] = connectionString,
            ["Logging__LogLevel__Default"] = "Debug",
        };
        await using var silo = SiloProgramProcess.Start(["--storage", "AzureBlob", "--data-dir", data.Path], environment, data.Path);

        var (exitCode, output) = await silo.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, exitCode);
        Assert.Contains("ArrayDict:AzureStorageConnectionString cannot be read", output, StringComparison.Ordinal);
        AssertNoLineHasKey(output);
    }

    private static void AssertNoLineHasKey(string output)
    {
        Assert.False(string.IsNullOrWhiteSpace(output), "The program printed nothing, so the test shows nothing.");
        foreach (string line in output.Split('\n'))
        {
            Assert.DoesNotContain(Key, line, StringComparison.Ordinal);
        }
    }
}
