using ArrayDictOrleans.Grains.Persistence;
using Microsoft.Extensions.Options;
using Orleans.Providers;

namespace Orleans.Hosting;

/// <summary>
/// <see cref="ISiloBuilder"/> extensions that add <see cref="LocalFileGrainStorage"/> to a silo.
/// </summary>
public static class LocalFileGrainStorageSiloBuilderExtensions
{
    /// <summary>Adds a local-file grain storage provider as the silo's default grain storage.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="configureOptions">Configures the provider's options.</param>
    /// <returns>The same silo builder, for chaining.</returns>
    public static ISiloBuilder AddLocalFileGrainStorageAsDefault(this ISiloBuilder builder, Action<LocalFileGrainStorageOptions> configureOptions) =>
        builder.AddLocalFileGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configureOptions);

    /// <summary>Adds a local-file grain storage provider named <paramref name="name"/> to the silo.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="name">The provider name, as used in <c>[PersistentState(stateName, name)]</c>.</param>
    /// <param name="configureOptions">Configures the provider's options.</param>
    /// <returns>The same silo builder, for chaining.</returns>
    public static ISiloBuilder AddLocalFileGrainStorage(this ISiloBuilder builder, string name, Action<LocalFileGrainStorageOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddLocalFileGrainStorage(name, configureOptions);
        return builder;
    }

    /// <summary>Adds a local-file grain storage provider as the silo's default grain storage.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="configureOptions">Configures the provider's options through an options builder (binding, validation); may be <see langword="null"/> to keep the defaults.</param>
    /// <returns>The same silo builder, for chaining.</returns>
    public static ISiloBuilder AddLocalFileGrainStorageAsDefault(this ISiloBuilder builder, Action<OptionsBuilder<LocalFileGrainStorageOptions>>? configureOptions = null) =>
        builder.AddLocalFileGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configureOptions);

    /// <summary>Adds a local-file grain storage provider named <paramref name="name"/> to the silo.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="name">The provider name, as used in <c>[PersistentState(stateName, name)]</c>.</param>
    /// <param name="configureOptions">Configures the provider's options through an options builder (binding, validation); may be <see langword="null"/> to keep the defaults.</param>
    /// <returns>The same silo builder, for chaining.</returns>
    public static ISiloBuilder AddLocalFileGrainStorage(this ISiloBuilder builder, string name, Action<OptionsBuilder<LocalFileGrainStorageOptions>>? configureOptions = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddLocalFileGrainStorage(name, configureOptions);
        return builder;
    }
}
