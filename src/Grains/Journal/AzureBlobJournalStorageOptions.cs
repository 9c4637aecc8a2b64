using Azure.Storage.Blobs;

namespace ArrayDictOrleans.Grains.Journal;

/// <summary>The options of a journaling ArrayDict storage in Azure Blob storage (<see cref="AzureBlobJournalStore"/>).</summary>
public sealed class AzureBlobJournalStorageOptions : ArrayDictJournalOptions
{
    /// <summary>The most records a journal may hold on Azure: an append blob takes at most 50,000 blocks, and a large record may take several.</summary>
    public const int MaxRecordsLimit = 49_000;

    /// <summary>The default of <see cref="ContainerName"/>.</summary>
    public const string DefaultContainerName = "arraydict-snapshots";

    /// <summary>The blob service client (from a connection string, or a service URI with a credential). Required.</summary>
    public BlobServiceClient? BlobServiceClient { get; set; }

    /// <summary>The container of the grains' blobs; created when missing. Default <c>arraydict-snapshots</c>.</summary>
    public string ContainerName { get; set; } = DefaultContainerName;
}
