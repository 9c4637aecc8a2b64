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
    /// Azure Table gateway discovery, response timeout, connect timeout) and registers <see cref="ArrayDictClient"/>.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    /// <param name="configure">Changes to the settings read from configuration, applied before they are checked.</param>
    /// <exception cref="OptionsValidationException">A setting is invalid; the failures name each one.</exception>
    /// <remarks>
    /// Starting the host connects; when no gateway answers within <see cref="ArrayDictClientOptions.ConnectTimeout"/>,
    /// starting fails with <see cref="ArrayDictConnectException"/>. In a host that is also a silo (<c>UseOrleans</c>),
    /// use <see cref="AddArrayDictInProcessClient"/> instead: Orleans refuses a second, outside client there.
    /// </remarks>
    public static IHostApplicationBuilder AddArrayDictClient(this IHostApplicationBuilder builder, Action<ArrayDictClientOptions>? configure = null)
    {
        var options = AddClientServices(builder, configure);
        string where = ArrayDictClientOptionsValidator.IsClustering(options, "AzureTable")
            ? $"the gateways in the Azure table {options.MembershipTableName}"
            : string.Join(", ", options.Gateways);
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

            client.Services.AddSingleton<IClientConnectionRetryFilter>(_ => new ConnectTimeoutRetryFilter(where, options.ConnectTimeout));
            client.AddOutgoingGrainCallFilter<MethodDeploymentCallFilter>();
            if (options.FastFailover)
            {
                client.Configure<GatewayOptions>(gateways => gateways.GatewayListRefreshPeriod = FastFailoverGatewayListRefreshPeriod);
                client.Configure<ClientMessagingOptions>(messaging =>
                    messaging.ResponseTimeout = options.ResponseTimeout < FastFailoverResponseTimeout ? options.ResponseTimeout : FastFailoverResponseTimeout);
            }
        });
        return builder;
    }

    /// <summary>
    /// Registers <see cref="ArrayDictClient"/> over the grain factory of a silo hosted in this process (one configured
    /// with <c>UseOrleans</c>, such as <c>AddArrayDictSilo</c>), with the settings of the <c>ArrayDict</c> section read
    /// and checked as <see cref="AddArrayDictClient"/> does; gateways and clustering are the silo's own.
    /// </summary>
    /// <param name="builder">The host builder, which configures a silo.</param>
    /// <param name="configure">Changes to the settings read from configuration, applied before they are checked.</param>
    /// <exception cref="OptionsValidationException">A setting is invalid; the failures name each one.</exception>
    public static IHostApplicationBuilder AddArrayDictInProcessClient(this IHostApplicationBuilder builder, Action<ArrayDictClientOptions>? configure = null)
    {
        AddClientServices(builder, configure);
        return builder;
    }

    private static ArrayDictClientOptions AddClientServices(IHostApplicationBuilder builder, Action<ArrayDictClientOptions>? configure)
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
        return options;
    }
}
