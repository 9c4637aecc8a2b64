using Azure.Data.Tables;
using Azure.Identity;

namespace ArrayDictOrleans.Client;

/// <summary>The client's Azure Table client: from the connection string when set, else the service URI with <see cref="DefaultAzureCredential"/>.</summary>
internal static class ArrayDictClientAzure
{
    public static TableServiceClient Table(ArrayDictClientOptions options) =>
        !string.IsNullOrWhiteSpace(options.AzureStorageConnectionString)
            ? new TableServiceClient(options.AzureStorageConnectionString)
            : new TableServiceClient(new Uri(options.AzureTableServiceUri!), new DefaultAzureCredential());
}
