namespace ArrayDictOrleans.Client;

/// <summary>
/// The client's settings, bound from the <c>ArrayDict</c> configuration section (the same one the silo reads,
/// so one appsettings.json serves both).
/// </summary>
public sealed class ArrayDictClientOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "ArrayDict";

    /// <summary>The cluster's id. Default <c>arraydict</c>.</summary>
    public string ClusterId { get; set; } = "arraydict";

    /// <summary>The service's id. Default <c>arraydict</c>.</summary>
    public string ServiceId { get; set; } = "arraydict";

    /// <summary><c>Localhost</c> (static gateways, <see cref="Gateways"/>) or <c>AzureTable</c> (gateways from the membership table). Default <c>Localhost</c>.</summary>
    public string Clustering { get; set; } = "Localhost";

    /// <summary>Gateways as <c>host:port</c>, for <c>Localhost</c> clustering. Default <c>127.0.0.1:30000</c>.</summary>
    public IList<string> Gateways { get; set; } = [];

    /// <summary>The Azure Storage connection string, for <c>AzureTable</c> clustering.</summary>
    public string? AzureStorageConnectionString { get; set; }

    /// <summary>The table service of cluster membership, for example <c>https://account.table.core.windows.net</c>, reached with <c>DefaultAzureCredential</c> when <see cref="AzureStorageConnectionString"/> is not set.</summary>
    public string? AzureTableServiceUri { get; set; }

    /// <summary>The Azure table of cluster membership. Default <c>ArrayDictMembership</c>.</summary>
    public string MembershipTableName { get; set; } = "ArrayDictMembership";

    /// <summary>
    /// How long one attempt of an ordinary call may take before it times out (and, when it is retried, is retried). Default
    /// 1 minute. A method that can take longer is given a timeout of its own per call (the <c>timeout</c> of
    /// <see cref="ArrayDictClient.ApplyAsync{TResult}"/>, the <c>callTimeout</c> of a fan-out or a loop), up to
    /// <see cref="ArrayDictClient.LongestCallTimeout"/>, so that this one can stay short: a call stuck on a silo that
    /// stalled fails within it and is retried.
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long connecting to the cluster may take when the host starts, retrying while no gateway answers; after it,
    /// starting fails with <see cref="ArrayDictConnectException"/>. Default 30 s.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Calls in flight at once when fanning out. Default 256.</summary>
    public int MaxConcurrency { get; set; } = 256;

    /// <summary>
    /// Retries of a call that failed for a transient reason, with the same epoch. Default 8. It also bounds how many times
    /// the loop replays the lost epochs of one ArrayDict that keeps losing them (at least once).
    /// </summary>
    public int MaxRetries { get; set; } = 8;

    /// <summary>
    /// The fast-failover profile, to match silos started with <c>ArrayDict:FastFailover=true</c> (docs/cluster.md):
    /// the gateway list is refreshed every 2 s and <see cref="ResponseTimeout"/> is capped at 5 s, so that a call
    /// stuck on a dead silo fails fast and is retried elsewhere. Use it only when every method returns well within
    /// 5 s. Default false.
    /// </summary>
    public bool FastFailover { get; set; }

    /// <summary>
    /// How long a call's retries may go on: no retry starts once this long has passed since the call's retries began (its
    /// first failure). With <see cref="ResponseTimeout"/> it bounds how long a caller waits (docs/security.md, "Timeouts").
    /// Default 2 minutes.
    /// </summary>
    public TimeSpan RetryBudget { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>TLS to the gateways (<c>ArrayDict:Tls</c>, docs/security.md): the client's certificate and the CA it trusts. Off by default.</summary>
    public ArrayDictOrleans.Security.ArrayDictTlsOptions Tls { get; set; } = new();

    /// <summary>The first retry's delay; later ones back off exponentially, with jitter. Default 200 ms.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);
}
