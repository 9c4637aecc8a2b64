using ArrayDictOrleans.Tests.Grains;
using Orleans.TestingHost;

namespace ArrayDictOrleans.Tests.Limits;

/// <summary>A one-silo cluster in memory whose limits are small, so that every limit can be reached with little data.</summary>
public sealed class LimitsClusterFixture : IAsyncLifetime
{
    public static ArrayDictLimits Limits { get; } = new()
    {
        MaxWidth = 16,
        MaxRows = 1000,
        MaxBytes = 64 * 1024,
        MaxRowsPerCall = 100,
        MaxBytesPerCall = 8 * 1024,
        MaxEpoch = 1_000_000,
    };

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IArrayDictGrain NewGrain() => Cluster.Client.GetGrain<IArrayDictGrain>(Grains.ClusterFixture.NewKey());

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddArrayDictGrains(grains => grains.Limits = Limits);
            silo.AddArrayDictMemoryStorage();
        });
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
        }
    }
}

/// <summary>Runs alone: a refused request's allocations are measured process-wide, where no other test may allocate meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LimitsClusterCollection : ICollectionFixture<LimitsClusterFixture>
{
    public const string Name = "limits cluster";
}

/// <summary>A cluster with the default limits of its own, run alone for the same reason as <see cref="LimitsClusterCollection"/>.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DefaultLimitsClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "default limits cluster";
}
