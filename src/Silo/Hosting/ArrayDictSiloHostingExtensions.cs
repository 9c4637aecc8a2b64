using System.Net;
using ArrayDictOrleans.Silo.Hosting;
using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>Makes a .NET host an ArrayDict silo, configured from the <c>ArrayDict</c> configuration section.</summary>
public static class ArrayDictSiloHostingExtensions
{
    /// <summary>The command-line flags the silo understands, and the settings they set.</summary>
    public static IReadOnlyDictionary<string, string> SwitchMappings { get; } = new Dictionary<string, string>
    {
        ["--cluster-id"] = "ArrayDict:ClusterId",
        ["--service-id"] = "ArrayDict:ServiceId",
        ["--clustering"] = "ArrayDict:Clustering",
        ["--storage"] = "ArrayDict:Storage",
        ["--data-dir"] = "ArrayDict:DataDirectory",
        ["--connection-string"] = "ArrayDict:AzureStorageConnectionString",
        ["--container"] = "ArrayDict:BlobContainerName",
        ["--address"] = "ArrayDict:AdvertisedIPAddress",
        ["--silo-port"] = "ArrayDict:SiloPort",
        ["--gateway-port"] = "ArrayDict:GatewayPort",
        ["--primary-silo-port"] = "ArrayDict:PrimarySiloPort",
        ["--response-timeout"] = "ArrayDict:ResponseTimeout",
        ["--persist-every"] = "ArrayDict:PersistEvery",
    };

    /// <summary>
    /// Reads and checks the <c>ArrayDict</c> section, then configures Orleans: clustering, endpoints,
    /// response timeout, the ArrayDict grains and their snapshot storage.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="configureSilo">More silo configuration, applied last (tests, dashboards, telemetry).</param>
    /// <exception cref="OptionsValidationException">A setting is invalid; the failures name each one.</exception>
    public static IHostApplicationBuilder AddArrayDictSilo(this IHostApplicationBuilder builder, Action<ArrayDictSiloOptions, ISiloBuilder>? configureSilo = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection(ArrayDictSiloOptions.SectionName);
        var options = section.Get<ArrayDictSiloOptions>() ?? new ArrayDictSiloOptions();
        var validation = new ArrayDictSiloOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(ArrayDictSiloOptions.SectionName, typeof(ArrayDictSiloOptions), validation.Failures);
        }

        builder.Services.AddSingleton(Options.Options.Create(options));
        builder.UseOrleans(silo => ConfigureSilo(silo, options, configureSilo));
        return builder;
    }

    private static void ConfigureSilo(ISiloBuilder silo, ArrayDictSiloOptions options, Action<ArrayDictSiloOptions, ISiloBuilder>? configureSilo)
    {
        var address = IPAddress.Parse(options.AdvertisedIPAddress);
        switch (options.Clustering)
        {
            case ClusteringProvider.Localhost:
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, new IPEndPoint(address, options.PrimarySiloPort), options.ServiceId, options.ClusterId);
                break;
            case ClusteringProvider.AzureTable:
                silo.UseAzureStorageClustering(clustering =>
                {
                    clustering.TableServiceClient = new TableServiceClient(options.AzureStorageConnectionString);
                    clustering.TableName = options.MembershipTableName;
                });
                silo.Configure<ClusterOptions>(cluster =>
                {
                    cluster.ClusterId = options.ClusterId;
                    cluster.ServiceId = options.ServiceId;
                });
                break;
        }

        silo.Configure<EndpointOptions>(endpoints =>
        {
            endpoints.AdvertisedIPAddress = address;
            endpoints.SiloPort = options.SiloPort;
            endpoints.GatewayPort = options.GatewayPort;
            endpoints.SiloListeningEndpoint = new IPEndPoint(address, options.SiloPort);
            endpoints.GatewayListeningEndpoint = new IPEndPoint(address, options.GatewayPort);
        });
        silo.Configure<SiloMessagingOptions>(messaging => messaging.ResponseTimeout = options.ResponseTimeout);
        silo.AddArrayDictGrains(grains => grains.PersistEvery = options.PersistEvery);
        switch (options.Storage)
        {
            case StorageProvider.Local:
                silo.AddArrayDictLocalStorage(options.DataDirectory, options.FlushToDisk);
                break;
            case StorageProvider.AzureBlob:
                silo.AddArrayDictAzureBlobStorage(options.AzureStorageConnectionString!, options.BlobContainerName);
                break;
            case StorageProvider.Memory:
                silo.AddArrayDictMemoryStorage();
                break;
        }

        configureSilo?.Invoke(options, silo);
    }
}
