using ArrayDictOrleans.Grains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Orleans.Hosting;

/// <summary>
/// <see cref="IServiceCollection"/> extensions that register <see cref="LocalFileGrainStorage"/>.
/// </summary>
public static class LocalFileGrainStorageServiceCollectionExtensions
{
    /// <summary>Registers a local-file grain storage provider as the default grain storage.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configureOptions">Configures the provider's options.</param>
    /// <returns>The same service collection, for chaining.</returns>
    public static IServiceCollection AddLocalFileGrainStorageAsDefault(this IServiceCollection services, Action<LocalFileGrainStorageOptions> configureOptions) =>
        services.AddLocalFileGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configureOptions);

    /// <summary>Registers a local-file grain storage provider under <paramref name="name"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The provider name, as used in <c>[PersistentState(stateName, name)]</c>.</param>
    /// <param name="configureOptions">Configures the provider's options.</param>
    /// <returns>The same service collection, for chaining.</returns>
    public static IServiceCollection AddLocalFileGrainStorage(this IServiceCollection services, string name, Action<LocalFileGrainStorageOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(configureOptions);
        return services.AddLocalFileGrainStorage(name, optionsBuilder => optionsBuilder.Configure(configureOptions));
    }

    /// <summary>Registers a local-file grain storage provider as the default grain storage.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configureOptions">Configures the provider's options through an options builder (binding, validation); may be <see langword="null"/> to keep the defaults.</param>
    /// <returns>The same service collection, for chaining.</returns>
    public static IServiceCollection AddLocalFileGrainStorageAsDefault(this IServiceCollection services, Action<OptionsBuilder<LocalFileGrainStorageOptions>>? configureOptions = null) =>
        services.AddLocalFileGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configureOptions);

    /// <summary>Registers a local-file grain storage provider under <paramref name="name"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The provider name, as used in <c>[PersistentState(stateName, name)]</c>.</param>
    /// <param name="configureOptions">Configures the provider's options through an options builder (binding, validation); may be <see langword="null"/> to keep the defaults.</param>
    /// <returns>The same service collection, for chaining.</returns>
    public static IServiceCollection AddLocalFileGrainStorage(
        this IServiceCollection services,
        string name,
        Action<OptionsBuilder<LocalFileGrainStorageOptions>>? configureOptions = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        services.AddLocalFileGrainStorageOptions(name, configureOptions);
        return services.AddGrainStorage(name, LocalFileGrainStorageFactory.Create);
    }

    /// <summary>Registers the named options of a local-file provider and their validation, without the provider (a wrapper registers it).</summary>
    internal static IServiceCollection AddLocalFileGrainStorageOptions(
        this IServiceCollection services,
        string name,
        Action<OptionsBuilder<LocalFileGrainStorageOptions>>? configureOptions)
    {
        configureOptions?.Invoke(services.AddOptions<LocalFileGrainStorageOptions>(name));
        services.AddTransient<IConfigurationValidator>(sp => new LocalFileGrainStorageOptionsValidator(
            sp.GetRequiredService<IOptionsMonitor<LocalFileGrainStorageOptions>>().Get(name),
            name));
        services.AddTransient<IPostConfigureOptions<LocalFileGrainStorageOptions>, DefaultStorageProviderSerializerOptionsConfigurator<LocalFileGrainStorageOptions>>();
        services.ConfigureNamedOptionForLogging<LocalFileGrainStorageOptions>(name);
        return services;
    }
}
