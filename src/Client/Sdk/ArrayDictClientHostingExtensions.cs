using ArrayDictOrleans.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>Connects a .NET host to an ArrayDict cluster, configured from the <c>ArrayDict</c> configuration section.</summary>
public static class ArrayDictClientHostingExtensions
{
    /// <summary>The gateway used when none is configured.</summary>
    public const string DefaultGateway = "127.0.0.1:30000";

    /// <summary>The gateway list refresh period of the fast-failover profile (<see cref="ArrayDictClientOptions.FastFailover"/>): 2 s.</summary>
    public static TimeSpan FastFailoverGatewayListRefreshPeriod { get; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest response timeout of the fast-failover profile (<see cref="ArrayDictClientOptions.FastFailover"/>): 5 s.</summary>
    public static TimeSpan FastFailoverResponseTimeout { get; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Reads and checks the <c>ArrayDict</c> section, configures the Orleans client (static gateways or
    /// Azure Table gateway discovery, response timeout) and registers <see cref="ArrayDictClient"/>.
    /// </summary>
    /// <exception cref="OptionsValidationException">A setting is invalid; the failures name each one.</exception>
    public static IHostApplicationBuilder AddArrayDictClient(this IHostApplicationBuilder builder, Action<ArrayDictClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Configuration.GetSection(ArrayDictClientOptions.SectionName).Get<ArrayDictClientOptions>() ?? new ArrayDictClientOptions();
        configure?.Invoke(options);
        if (options.Gateways.Count == 0)
        {
            options.Gateways.Add(DefaultGateway);
        }

        var validation = new ArrayDictClientOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(ArrayDictClientOptions.SectionName, typeof(ArrayDictClientOptions), validation.Failures);
        }

        builder.Services.AddSingleton(Options.Options.Create(options));
        builder.Services.AddSingleton<ArrayDictClient>();
        builder.UseOrleansClient(client =>
        {
            if (ArrayDictClientOptionsValidator.IsClustering(options, "AzureTable"))
            {
                client.UseAzureStorageClustering(gateways =>
                {
                    gateways.TableServiceClient = ArrayDictClientAzure.Table(options);
                    gateways.TableName = options.MembershipTableName;
                });
            }
            else
            {
                var endpoints = options.Gateways.Select(gateway =>
                {
                    ArrayDictClientOptionsValidator.TryParseGateway(gateway, out var endpoint);
                    return endpoint;
                }).ToArray();
                client.UseStaticClustering(endpoints);
            }

            client.Configure<ClusterOptions>(cluster =>
            {
                cluster.ClusterId = options.ClusterId;
                cluster.ServiceId = options.ServiceId;
            });
            client.Configure<ClientMessagingOptions>(messaging => messaging.ResponseTimeout = options.ResponseTimeout);
            if (options.Tls.Enabled)
            {
                ArrayDictClientTls.Use(client, options.Tls);
            }

            if (options.FastFailover)
            {
                client.Configure<GatewayOptions>(gateways => gateways.GatewayListRefreshPeriod = FastFailoverGatewayListRefreshPeriod);
                client.Configure<ClientMessagingOptions>(messaging =>
                    messaging.ResponseTimeout = options.ResponseTimeout < FastFailoverResponseTimeout ? options.ResponseTimeout : FastFailoverResponseTimeout);
            }
        });
        return builder;
    }
}
