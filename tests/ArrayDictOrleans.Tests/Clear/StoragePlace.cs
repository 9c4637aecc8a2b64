using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Grains.Persistence;
using ArrayDictOrleans.Silo.Hosting;
using ArrayDictOrleans.Tests.Azure;
using ArrayDictOrleans.Tests.Migration;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using static ArrayDictOrleans.Tests.Journal.JournalTestStorage;

namespace ArrayDictOrleans.Tests.Clear;

/// <summary>
/// Where ArrayDicts are stored (a data directory, or a blob container) and the product's registration of each snapshot
/// mode on it, for a silo and for the store-level <see cref="ModeStorage"/>; plus what tests need to look at and damage
/// what is stored for a grain, bypassing the storages.
/// </summary>
public abstract class StoragePlace : IAsyncDisposable
{
    /// <summary>Gets a name for messages ("local files", "Azure Blob").</summary>
    public abstract string Name { get; }

    /// <summary>Adds the ArrayDict storage of <paramref name="mode"/> on this place, as the silo host does.</summary>
    public abstract void Register(ISiloBuilder silo, SnapshotMode mode);

    /// <summary>Starts a store-level run of <paramref name="mode"/> on this place (to store a form of a grain as another mode would).</summary>
    internal Task<ModeStorage> StartAsync(SnapshotMode mode) => ModeStorage.StartAsync(silo => Register(silo, mode));

    /// <summary>The names of everything stored for the grain, in either form, leftovers of interrupted operations included.</summary>
    public abstract Task<IReadOnlyList<string>> StoredAsync(GrainId grainId);

    /// <summary>Damages the stored form <paramref name="form"/> of the grain so that reading it fails (a checksum, a missing base).</summary>
    public abstract Task DamageAsync(GrainId grainId, SnapshotMode form);

    /// <summary>The bytes of the grain's journal (of its current generation).</summary>
    public abstract Task<byte[]> ReadJournalAsync(GrainId grainId);

    /// <summary>Replaces the bytes of the grain's journal by <paramref name="bytes"/>, as a torn or cut file would hold them.</summary>
    public abstract Task SetJournalAsync(GrainId grainId, ReadOnlyMemory<byte> bytes);

    /// <summary>The contents of every file or blob <see cref="StoredAsync"/> names, by name.</summary>
    public abstract Task<Dictionary<string, byte[]>> ReadStoredAsync(GrainId grainId);

    /// <summary>Puts back what <see cref="ReadStoredAsync"/> read, where it differs from what is stored now: a repair by hand.</summary>
    public abstract Task RestoreAsync(Dictionary<string, byte[]> stored);

    public abstract ValueTask DisposeAsync();

    /// <summary>Flips one byte in the middle of <paramref name="bytes"/>'s snapshot payload: its checksum then fails.</summary>
    protected static byte[] FlipMiddleByte(byte[] bytes)
    {
        var damaged = (byte[])bytes.Clone();
        damaged[damaged.Length / 2] ^= 0x5A;
        return damaged;
    }
}

