using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Grains.Persistence;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Orleans.Hosting;

/// <summary>Registers ArrayDict grains and the storage that holds their snapshots.</summary>
public static class ArrayDictSiloBuilderExtensions
{
    /// <summary>Registers the ArrayDict grains' options and their snapshot serializer.</summary>
    public static ISiloBuilder AddArrayDictGrains(this ISiloBuilder builder, Action<ArrayDictGrainOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<ArrayDictStateSerializer>();
        builder.Services.AddOptions<ArrayDictGrainOptions>()
            .Configure(options => configure?.Invoke(options))
            .Validate(options => options.PersistEvery >= 0, $"{nameof(ArrayDictGrainOptions)}.{nameof(ArrayDictGrainOptions.PersistEvery)} must be 0 (only on checkpoint and deactivation) or more.")
            .ValidateOnStart();
        return builder;
    }

    /// <summary>Keeps ArrayDict snapshots as files under <paramref name="directory"/> (the embedded default).</summary>
    public static ISiloBuilder AddArrayDictLocalStorage(this ISiloBuilder builder, string directory, bool flushToDisk = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return builder.AddLocalFileGrainStorage(ArrayDictGrainOptions.StorageName, (OptionsBuilder<LocalFileGrainStorageOptions> options) =>
            options.Configure<ArrayDictStateSerializer>((o, serializer) =>
            {
                o.RootDirectory = directory;
                o.FlushToDisk = flushToDisk;
                o.GrainStorageSerializer = serializer;
            }));
    }

    /// <summary>
    /// Keeps ArrayDict state under <paramref name="directory"/> as a base snapshot plus a journal of delta records
    /// (docs/journal.md): a write after a call appends the rows the call changed, synced by a group commit.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="directory">The root directory; the provider's files go to a subdirectory named after it.</param>
    /// <param name="configure">Sets compaction thresholds and syncing (<see cref="LocalFileJournalStorageOptions"/>).</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder AddArrayDictLocalJournalStorage(this ISiloBuilder builder, string directory, Action<LocalFileJournalStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        return builder.AddArrayDictLocalJournalGrainStorage(ArrayDictGrainOptions.StorageName, options =>
        {
            options.RootDirectory = directory;
            configure?.Invoke(options);
        });
    }

    /// <summary>Keeps ArrayDict snapshots as block blobs in <paramref name="containerName"/> of the account that <paramref name="connectionString"/> names.</summary>
    public static ISiloBuilder AddArrayDictAzureBlobStorage(this ISiloBuilder builder, string connectionString, string containerName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(containerName);
        return builder.AddAzureBlobGrainStorage(ArrayDictGrainOptions.StorageName, (OptionsBuilder<AzureBlobStorageOptions> options) =>
            options.Configure<ArrayDictStateSerializer>((o, serializer) =>
            {
                o.BlobServiceClient = new BlobServiceClient(connectionString);
                o.ContainerName = containerName;
                o.GrainStorageSerializer = serializer;
            }));
    }

    /// <summary>
    /// Keeps ArrayDict state in <paramref name="containerName"/> of the account that <paramref name="connectionString"/>
    /// names, as a base snapshot plus a journal of delta records (docs/journal.md).
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="connectionString">The storage account's connection string.</param>
    /// <param name="containerName">The container.</param>
    /// <param name="configure">Sets compaction thresholds and the blob client (<see cref="AzureBlobJournalStorageOptions"/>).</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder AddArrayDictAzureBlobJournalStorage(this ISiloBuilder builder, string connectionString, string containerName, Action<AzureBlobJournalStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(containerName);
        return builder.AddArrayDictAzureBlobJournalGrainStorage(ArrayDictGrainOptions.StorageName, options =>
        {
            options.BlobServiceClient = new BlobServiceClient(connectionString);
            options.ContainerName = containerName;
            configure?.Invoke(options);
        });
    }

    /// <summary>Keeps ArrayDict snapshots in memory (tests and throw-away runs): gone when the cluster stops.</summary>
    public static ISiloBuilder AddArrayDictMemoryStorage(this ISiloBuilder builder) =>
        builder.AddMemoryGrainStorage(ArrayDictGrainOptions.StorageName, (OptionsBuilder<MemoryGrainStorageOptions> options) =>
            options.Configure<ArrayDictStateSerializer>((o, serializer) => o.GrainStorageSerializer = serializer));
}
