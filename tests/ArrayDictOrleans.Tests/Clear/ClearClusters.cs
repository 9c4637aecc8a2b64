using ArrayDictOrleans.Silo.Hosting;
using ArrayDictOrleans.Tests.Azure;

namespace ArrayDictOrleans.Tests.Clear;

/// <summary>
/// One storage place and, started when a test first asks, one single-silo cluster per snapshot mode on it: the tests of
/// a class share them, each with grains of its own.
/// </summary>
public abstract class ClearClusters : IAsyncLifetime
{
    private readonly Dictionary<SnapshotMode, Task<StorageCluster>> _clusters = [];
    private StoragePlace? _place;

    public StoragePlace Place => _place ?? throw new InvalidOperationException("The fixture is not initialized.");

    public Task<StorageCluster> GetAsync(SnapshotMode mode)
    {
        lock (_clusters)
        {
            if (!_clusters.TryGetValue(mode, out var cluster))
            {
                cluster = StorageCluster.StartAsync(Place, mode);
                _clusters[mode] = cluster;
            }

            return cluster;
        }
    }

    public Task InitializeAsync()
    {
        _place = CreatePlace();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        try
        {
            foreach (var cluster in _clusters.Values)
            {
                await (await cluster).DisposeAsync();
            }
        }
        finally
        {
            if (_place is not null)
            {
                await _place.DisposeAsync();
            }
        }
    }

    protected abstract StoragePlace CreatePlace();
}

public sealed class LocalClearClusters : ClearClusters
{
    protected override StoragePlace CreatePlace() => new LocalStoragePlace();
}

public sealed class AzureClearClusters(AzuriteFixture azurite) : ClearClusters
{
    protected override StoragePlace CreatePlace() => new AzureStoragePlace(azurite);
}
