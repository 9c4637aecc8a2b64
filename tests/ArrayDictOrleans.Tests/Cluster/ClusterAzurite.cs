using System.Diagnostics;
using System.Globalization;
using ArrayDictOrleans.Tests.Azure;
using ArrayDictOrleans.Tests.Hosting;

namespace ArrayDictOrleans.Tests.Cluster;

/// <summary>
/// An Azurite for one multi-process cluster: on free loopback ports, its data on disk under a folder of its own
/// (<c>--location</c>), so that it can be killed and started again on the same ports with its tables and blobs intact,
/// as a storage outage would leave them.
/// </summary>
internal sealed class ClusterAzurite : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(30);

    private readonly string _entryPoint;
    private readonly string _location;
    private readonly int _blobPort;
    private readonly int _queuePort;
    private readonly int _tablePort;
    private ChildProcess? _process;

    private ClusterAzurite(string entryPoint, string location, int[] ports)
    {
        _entryPoint = entryPoint;
        _location = location;
        _blobPort = ports[0];
        _queuePort = ports[1];
        _tablePort = ports[2];
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName={AzuriteProcess.AccountName};AccountKey={AzuriteProcess.AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{_blobPort}/{AzuriteProcess.AccountName};" +
            $"QueueEndpoint=http://127.0.0.1:{_queuePort}/{AzuriteProcess.AccountName};" +
            $"TableEndpoint=http://127.0.0.1:{_tablePort}/{AzuriteProcess.AccountName};";
    }

    /// <summary>The connection string of the emulated account, the same across restarts.</summary>
    public string ConnectionString { get; }

    /// <summary>The running Azurite's process id, or null while it is stopped.</summary>
    public int? ProcessId => _process is { HasExited: false } process ? process.Id : null;

    /// <summary>Starts Azurite with its data under <paramref name="location"/> (created if missing).</summary>
    public static async Task<ClusterAzurite> StartAsync(string location)
    {
        string entryPoint = await AzuriteInstallation.EnsureInstalledAsync(ClusterPaths.RepositoryRoot);

        Directory.CreateDirectory(location);
        var azurite = new ClusterAzurite(entryPoint, location, FreePorts.Take(3));
        try
        {
            await azurite.RestartAsync();
        }
        catch
        {
            await azurite.DisposeAsync();
            throw;
        }

        return azurite;
    }

    /// <summary>Starts Azurite again on the same ports and folder after <see cref="StopAsync"/>; waits until blob and table services listen.</summary>
    public async Task RestartAsync()
    {
        if (ProcessId is not null)
        {
            throw new InvalidOperationException("Azurite is still running; stop it first.");
        }

        _process?.Dispose();
        var start = new ProcessStartInfo("node") { WorkingDirectory = _location };
        start.ArgumentList.Add(_entryPoint);
        foreach (var (service, port) in new[] { ("blob", _blobPort), ("queue", _queuePort), ("table", _tablePort) })
        {
            start.ArgumentList.Add($"--{service}Host");
            start.ArgumentList.Add("127.0.0.1");
            start.ArgumentList.Add($"--{service}Port");
            start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        }

        foreach (string argument in new[] { "--location", _location, "--disableTelemetry", "--skipApiVersionCheck", "--silent", "--loose" })
        {
            start.ArgumentList.Add(argument);
        }

        _process = ChildProcess.Start("azurite", start, logFile: Path.Combine(_location, "azurite.log"));
        await _process.WaitForLinesAsync(
            ["Blob service is successfully listening", "Table service is successfully listening"],
            StartTimeout,
            $"Azurite on ports {_blobPort}/{_queuePort}/{_tablePort}");
    }

    /// <summary>
    /// Stops Azurite (SIGTERM, by its pid) and waits until it has exited: a storage outage that, like real storage, keeps
    /// every write it acknowledged. (A SIGKILL would not: Azurite saves its metadata to disk every 5 s, so a killed Azurite
    /// comes back without the writes of its last seconds.)
    /// </summary>
    public async Task StopAsync()
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        _process.Terminate();
        await _process.WaitForExitAsync(ShutdownTimeout, "save its data and exit after SIGTERM");
    }

    public ValueTask DisposeAsync()
    {
        _process?.Kill(StopTimeout);
        _process?.Dispose();
        return ValueTask.CompletedTask;
    }
}
