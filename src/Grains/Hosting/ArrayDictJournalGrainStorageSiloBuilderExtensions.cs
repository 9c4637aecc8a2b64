using ArrayDictOrleans.Grains.Journal;
using Microsoft.Extensions.Options;

namespace Orleans.Hosting;

/// <summary>Registers journaling ArrayDict storage providers on a silo (see <see cref="ArrayDictJournalGrainStorageServiceCollectionExtensions"/>).</summary>
public static class ArrayDictJournalGrainStorageSiloBuilderExtensions
{
    /// <summary>Registers the local-file journal storage <paramref name="name"/>.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="name">The provider's name.</param>
    /// <param name="configureOptions">Sets the options.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder AddArrayDictLocalJournalGrainStorage(this ISiloBuilder builder, string name, Action<LocalFileJournalStorageOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddArrayDictLocalJournalGrainStorage(name, configureOptions);
        return builder;
    }

    /// <summary>Registers the local-file journal storage <paramref name="name"/>.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="name">The provider's name.</param>
    /// <param name="configureOptions">Configures the named options.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder AddArrayDictLocalJournalGrainStorage(this ISiloBuilder builder, string name, Action<OptionsBuilder<LocalFileJournalStorageOptions>>? configureOptions = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddArrayDictLocalJournalGrainStorage(name, configureOptions);
        return builder;
    }

    /// <summary>Registers the Azure Blob journal storage <paramref name="name"/>.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="name">The provider's name.</param>
    /// <param name="configureOptions">Sets the options.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder AddArrayDictAzureBlobJournalGrainStorage(this ISiloBuilder builder, string name, Action<AzureBlobJournalStorageOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddArrayDictAzureBlobJournalGrainStorage(name, configureOptions);
        return builder;
    }

    /// <summary>Registers the Azure Blob journal storage <paramref name="name"/>.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="name">The provider's name.</param>
    /// <param name="configureOptions">Configures the named options.</param>
    /// <returns>The builder.</returns>
    public static ISiloBuilder AddArrayDictAzureBlobJournalGrainStorage(this ISiloBuilder builder, string name, Action<OptionsBuilder<AzureBlobJournalStorageOptions>>? configureOptions = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddArrayDictAzureBlobJournalGrainStorage(name, configureOptions);
        return builder;
    }
}
