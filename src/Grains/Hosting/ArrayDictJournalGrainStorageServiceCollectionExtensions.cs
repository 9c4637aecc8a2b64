using ArrayDictOrleans.Grains.Journal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Hosting;

namespace Orleans.Hosting;

/// <summary>Registers journaling ArrayDict storage providers (a base snapshot plus a journal of delta records, docs/journal.md).</summary>
public static class ArrayDictJournalGrainStorageServiceCollectionExtensions
{
    /// <summary>Registers the local-file journal storage <paramref name="name"/>, configured by <paramref name="configureOptions"/>.</summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="name">The provider's name.</param>
    /// <param name="configureOptions">Sets the options.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddArrayDictLocalJournalGrainStorage(this IServiceCollection services, string name, Action<LocalFileJournalStorageOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(configureOptions);
        return services.AddArrayDictLocalJournalGrainStorage(name, optionsBuilder => optionsBuilder.Configure(configureOptions));
    }

    /// <summary>
    /// Registers the local-file journal storage <paramref name="name"/>: per grain a directory under
    /// <c>&lt;RootDirectory&gt;/&lt;name&gt;</c> with a base snapshot and a journal, writes synced by a silo-wide group commit.
    /// </summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="name">The provider's name.</param>
    /// <param name="configureOptions">Configures the named <see cref="LocalFileJournalStorageOptions"/>.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddArrayDictLocalJournalGrainStorage(
        this IServiceCollection services,
        string name,
        Action<OptionsBuilder<LocalFileJournalStorageOptions>>? configureOptions = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        configureOptions?.Invoke(services.AddOptions<LocalFileJournalStorageOptions>(name));
        services.AddTransient<IConfigurationValidator>(sp => new ArrayDictJournalOptionsValidator(
            sp.GetRequiredService<IOptionsMonitor<LocalFileJournalStorageOptions>>().Get(name),
            name));
        return services.AddGrainStorage(name, ArrayDictJournalGrainStorageFactory.CreateLocalFile);
    }

    /// <summary>Registers the Azure Blob journal storage <paramref name="name"/>, configured by <paramref name="configureOptions"/>.</summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="name">The provider's name.</param>
    /// <param name="configureOptions">Sets the options.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddArrayDictAzureBlobJournalGrainStorage(this IServiceCollection services, string name, Action<AzureBlobJournalStorageOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(configureOptions);
        return services.AddArrayDictAzureBlobJournalGrainStorage(name, optionsBuilder => optionsBuilder.Configure(configureOptions));
    }

    /// <summary>Registers the Azure Blob journal storage <paramref name="name"/>: per grain a base snapshot and a journal in blobs of one container.</summary>
    /// <param name="services">The silo's services.</param>
    /// <param name="name">The provider's name.</param>
    /// <param name="configureOptions">Configures the named <see cref="AzureBlobJournalStorageOptions"/>.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddArrayDictAzureBlobJournalGrainStorage(
        this IServiceCollection services,
        string name,
        Action<OptionsBuilder<AzureBlobJournalStorageOptions>>? configureOptions = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        configureOptions?.Invoke(services.AddOptions<AzureBlobJournalStorageOptions>(name));
        services.AddTransient<IConfigurationValidator>(sp => new ArrayDictJournalOptionsValidator(
            sp.GetRequiredService<IOptionsMonitor<AzureBlobJournalStorageOptions>>().Get(name),
            name));
        return services.AddGrainStorage(name, ArrayDictJournalGrainStorageFactory.CreateAzureBlob);
    }
}
