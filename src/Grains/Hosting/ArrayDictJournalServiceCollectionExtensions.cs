using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Grains.Persistence;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Hosting;

namespace Orleans.Hosting;

/// <summary>Registers journaling ArrayDict storage providers (base snapshot + journal of delta records).</summary>
public static class ArrayDictJournalServiceCollectionExtensions
{
    /// <summary>
    /// Registers the grain storage <paramref name="name"/> keeping ArrayDict states under
    /// <c>&lt;<paramref name="directory"/>&gt;/&lt;name&gt;</c> as a base snapshot plus a journal (docs/journal.md).
    /// Needs the <see cref="ArrayDictStateSerializer"/> that <c>AddArrayDictGrains</c> registers.
    /// </summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="name">The provider's name.</param>
    /// <param name="directory">The root directory.</param>
    /// <param name="configure">Sets compaction thresholds and flushing.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddArrayDictLocalJournalGrainStorage(this IServiceCollection services, string name, string directory, Action<ArrayDictJournalOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var options = new ArrayDictJournalOptions();
        configure?.Invoke(options);
        options.Validate(name);
        return services.AddGrainStorage(name, (provider, providerName) => new ArrayDictJournalGrainStorage(
            providerName,
            new LocalFileJournalStore(Path.Combine(directory, LocalFileNames.Escape(providerName)), options),
            options,
            provider.GetRequiredService<ArrayDictStateSerializer>(),
            provider.GetRequiredService<ILogger<ArrayDictJournalGrainStorage>>()));
    }

    /// <summary>The default <see cref="ArrayDictJournalOptions.MaxRecords"/> on Azure: each append commits the blob's whole block list, so keep it short.</summary>
    public const int AzureDefaultMaxRecords = 1000;

    /// <summary>
    /// Registers the grain storage <paramref name="name"/> keeping ArrayDict states as block blobs in
    /// <paramref name="containerName"/>: a base snapshot plus one block per journal record (docs/journal.md).
    /// <see cref="ArrayDictJournalOptions.MaxRecords"/> defaults to <see cref="AzureDefaultMaxRecords"/> here.
    /// </summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="name">The provider's name.</param>
    /// <param name="connectionString">The storage account's connection string (<c>UseDevelopmentStorage=true</c> for Azurite).</param>
    /// <param name="containerName">The container; created when missing.</param>
    /// <param name="configure">Sets compaction thresholds.</param>
    /// <param name="clientOptions">Options of the blob client (retries, timeouts), or null for the defaults.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddArrayDictAzureBlobJournalGrainStorage(
        this IServiceCollection services,
        string name,
        string connectionString,
        string containerName,
        Action<ArrayDictJournalOptions>? configure = null,
        BlobClientOptions? clientOptions = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(containerName);
        var options = new ArrayDictJournalOptions { MaxRecords = AzureDefaultMaxRecords };
        configure?.Invoke(options);
        options.Validate(name);
        return services.AddGrainStorage(name, (provider, providerName) => new ArrayDictJournalGrainStorage(
            providerName,
            new AzureBlobJournalStore(new BlobServiceClient(connectionString, clientOptions).GetBlobContainerClient(containerName)),
            options,
            provider.GetRequiredService<ArrayDictStateSerializer>(),
            provider.GetRequiredService<ILogger<ArrayDictJournalGrainStorage>>()));
    }
}
