using ArrayDictOrleans.Grains;
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

    /// <summary>Keeps ArrayDict snapshots in memory (tests and throw-away runs): gone when the cluster stops.</summary>
    public static ISiloBuilder AddArrayDictMemoryStorage(this ISiloBuilder builder) =>
        builder.AddMemoryGrainStorage(ArrayDictGrainOptions.StorageName, (OptionsBuilder<MemoryGrainStorageOptions> options) =>
            options.Configure<ArrayDictStateSerializer>((o, serializer) => o.GrainStorageSerializer = serializer));
}
