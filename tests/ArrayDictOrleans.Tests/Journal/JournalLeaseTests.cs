using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Tests.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ArrayDictOrleans.Tests.Journal;

/// <summary>
/// Fencing by lease: while a silo process holds a grain's activation on a local journal, a second activation of that
/// grain in another process of the machine is refused; once the holder is killed, the other process recovers the grain
/// from the files and the write-ahead log it left.
/// </summary>
public sealed class JournalLeaseTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "arraydict-lease-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Lease_GrainActiveInAnotherProcess_SecondActivationRefusedUntilHolderIsKilled()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        string holderCluster = "lease-holder-" + Guid.NewGuid().ToString("N")[..8];
        int holderSilo = FreePorts.Next(), holderGateway = FreePorts.Next();
        var arguments = TestSilo.ProgramArguments(holderCluster, holderSilo, holderGateway);
        arguments[arguments.IndexOf("Memory")] = "Local";
        arguments.AddRange(["--data-dir", _dataDirectory]);
        await using var holder = SiloProgramProcess.Start(arguments);
        await holder.WaitForOutputAsync(TestSilo.StartTimeout, "the holding silo to start", "Application started");
        using (var holderClient = await TestSilo.StartClientAsync(holderCluster, holderGateway, timeout.Token))
        {
            // Activates ArrayDict 7 in the holder's process, which keeps its lease while the activation lives. The first
            // write is the grain's base; the second an append, which the holder keeps in its write-ahead log only.
            await holderClient.Sdk().Get(7).SetValueAsync(1, 41);
            await holderClient.Sdk().Get(7).SetValueAsync(1, 42);
        }

        string otherCluster = "lease-other-" + Guid.NewGuid().ToString("N")[..8];
        int otherSilo = FreePorts.Next(), otherGateway = FreePorts.Next();
        using var other = BuildSilo(otherCluster, otherSilo, otherGateway);
        await other.StartAsync(timeout.Token);
        try
        {
            using var otherClient = await TestSilo.StartClientAsync(otherCluster, otherGateway, timeout.Token);
            var refused = await Assert.ThrowsAnyAsync<Exception>(() => otherClient.Sdk().Get(7).GetValueAsync(1));
            Assert.Contains("held by another process on this machine", refused.ToString(), StringComparison.Ordinal);

            await holder.KillAsync();

            // The kernel dropped the dead holder's lease and its log's liveness byte: this process replays the dead
            // holder's log, then activates the grain from its files.
            Assert.Equal(42, await otherClient.Sdk().Get(7).GetValueAsync(1));
            await otherClient.StopAsync(timeout.Token);
        }
        finally
        {
            await other.StopAsync(timeout.Token);
        }
    }

    private IHost BuildSilo(string clusterId, int siloPort, int gatewayPort)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(TestSilo.Settings(clusterId, siloPort, gatewayPort, new Dictionary<string, string?>
        {
            ["ArrayDict:Storage"] = "Local",
            ["ArrayDict:DataDirectory"] = _dataDirectory,
        }));
        builder.AddArrayDictSilo((_, silo) => silo.Services.PostConfigure<LocalFileJournalStorageOptions>(
            ArrayDictGrainOptions.StorageName,
            options => options.LeaseTimeout = TimeSpan.FromSeconds(2)));
        return builder.Build();
    }
}
