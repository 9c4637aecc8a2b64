using Azure.Storage.Blobs;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace ArrayDictOrleans.Tests.Azure;

/// <summary>
/// An in-process cluster of two silos whose ArrayDict snapshots go to Azure blob storage (the Azurite of the
/// collection's <see cref="AzuriteFixture"/>) through the product's registration, <c>AddArrayDictAzureBlobStorage</c>,
/// on a container of its own, deleted at the end. Tests keep apart by using keys no other test uses.
/// </summary>
public sealed class AzureClusterFixture(AzuriteFixture azurite) : IAsyncLifetime
{
    private static long _nextKey = Random.Shared.NextInt64(1, 1L << 40);

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public string ContainerName { get; } = AzuriteFixture.NewContainerName("grains");

    /// <summary>Gets a client of the cluster's container, for looking at and damaging the snapshots.</summary>
    public BlobContainerClient Container { get; private set; } = null!;

    public IArrayDictGrain NewGrain() => Cluster.Client.GetGrain<IArrayDictGrain>(Interlocked.Increment(ref _nextKey));

    /// <summary>The blob that holds <paramref name="grain"/>'s snapshot (state "arraydict", as the grain declares it).</summary>
    public BlobClient SnapshotBlob(IArrayDictGrain grain) =>
        Container.GetBlobClient(AzureBlobTestStorage.BlobName("arraydict", grain.GetGrainId()));

    public async Task InitializeAsync()
    {
        string connectionString = azurite.ConnectionString;
        string containerName = ContainerName;
        Container = azurite.CreateServiceClient().GetBlobContainerClient(containerName);
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) => silo
            .AddArrayDictGrains()
            .AddArrayDictAzureBlobStorage(connectionString, containerName));
        builder.ConfigureSilo((_, silo) => silo.Configure<SiloMessagingOptions>(messaging => messaging.ResponseTimeout = TimeSpan.FromMinutes(2)));
        builder.ConfigureClient(client => client.Configure<ClientMessagingOptions>(messaging => messaging.ResponseTimeout = TimeSpan.FromMinutes(2)));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (Cluster is not null)
            {
                await Cluster.StopAllSilosAsync();
                await Cluster.DisposeAsync();
            }
        }
        finally
        {
            if (Container is not null)
            {
                await Container.DeleteIfExistsAsync();
            }
        }
    }
}
