using ArrayDictOrleans;
using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Grains.Persistence;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Orleans.Hosting;

/// <summary>Registers ArrayDict grains and the storage that holds their snapshots.</summary>
public static class ArrayDictSiloBuilderExtensions
{
    /// <summary>
    /// Registers the ArrayDict grains' options, their snapshot serializer, and the storage their state goes through
    /// (<see cref="ArrayDictGrainOptions.GrainStorageName"/>): the one registered as <see cref="ArrayDictGrainOptions.StorageName"/>,
    /// through which a grain whose stored state is damaged activates damaged instead of failing (docs/operations.md).
    /// </summary>
    public static ISiloBuilder AddArrayDictGrains(this ISiloBuilder builder, Action<ArrayDictGrainOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<ArrayDictStateSerializer>();
        builder.Services.AddKeyedSingleton<IGrainStorage>(ArrayDictGrainOptions.GrainStorageName, static (services, _) => new DamageTolerantGrainStorage(
            services.GetRequiredKeyedService<IGrainStorage>(ArrayDictGrainOptions.StorageName),
            services.GetRequiredService<ILogger<DamageTolerantGrainStorage>>()));
        builder.Services.AddOptions<ArrayDictGrainOptions>()
            .Configure(options => configure?.Invoke(options))
            .Validate(options => options.PersistEvery >= 0, $"{nameof(ArrayDictGrainOptions)}.{nameof(ArrayDictGrainOptions.PersistEvery)} must be 0 (only on checkpoint and deactivation) or more.")
            .Validate(options => options.Limits is { } limits && limits.Problems().Count == 0, $"{nameof(ArrayDictGrainOptions)}.{nameof(ArrayDictGrainOptions.Limits)}: every limit must be at least 1 ({ArrayDictLimits.SectionName}).")
            .ValidateOnStart();
        return builder;
    }

