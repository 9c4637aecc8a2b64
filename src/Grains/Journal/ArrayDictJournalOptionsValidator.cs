namespace ArrayDictOrleans.Grains.Journal;

/// <summary>Checks the options of a journaling ArrayDict storage when the silo starts.</summary>
/// <param name="options">The options.</param>
/// <param name="name">The provider's name.</param>
public sealed class ArrayDictJournalOptionsValidator(ArrayDictJournalOptions options, string name) : IConfigurationValidator
{
    /// <inheritdoc />
    /// <exception cref="OrleansConfigurationException">An option is out of range; the message names the provider and the property.</exception>
    public void ValidateConfiguration()
    {
        ValidateCompaction();
        ValidateBackend();
    }

    /// <summary>Checks the options every backend shares (compaction), which the grain storage itself uses.</summary>
    /// <exception cref="OrleansConfigurationException">An option is out of range.</exception>
    internal void ValidateCompaction()
    {
        if (!(options.CompactionRatio > 0) || double.IsInfinity(options.CompactionRatio))
        {
            throw Invalid(nameof(ArrayDictJournalOptions.CompactionRatio), $"must be a positive number, not {options.CompactionRatio}");
        }

        if (options.CompactionMinBytes < 0)
        {
            throw Invalid(nameof(ArrayDictJournalOptions.CompactionMinBytes), $"must be 0 or more, not {options.CompactionMinBytes}");
        }

        if (options.MaxRecords < 1)
        {
            throw Invalid(nameof(ArrayDictJournalOptions.MaxRecords), $"must be 1 or more, not {options.MaxRecords}");
        }
    }

    private void ValidateBackend()
    {
        switch (options)
        {
            case LocalFileJournalStorageOptions local:
                if (string.IsNullOrWhiteSpace(local.RootDirectory))
                {
                    throw Invalid(nameof(LocalFileJournalStorageOptions.RootDirectory), "is required: give the directory that holds the journals");
                }

                if (local.RootDirectory.AsSpan().IndexOfAny(Path.GetInvalidPathChars()) >= 0)
                {
                    throw Invalid(nameof(LocalFileJournalStorageOptions.RootDirectory), $"'{local.RootDirectory}' contains characters that are not valid in a path");
                }

                if (local.LeaseTimeout <= TimeSpan.Zero || local.LeaseTimeout == Timeout.InfiniteTimeSpan)
                {
                    throw Invalid(nameof(LocalFileJournalStorageOptions.LeaseTimeout), $"must be a positive, finite time span, not {local.LeaseTimeout}");
                }

                if (!Enum.IsDefined(local.SyncMethod))
                {
                    throw Invalid(nameof(LocalFileJournalStorageOptions.SyncMethod), $"is {local.SyncMethod}; use {string.Join(", ", Enum.GetNames<JournalSyncMethod>())}");
                }

                if ((local.SyncMethod is JournalSyncMethod.FileSystem or JournalSyncMethod.WriteAheadLog) && !OperatingSystem.IsLinux())
                {
                    throw Invalid(nameof(LocalFileJournalStorageOptions.SyncMethod), $"is {local.SyncMethod}, which needs Linux's syncfs; use {JournalSyncMethod.Files} or {JournalSyncMethod.Auto}");
                }

                if (local.WriteAheadLogBytes < JournalWriteAheadLog.MinimumCapacity || local.WriteAheadLogBytes > int.MaxValue)
                {
                    throw Invalid(nameof(LocalFileJournalStorageOptions.WriteAheadLogBytes), $"must be from {JournalWriteAheadLog.MinimumCapacity} to {int.MaxValue} bytes, not {local.WriteAheadLogBytes}");
                }

                break;
            case AzureBlobJournalStorageOptions azure:
                if (azure.BlobServiceClient is null)
                {
                    throw Invalid(nameof(AzureBlobJournalStorageOptions.BlobServiceClient), "is required: give the client of the storage account");
                }

                if (azure.MaxRecords > AzureBlobJournalStorageOptions.MaxRecordsLimit)
                {
                    throw Invalid(nameof(ArrayDictJournalOptions.MaxRecords), $"is {azure.MaxRecords}; an Azure append blob holds at most {AzureBlobJournalStorageOptions.MaxRecordsLimit} records");
                }

                if (string.IsNullOrWhiteSpace(azure.ContainerName))
                {
                    throw Invalid(nameof(AzureBlobJournalStorageOptions.ContainerName), "is required");
                }

                break;
        }
    }

    private OrleansConfigurationException Invalid(string property, string problem) =>
        new($"Invalid configuration for the ArrayDict journal storage '{name}': {options.GetType().Name}.{property} {problem}.");
}
