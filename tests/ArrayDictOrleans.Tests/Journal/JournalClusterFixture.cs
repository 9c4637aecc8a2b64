using ArrayDictOrleans.Client;
using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Tests.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;
using Orleans.TestingHost;

namespace ArrayDictOrleans.Tests.Journal;

/// <summary>
/// An in-process cluster of two silos whose ArrayDicts are stored as base + journal in local files (compacting
/// after a few records, so that runs cross compactions), behind the fault-injecting wrapper of the grain tests.
/// </summary>
public sealed class JournalClusterFixture : IAsyncLifetime
{
    public const string ProviderName = "journal-files";

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "arraydict-journal-cluster-" + Guid.NewGuid().ToString("N"));

    public IGrainFactory Grains => Cluster.Client;

    public ArrayDictClient CreateClient(int maxRetries = 8) => new(
        Grains,
        Options.Create(new ArrayDictClientOptions { MaxRetries = maxRetries, RetryDelay = TimeSpan.FromMilliseconds(10) }),
        NullLogger<ArrayDictClient>.Instance);

    public async Task InitializeAsync()
    {
        string directory = DataDirectory;
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddArrayDictGrains(grains => grains.PersistEvery = 1);
            silo.Services.AddArrayDictLocalJournalGrainStorage(ProviderName, directory, journal =>
            {
                journal.FlushBaseToDisk = false;

                // Compact every few calls, so that runs cross compactions.
                journal.MaxRecords = 3;
            });
            silo.Services.AddKeyedSingleton<IGrainStorage>(
                ArrayDictGrainOptions.StorageName,
                (services, _) => new FaultInjectingGrainStorage(services.GetRequiredKeyedService<IGrainStorage>(ProviderName)));
        });
        builder.ConfigureSilo((_, silo) => silo.Configure<SiloMessagingOptions>(messaging => messaging.ResponseTimeout = TimeSpan.FromMinutes(5)));
        builder.ConfigureClient(client => client.Configure<ClientMessagingOptions>(messaging => messaging.ResponseTimeout = TimeSpan.FromMinutes(5)));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        try
        {
            await Cluster.StopAllSilosAsync();
        }
        finally
        {
            await Cluster.DisposeAsync();
            if (Directory.Exists(DataDirectory))
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class JournalClusterCollection : ICollectionFixture<JournalClusterFixture>
{
    public const string Name = "journal cluster";
}
