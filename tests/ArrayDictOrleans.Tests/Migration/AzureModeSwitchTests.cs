using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Tests.Azure;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using static ArrayDictOrleans.Tests.Journal.JournalTestStorage;

namespace ArrayDictOrleans.Tests.Migration;

/// <summary>
/// Switching modes on Azurite: <c>AddArrayDictAzureBlobStorage</c> (Orleans' blob provider) and
/// <c>AddArrayDictAzureBlobJournalStorage</c> on one container, their clients counted.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureModeSwitchTests(AzuriteFixture azurite) : ModeSwitchTests, IAsyncLifetime
{
    private readonly string _containerName = AzuriteFixture.NewContainerName("mode-switch");
    private readonly AzureRequestCounter _counter = new();
    private BlobContainerClient _container = null!;

    public Task InitializeAsync()
    {
        _container = azurite.CreateServiceClient().GetBlobContainerClient(_containerName);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _container.DeleteIfExistsAsync();

    [Fact]
    public async Task ModeSwitch_FullModeReadsGrainWithNothingStored_AsksForTheJournalOnce()
    {
        await using var full = await StartFullAsync();
        await ReadAsync(full.Storage, NewGrainId());

        var operations = await _counter.CountAsync(() => ReadAsync(full.Storage, NewGrainId()));

        // One GET for the Full snapshot, one for the journal: both 404, sent at the same time.
        Assert.Equal(["GET", "GET"], operations);
    }

    private protected override Task<ModeStorage> StartFullAsync() =>
        ModeStorage.StartAsync(
            silo => silo.AddArrayDictAzureBlobStorage(azurite.ConnectionString, _containerName),
            services => services.PostConfigure<AzureBlobStorageOptions>(ArrayDictGrainOptions.StorageName, options => options.BlobServiceClient = azurite.CreateServiceClient(_counter)));

    private protected override Task<ModeStorage> StartJournalAsync() =>
        ModeStorage.StartAsync(
            silo => silo.AddArrayDictAzureBlobJournalStorage(azurite.ConnectionString, _containerName),
            services => services.PostConfigure<AzureBlobJournalStorageOptions>(ArrayDictGrainOptions.StorageName, options => options.BlobServiceClient = azurite.CreateServiceClient(_counter)));

    protected override async Task<bool> FullSnapshotExistsAsync(GrainId grainId) =>
        (await _container.GetBlobClient(AzureBlobTestStorage.BlobName(StateName, grainId)).ExistsAsync()).Value;

    protected override async Task<bool> JournalExistsAsync(GrainId grainId)
    {
        string prefix = ArrayDictJournalGrainStorage.GetKey(StateName, grainId).Replace('\\', '/') + "/";
        await foreach (var _ in _container.GetBlobsAsync(global::Azure.Storage.Blobs.Models.BlobTraits.None, global::Azure.Storage.Blobs.Models.BlobStates.None, prefix, CancellationToken.None))
        {
            return true;
        }

        return false;
    }
}
