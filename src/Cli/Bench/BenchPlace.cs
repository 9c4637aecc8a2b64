using ArrayDictOrleans.Silo.Hosting;
using Azure.Storage.Blobs;
using ArrayDictOrleans.Client.Cli;

namespace ArrayDictOrleans.Client.Bench;

/// <summary>
/// Where one run of a bench variant keeps its grains' state, fresh for that run and deleted after it: a directory under
/// the data directory, and for a persisted variant with <c>--storage AzureBlob</c> a blob container as well.
/// </summary>
internal sealed class BenchPlace : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string? _container;
    private BlobContainerClient? _containerClient;

    private BenchPlace(string directory, string? container)
    {
        _directory = directory;
        _container = container;
    }

    /// <summary>The settings that point a silo here.</summary>
    public IReadOnlyDictionary<string, string?> Settings => _container is null
        ? new Dictionary<string, string?> { ["ArrayDict:DataDirectory"] = _directory, ["ArrayDict:Storage"] = nameof(StorageProvider.Local) }
        : new Dictionary<string, string?>
        {
            ["ArrayDict:DataDirectory"] = _directory,
            ["ArrayDict:Storage"] = nameof(StorageProvider.AzureBlob),
            ["ArrayDict:BlobContainerName"] = _container,
        };

    /// <summary>A fresh place for a run of <paramref name="variant"/>: in a new blob container when it is persisted and the storage is Azure Blob.</summary>
    public static BenchPlace For(string variant, BenchStorage storage, string root)
    {
        string id = Guid.NewGuid().ToString("N");
        string directory = Path.Combine(root, $"bench-{variant}-{id}");

        // bench-, the variant (22 characters at most) and 32 hex digits: within Azure's 63 characters.
        string? container = storage == BenchStorage.AzureBlob && BenchVariants.IsPersisted(variant) ? $"bench-{variant}-{id}" : null;
        return new BenchPlace(directory, container);
    }

    /// <summary>Binds the place to the storage account the silo was configured with (known once the silo has read its settings).</summary>
    public void Bind(ArrayDictSiloOptions silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        if (_container is not null)
        {
            _containerClient = new BlobServiceClient(silo.AzureStorageConnectionString).GetBlobContainerClient(_container);
        }
    }

    /// <summary>Bytes stored here now: the files of the directory, or the blobs of the container.</summary>
    public async Task<long> StoredBytesAsync(CancellationToken cancellationToken)
    {
        if (_containerClient is null)
        {
            return Directory.Exists(_directory)
                ? new DirectoryInfo(_directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length)
                : 0;
        }

        long bytes = 0;
        await foreach (var blob in _containerClient.GetBlobsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            bytes += blob.Properties.ContentLength ?? 0;
        }

        return bytes;
    }

    /// <summary>Deletes the directory and the container (call after the silo has stopped), then lets the disk catch up.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_containerClient is not null)
            {
                await _containerClient.DeleteIfExistsAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            if (Directory.Exists(_directory))
            {
                Directory.Delete(_directory, recursive: true);
            }

            DiskFlush.FlushAll();
        }
    }
}
