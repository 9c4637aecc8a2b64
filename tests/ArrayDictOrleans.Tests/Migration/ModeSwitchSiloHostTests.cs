using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Grains.Persistence;
using ArrayDictOrleans.Methods;
using ArrayDictOrleans.Silo.Hosting;
using ArrayDictOrleans.Tests.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace ArrayDictOrleans.Tests.Migration;

/// <summary>The silo host restarted on one data directory with <c>ArrayDict:SnapshotMode</c> Full, then Journal, then Full again.</summary>
public sealed class ModeSwitchSiloHostTests : IDisposable
{
    private const string ClusterId = "mode-switch-host-tests";
    private const long Id = 11;

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "arraydict-mode-switch-host-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task AddArrayDictSilo_SnapshotModeSwitchedFullJournalFull_KeepsDataAndEpochs()
    {
        int siloPort = FreePorts.Next();
        int gatewayPort = FreePorts.Next();
        using var timeout = new CancellationTokenSource(TestSilo.StartTimeout * 3);

        await RunSiloAsync(SnapshotMode.Full, siloPort, gatewayPort, timeout.Token, async (silo, grain) =>
        {
            Assert.IsType<ArrayDictFullGrainStorage>(silo.Services.GetRequiredKeyedService<IGrainStorage>(ArrayDictGrainOptions.StorageName));
            await grain.SetValueAsync(1, 2);
            await grain.SetValueAsync(2, 5);
            Assert.Equal(2, await grain.ApplyAsync(new ScaleMethod(3), epoch: 0));
            Assert.Equal(2, await grain.ApplyAsync(new ScaleMethod(2), epoch: 1));
        });
        Assert.Single(StoredFiles(LocalFileGrainStorage.StateFileExtension));
        Assert.Empty(StoredFiles(LocalFileJournalStore.BaseExtension));

        await RunSiloAsync(SnapshotMode.Journal, siloPort, gatewayPort, timeout.Token, async (_, grain) =>
        {
            Assert.Equal(12, await grain.GetValueAsync(1));
            Assert.Equal(30, await grain.GetValueAsync(2));
            Assert.Equal(1, (await grain.GetInfoAsync()).LastAppliedEpoch);

            // A retry of the last epoch gets the kept result and changes nothing; another call with it and an older epoch are refused.
            Assert.Equal(2, await grain.ApplyAsync(new ScaleMethod(2), epoch: 1));
            Assert.Equal(12, await grain.GetValueAsync(1));
            await Assert.ThrowsAsync<KeptResultException>(() => grain.ApplyAsync(new ScaleMethod(100), epoch: 1));
            await Assert.ThrowsAsync<StaleEpochException>(() => grain.ApplyAsync(new ScaleMethod(100), epoch: 0));
            Assert.Equal(2, await grain.ApplyAsync(new ScaleMethod(0.5), epoch: 2));
        });
        Assert.Empty(StoredFiles(LocalFileGrainStorage.StateFileExtension));
        Assert.Single(StoredFiles(LocalFileJournalStore.BaseExtension));

        await RunSiloAsync(SnapshotMode.Full, siloPort, gatewayPort, timeout.Token, async (_, grain) =>
        {
            Assert.Equal(6, await grain.GetValueAsync(1));
            Assert.Equal(15, await grain.GetValueAsync(2));
            Assert.Equal(2, (await grain.GetInfoAsync()).LastAppliedEpoch);
            Assert.Equal(2, await grain.ApplyAsync(new ScaleMethod(0.5), epoch: 2));
            Assert.Equal(6, await grain.GetValueAsync(1));
            await Assert.ThrowsAsync<StaleEpochException>(() => grain.ApplyAsync(new ScaleMethod(100), epoch: 1));
            Assert.Equal(2, await grain.ApplyAsync(new ScaleMethod(2), epoch: 3));
            Assert.Equal(12, await grain.GetValueAsync(1));
        });
        Assert.Single(StoredFiles(LocalFileGrainStorage.StateFileExtension));
        Assert.Empty(StoredFiles(LocalFileJournalStore.BaseExtension));
        Assert.Empty(StoredFiles(LocalFileJournalStore.JournalExtension));
    }

    private IEnumerable<string> StoredFiles(string extension) =>
        Directory.EnumerateFiles(_dataDirectory, "*" + extension, SearchOption.AllDirectories);

    /// <summary>Starts a silo in <paramref name="mode"/> on the data directory, runs <paramref name="calls"/> through a client, stops both.</summary>
    private async Task RunSiloAsync(SnapshotMode mode, int siloPort, int gatewayPort, CancellationToken cancellationToken, Func<IHost, IArrayDictGrain, Task> calls)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(TestSilo.Settings(ClusterId, siloPort, gatewayPort,
        [
            new("ArrayDict:Storage", "Local"),
            new("ArrayDict:DataDirectory", _dataDirectory),
            new("ArrayDict:FlushToDisk", "false"),
            new("ArrayDict:SnapshotMode", mode.ToString()),
        ]));
        builder.AddArrayDictSilo();
        using var silo = builder.Build();
        await silo.StartAsync(cancellationToken);
        try
        {
            using var client = await TestSilo.StartClientAsync(ClusterId, gatewayPort, cancellationToken);
            await calls(silo, client.Sdk().Get(Id));
            await client.StopAsync(cancellationToken);
        }
        finally
        {
            await silo.StopAsync(cancellationToken);
        }
    }
}
