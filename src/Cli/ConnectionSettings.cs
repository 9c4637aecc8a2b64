using System.Globalization;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>How the program reaches a cluster: the global flags, which override appsettings.json and environment variables.</summary>
internal sealed record ConnectionSettings
{
    /// <summary>Gateways given with <c>--gateway</c>: connect as a client to this cluster.</summary>
    public IReadOnlyList<string> Gateways { get; init; } = [];

    /// <summary><c>--clustering</c>: Localhost or AzureTable.</summary>
    public string? Clustering { get; init; }

    /// <summary><c>--connection-string</c>: Azure Storage, for AzureTable clustering and AzureBlob storage.</summary>
    public string? ConnectionString { get; init; }

    /// <summary><c>--cluster-id</c>.</summary>
    public string? ClusterId { get; init; }

    /// <summary><c>--service-id</c>.</summary>
    public string? ServiceId { get; init; }

    /// <summary><c>--data-dir</c>: the embedded silo's snapshot directory.</summary>
    public string? DataDirectory { get; init; }

    /// <summary><c>--storage</c>: the embedded silo's storage (Local, AzureBlob, Memory).</summary>
    public string? Storage { get; init; }

    /// <summary><c>--persist-every</c>: the embedded silo's persistence policy.</summary>
    public int? PersistEvery { get; init; }

    /// <summary><c>--connect-timeout</c>: how long connecting to a cluster (or starting the embedded silo) may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>--verbose</c>: more logging, and stack traces with errors.</summary>
    public bool Verbose { get; init; }

    /// <summary>
    /// The flags given that only a silo hosted in this process uses (<c>--data-dir</c>, <c>--storage</c>,
    /// <c>--persist-every</c>): a client of a running cluster refuses them rather than ignore them, since its silos have
    /// settings of their own.
    /// </summary>
    public IEnumerable<string> EmbeddedSiloFlags()
    {
        if (DataDirectory is not null)
        {
            yield return "--data-dir";
        }

        if (Storage is not null)
        {
            yield return "--storage";
        }

        if (PersistEvery is not null)
        {
            yield return "--persist-every";
        }
    }

    /// <summary>The settings the flags set, as configuration keys (the keys appsettings.json and environment variables use).</summary>
    public Dictionary<string, string?> ToConfiguration()
    {
        var values = new Dictionary<string, string?>();
        for (int i = 0; i < Gateways.Count; i++)
        {
            values[$"ArrayDict:Gateways:{i}"] = Gateways[i];
        }

        Set(values, "Clustering", Clustering);
        Set(values, "AzureStorageConnectionString", ConnectionString);
        Set(values, "ClusterId", ClusterId);
        Set(values, "ServiceId", ServiceId);
        Set(values, "DataDirectory", DataDirectory);
        Set(values, "Storage", Storage);
        Set(values, "PersistEvery", PersistEvery?.ToString(CultureInfo.InvariantCulture));
        return values;
    }

    private static void Set(Dictionary<string, string?> values, string key, string? value)
    {
        if (value is not null)
        {
            values["ArrayDict:" + key] = value;
        }
    }
}
