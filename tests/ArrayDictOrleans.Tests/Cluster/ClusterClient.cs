using ArrayDictOrleans.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ArrayDictOrleans.Tests.Cluster;

/// <summary>A client host connected to a <see cref="LocalCluster"/>: the SDK, the management grain, and what the client logged.</summary>
internal sealed class ClusterClient(IHost host, RecordingLoggerProvider log) : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan PollPeriod = TimeSpan.FromMilliseconds(200);

    /// <summary>The SDK.</summary>
    public ArrayDictClient Sdk { get; } = host.Services.GetRequiredService<ArrayDictClient>();

    /// <summary>The Orleans client.</summary>
    public IClusterClient Orleans { get; } = host.Services.GetRequiredService<IClusterClient>();

    /// <summary>The client's warnings and errors (retries among them).</summary>
    public RecordingLoggerProvider Log { get; } = log;

    private IManagementGrain Management => Orleans.GetGrain<IManagementGrain>(0);

    /// <summary>Every silo the membership table knows, by silo port, with its status.</summary>
    public async Task<Dictionary<int, SiloStatus>> GetSiloStatusesAsync()
    {
        var hosts = await Management.GetHosts(onlyActive: false);
        return hosts.ToDictionary(host => host.Key.Endpoint.Port, host => host.Value);
    }

    /// <summary>
    /// Waits, at most <paramref name="timeout"/>, until the silo on <paramref name="siloPort"/> has
    /// <paramref name="status"/>; returns how long that took. Membership offers a client no notification, so this asks
    /// the management grain every 200 ms; a failed ask (the cluster is mid-change) is asked again.
    /// </summary>
    public async Task<TimeSpan> WaitForSiloStatusAsync(int siloPort, SiloStatus status, TimeSpan timeout, string what)
    {
        var started = TimeProvider.System.GetTimestamp();
        Exception? lastFailure = null;
        SiloStatus? lastStatus = null;
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            try
            {
                var statuses = await GetSiloStatusesAsync().WaitAsync(deadline.Token);
                if (statuses.TryGetValue(siloPort, out var current))
                {
                    lastStatus = current;
                    if (current == status)
                    {
                        return TimeProvider.System.GetElapsedTime(started);
                    }
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                lastFailure = exception;
            }
            catch (OperationCanceledException)
            {
                // The deadline passed during the ask: reported below.
            }

            try
            {
                await Task.Delay(PollPeriod, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException(
                    $"Waited {timeout.TotalSeconds:0} s for {what} (silo port {siloPort} to be {status}); its last known status was {lastStatus?.ToString() ?? "none"}" +
                    (lastFailure is null ? "." : $", the last ask failed with {lastFailure.GetType().Name}: {lastFailure.Message}"));
            }
        }
    }

    /// <summary>The silo port of each of <paramref name="ids"/> that is active, from the grain directory.</summary>
    public async Task<Dictionary<long, int>> GetSiloPortsAsync(IEnumerable<long> ids)
    {
        var ports = new Dictionary<long, int>();
        foreach (long id in ids)
        {
            if (await Management.GetActivationAddress(Sdk.Get(id)) is { } silo)
            {
                ports[id] = silo.Endpoint.Port;
            }
        }

        return ports;
    }

    /// <summary>
    /// Activates fresh ArrayDicts, ids <paramref name="firstId"/> and up, a few at a time, until one is placed on the silo
    /// of <paramref name="siloPort"/>, at most <paramref name="timeout"/>; returns how many were activated. Orleans' default
    /// placement (resource-optimized) chooses a silo only once its load statistics have reached the placing silo, so a
    /// silo that has just joined takes no activation for a moment.
    /// </summary>
    public async Task<int> WaitUntilPlacedOnAsync(int siloPort, long firstId, TimeSpan timeout)
    {
        const int PerRound = 8;
        var started = TimeProvider.System.GetTimestamp();
        for (long next = firstId; ; next += PerRound)
        {
            long[] probes = [.. Enumerable.Range(0, PerRound).Select(i => next + i)];
            await Task.WhenAll(probes.Select(id => Sdk.GetInfoAsync(id)));
            if ((await GetSiloPortsAsync(probes)).ContainsValue(siloPort))
            {
                return (int)(next + PerRound - firstId);
            }

            if (TimeProvider.System.GetElapsedTime(started) > timeout)
            {
                throw new TimeoutException($"No ArrayDict of ids {firstId} to {next + PerRound - 1} was placed on silo port {siloPort} within {timeout.TotalSeconds:0} s.");
            }

            await Task.Delay(PollPeriod);
        }
    }

    /// <summary>ArrayDict activations per silo, by silo port (silos without any are left out).</summary>
    public async Task<Dictionary<int, int>> GetPlacementAsync()
    {
        var statistics = await Management.GetSimpleGrainStatistics();
        return statistics
            .Where(statistic => statistic.GrainType.Contains("ArrayDictGrain", StringComparison.Ordinal))
            .GroupBy(statistic => statistic.SiloAddress.Endpoint.Port)
            .ToDictionary(group => group.Key, group => group.Sum(statistic => statistic.ActivationCount));
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await host.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A client whose cluster is gone may not say goodbye in time; disposing it below still frees it.
        }

        host.Dispose();
    }
}
