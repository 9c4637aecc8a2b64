using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>
/// Creates <see cref="LocalFileGrainStorage"/> instances from the service container.
/// </summary>
public static class LocalFileGrainStorageFactory
{
    /// <summary>
    /// Creates the storage provider named <paramref name="name"/> with its named <see cref="LocalFileGrainStorageOptions"/>.
    /// </summary>
    /// <param name="services">The service provider.</param>
    /// <param name="name">The provider name.</param>
    /// <returns>The storage provider.</returns>
    public static LocalFileGrainStorage Create(IServiceProvider services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);

        var options = services.GetRequiredService<IOptionsMonitor<LocalFileGrainStorageOptions>>().Get(name);
        var serializer = options.GrainStorageSerializer
            ?? services.GetKeyedService<IGrainStorageSerializer>(name)
            ?? services.GetRequiredService<IGrainStorageSerializer>();
        return ActivatorUtilities.CreateInstance<LocalFileGrainStorage>(services, name, options, serializer);
    }
}
