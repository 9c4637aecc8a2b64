using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Storage;

namespace ArrayDictOrleans.Benchmarks;

/// <summary>Orleans' grain-storage serializers, taken from the services of a silo host (built, never started).</summary>
public static class Serializers
{
    private static IHost? s_host;

    /// <summary>
    /// The silo's default grain-storage serializer (<see cref="JsonGrainStorageSerializer"/>, Newtonsoft JSON with the
    /// silo's settings) and an <see cref="OrleansGrainStorageSerializer"/> over the silo's Orleans serializer.
    /// </summary>
    public static (IGrainStorageSerializer Json, IGrainStorageSerializer Orleans) Create()
    {
        if (s_host is null)
        {
            var builder = Host.CreateApplicationBuilder();
            builder.UseOrleans(silo => silo.UseLocalhostClustering());
            s_host = builder.Build();
        }

        var json = s_host.Services.GetRequiredService<IGrainStorageSerializer>();
        if (json is not JsonGrainStorageSerializer)
        {
            throw new InvalidOperationException($"The silo's default grain-storage serializer is {json.GetType()}, not {nameof(JsonGrainStorageSerializer)}.");
        }

        return (json, ActivatorUtilities.CreateInstance<OrleansGrainStorageSerializer>(s_host.Services));
    }
}
