using System.Net;
using Microsoft.Extensions.Options;

namespace ArrayDictOrleans.Client;

/// <summary>Checks <see cref="ArrayDictClientOptions"/>; every failure names the setting and its value.</summary>
public sealed class ArrayDictClientOptionsValidator : IValidateOptions<ArrayDictClientOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, ArrayDictClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        const string Section = ArrayDictClientOptions.SectionName;
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ClusterId))
        {
            failures.Add($"{Section}:ClusterId must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.ServiceId))
        {
            failures.Add($"{Section}:ServiceId must not be empty.");
        }

        if (IsClustering(options, "Localhost"))
        {
            foreach (string gateway in options.Gateways)
            {
                if (!TryParseGateway(gateway, out _))
                {
                    failures.Add($"{Section}:Gateways has '{gateway}', which is not host:port.");
                }
            }
        }
        else if (IsClustering(options, "AzureTable"))
        {
            if (string.IsNullOrWhiteSpace(options.AzureStorageConnectionString) && !Uri.TryCreate(options.AzureTableServiceUri, UriKind.Absolute, out _))
            {
                failures.Add($"{Section}:AzureStorageConnectionString or an absolute {Section}:AzureTableServiceUri is required with AzureTable clustering (UseDevelopmentStorage=true for Azurite).");
            }
        }
        else
        {
            failures.Add($"{Section}:Clustering is '{options.Clustering}'; use Localhost or AzureTable.");
        }

        if (options.ResponseTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:ResponseTimeout is {options.ResponseTimeout}; it must be positive.");
        }

        if (options.ConnectTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:ConnectTimeout is {options.ConnectTimeout}; it must be positive.");
        }

        if (options.MaxConcurrency < 1)
        {
            failures.Add($"{Section}:MaxConcurrency is {options.MaxConcurrency}; at least 1 call must be allowed in flight.");
        }

        if (options.MaxRetries < 0)
        {
            failures.Add($"{Section}:MaxRetries is {options.MaxRetries}; use 0 for no retries.");
        }

        if (options.RetryBudget <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:RetryBudget is {options.RetryBudget}; it must be positive.");
        }

        if (options.RetryDelay < TimeSpan.Zero)
        {
            failures.Add($"{Section}:RetryDelay is {options.RetryDelay}; it must not be negative.");
        }

        if (options.Tls is { } tls)
        {
            failures.AddRange(tls.Problems(needsCertificate: false));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Parses <c>host:port</c>, resolving a host name to its first address.</summary>
    public static bool TryParseGateway(string gateway, out IPEndPoint endpoint)
    {
        endpoint = null!;
        if (IPEndPoint.TryParse(gateway, out var parsed) && parsed.Port != 0)
        {
            endpoint = parsed;
            return true;
        }

        int colon = gateway.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(gateway.AsSpan(colon + 1), out int port) || port is < 1 or > 65535)
        {
            return false;
        }

        try
        {
            var address = Dns.GetHostAddresses(gateway[..colon]).FirstOrDefault();
            if (address is null)
            {
                return false;
            }

            endpoint = new IPEndPoint(address, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    internal static bool IsClustering(ArrayDictClientOptions options, string provider) =>
        string.Equals(options.Clustering, provider, StringComparison.OrdinalIgnoreCase);
}
