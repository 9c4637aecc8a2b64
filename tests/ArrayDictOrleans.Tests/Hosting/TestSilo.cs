using System.Globalization;
using ArrayDictOrleans.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ArrayDictOrleans.Tests.Hosting;

/// <summary>Settings and a client for tests that start a silo host of their own, on free loopback ports, with in-memory snapshots.</summary>
public static class TestSilo
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The <c>ArrayDict</c> settings of a one-silo cluster of its own, plus <paramref name="more"/>.</summary>
    public static Dictionary<string, string?> Settings(string clusterId, int siloPort, int gatewayPort, IEnumerable<KeyValuePair<string, string?>>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ArrayDict:ClusterId"] = clusterId,
            ["ArrayDict:SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
            ["ArrayDict:PrimarySiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
            ["ArrayDict:GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
            ["ArrayDict:Storage"] = "Memory",
        };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>The silo program's flags for the same cluster: what <see cref="Settings"/> says, as a user types it.</summary>
    public static List<string> ProgramArguments(string clusterId, int siloPort, int gatewayPort) =>
    [
        "--cluster-id", clusterId,
        "--silo-port", siloPort.ToString(CultureInfo.InvariantCulture),
        "--primary-silo-port", siloPort.ToString(CultureInfo.InvariantCulture),
        "--gateway-port", gatewayPort.ToString(CultureInfo.InvariantCulture),
        "--storage", "Memory",
    ];

    /// <summary>A started client host connected to the gateway at <paramref name="gatewayPort"/>, with the <c>ArrayDict</c> settings of <paramref name="more"/>.</summary>
    public static async Task<IHost> StartClientAsync(string clusterId, int gatewayPort, CancellationToken cancellationToken, IEnumerable<KeyValuePair<string, string?>>? more = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var settings = new Dictionary<string, string?>
        {
            ["ArrayDict:ClusterId"] = clusterId,
            ["ArrayDict:Gateways:0"] = $"127.0.0.1:{gatewayPort}",
        };
        foreach (var (key, value) in more ?? [])
        {
            settings[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddArrayDictClient();
        var client = builder.Build();
        try
        {
            await client.StartAsync(cancellationToken);
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return client;
    }

    /// <summary>Stops and disposes <paramref name="hosts"/> in order (clients before their silo), skipping those never built.</summary>
    public static async Task StopAsync(params IHost?[] hosts)
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        foreach (var host in hosts)
        {
            if (host is not null)
            {
                await host.StopAsync(timeout.Token);
                host.Dispose();
            }
        }
    }

    /// <summary>The SDK of a started client host.</summary>
    public static ArrayDictClient Sdk(this IHost client) => client.Services.GetRequiredService<ArrayDictClient>();
}
