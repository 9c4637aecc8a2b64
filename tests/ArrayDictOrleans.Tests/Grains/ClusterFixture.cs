using ArrayDictOrleans.Client;
using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Grains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;
using Orleans.TestingHost;

namespace ArrayDictOrleans.Tests.Grains;

/// <summary>
/// An in-process cluster of two silos whose ArrayDict snapshots go to local files in a fresh temporary
/// directory, through a storage wrapper that can inject write faults per grain.
/// </summary>
public class ClusterFixture : IAsyncLifetime
{
    /// <summary>The name of the storage behind the fault-injecting wrapper.</summary>
    public const string InnerStorageName = "inner";

    private static long _nextKey = Random.Shared.NextInt64(1, 1L << 40);

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "arraydict-tests-" + Guid.NewGuid().ToString("N"));

    public IGrainFactory Grains => Cluster.Client;

    protected virtual int PersistEvery => 1;

    /// <summary>A key no other test uses, so tests never share state.</summary>
    public static long NewKey() => Interlocked.Increment(ref _nextKey);

    /// <summary>The first of <paramref name="count"/> consecutive keys no other test uses.</summary>
    public static long NewKeyBlock(int count) => Interlocked.Add(ref _nextKey, count) - count + 1;

    public IArrayDictGrain NewGrain() => Grains.GetGrain<IArrayDictGrain>(NewKey());

    public ArrayDictClient CreateClient(int maxRetries = 8) => new(
        Grains,
        Options.Create(new ArrayDictClientOptions { MaxRetries = maxRetries, RetryDelay = TimeSpan.FromMilliseconds(10) }),
        NullLogger<ArrayDictClient>.Instance);

    public async Task InitializeAsync()
    {
        string directory = DataDirectory;
        int persistEvery = PersistEvery;
        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddArrayDictGrains(grains => grains.PersistEvery = persistEvery);
            AddInnerStorage(silo, InnerStorageName, directory);
            silo.Services.AddKeyedSingleton<IGrainStorage>(
                ArrayDictGrainOptions.StorageName,
                (services, _) => new FaultInjectingGrainStorage(services.GetRequiredKeyedService<IGrainStorage>(InnerStorageName)));
        });
        // As the product's hosts do: calls may take long (here, 10,000 queued on one grain).
        builder.ConfigureSilo((_, silo) => silo.Configure<SiloMessagingOptions>(messaging => messaging.ResponseTimeout = TimeSpan.FromMinutes(5)));
        builder.ConfigureClient(client => client.Configure<ClientMessagingOptions>(messaging => messaging.ResponseTimeout = TimeSpan.FromMinutes(5)));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>Registers, as <paramref name="name"/>, the storage behind the fault-injecting wrapper: full snapshots in local files.</summary>
    protected virtual void AddInnerStorage(ISiloBuilder silo, string name, string directory) =>
        silo.AddLocalFileGrainStorage(name, (OptionsBuilder<LocalFileGrainStorageOptions> options) =>
            options.Configure<ArrayDictStateSerializer>((o, serializer) =>
            {
                o.RootDirectory = directory;
                o.GrainStorageSerializer = serializer;

                // These tests are about what a process sees, not about surviving a machine crash: skip the fsync.
                o.FlushToDisk = false;
            }));

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

/// <summary>The same cluster, persisting only on checkpoint and deactivation.</summary>
public sealed class CheckpointOnlyClusterFixture : ClusterFixture
{
    protected override int PersistEvery => 0;
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}

[CollectionDefinition(Name)]
public sealed class CheckpointOnlyClusterCollection : ICollectionFixture<CheckpointOnlyClusterFixture>
{
    public const string Name = "checkpoint-only cluster";
}
