using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

namespace ArrayDictOrleans.Silo.Hosting;

/// <summary>
/// Checks that an Azure Storage connection string can be read, without a network call, and says why not without
/// repeating any part of it: a connection string carries the account key.
/// </summary>
internal static partial class ConnectionStringCheck
{
    /// <summary>Why <paramref name="connectionString"/> cannot make the clients needed, or null when it can.</summary>
    public static string? Problem(string connectionString, bool blobs, bool tables)
    {
        try
        {
            if (blobs)
            {
                _ = new BlobServiceClient(connectionString);
            }

            if (tables)
            {
                _ = new TableServiceClient(connectionString);
            }

            return null;
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException or InvalidOperationException or UriFormatException)
        {
            return Redact(exception.Message, connectionString);
        }
    }

    /// <summary><paramref name="text"/> without <paramref name="connectionString"/>, its parts, or any key or signature.</summary>
    public static string Redact(string text, string connectionString)
    {
        string redacted = text.Replace(connectionString, "(the connection string)", StringComparison.Ordinal);
        foreach (string part in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            string value = equals >= 0 ? part[(equals + 1)..] : part;
            if (value.Length >= 8)
            {
                redacted = redacted.Replace(value, "***", StringComparison.Ordinal);
            }
        }

        return Secret().Replace(redacted, "$1=***");
    }

    [GeneratedRegex("(AccountKey|SharedAccessSignature|sig)=[^;&\\s]+", RegexOptions.IgnoreCase)]
    private static partial Regex Secret();
}