    /// <summary>
    /// Keeps ArrayDict state as one Full snapshot file per grain under <paramref name="directory"/>, rewritten on every
    /// write (<c>SnapshotMode=Full</c>). A grain that the journal mode stored under the same directory is read from its
    /// journal and moved to a snapshot by its first write (docs/journal.md, "Switching modes").
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="directory">The root directory; the provider's files go to a subdirectory named after it.</param>
    /// <param name="flushToDisk">Whether each write is synced to the disk before it replaces the previous snapshot.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder AddArrayDictLocalStorage(this ISiloBuilder builder, string directory, bool flushToDisk = true)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        const string name = ArrayDictGrainOptions.StorageName;
        builder.Services.AddLocalFileGrainStorageOptions(name, options =>
            options.Configure<ArrayDictStateSerializer>((o, serializer) =>
            {
                o.RootDirectory = directory;
                o.FlushToDisk = flushToDisk;
                o.GrainStorageSerializer = serializer;
            }));
        builder.Services.AddGrainStorage(name, ArrayDictFullGrainStorageFactory.CreateLocalFile);
        return builder;
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
        builder.AddArrayDictLocalJournalGrainStorage(ArrayDictGrainOptions.StorageName, options =>
        {
            options.RootDirectory = directory;
            configure?.Invoke(options);
        });
        AddFullSnapshotSource(builder.Services, ArrayDictGrainOptions.StorageName, ArrayDictFullSnapshotSource.CreateLocalFile);
        return builder;
    }

    /// <summary>
    /// Keeps ArrayDict state as one Full snapshot blob per grain in <paramref name="containerName"/> of the account that
    /// <paramref name="connectionString"/> names, rewritten on every write (<c>SnapshotMode=Full</c>, Orleans'
    /// <see cref="Orleans.Storage.AzureBlobGrainStorage"/>). A grain that the journal mode stored in the same container is
    /// read from its journal and moved to a snapshot by its first write (docs/journal.md, "Switching modes").
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="connectionString">The storage account's connection string.</param>
    /// <param name="containerName">The container.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder AddArrayDictAzureBlobStorage(this ISiloBuilder builder, string connectionString, string containerName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.AddArrayDictAzureBlobStorage(() => new BlobServiceClient(connectionString), containerName);
    }

    /// <summary>
    /// Keeps ArrayDict state as <see cref="AddArrayDictAzureBlobStorage(ISiloBuilder, string, string)"/> does, in the account
    /// of the client that <paramref name="createClient"/> makes (for example one with a service URI and a <c>TokenCredential</c>).
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="createClient">Makes the blob service client, when the provider is configured.</param>
    /// <param name="containerName">The container.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder AddArrayDictAzureBlobStorage(this ISiloBuilder builder, Func<BlobServiceClient> createClient, string containerName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(createClient);
        ArgumentException.ThrowIfNullOrWhiteSpace(containerName);
        const string name = ArrayDictGrainOptions.StorageName;
        var services = builder.Services;

        // What AddAzureBlobGrainStorage registers, except the provider itself: the wrapper takes its name.
        services.AddOptions<AzureBlobStorageOptions>(name).Configure<ArrayDictStateSerializer>((o, serializer) =>
        {
            o.BlobServiceClient = createClient();
            o.ContainerName = containerName;
            o.GrainStorageSerializer = serializer;
        });
        services.AddTransient<IConfigurationValidator>(sp => new AzureBlobStorageOptionsValidator(sp.GetRequiredService<IOptionsMonitor<AzureBlobStorageOptions>>().Get(name), name));
        services.AddTransient<IPostConfigureOptions<AzureBlobStorageOptions>, DefaultStorageProviderSerializerOptionsConfigurator<AzureBlobStorageOptions>>();
        services.ConfigureNamedOptionForLogging<AzureBlobStorageOptions>(name);
        services.AddGrainStorage(name, ArrayDictFullGrainStorageFactory.CreateAzureBlob);
        return builder;
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
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        return builder.AddArrayDictAzureBlobJournalStorage(() => new BlobServiceClient(connectionString), containerName, configure);
    }

    /// <summary>
    /// Keeps ArrayDict state as <see cref="AddArrayDictAzureBlobJournalStorage(ISiloBuilder, string, string, Action{AzureBlobJournalStorageOptions}?)"/>
    /// does, in the account of the client that <paramref name="createClient"/> makes (for example one with a service URI and
    /// a <c>TokenCredential</c>).
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="createClient">Makes the blob service client, when the provider is configured.</param>
    /// <param name="containerName">The container.</param>
    /// <param name="configure">Sets compaction thresholds and the blob client (<see cref="AzureBlobJournalStorageOptions"/>).</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder AddArrayDictAzureBlobJournalStorage(this ISiloBuilder builder, Func<BlobServiceClient> createClient, string containerName, Action<AzureBlobJournalStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(createClient);
        ArgumentException.ThrowIfNullOrWhiteSpace(containerName);
        builder.AddArrayDictAzureBlobJournalGrainStorage(ArrayDictGrainOptions.StorageName, options =>
        {
            options.BlobServiceClient = createClient();
            options.ContainerName = containerName;
            configure?.Invoke(options);
        });
        AddFullSnapshotSource(builder.Services, ArrayDictGrainOptions.StorageName, ArrayDictFullSnapshotSource.CreateAzureBlob);
        return builder;
    }

    /// <summary>
    /// Lets the journal storage <paramref name="name"/> read the Full snapshots of the same place and adopt them (a switch
    /// from Full to Journal): the Full provider it reads, under its name, started with the silo.
    /// </summary>
    private static void AddFullSnapshotSource(IServiceCollection services, string name, Func<IServiceProvider, string, ArrayDictFullSnapshotSource> create)
    {
        services.AddKeyedSingleton(name, (sp, _) => create(sp, name));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredKeyedService<ArrayDictFullSnapshotSource>(name));
    }

    /// <summary>Keeps ArrayDict snapshots in memory (tests and throw-away runs): gone when the cluster stops.</summary>
    public static ISiloBuilder AddArrayDictMemoryStorage(this ISiloBuilder builder) =>
        builder.AddMemoryGrainStorage(ArrayDictGrainOptions.StorageName, (OptionsBuilder<MemoryGrainStorageOptions> options) =>
            options.Configure<ArrayDictStateSerializer>((o, serializer) => o.GrainStorageSerializer = serializer));
}
