using ArrayDictOrleans.Security;

namespace ArrayDictOrleans.Silo.Hosting;

/// <summary>
/// The silo's settings, bound from the <c>ArrayDict</c> section of configuration (appsettings.json,
/// environment variables such as <c>ArrayDict__SiloPort</c>, command-line flags such as <c>--silo-port</c>).
/// </summary>
public sealed class ArrayDictSiloOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "ArrayDict";

    /// <summary>The cluster's id; silos and clients of one cluster share it. Default <c>arraydict</c>.</summary>
    public string ClusterId { get; set; } = "arraydict";

    /// <summary>The service's id, which keys persisted state; keep it across deployments. Default <c>arraydict</c>.</summary>
    public string ServiceId { get; set; } = "arraydict";

    /// <summary>How silos find each other. Default <see cref="ClusteringProvider.Localhost"/>.</summary>
    public ClusteringProvider Clustering { get; set; } = ClusteringProvider.Localhost;

    /// <summary>Where snapshots are kept. Default <see cref="StorageProvider.Local"/>.</summary>
    public StorageProvider Storage { get; set; } = StorageProvider.Local;

    /// <summary>The directory of local snapshots. Default <c>data</c>, relative to the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// A base snapshot plus a journal of delta records, each write costing the rows it changed (default
    /// <see cref="SnapshotMode.Journal"/>), or a whole snapshot on every write (<see cref="SnapshotMode.Full"/>). With
    /// <see cref="StorageProvider.Local"/> and <see cref="StorageProvider.AzureBlob"/>; <see cref="StorageProvider.Memory"/> keeps whole states whatever the mode.
    /// </summary>
    public SnapshotMode SnapshotMode { get; set; } = SnapshotMode.Journal;

    /// <summary>
    /// Gives up surviving a crash of the machine (power loss, kernel panic) for speed: writes are no longer synced to the
    /// disk before a call returns (neither journal appends nor, with <see cref="SnapshotMode.Full"/>, snapshots), so the
    /// operating system may lose calls that returned if the machine, not just the silo process, goes down. Default false:
    /// every call that returned is on the disk.
    /// </summary>
    public bool AllowLostCallsOnMachineCrash { get; set; }

    /// <summary>Whether local snapshots are flushed to the disk before they replace the previous one (survives a machine crash). Default true.</summary>
    public bool FlushToDisk { get; set; } = true;

    /// <summary>The Azure Storage connection string for <see cref="ClusteringProvider.AzureTable"/> and <see cref="StorageProvider.AzureBlob"/>; <c>UseDevelopmentStorage=true</c> reaches Azurite.</summary>
    public string? AzureStorageConnectionString { get; set; }

    /// <summary>
    /// The blob service, for example <c>https://account.blob.core.windows.net</c>, reached with <c>DefaultAzureCredential</c>
    /// (managed identity, workload identity, environment, Azure CLI) when <see cref="AzureStorageConnectionString"/> is not set.
    /// </summary>
    public string? AzureBlobServiceUri { get; set; }

    /// <summary>The table service of cluster membership, for example <c>https://account.table.core.windows.net</c>, reached as <see cref="AzureBlobServiceUri"/> is.</summary>
    public string? AzureTableServiceUri { get; set; }

    /// <summary>The blob container of snapshots: 3 to 63 lowercase letters, digits and hyphens. Default <c>arraydict-snapshots</c>.</summary>
    public string BlobContainerName { get; set; } = "arraydict-snapshots";

    /// <summary>The Azure table of cluster membership. Default <c>ArrayDictMembership</c>.</summary>
    public string MembershipTableName { get; set; } = "ArrayDictMembership";

    /// <summary>The IP address the silo listens on and advertises. Default 127.0.0.1 (loopback only).</summary>
    public string AdvertisedIPAddress { get; set; } = "127.0.0.1";

    /// <summary>The port silos talk to each other on. Default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port clients connect to. Default 30000.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>With <see cref="ClusteringProvider.Localhost"/>, the silo port of the primary silo that others join. Default 11111.</summary>
    public int PrimarySiloPort { get; set; } = 11111;

    /// <summary>
    /// How long an ordinary call made from inside the silo (the embedded client's, a grain's) may take before its caller
    /// gets a <see cref="TimeoutException"/>. Default 1 minute (Orleans' own is 30 s). Calls of long methods carry a timeout
    /// of their own instead (the SDK's per-call timeout, up to one day), so this one suits ordinary calls.
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The fast-failover profile (docs/cluster.md): notice a dead silo within seconds instead of about a minute.
    /// Sets membership probes (<c>ProbeTimeout</c> 1 s, <c>NumMissedProbesLimit</c> 2), membership table refresh 2 s,
    /// I-am-alive publication 5 s, caps <see cref="ResponseTimeout"/> at <see cref="FastFailoverResponseTimeout"/> (so use it
    /// only when every method returns well within that), and bounds the Azure Blob client's retries so that a snapshot
    /// write against unreachable storage fails with its storage error before the response timeout. Clients take the matching profile
    /// (<c>ArrayDictClientOptions.FastFailover</c>: gateway list refresh 2 s, response timeout 5 s).
    /// Default false.
    /// </summary>
    public bool FastFailover { get; set; }

    /// <summary>The longest <see cref="ResponseTimeout"/> under <see cref="FastFailover"/>: 5 s.</summary>
    public static TimeSpan FastFailoverResponseTimeout { get; } = TimeSpan.FromSeconds(5);

    /// <summary>Persist after every this many changes; 1 (default) makes every returned call durable, 0 only on checkpoint and deactivation.</summary>
    public int PersistEvery { get; set; } = 1;

    /// <summary>Mutual TLS between silos and with clients (<c>ArrayDict:Tls</c>, docs/security.md). Off by default: then the silo listens on loopback only.</summary>
    public ArrayDictTlsOptions Tls { get; set; } = new();

    /// <summary>
    /// Lets a silo listen on an address other than loopback without TLS, where anyone who reaches it can read, replace or
    /// clear any ArrayDict. Default false: such a silo refuses to start, naming <c>ArrayDict:Tls:Enabled</c>.
    /// </summary>
    public bool AllowInsecureNetwork { get; set; }

    /// <summary>What one request may cost (<c>ArrayDict:Limits</c>, docs/security.md): widths, rows and bytes per ArrayDict and per call, epochs.</summary>
    public ArrayDictLimits Limits { get; set; } = new();

    /// <summary>
    /// Paths of assemblies with the user's own <see cref="IArrayDictMethod{TResult}"/> types (and what they carry), loaded
    /// at start and added to Orleans' serializer and type manifest so that the silo can run them
    /// (<c>--method-assembly PATH</c>, repeatable). Relative paths are taken from the current directory. Default none.
    /// </summary>
    public IList<string> MethodAssemblies { get; set; } = [];

    /// <summary>The Orleans dashboard (<c>ArrayDict:Dashboard</c>): off by default, on 127.0.0.1 when on.</summary>
    public ArrayDictDashboardOptions Dashboard { get; set; } = new();

    /// <summary>Metrics export through OpenTelemetry (<c>ArrayDict:Telemetry</c>): off by default.</summary>
    public ArrayDictTelemetryOptions Telemetry { get; set; } = new();
}
