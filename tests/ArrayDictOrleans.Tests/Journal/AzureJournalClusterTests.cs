using ArrayDictOrleans.Tests.Azure;
using ArrayDictOrleans.Tests.Grains;
using ArrayDictOrleans.Workload;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace ArrayDictOrleans.Tests.Journal;

/// <summary>SW1 through a two-silo in-process cluster whose grains journal to Azure Blob (Azurite), compacting every few calls.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureJournalClusterTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly string _containerName = AzuriteFixture.NewContainerName("journal-grains");
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        string connectionString = azurite.ConnectionString;
        string containerName = _containerName;
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) => silo
            .AddArrayDictGrains()
            .AddArrayDictAzureBlobJournalStorage(connectionString, containerName, journal => journal.MaxRecords = 3));
        builder.ConfigureSilo((_, silo) => silo.Configure<SiloMessagingOptions>(messaging => messaging.ResponseTimeout = TimeSpan.FromMinutes(2)));
        builder.ConfigureClient(client => client.Configure<ClientMessagingOptions>(messaging => messaging.ResponseTimeout = TimeSpan.FromMinutes(2)));
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_cluster is not null)
            {
                await _cluster.StopAllSilosAsync();
                await _cluster.DisposeAsync();
            }
        }
        finally
        {
            await azurite.CreateServiceClient().GetBlobContainerClient(_containerName).DeleteIfExistsAsync();
        }
    }

    [Fact]
    public async Task AzureJournalCluster_Sw1DeactivatingGrainsMidRun_MatchesPlainLoop()
    {
        var parameters = new Sw1Parameters(Objects: 10, Rows: 400, Updates: 30, Appends: 5, Budget: 6, Width: 2);

        await JournalSw1Driver.RunAndCheckAsync(_cluster, parameters, ClusterFixture.NewKeyBlock(parameters.Objects));
    }
}
