using ArrayDictOrleans.Tests.Azure;
using ArrayDictOrleans.Tests.Workload;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Tests.Cli;

[Collection(AzuriteCollection.Name)]
public sealed class BenchAzureTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Bench_AzureBlob_PersistedVariantsRunInFreshContainers_DeletedAfterwards()
    {
        using var data = new TempDirectory();
        var service = azurite.CreateServiceClient();
        var before = await BenchContainersAsync(service);

        var json = (await CliRunner.RunAsync(
            "bench", "--json", "--no-bytes", "--data-dir", data.Path, "--storage", "AzureBlob", "--connection-string", azurite.ConnectionString,
            "--objects", "6", "--rows", "40", "--iterations", "3",
            "--variants", "orleans", "orleans-journal", "orleans-snapshots", "orleans-json-snapshots")).Json();

        Assert.Equal("AzureBlob", json.GetProperty("storage").GetString());
        var variants = json.GetProperty("variants").EnumerateArray().ToArray();
        Assert.Equal(["orleans", "orleans-journal", "orleans-snapshots", "orleans-json-snapshots"], variants.Select(v => v.GetProperty("name").GetString()));
        Assert.Equal(0, variants[0].GetProperty("storedBytes").GetInt64());
        foreach (var persisted in variants.Skip(1))
        {
            Assert.True(persisted.GetProperty("storedBytes").GetInt64() > 0, $"{persisted.GetProperty("name")} stored no blob");
        }

        var expected = PlainSw1Loop.Run(new Sw1Parameters(Objects: 6, Rows: 40, Budget: 3));
        Assert.Equal(expected.TotalRows, json.GetProperty("totalRows").GetInt64());
        Assert.Equal(expected.Checksum, json.GetProperty("checksum").GetDouble(), Math.Abs(expected.Checksum) * 1e-9);
        Assert.Equal(before, await BenchContainersAsync(service));
        Assert.Empty(Directory.EnumerateFileSystemEntries(data.Path));
    }

    private static async Task<HashSet<string>> BenchContainersAsync(global::Azure.Storage.Blobs.BlobServiceClient service)
    {
        var names = new HashSet<string>();
        await foreach (var container in service.GetBlobContainersAsync(prefix: "bench-"))
        {
            names.Add(container.Name);
        }

        return names;
    }
}
