using ArrayDictOrleans.Grains.Journal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Storage;

namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>
/// Creates the Full-mode ArrayDict storages (<see cref="ArrayDictFullGrainStorage"/>): a Full provider from its named
/// options, plus a reader of the journals that the journal mode keeps for the same provider name and place.
/// </summary>
public static class ArrayDictFullGrainStorageFactory
{
    /// <summary>
    /// Creates the storage named <paramref name="name"/> over <see cref="LocalFileGrainStorage"/> (named
    /// <see cref="LocalFileGrainStorageOptions"/>); journals are read under the same root directory and provider name.
    /// </summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="name">The provider's name.</param>
    /// <returns>The storage.</returns>
    public static ArrayDictFullGrainStorage CreateLocalFile(IServiceProvider services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        var options = services.GetRequiredService<IOptionsMonitor<LocalFileGrainStorageOptions>>().Get(name);
        var snapshots = LocalFileGrainStorageFactory.Create(services, name);
        var journalOptions = new LocalFileJournalStorageOptions
        {
            RootDirectory = options.RootDirectory,
            AllowLostCallsOnMachineCrash = !options.FlushToDisk,
        };
        var store = new LocalFileJournalStore(Path.Combine(options.RootDirectory, LocalFileNames.Escape(name)), journalOptions, services.GetService<ILogger<LocalFileJournalStore>>());
        return Create(services, name, snapshots, store, journalOptions);
    }

    /// <summary>
    /// Creates the storage named <paramref name="name"/> over Orleans' <see cref="AzureBlobGrainStorage"/> (named
    /// <see cref="AzureBlobStorageOptions"/>, whose <see cref="AzureBlobStorageOptions.BlobServiceClient"/> must be set);
    /// journals are read in the same container.
    /// </summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="name">The provider's name.</param>
    /// <returns>The storage.</returns>
    /// <exception cref="OrleansConfigurationException">The options name no blob service client.</exception>
    public static ArrayDictFullGrainStorage CreateAzureBlob(IServiceProvider services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        var options = services.GetRequiredService<IOptionsMonitor<AzureBlobStorageOptions>>().Get(name);
        var client = options.BlobServiceClient
            ?? throw new OrleansConfigurationException($"Full-snapshot storage '{name}': set {nameof(AzureBlobStorageOptions)}.{nameof(AzureBlobStorageOptions.BlobServiceClient)}, through which it also reads the journal mode's blobs.");
        var snapshots = AzureBlobGrainStorageFactory.Create(services, name);
        var container = client.GetBlobContainerClient(options.ContainerName);

        // At each activation it only asks whether a journal exists: one request, not two for the previous journal layout, which Full mode never read.
        var store = new AzureBlobJournalStore(container, services.GetService<ILogger<AzureBlobJournalStore>>()) { ReportsPreviousLayout = false };
        return Create(
            services,
            name,
            snapshots,
            store,
            new AzureBlobJournalStorageOptions { BlobServiceClient = client, ContainerName = options.ContainerName },
            new AzureBlobFullSnapshotEraser(container));
    }

    private static ArrayDictFullGrainStorage Create(IServiceProvider services, string name, IGrainStorage snapshots, IArrayDictJournalStore store, ArrayDictJournalOptions journalOptions, IFullSnapshotEraser? eraser = null)
    {
        var journal = new ArrayDictJournalGrainStorage(
            name,
            store,
            journalOptions,
            services.GetService<ArrayDictStateSerializer>() ?? ActivatorUtilities.CreateInstance<ArrayDictStateSerializer>(services),
            services.GetRequiredService<ILogger<ArrayDictJournalGrainStorage>>(),
            services.GetService<IGrainContextAccessor>());
        return new ArrayDictFullGrainStorage(name, snapshots, journal, services.GetRequiredService<ILogger<ArrayDictFullGrainStorage>>(), eraser);
    }
}
