using ArrayDictOrleans.Grains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArrayDictOrleans.Grains.Journal;

/// <summary>Creates journaling ArrayDict storages from their named options.</summary>
public static class ArrayDictJournalGrainStorageFactory
{
    /// <summary>Creates the local-file journal storage named <paramref name="name"/> (options: <see cref="LocalFileJournalStorageOptions"/> of that name).</summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="name">The provider's name; its files go to a subdirectory of that name under the root directory.</param>
    /// <returns>The storage.</returns>
    public static ArrayDictJournalGrainStorage CreateLocalFile(IServiceProvider services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        var options = services.GetRequiredService<IOptionsMonitor<LocalFileJournalStorageOptions>>().Get(name);
        new ArrayDictJournalOptionsValidator(options, name).ValidateConfiguration();
        var store = new LocalFileJournalStore(Path.Combine(options.RootDirectory, LocalFileNames.Escape(name)), options, services.GetService<ILogger<LocalFileJournalStore>>());
        return Create(services, name, store, options);
    }

    /// <summary>Creates the Azure Blob journal storage named <paramref name="name"/> (options: <see cref="AzureBlobJournalStorageOptions"/> of that name).</summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="name">The provider's name.</param>
    /// <returns>The storage.</returns>
    public static ArrayDictJournalGrainStorage CreateAzureBlob(IServiceProvider services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        var options = services.GetRequiredService<IOptionsMonitor<AzureBlobJournalStorageOptions>>().Get(name);
        new ArrayDictJournalOptionsValidator(options, name).ValidateConfiguration();
        var store = new AzureBlobJournalStore(options.BlobServiceClient!.GetBlobContainerClient(options.ContainerName), services.GetService<ILogger<AzureBlobJournalStore>>());
        return Create(services, name, store, options);
    }

    private static ArrayDictJournalGrainStorage Create(IServiceProvider services, string name, IArrayDictJournalStore store, ArrayDictJournalOptions options)
    {
        var fullSnapshots = services.GetKeyedService<ArrayDictFullSnapshotSource>(name);
        return new(
            name,
            store,
            options,
            services.GetService<ArrayDictStateSerializer>() ?? ActivatorUtilities.CreateInstance<ArrayDictStateSerializer>(services),
            services.GetRequiredService<ILogger<ArrayDictJournalGrainStorage>>(),
            services.GetService<IGrainContextAccessor>(),
            fullSnapshots?.Storage,
            fullSnapshots?.Eraser);
    }
}
