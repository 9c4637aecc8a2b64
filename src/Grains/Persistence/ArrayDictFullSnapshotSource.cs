using ArrayDictOrleans.Grains.Journal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization.Serializers;
using Orleans.Storage;

namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>
/// The Full provider a journal storage reads and adopts snapshots from after a switch from Full to Journal
/// (docs/journal.md, "Switching modes"), registered under the journal provider's name and built from its options: the
/// same root directory, or the same container. Its clear deletes (never a tombstone), as adopting requires.
/// </summary>
/// <param name="storage">The Full provider.</param>
/// <param name="eraser">Replaces and deletes its snapshots whatever they hold (a forced clear); null when <paramref name="storage"/> does it itself.</param>
internal sealed class ArrayDictFullSnapshotSource(IGrainStorage storage, IFullSnapshotEraser? eraser = null) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Gets the Full provider.</summary>
    public IGrainStorage Storage => storage;

    /// <summary>Gets what replaces and deletes the provider's snapshots whatever they hold, or null when nothing can.</summary>
    public IFullSnapshotEraser? Eraser => eraser ?? storage as IFullSnapshotEraser;

    /// <inheritdoc />
    public void Participate(ISiloLifecycle lifecycle) => (storage as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

    /// <summary>The local-file Full provider beside the local-file journal named <paramref name="name"/>.</summary>
    public static ArrayDictFullSnapshotSource CreateLocalFile(IServiceProvider services, string name)
    {
        var journal = services.GetRequiredService<IOptionsMonitor<LocalFileJournalStorageOptions>>().Get(name);
        var serializer = Serializer(services);
        var options = new LocalFileGrainStorageOptions
        {
            RootDirectory = journal.RootDirectory,
            DeleteStateOnClear = true,
            FlushToDisk = !journal.AllowLostCallsOnMachineCrash,
            GrainStorageSerializer = serializer,
        };
        return new ArrayDictFullSnapshotSource(new LocalFileGrainStorage(
            name,
            options,
            serializer,
            services.GetRequiredService<IActivatorProvider>(),
            services.GetRequiredService<ILogger<LocalFileGrainStorage>>()));
    }

    /// <summary>Orleans' Azure Blob Full provider on the container of the Azure Blob journal named <paramref name="name"/>.</summary>
    public static ArrayDictFullSnapshotSource CreateAzureBlob(IServiceProvider services, string name)
    {
        var journal = services.GetRequiredService<IOptionsMonitor<AzureBlobJournalStorageOptions>>().Get(name);
        var options = new AzureBlobStorageOptions
        {
            BlobServiceClient = journal.BlobServiceClient
                ?? throw new OrleansConfigurationException($"Journal storage '{name}': {nameof(AzureBlobJournalStorageOptions)}.{nameof(AzureBlobJournalStorageOptions.BlobServiceClient)} is not set."),
            ContainerName = journal.ContainerName,
            DeleteStateOnClear = true,
            GrainStorageSerializer = Serializer(services),
        };
        return new ArrayDictFullSnapshotSource(
            ActivatorUtilities.CreateInstance<AzureBlobGrainStorage>(services, name, options, options.BuildContainerFactory(services, options)),
            new AzureBlobFullSnapshotEraser(options.BlobServiceClient.GetBlobContainerClient(options.ContainerName)));
    }

    private static ArrayDictStateSerializer Serializer(IServiceProvider services) =>
        services.GetService<ArrayDictStateSerializer>() ?? ActivatorUtilities.CreateInstance<ArrayDictStateSerializer>(services);
}
