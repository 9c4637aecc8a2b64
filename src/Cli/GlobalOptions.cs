using System.CommandLine;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>The flags every command takes: where the cluster is, how results are printed.</summary>
internal sealed class GlobalOptions
{
    public Option<string[]> Gateway { get; } = new("--gateway")
    {
        Description = "Connect to a running cluster through this gateway (host:port; repeat for more). Without it, and without configured gateways or AzureTable clustering, a silo is hosted in this process.",
        HelpName = "host:port",
        Recursive = true,
    };

    public Option<string> Clustering { get; } = new("--clustering")
    {
        Description = "How to find the cluster: Localhost (gateways) or AzureTable (the membership table; needs --connection-string).",
        Recursive = true,
    };

    public Option<string> ConnectionString { get; } = new("--connection-string")
    {
        Description = "Azure Storage connection string for AzureTable clustering and AzureBlob storage (UseDevelopmentStorage=true for Azurite).",
        Recursive = true,
    };

    public Option<string> ClusterId { get; } = new("--cluster-id") { Description = "The cluster's id (default arraydict).", Recursive = true };

    public Option<string> ServiceId { get; } = new("--service-id") { Description = "The service's id (default arraydict).", Recursive = true };

    public Option<string> DataDirectory { get; } = new("--data-dir")
    {
        Description = "The embedded silo's snapshot directory (default ./data); refused with --gateway or AzureTable clustering.",
        HelpName = "dir",
        Recursive = true,
    };

    public Option<string> Storage { get; } = new("--storage")
    {
        Description = "The embedded silo's snapshot storage: Local (default), AzureBlob or Memory; refused with --gateway or AzureTable clustering.",
        Recursive = true,
    };

    public Option<int?> PersistEvery { get; } = new("--persist-every")
    {
        Description = "The embedded silo persists an ArrayDict after every K changes: 1 (default, every returned call is durable), K > 1, or 0 (only on checkpoint and shutdown); refused with --gateway or AzureTable clustering.",
        HelpName = "K",
        Recursive = true,
    };

    public Option<double> ConnectTimeout { get; } = new("--connect-timeout")
    {
        Description = "Seconds to wait for the cluster to answer before giving up.",
        HelpName = "seconds",
        DefaultValueFactory = _ => 10,
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Print the result as one JSON object on stdout.", Recursive = true };

    public Option<bool> Verbose { get; } = new("--verbose", "-v") { Description = "Log more, and print stack traces with errors.", Recursive = true };

    public GlobalOptions()
    {
        Validation.AtLeast(PersistEvery, 0);
        ConnectTimeout.Validators.Add(result =>
        {
            if (Validation.TryGet(result, out double seconds) && !(seconds > 0 && seconds <= 3600))
            {
                result.AddError($"--connect-timeout is {seconds}; give 0 < seconds <= 3600.");
            }
        });
        Gateway.Validators.Add(result =>
        {
            Validation.TryGet(result, out string[]? gateways);
            foreach (string gateway in gateways ?? [])
            {
                if (!ArrayDictClientOptionsValidator.TryParseGateway(gateway, out _))
                {
                    result.AddError($"--gateway '{gateway}' is not host:port with a port in 1..65535 and a host that resolves.");
                }
            }
        });
        Validation.OneOf(Clustering, "Localhost", "AzureTable");
        Validation.OneOf(Storage, "Local", "AzureBlob", "Memory");
    }

    public IEnumerable<Option> All => [Gateway, Clustering, ConnectionString, ClusterId, ServiceId, DataDirectory, Storage, PersistEvery, ConnectTimeout, Json, Verbose];

    public ConnectionSettings Settings(ParseResult parse) => new()
    {
        Gateways = parse.GetValue(Gateway) ?? [],
        Clustering = parse.GetValue(Clustering),
        ConnectionString = parse.GetValue(ConnectionString),
        ClusterId = parse.GetValue(ClusterId),
        ServiceId = parse.GetValue(ServiceId),
        DataDirectory = parse.GetValue(DataDirectory),
        Storage = parse.GetValue(Storage),
        PersistEvery = parse.GetValue(PersistEvery),
        ConnectTimeout = TimeSpan.FromSeconds(parse.GetValue(ConnectTimeout)),
        Verbose = parse.GetValue(Verbose),
    };
}
