using System.Globalization;
using ArrayDictOrleans.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ArrayDictOrleans.Tests.Cluster;

/// <summary>
/// A real cluster on this machine, for one test: an Azurite of its own (data on disk), silo processes with Azure Table
/// clustering, Azure Blob snapshots and the fast-failover profile, each on its own free ports, all under one ClusterId
/// no other run uses. Disposing it stops clients, kills every process it started (by pid) and deletes its folder
/// (kept, with every process's log, when <c>ARRAYDICT_KEEP_CLUSTER_LOGS</c> is set).
/// </summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    /// <summary>Set it to keep each cluster's folder (Azurite data, silo logs) after the test.</summary>
    public const string KeepLogsVariable = "ARRAYDICT_KEEP_CLUSTER_LOGS";

    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(60);

    private readonly string _directory;
    private readonly List<SiloProcess> _silos = [];
    private readonly List<ClusterClient> _clients = [];
    private readonly Lock _lock = new();
    private int _nextSilo;
    private readonly IReadOnlyDictionary<string, string> _siloSettings;

    private LocalCluster(string directory, string clusterId, ClusterAzurite azurite, bool localJournal, IReadOnlyDictionary<string, string>? siloSettings)
    {
        _siloSettings = siloSettings ?? new Dictionary<string, string>();
        _directory = directory;
        ClusterId = clusterId;
        Azurite = azurite;
        LocalJournal = localJournal;
    }

    /// <summary>
    /// Whether the silos keep ArrayDicts the default way, in the local journal (one data directory that every silo of the
    /// machine shares), instead of in Azure Blob storage. Membership stays in Azure Table storage either way.
    /// </summary>
    public bool LocalJournal { get; }

    /// <summary>The data directory the silos share when <see cref="LocalJournal"/> is set.</summary>
    public string DataDirectory => Path.Combine(_directory, "data");

    /// <summary>The cluster's (and service's) id, unique to this run.</summary>
    public string ClusterId { get; }

    /// <summary>The cluster's storage: membership table and snapshot blobs.</summary>
    public ClusterAzurite Azurite { get; }

    /// <summary>The silos started so far, by <see cref="SiloProcess.Index"/> (killed and stopped ones included).</summary>
    public IReadOnlyList<SiloProcess> Silos
    {
        get
        {
            lock (_lock)
            {
                return [.. _silos.OrderBy(silo => silo.Index)];
            }
        }
    }

    /// <summary>Starts Azurite and <paramref name="silos"/> silos (side by side), and waits until all have joined.</summary>
    /// <param name="name">Names the cluster (its id starts with it).</param>
    /// <param name="silos">How many silos to start.</param>
    /// <param name="localJournal">Keep ArrayDicts in the local journal (the default storage) rather than in Azure Blob storage.</param>
    /// <param name="siloSettings">More silo flags (for example <c>--persist-every</c>), over the cluster's own.</param>
    public static async Task<LocalCluster> StartAsync(string name, int silos, bool localJournal = false, IReadOnlyDictionary<string, string>? siloSettings = null)
    {
        string id = $"{name}-{Guid.NewGuid():N}"[..Math.Min(name.Length + 13, 60)];
        string directory = Directory.CreateTempSubdirectory("arraydict-cluster-").FullName;
        ClusterAzurite? azurite = null;
        try
        {
            azurite = await ClusterAzurite.StartAsync(Path.Combine(directory, "azurite"));
            var cluster = new LocalCluster(directory, id, azurite, localJournal, siloSettings);
            try
            {
                await Task.WhenAll(Enumerable.Range(0, silos).Select(_ => cluster.AddSiloAsync()));
                return cluster;
            }
            catch
            {
                await cluster.DisposeAsync();
                throw;
            }
        }
        catch when (azurite is null)
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>Starts one more silo and waits until it has joined.</summary>
    public async Task<SiloProcess> AddSiloAsync()
    {
        int index = Interlocked.Increment(ref _nextSilo) - 1;
        var settings = new Dictionary<string, string>
        {
            ["--cluster-id"] = ClusterId,
            ["--service-id"] = ClusterId,
            ["--clustering"] = "AzureTable",
            ["--storage"] = LocalJournal ? "Local" : "AzureBlob",
            ["--connection-string"] = Azurite.ConnectionString,
            ["--fast-failover"] = "true",
            ["--Logging:LogLevel:Default"] = "Warning",
            ["--Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
            ["--Logging:Console:FormatterName"] = "simple",
            ["--Logging:Console:FormatterOptions:SingleLine"] = "true",
            ["--Logging:Console:FormatterOptions:TimestampFormat"] = "HH:mm:ss.fff ",
        };
        if (LocalJournal)
        {
            settings["--data-dir"] = DataDirectory;
        }

        foreach (var (flag, value) in _siloSettings)
        {
            settings[flag] = value;
        }

        var silo = await SiloProcess.StartAsync(index, settings, Path.Combine(_directory, "silo-" + index.ToString(CultureInfo.InvariantCulture)));
        lock (_lock)
        {
            _silos.Add(silo);
        }

        return silo;
    }

    /// <summary>
    /// Connects a client in this process: gateways from the membership table, the fast-failover profile, and
    /// <paramref name="configure"/> last (retries, for instance).
    /// </summary>
    public async Task<ClusterClient> ConnectAsync(Action<ArrayDictClientOptions>? configure = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        var log = new RecordingLoggerProvider();
        builder.Logging.AddProvider(log);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddArrayDictClient(options =>
        {
            options.ClusterId = ClusterId;
            options.ServiceId = ClusterId;
            options.Clustering = "AzureTable";
            options.AzureStorageConnectionString = Azurite.ConnectionString;
            options.FastFailover = true;
            configure?.Invoke(options);
        });
        var host = builder.Build();
        using var timeout = new CancellationTokenSource(ClientTimeout);
        try
        {
            await host.StartAsync(timeout.Token);
        }
        catch (OperationCanceledException exception)
        {
            host.Dispose();
            throw new TimeoutException($"The client did not connect to cluster {ClusterId} within {ClientTimeout.TotalSeconds:0} s.", exception);
        }

        var client = new ClusterClient(host, log);
        lock (_lock)
        {
            _clients.Add(client);
        }

        return client;
    }

    /// <summary>The silo that listens on <paramref name="address"/>'s port, or null.</summary>
    public SiloProcess? SiloAt(SiloAddress address) => Silos.FirstOrDefault(silo => silo.SiloPort == address.Endpoint.Port);

    public async ValueTask DisposeAsync()
    {
        List<ClusterClient> clients;
        List<SiloProcess> silos;
        lock (_lock)
        {
            clients = [.. _clients];
            silos = [.. _silos];
        }

        var failures = new List<Exception>();
        foreach (var client in clients)
        {
            await client.DisposeAsync();
        }

        foreach (var silo in silos)
        {
            try
            {
                silo.Dispose();
            }
            catch (Exception exception)
            {
                failures.Add(exception);
            }
        }

        await Azurite.DisposeAsync();
        if (Environment.GetEnvironmentVariable(KeepLogsVariable) is not { Length: > 0 })
        {
            Directory.Delete(_directory, recursive: true);
        }

        if (failures.Count > 0)
        {
            throw new AggregateException($"Stopping cluster {ClusterId} failed.", failures);
        }
    }
}
