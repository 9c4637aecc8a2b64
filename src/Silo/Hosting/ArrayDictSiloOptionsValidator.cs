using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace ArrayDictOrleans.Silo.Hosting;

/// <summary>Checks <see cref="ArrayDictSiloOptions"/>; every failure names the setting and its value.</summary>
public sealed partial class ArrayDictSiloOptionsValidator : IValidateOptions<ArrayDictSiloOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ArrayDictSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        const string Section = ArrayDictSiloOptions.SectionName;
        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            failures.Add($"{Section}:ClusterId must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            failures.Add($"{Section}:ServiceId must not be empty.");
        }

        if (!Enum.IsDefined(options.Clustering))
        {
            failures.Add($"{Section}:Clustering is '{options.Clustering}'; use Localhost or AzureTable.");
        }

        if (!Enum.IsDefined(options.Storage))
        {
            failures.Add($"{Section}:Storage is '{options.Storage}'; use Local, AzureBlob or Memory.");
        }

        if (!Enum.IsDefined(options.SnapshotMode))
        {
            failures.Add($"{Section}:SnapshotMode is '{options.SnapshotMode}'; use Full or Journal.");
        }

        CheckPort(failures, "SiloPort", options.SiloPort);
        CheckPort(failures, "GatewayPort", options.GatewayPort);
        CheckPort(failures, "PrimarySiloPort", options.PrimarySiloPort);
        if (options.SiloPort == options.GatewayPort)
        {
            failures.Add($"{Section}:SiloPort and {Section}:GatewayPort are both {options.SiloPort}; they must differ.");
        }

        if (!IPAddress.TryParse(options.AdvertisedIPAddress, out var address))
        {
            failures.Add($"{Section}:AdvertisedIPAddress '{options.AdvertisedIPAddress}' is not an IP address.");
        }
        else if (!IPAddress.IsLoopback(address) && options.Tls is not { Enabled: true } && !options.AllowInsecureNetwork)
        {
            failures.Add(
                $"{Section}:AdvertisedIPAddress is {address}, not loopback, and {Section}:Tls:Enabled is false: anyone who reaches the silo could read, replace or clear any ArrayDict. "
                + $"Set {Section}:Tls (docs/security.md), or {Section}:AllowInsecureNetwork=true on a network you trust.");
        }

        if (options.Tls is { } tls)
        {
            failures.AddRange(tls.Problems(needsCertificate: true));
        }

        if (options.Storage == StorageProvider.Local && string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add($"{Section}:DataDirectory must name a directory when {Section}:Storage is Local.");
        }

        bool byKey = !string.IsNullOrWhiteSpace(options.AzureStorageConnectionString);
        bool blobs = options.Storage == StorageProvider.AzureBlob;
        bool tables = options.Clustering == ClusteringProvider.AzureTable;
        if (byKey && (blobs || tables) && ConnectionStringCheck.Problem(options.AzureStorageConnectionString!, blobs, tables) is { } unreadable)
        {
            failures.Add($"{Section}:AzureStorageConnectionString cannot be read: {unreadable} (the connection string is not shown: it holds the account key).");
        }

        if (options.Storage == StorageProvider.AzureBlob && !byKey && !CheckServiceUri(failures, "AzureBlobServiceUri", options.AzureBlobServiceUri))
        {
            failures.Add($"{Section}:AzureStorageConnectionString or {Section}:AzureBlobServiceUri is required with AzureBlob storage (UseDevelopmentStorage=true for Azurite).");
        }

        if (options.Clustering == ClusteringProvider.AzureTable && !byKey && !CheckServiceUri(failures, "AzureTableServiceUri", options.AzureTableServiceUri))
        {
            failures.Add($"{Section}:AzureStorageConnectionString or {Section}:AzureTableServiceUri is required with AzureTable clustering (UseDevelopmentStorage=true for Azurite).");
        }

        if (options.Storage == StorageProvider.AzureBlob && !ContainerName().IsMatch(options.BlobContainerName ?? string.Empty))
        {
            failures.Add($"{Section}:BlobContainerName '{options.BlobContainerName}' is not a valid container name: 3 to 63 lowercase letters, digits and single hyphens, starting with a letter or digit.");
        }

        if (options.Clustering == ClusteringProvider.AzureTable && !TableName().IsMatch(options.MembershipTableName ?? string.Empty))
        {
            failures.Add($"{Section}:MembershipTableName '{options.MembershipTableName}' is not a valid table name: 3 to 63 letters and digits, starting with a letter.");
        }

        if (options.ResponseTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:ResponseTimeout is {options.ResponseTimeout}; it must be positive.");
        }

        if (options.PersistEvery < 0)
        {
            failures.Add($"{Section}:PersistEvery is {options.PersistEvery}; use 1 (every call), K > 1 (every K calls) or 0 (checkpoint and deactivation only).");
        }

        if (options.Limits is { } limits)
        {
            failures.AddRange(limits.Problems());
        }

        CheckDashboard(failures, options);
        CheckTelemetry(failures, options.Telemetry);
        foreach (string path in options.MethodAssemblies)
        {
            if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
            {
                failures.Add($"{Section}:MethodAssemblies has '{path}', which is not a file (full path: {(string.IsNullOrWhiteSpace(path) ? "none" : Path.GetFullPath(path))}).");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckDashboard(List<string> failures, ArrayDictSiloOptions options)
    {
        const string Section = ArrayDictSiloOptions.SectionName;
        var dashboard = options.Dashboard;
        if (dashboard is null || !dashboard.Enabled)
        {
            return;
        }

        CheckPort(failures, "Dashboard:Port", dashboard.Port);
        if (dashboard.Port == options.SiloPort || dashboard.Port == options.GatewayPort)
        {
            failures.Add($"{Section}:Dashboard:Port is {dashboard.Port}, which {Section}:SiloPort or {Section}:GatewayPort already uses; pick another port.");
        }
    }

    private static void CheckTelemetry(List<string> failures, ArrayDictTelemetryOptions? telemetry)
    {
        const string Section = ArrayDictSiloOptions.SectionName;
        if (telemetry is null)
        {
            return;
        }

        if (!Enum.IsDefined(telemetry.Exporter))
        {
            failures.Add($"{Section}:Telemetry:Exporter is '{telemetry.Exporter}'; use None, Console or Otlp.");
        }

        if (!Enum.IsDefined(telemetry.OtlpProtocol))
        {
            failures.Add($"{Section}:Telemetry:OtlpProtocol is '{telemetry.OtlpProtocol}'; use Grpc or HttpProtobuf.");
        }

        if (telemetry.OtlpEndpoint is { } endpoint
            && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            failures.Add($"{Section}:Telemetry:OtlpEndpoint '{endpoint}' is not an absolute http or https URI (for example http://127.0.0.1:4317).");
        }

        if (telemetry.ExportInterval <= TimeSpan.Zero || telemetry.ExportInterval.TotalMilliseconds > int.MaxValue)
        {
            failures.Add($"{Section}:Telemetry:ExportInterval is {telemetry.ExportInterval}; it must be positive and under 24 days.");
        }

        if (telemetry.Exporter != TelemetryExporter.None && string.IsNullOrWhiteSpace(telemetry.ServiceName))
        {
            failures.Add($"{Section}:Telemetry:ServiceName must not be empty when {Section}:Telemetry:Exporter is {telemetry.Exporter}.");
        }
    }

    /// <summary>Whether <paramref name="uri"/> is given; a failure when it is given but is not an absolute http(s) URI.</summary>
    private static bool CheckServiceUri(List<string> failures, string setting, string? uri)
    {
        if (string.IsNullOrWhiteSpace(uri))
        {
            return false;
        }

        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttps && parsed.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{ArrayDictSiloOptions.SectionName}:{setting} '{uri}' is not an absolute https URI (for example https://account.blob.core.windows.net).");
        }

        return true;
    }

    private static void CheckPort(List<string> failures, string setting, int port)
    {
        if (port is < 1 or > 65535)
        {
            failures.Add($"{ArrayDictSiloOptions.SectionName}:{setting} is {port}; a port lies in 1..65535.");
        }
    }

    [GeneratedRegex("^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$")]
    private static partial Regex ContainerName();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableName();
}
