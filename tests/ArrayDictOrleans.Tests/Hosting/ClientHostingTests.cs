using System.Diagnostics;
using System.Globalization;
using ArrayDictOrleans.Client;
using ArrayDictOrleans.Methods;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArrayDictOrleans.Tests.Hosting;

/// <summary>The SDK's host extensions as a user calls them: the connect timeout, and a silo with its client in one process.</summary>
public sealed class ClientHostingTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AddArrayDictClient_NoSiloAtGateway_StartFailsAfterConnectTimeoutNamingGateway()
    {
        int port = FreePorts.Next();
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.None);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ArrayDict:Gateways:0"] = $"127.0.0.1:{port}",
            ["ArrayDict:ConnectTimeout"] = "00:00:02",
        });
        builder.AddArrayDictClient();
        using var host = builder.Build();
        using var bound = new CancellationTokenSource(StartTimeout);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<ArrayDictConnectException>(() => host.StartAsync(bound.Token));

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30));
        Assert.StartsWith($"Could not connect to the ArrayDict cluster at 127.0.0.1:{port} within 2 s: ", error.Message);
        Assert.EndsWith("Is a silo running there?", error.Message);
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public void AddArrayDictClient_ZeroConnectTimeout_ThrowsNamingIt()
    {
        var builder = Host.CreateApplicationBuilder();

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddArrayDictClient(options => options.ConnectTimeout = TimeSpan.Zero));

        Assert.Contains("ArrayDict:ConnectTimeout is 00:00:00", error.Message);
    }

    [Fact]
    public void AddArrayDictEmbedded_InvalidClientSetting_ThrowsNamingIt()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ArrayDict:Storage"] = "Memory", ["ArrayDict:MaxConcurrency"] = "0" });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddArrayDictEmbedded());

        Assert.Contains("ArrayDict:MaxConcurrency is 0", error.Message);
    }

    [Fact]
    public async Task AddArrayDictEmbedded_OneHost_ClientCallsGrainsOfItsOwnSilo()
    {
        var ports = FreePorts.Take(2);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ArrayDict:ClusterId"] = "embedded-" + Guid.NewGuid().ToString("N"),
            ["ArrayDict:Storage"] = "Memory",
            ["ArrayDict:SiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
            ["ArrayDict:PrimarySiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
            ["ArrayDict:GatewayPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
        });
        builder.AddArrayDictEmbedded(configureClient: client => client.MaxRetries = 2);
        using var host = builder.Build();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await host.StartAsync(timeout.Token);
        var sdk = host.Services.GetRequiredService<ArrayDictClient>();

        await sdk.Get(3).SetValueAsync(5, 4);
        var scaled = await sdk.ApplyManyAsync([3], _ => new ScaleMethod(2), epoch: 0);

        Assert.Equal(1, scaled[3]);
        Assert.Equal(8, await sdk.Get(3).GetValueAsync(5));
        Assert.Equal(2, host.Services.GetRequiredService<IOptions<ArrayDictClientOptions>>().Value.MaxRetries);
        await host.StopAsync(timeout.Token);
    }
}
