using ArrayDictOrleans.Client;
using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Methods;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ArrayDictOrleans.Tests.Hosting;

/// <summary>The silo and client hosts as a user starts them: configuration in, a working cluster out.</summary>
public sealed class SiloHostTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "arraydict-host-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task AddArrayDictSilo_LocalStorage_ClientCallsGrainAndStateSurvivesSiloRestart()
    {
        int siloPort = FreePorts.Next();
        int gatewayPort = FreePorts.Next();
        using var timeout = new CancellationTokenSource(StartTimeout);

        using (var silo = BuildSilo(siloPort, gatewayPort))
        {
            await silo.StartAsync(timeout.Token);
            using (var client = BuildClient(gatewayPort))
            {
                await client.StartAsync(timeout.Token);
                var sdk = client.Services.GetRequiredService<ArrayDictClient>();
                await sdk.Get(7).SetValueAsync(1, 2);
                var scaled = await sdk.ApplyManyAsync([7], _ => new ScaleMethod(3), epoch: 0);
                Assert.Equal(1, scaled[7]);
                Assert.Equal(6, await sdk.Get(7).GetValueAsync(1));
                await client.StopAsync(timeout.Token);
            }

            await silo.StopAsync(timeout.Token);
        }

        Assert.NotEmpty(Directory.EnumerateFiles(_dataDirectory, "*" + LocalFileJournalStore.BaseExtension, SearchOption.AllDirectories));

        using (var silo = BuildSilo(siloPort, gatewayPort))
        {
            await silo.StartAsync(timeout.Token);
            using var client = BuildClient(gatewayPort);
            await client.StartAsync(timeout.Token);
            var grain = client.Services.GetRequiredService<ArrayDictClient>().Get(7);

            Assert.Equal(6, await grain.GetValueAsync(1));
            Assert.Equal(0, (await grain.GetInfoAsync()).LastAppliedEpoch);
            await client.StopAsync(timeout.Token);
            await silo.StopAsync(timeout.Token);
        }
    }

    [Fact]
    public void AddArrayDictSilo_InvalidSetting_ThrowsNamingIt()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ArrayDict:PersistEvery"] = "-3" });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddArrayDictSilo());

        Assert.Contains("ArrayDict:PersistEvery is -3", error.Message);
    }

    [Fact]
    public async Task SiloProgram_InvalidFlag_ExitsWithCode2AndNamesSetting()
    {
        await using var silo = SiloProgramProcess.Start(["--silo-port", "0", "--data-dir", _dataDirectory]);

        var (exitCode, output) = await silo.WaitForExitAsync(StartTimeout);

        Assert.Equal(2, exitCode);
        Assert.Contains("ArrayDict:SiloPort is 0", output);
    }

    private IHost BuildSilo(int siloPort, int gatewayPort)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ArrayDict:ClusterId"] = "host-tests",
            ["ArrayDict:SiloPort"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ArrayDict:PrimarySiloPort"] = siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ArrayDict:GatewayPort"] = gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ArrayDict:DataDirectory"] = _dataDirectory,
            ["ArrayDict:FlushToDisk"] = "false",
        });
        builder.AddArrayDictSilo();
        return builder.Build();
    }

    private static IHost BuildClient(int gatewayPort)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ArrayDict:ClusterId"] = "host-tests",
            ["ArrayDict:Gateways:0"] = $"127.0.0.1:{gatewayPort}",
        });
        builder.AddArrayDictClient();
        return builder.Build();
    }
}
