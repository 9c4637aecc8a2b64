using System.Net;
using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Security;
using ArrayDictOrleans.Silo.Hosting;
using Azure.Core;
using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;

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
        ["--blob-service-uri"] = "ArrayDict:AzureBlobServiceUri",
        ["--table-service-uri"] = "ArrayDict:AzureTableServiceUri",
        ["--address"] = "ArrayDict:AdvertisedIPAddress",
        ["--silo-port"] = "ArrayDict:SiloPort",
        ["--gateway-port"] = "ArrayDict:GatewayPort",
        ["--primary-silo-port"] = "ArrayDict:PrimarySiloPort",
        ["--response-timeout"] = "ArrayDict:ResponseTimeout",
        ["--persist-every"] = "ArrayDict:PersistEvery",
        ["--snapshot-mode"] = "ArrayDict:SnapshotMode",
        ["--allow-lost-calls-on-machine-crash"] = "ArrayDict:AllowLostCallsOnMachineCrash",
        ["--dashboard"] = "ArrayDict:Dashboard:Enabled",
        ["--dashboard-port"] = "ArrayDict:Dashboard:Port",
        ["--dashboard-live-trace"] = "ArrayDict:Dashboard:ShowLiveTrace",
        ["--telemetry"] = "ArrayDict:Telemetry:Exporter",
        ["--otlp-endpoint"] = "ArrayDict:Telemetry:OtlpEndpoint",
        ["--fast-failover"] = "ArrayDict:FastFailover",
        ["--allow-insecure-network"] = "ArrayDict:AllowInsecureNetwork",
        ["--tls"] = "ArrayDict:Tls:Enabled",
        ["--tls-certificate"] = "ArrayDict:Tls:CertificatePath",
        ["--tls-key"] = "ArrayDict:Tls:CertificateKeyPath",
        ["--tls-password-file"] = "ArrayDict:Tls:CertificatePasswordFile",
        ["--tls-ca"] = "ArrayDict:Tls:CaCertificatePath",
        ["--method-assembly"] = "ArrayDict:MethodAssemblies:0",
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
        var options = ArrayDictSiloConfiguration.Read(builder.Configuration);
        ArrayDictCertificates? certificates = null;
        if (options.Tls.Enabled)
        {
            try
            {
                certificates = ArrayDictCertificates.Load(options.Tls);
            }
            catch (InvalidOperationException unreadable)
            {
                throw new OptionsValidationException(ArrayDictTlsOptions.SectionName, typeof(ArrayDictTlsOptions), [unreadable.Message]);
            }
        }

        var methodAssemblies = MethodAssemblies.Load(options.MethodAssemblies);

        builder.Services.AddSingleton(Options.Options.Create(options));
        if (methodAssemblies.Count > 0)
        {
            // Orleans' way to add an assembly's generated serializers and types to the serializer and type manifest.
            builder.Services.AddSerializer(serializer =>
            {
                foreach (var assembly in methodAssemblies)
                {
                    serializer.AddAssembly(assembly);
                }
            });
        }

        builder.UseOrleans(silo =>
        {
            if (certificates is not null)
            {
                ArrayDictSiloTls.Use(silo, options.Tls, certificates);
            }

            ConfigureSilo(silo, options, configureSilo);
        });
        return builder;
    }

    private static void ConfigureSilo(ISiloBuilder silo, ArrayDictSiloOptions options, Action<ArrayDictSiloOptions, ISiloBuilder>? configureSilo)
    {
        var address = IPAddress.Parse(options.AdvertisedIPAddress);
        var azure = new ArrayDictAzureClients(options);
        switch (options.Clustering)
        {
            case ClusteringProvider.Localhost:
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, new IPEndPoint(address, options.PrimarySiloPort), options.ServiceId, options.ClusterId);
                break;
            case ClusteringProvider.AzureTable:
                silo.UseAzureStorageClustering(clustering =>
                {
                    clustering.TableServiceClient = azure.Table();
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
        if (options.FastFailover)
        {
            UseFastFailover(silo, options, azure);
        }

        silo.AddArrayDictGrains(grains =>
        {
            grains.PersistEvery = options.PersistEvery;
            grains.Limits = options.Limits;
        });
        switch (options.Storage)
        {
            case StorageProvider.Local when options.SnapshotMode == SnapshotMode.Journal:
                silo.AddArrayDictLocalJournalStorage(options.DataDirectory, journal => journal.AllowLostCallsOnMachineCrash = options.AllowLostCallsOnMachineCrash);
                break;
            case StorageProvider.Local:
                silo.AddArrayDictLocalStorage(options.DataDirectory, options.FlushToDisk && !options.AllowLostCallsOnMachineCrash);
                break;
            case StorageProvider.AzureBlob when options.SnapshotMode == SnapshotMode.Journal:
                silo.AddArrayDictAzureBlobJournalStorage(
                    () => azure.Blob(options.FastFailover ? FastFailoverJournalBlobOptions(options) : null),
                    options.BlobContainerName);
                break;
            case StorageProvider.AzureBlob:
                silo.AddArrayDictAzureBlobStorage(() => azure.Blob(), options.BlobContainerName);
                break;
            case StorageProvider.Memory:
                silo.AddArrayDictMemoryStorage();
                break;
        }

        configureSilo?.Invoke(options, silo);
    }

    /// <summary>Under the fast-failover profile, the journal's blob client retries briefly, as the full-snapshot provider's does.</summary>
    private static BlobClientOptions FastFailoverJournalBlobOptions(ArrayDictSiloOptions options)
    {
        var client = new BlobClientOptions();
        client.Retry.MaxRetries = 2;
        client.Retry.Mode = RetryMode.Exponential;
        client.Retry.Delay = TimeSpan.FromMilliseconds(200);
        client.Retry.MaxDelay = TimeSpan.FromSeconds(1);
        client.Retry.NetworkTimeout = options.ResponseTimeout < ArrayDictSiloOptions.FastFailoverResponseTimeout
            ? options.ResponseTimeout
            : ArrayDictSiloOptions.FastFailoverResponseTimeout;
        return client;
    }

    /// <summary>The fast-failover profile: a dead silo is declared dead, and its grains move, within seconds.</summary>
    private static void UseFastFailover(ISiloBuilder silo, ArrayDictSiloOptions options, ArrayDictAzureClients azure)
    {
        silo.Configure<ClusterMembershipOptions>(membership =>
        {
            membership.ProbeTimeout = TimeSpan.FromSeconds(1);
            membership.NumMissedProbesLimit = 2;
            membership.TableRefreshTimeout = TimeSpan.FromSeconds(2);
            membership.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
        });
        var responseTimeout = options.ResponseTimeout < ArrayDictSiloOptions.FastFailoverResponseTimeout
            ? options.ResponseTimeout
            : ArrayDictSiloOptions.FastFailoverResponseTimeout;
        silo.Configure<SiloMessagingOptions>(messaging => messaging.ResponseTimeout = responseTimeout);
        if (options.Storage == StorageProvider.AzureBlob)
        {
            // The Azure SDK's default retries (3, from 0.8 s, exponential) outlast a 5 s response timeout, so a caller would
            // see a TimeoutException instead of the storage error: bound them so that a snapshot write against unreachable
            // storage fails, rolls back and says so (ArrayDictStorageException) well within the response timeout.
            silo.Services.PostConfigure<AzureBlobStorageOptions>(ArrayDictGrainOptions.StorageName, blobs =>
            {
                var client = new BlobClientOptions();
                client.Retry.MaxRetries = 2;
                client.Retry.Mode = RetryMode.Exponential;
                client.Retry.Delay = TimeSpan.FromMilliseconds(200);
                client.Retry.MaxDelay = TimeSpan.FromSeconds(1);
                client.Retry.NetworkTimeout = responseTimeout;
                blobs.BlobServiceClient = azure.Blob(client);
            });
        }
    }
}
