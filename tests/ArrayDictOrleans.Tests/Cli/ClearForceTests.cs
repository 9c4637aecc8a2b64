using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Tests.Azure;
using ArrayDictOrleans.Tests.Grains;

namespace ArrayDictOrleans.Tests.Cli;

/// <summary>
/// <c>arraydict clear ID --force</c> on a damaged ArrayDict, with the program's embedded silo, on local files and on
/// Azurite: without <c>--force</c> every command fails in one line that names the read error and the way out; with it,
/// the stored state is deleted, a warning says what was lost, and the ArrayDict is usable again.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ClearForceTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Clear_DamagedLocalJournal_RefusedWithoutForceAndDeletedWithForce()
    {
        using var data = new TempDirectory();
        string[] at = ["--data-dir", data.Path];
        Assert.Equal(0, (await CliRunner.RunAsync(["set", "7", "1", "2.5", .. at])).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(["set", "7", "2", "3.5", .. at])).ExitCode);
        var grainDirectory = Path.Combine(data.Path, "arraydict", "arraydict", "arraydict", "7");
        File.Delete(Assert.Single(Directory.GetFiles(grainDirectory, "*" + LocalFileJournalStore.BaseExtension)));

        await AssertForcedClearRecoversAsync("7", "no base snapshot", at);

        Assert.False(Directory.Exists(grainDirectory), "the damaged journal is deleted");
    }

    [Fact]
    public async Task Clear_DamagedAzureJournal_RefusedWithoutForceAndDeletedWithForce()
    {
        long key = ClusterFixture.NewKey();
        string id = key.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] at = ["--storage", "AzureBlob", "--connection-string", azurite.ConnectionString];
        Assert.Equal(0, (await CliRunner.RunAsync(["set", id, "1", "2.5", .. at])).ExitCode);
        Assert.Equal(0, (await CliRunner.RunAsync(["set", id, "2", "3.5", .. at])).ExitCode);

        // The embedded silo's default container; the base the journal names gets a byte flipped.
        var store = new AzureBlobJournalStore(azurite.CreateServiceClient().GetBlobContainerClient("arraydict-snapshots"));
        string stored = ArrayDictJournalGrainStorage.GetKey("arraydict", GrainId.Create(GrainType.Create("arraydict"), GrainIdKeyExtensions.CreateIntegerKey(key)));
        var journal = (await store.GetJournalBlob(stored).GetPropertiesAsync()).Value;
        var baseBlob = store.GetBaseBlob(stored, journal.Metadata[AzureBlobJournalStore.BaseMetadataName]);
        var bytes = (await baseBlob.DownloadContentAsync()).Value.Content.ToArray();
        bytes[bytes.Length / 2] ^= 0x5A;
        await baseBlob.UploadAsync(BinaryData.FromBytes(bytes), overwrite: true);

        await AssertForcedClearRecoversAsync(id, "checksum", at);

        Assert.False((await store.GetJournalBlob(stored).ExistsAsync()).Value, "the journal blob is deleted");
        Assert.False((await baseBlob.ExistsAsync()).Value, "the damaged base blob is deleted");
    }

    [Fact]
    public async Task Clear_ForceOnMemoryStorage_ClearsLikeClear()
    {
        string[] at = ["--storage", "Memory"];

        var forced = await CliRunner.RunAsync(["clear", "5", "--force", "--width", "3", "--json", .. at]);

        var json = forced.Json();
        Assert.Equal(3, json.GetProperty("width").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.GetProperty("damaged").ValueKind);
        Assert.Equal(string.Empty, forced.Stderr);
    }

    private static async Task AssertForcedClearRecoversAsync(string id, string readError, string[] at)
    {
        var info = await CliRunner.RunAsync(["info", id, .. at]);
        info.AssertFailed(1, $"clear {id} --force");
        Assert.Contains(readError, info.Stderr, StringComparison.Ordinal);
        var clear = await CliRunner.RunAsync(["clear", id, .. at]);
        clear.AssertFailed(1, $"clear {id} --force");

        var forced = await CliRunner.RunAsync(["clear", id, "--force", "--json", .. at]);

        var json = forced.Json();
        Assert.True(json.GetProperty("forced").GetBoolean());
        Assert.Contains(readError, json.GetProperty("damaged").GetString(), StringComparison.Ordinal);
        string warning = Assert.Single(forced.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("arraydict: warning: ", warning, StringComparison.Ordinal);
        Assert.Contains("cannot be recovered", warning, StringComparison.Ordinal);

        var after = (await CliRunner.RunAsync(["info", id, "--json", .. at])).Json();
        Assert.Equal(0, after.GetProperty("count").GetInt32());
        Assert.Equal(0, (await CliRunner.RunAsync(["set", id, "3", "4.5", .. at])).ExitCode);
        Assert.Equal("4.5", (await CliRunner.RunAsync(["get", id, "3", .. at])).Stdout.Trim());

        var again = await CliRunner.RunAsync(["clear", id, "--force", .. at]);
        Assert.Equal(0, again.ExitCode);
        Assert.Equal(string.Empty, again.Stderr);
        Assert.Contains($"ArrayDict {id} cleared", again.Stdout, StringComparison.Ordinal);
    }
}
