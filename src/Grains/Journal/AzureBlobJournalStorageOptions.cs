using Azure.Storage.Blobs;

namespace ArrayDictOrleans.Grains.Journal;

/// <summary>The options of a journaling ArrayDict storage in Azure Blob storage (<see cref="AzureBlobJournalStore"/>).</summary>
public sealed class AzureBlobJournalStorageOptions : ArrayDictJournalOptions
{
    /// <summary>The default of <see cref="ArrayDictJournalOptions.MaxRecords"/> on Azure.</summary>
    public const int AzureDefaultMaxRecords = 1000;

    /// <summary>The default of <see cref="ContainerName"/>.</summary>
    public const string DefaultContainerName = "arraydict-snapshots";

    /// <summary>Initializes a new instance of the <see cref="AzureBlobJournalStorageOptions"/> class.</summary>
    public AzureBlobJournalStorageOptions() => MaxRecords = AzureDefaultMaxRecords;

    /// <summary>The blob service client (from a connection string, or a service URI with a credential). Required.</summary>
    public BlobServiceClient? BlobServiceClient { get; set; }

    /// <summary>The container of the grains' blobs; created when missing. Default <c>arraydict-snapshots</c>.</summary>
    public string ContainerName { get; set; } = DefaultContainerName;
}
