using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Grains.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Storage;

namespace Microsoft.Extensions.Hosting;

/// <summary>The serializer of the ArrayDicts' full snapshots, for hosts that want another one than the project's snapshot format.</summary>
public static class ArrayDictStorageSerializerExtensions
{
    /// <summary>
    /// Makes the full-snapshot storage of the ArrayDict grains (<c>SnapshotMode=Full</c>: local files, or Orleans' own
    /// Azure Blob provider) write and read its state with <paramref name="serializer"/>, such as Orleans'
    /// <c>JsonGrainStorageSerializer</c>, instead of the project's binary snapshot format. The journal does not use it.
    /// </summary>
    /// <param name="silo">The silo builder.</param>
    /// <param name="serializer">Makes the serializer from the silo's services.</param>
    public static ISiloBuilder UseArrayDictGrainStorageSerializer(this ISiloBuilder silo, Func<IServiceProvider, IGrainStorageSerializer> serializer)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(serializer);
        silo.Services.AddOptions<AzureBlobStorageOptions>(ArrayDictGrainOptions.StorageName)
            .PostConfigure<IServiceProvider>((options, services) => options.GrainStorageSerializer = serializer(services));
        silo.Services.AddOptions<LocalFileGrainStorageOptions>(ArrayDictGrainOptions.StorageName)
            .PostConfigure<IServiceProvider>((options, services) => options.GrainStorageSerializer = serializer(services));
        return silo;
    }
}
