using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;

namespace ArrayDictOrleans.Silo.Hosting;

/// <summary>
/// The Azure Storage clients of a silo: from <see cref="ArrayDictSiloOptions.AzureStorageConnectionString"/> when it is
/// set, otherwise from the service URIs with a <see cref="TokenCredential"/> (<see cref="DefaultAzureCredential"/>:
/// managed identity, workload identity, environment, Azure CLI ...), so that no key needs to be handed out.
/// </summary>
internal sealed class ArrayDictAzureClients(ArrayDictSiloOptions options)
{
    private readonly Lazy<TokenCredential> _credential = new(() => new DefaultAzureCredential());

    /// <summary>A blob service client, with <paramref name="clientOptions"/> when given.</summary>
    public BlobServiceClient Blob(BlobClientOptions? clientOptions = null) =>
        !string.IsNullOrWhiteSpace(options.AzureStorageConnectionString)
            ? new BlobServiceClient(options.AzureStorageConnectionString, clientOptions)
            : new BlobServiceClient(new Uri(options.AzureBlobServiceUri!), _credential.Value, clientOptions);

    /// <summary>A table service client.</summary>
    public TableServiceClient Table() =>
        !string.IsNullOrWhiteSpace(options.AzureStorageConnectionString)
            ? new TableServiceClient(options.AzureStorageConnectionString)
            : new TableServiceClient(new Uri(options.AzureTableServiceUri!), _credential.Value);
}