/// <summary>A fresh data directory: Full snapshots <c>K.snapshot</c>, journals in directories <c>K/</c>, under <c>arraydict/</c>.</summary>
public sealed class LocalStoragePlace : StoragePlace
{
    private const string ProviderDirectoryName = "arraydict";

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "arraydict-clear-tests", Guid.NewGuid().ToString("N"));

    public override string Name => "local files";

    public override void Register(ISiloBuilder silo, SnapshotMode mode)
    {
        // These tests are about what a process leaves behind, not about machine crashes: no syncs.
        if (mode == SnapshotMode.Full)
        {
            silo.AddArrayDictLocalStorage(DataDirectory, flushToDisk: false);
        }
        else
        {
            silo.AddArrayDictLocalJournalStorage(DataDirectory, journal => journal.AllowLostCallsOnMachineCrash = true);
        }
    }

    public string JournalDirectory(GrainId grainId) =>
        Path.Combine(DataDirectory, ProviderDirectoryName, ArrayDictJournalGrainStorage.GetKey(StateName, grainId));

    public string SnapshotPath(GrainId grainId) => JournalDirectory(grainId) + LocalFileGrainStorage.StateFileExtension;

    public override Task<IReadOnlyList<string>> StoredAsync(GrainId grainId)
    {
        var stored = new List<string>();
        foreach (var directory in new[] { JournalDirectory(grainId), JournalDirectory(grainId) + LocalFileJournalStore.ClearingSuffix })
        {
            if (Directory.Exists(directory))
            {
                stored.Add(directory + "/");
                stored.AddRange(Directory.EnumerateFiles(directory));
            }
        }

        if (File.Exists(SnapshotPath(grainId)))
        {
            stored.Add(SnapshotPath(grainId));
        }

        return Task.FromResult<IReadOnlyList<string>>(stored);
    }

    public override Task<byte[]> ReadJournalAsync(GrainId grainId) => File.ReadAllBytesAsync(JournalPath(grainId));

    public override async Task SetJournalAsync(GrainId grainId, ReadOnlyMemory<byte> bytes) =>
        await File.WriteAllBytesAsync(JournalPath(grainId), bytes);

    public override async Task<Dictionary<string, byte[]>> ReadStoredAsync(GrainId grainId)
    {
        var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in await StoredAsync(grainId))
        {
            if (File.Exists(name))
            {
                contents[name] = await File.ReadAllBytesAsync(name);
            }
        }

        return contents;
    }

    public override async Task RestoreAsync(Dictionary<string, byte[]> stored)
    {
        foreach (var (path, bytes) in stored)
        {
            if (!File.Exists(path) || !(await File.ReadAllBytesAsync(path)).AsSpan().SequenceEqual(bytes))
            {
                await File.WriteAllBytesAsync(path, bytes);
            }
        }
    }

    public override async Task DamageAsync(GrainId grainId, SnapshotMode form)
    {
        if (form == SnapshotMode.Full)
        {
            var path = SnapshotPath(grainId);
            await File.WriteAllBytesAsync(path, FlipMiddleByte(await File.ReadAllBytesAsync(path)));
            return;
        }

        // A journal without its base: what an interrupted clear used to leave.
        foreach (var path in Directory.EnumerateFiles(JournalDirectory(grainId), "*" + LocalFileJournalStore.BaseExtension))
        {
            File.Delete(path);
        }
    }

    private string JournalPath(GrainId grainId) =>
        Assert.Single(Directory.GetFiles(JournalDirectory(grainId), "*" + LocalFileJournalStore.JournalExtension));

    public override ValueTask DisposeAsync()
    {
        if (Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>A fresh container of the collection's Azurite: Full snapshots <c>arraydict-&lt;grain id&gt;.json</c>, journals under <c>K/</c>.</summary>
public sealed class AzureStoragePlace(AzuriteFixture azurite) : StoragePlace
{
    private readonly BlobContainerClient _container = azurite.CreateServiceClient().GetBlobContainerClient(AzuriteFixture.NewContainerName("clear"));

    public override string Name => "Azure Blob";

    public BlobContainerClient Container => _container;

    public override void Register(ISiloBuilder silo, SnapshotMode mode)
    {
        if (mode == SnapshotMode.Full)
        {
            silo.AddArrayDictAzureBlobStorage(azurite.ConnectionString, _container.Name);
        }
        else
        {
            silo.AddArrayDictAzureBlobJournalStorage(azurite.ConnectionString, _container.Name);
        }
    }

    public BlobClient SnapshotBlob(GrainId grainId) => _container.GetBlobClient(AzureBlobTestStorage.BlobName(StateName, grainId));

    public override async Task<IReadOnlyList<string>> StoredAsync(GrainId grainId)
    {
        var stored = new List<string>();
        if (!(await _container.ExistsAsync()).Value)
        {
            return stored;
        }

        string key = ArrayDictJournalGrainStorage.GetKey(StateName, grainId).Replace('\\', '/');
        await foreach (var blob in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, key, CancellationToken.None))
        {
            // The prefix also matches keys that only start alike (grain 12 and grain 123).
            if (blob.Name == key || blob.Name.StartsWith(key + "/", StringComparison.Ordinal))
            {
                stored.Add(blob.Name);
            }
        }

        if ((await SnapshotBlob(grainId).ExistsAsync()).Value)
        {
            stored.Add(SnapshotBlob(grainId).Name);
        }

        return stored;
    }

    public override async Task<byte[]> ReadJournalAsync(GrainId grainId) =>
        (await JournalBlob(grainId).DownloadContentAsync()).Value.Content.ToArray();

    /// <remarks>An append blob cannot be cut: it is created again, naming the same base, with the bytes appended.</remarks>
    public override async Task SetJournalAsync(GrainId grainId, ReadOnlyMemory<byte> bytes)
    {
        var journal = JournalBlob(grainId);
        var metadata = (await journal.GetPropertiesAsync()).Value.Metadata;
        await journal.CreateAsync(new AppendBlobCreateOptions { Metadata = metadata });
        if (!bytes.IsEmpty)
        {
            using var content = BinaryData.FromBytes(bytes).ToStream();
            await journal.AppendBlockAsync(content);
        }
    }

    private AppendBlobClient JournalBlob(GrainId grainId) =>
        new AzureBlobJournalStore(_container).GetJournalBlob(ArrayDictJournalGrainStorage.GetKey(StateName, grainId));

    public override async Task<Dictionary<string, byte[]>> ReadStoredAsync(GrainId grainId)
    {
        var contents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in await StoredAsync(grainId))
        {
            contents[name] = (await _container.GetBlobClient(name).DownloadContentAsync()).Value.Content.ToArray();
        }

        return contents;
    }

    /// <remarks>Only block blobs (snapshots, bases) are put back; the journal's append blob is never damaged by these tests.</remarks>
    public override async Task RestoreAsync(Dictionary<string, byte[]> stored)
    {
        foreach (var (name, bytes) in stored)
        {
            var blob = _container.GetBlobClient(name);
            if (!(await blob.ExistsAsync()).Value || !(await blob.DownloadContentAsync()).Value.Content.ToMemory().Span.SequenceEqual(bytes))
            {
                await blob.UploadAsync(BinaryData.FromBytes(bytes), overwrite: true);
            }
        }
    }

    public override async Task DamageAsync(GrainId grainId, SnapshotMode form)
    {
        BlobClient blob;
        if (form == SnapshotMode.Full)
        {
            blob = SnapshotBlob(grainId);
        }
        else
        {
            // The base the journal names: its snapshot checksum then fails.
            var store = new AzureBlobJournalStore(_container);
            var key = ArrayDictJournalGrainStorage.GetKey(StateName, grainId);
            var properties = (await store.GetJournalBlob(key).GetPropertiesAsync()).Value;
            blob = store.GetBaseBlob(key, properties.Metadata[AzureBlobJournalStore.BaseMetadataName]);
        }

        var bytes = (await blob.DownloadContentAsync()).Value.Content.ToArray();
        await blob.UploadAsync(BinaryData.FromBytes(FlipMiddleByte(bytes)), overwrite: true);
    }

    public override async ValueTask DisposeAsync() => await _container.DeleteIfExistsAsync();
}
