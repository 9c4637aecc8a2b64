using System.Globalization;
using ArrayDictOrleans.Client;
using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Methods;
using ArrayDictOrleans.Silo.Hosting;
using ArrayDictOrleans.Tests.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace ArrayDictOrleans.Tests.Journal;

/// <summary>The silo host with <c>ArrayDict:SnapshotMode=Journal</c>: settings, validation, restart from base + journal.</summary>
public sealed class JournalSiloHostTests : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "arraydict-journal-host-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Fact]
    public void ArrayDictSiloOptions_SnapshotMode_DefaultsToJournal()
    {
        Assert.Equal(SnapshotMode.Journal, new ArrayDictSiloOptions().SnapshotMode);
        Assert.False(new ArrayDictSiloOptions().AllowLostCallsOnMachineCrash);
    }

    [Fact]
    public void ArrayDictSiloOptionsValidator_MemoryStorageWithDefaultJournalMode_Succeeds()
    {
        // Memory keeps whole states whatever the mode, so the default mode must not make Memory unusable.
        var options = new ArrayDictSiloOptions { Storage = StorageProvider.Memory };

        Assert.Equal(SnapshotMode.Journal, options.SnapshotMode);
        Assert.True(new ArrayDictSiloOptionsValidator().Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData(StorageProvider.Local)]
    [InlineData(StorageProvider.AzureBlob)]
    public void ArrayDictSiloOptionsValidator_JournalWithLocalOrAzure_Succeeds(StorageProvider storage)
    {
        var options = new ArrayDictSiloOptions { Storage = storage, SnapshotMode = SnapshotMode.Journal, AzureStorageConnectionString = "UseDevelopmentStorage=true" };

        Assert.True(new ArrayDictSiloOptionsValidator().Validate(null, options).Succeeded);
    }

    [Fact]
    public void ArrayDictSiloConfiguration_SnapshotModeFlags_SetJournalAndLostCallsOnMachineCrash()
    {
        var configuration = new ConfigurationBuilder()
            .AddCommandLine(["--snapshot-mode", "Journal", "--allow-lost-calls-on-machine-crash", "true"], new Dictionary<string, string>(ArrayDictSiloHostingExtensions.SwitchMappings))
            .Build();

        var options = configuration.GetSection(ArrayDictSiloOptions.SectionName).Get<ArrayDictSiloOptions>()!;

        Assert.Equal(SnapshotMode.Journal, options.SnapshotMode);
        Assert.True(options.AllowLostCallsOnMachineCrash);
    }

    [Fact]
    public void ArrayDictSiloOptionsValidator_UnknownSnapshotMode_FailsNamingIt()
    {
        var result = new ArrayDictSiloOptionsValidator().Validate(null, new ArrayDictSiloOptions { SnapshotMode = (SnapshotMode)7 });

        Assert.Contains(result.Failures!, failure => failure.Contains("ArrayDict:SnapshotMode is '7'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddArrayDictSilo_JournalMode_WritesJournalAndStateSurvivesSiloRestart()
    {
        int siloPort = FreePorts.Next();
        int gatewayPort = FreePorts.Next();
        using var timeout = new CancellationTokenSource(StartTimeout);

        using (var silo = BuildSilo(siloPort, gatewayPort))
        {
            Assert.IsType<ArrayDictJournalGrainStorage>(silo.Services.GetRequiredKeyedService<IGrainStorage>(ArrayDictGrainOptions.StorageName));
            await silo.StartAsync(timeout.Token);
            using (var client = BuildClient(gatewayPort))
            {
                await client.StartAsync(timeout.Token);
                var sdk = client.Services.GetRequiredService<ArrayDictClient>();
                await sdk.Get(7).SetValueAsync(1, 2);
                await sdk.Get(7).SetValueAsync(2, 5);
                var scaled = await sdk.ApplyManyAsync([7], _ => new ScaleMethod(3), epoch: 0);
                Assert.Equal(2, scaled[7]);
                await client.StopAsync(timeout.Token);
            }

            await silo.StopAsync(timeout.Token);
        }

        Assert.NotEmpty(Directory.EnumerateFiles(_dataDirectory, "*" + LocalFileJournalStore.BaseExtension, SearchOption.AllDirectories));
        Assert.NotEmpty(Directory.EnumerateFiles(_dataDirectory, "*" + LocalFileJournalStore.JournalExtension, SearchOption.AllDirectories));

        using (var silo = BuildSilo(siloPort, gatewayPort))
        {
            await silo.StartAsync(timeout.Token);
            using var client = BuildClient(gatewayPort);
            await client.StartAsync(timeout.Token);
            var grain = client.Services.GetRequiredService<ArrayDictClient>().Get(7);

            Assert.Equal(6, await grain.GetValueAsync(1));
            Assert.Equal(15, await grain.GetValueAsync(2));
            Assert.Equal(0, (await grain.GetInfoAsync()).LastAppliedEpoch);
            await client.StopAsync(timeout.Token);
            await silo.StopAsync(timeout.Token);
        }
    }

    private IHost BuildSilo(int siloPort, int gatewayPort)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ArrayDict:ClusterId"] = "journal-host-tests",
            ["ArrayDict:SiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
            ["ArrayDict:PrimarySiloPort"] = siloPort.ToString(CultureInfo.InvariantCulture),
            ["ArrayDict:GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture),
            ["ArrayDict:DataDirectory"] = _dataDirectory,
            ["ArrayDict:FlushToDisk"] = "false",
            ["ArrayDict:SnapshotMode"] = "Journal",
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
            ["ArrayDict:ClusterId"] = "journal-host-tests",
            ["ArrayDict:Gateways:0"] = $"127.0.0.1:{gatewayPort}",
        });
        builder.AddArrayDictClient();
        return builder.Build();
    }
}
