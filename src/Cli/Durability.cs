using System.Globalization;
using ArrayDictOrleans.Silo.Hosting;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>How durable the calls of a run are, in words, from the embedded silo's settings.</summary>
internal static class Durability
{
    /// <summary>What a client of a remote cluster can say: the silos decide, and their sync counts are not visible here.</summary>
    public const string Remote = "as the cluster's silos are configured";

    /// <summary>One phrase: when a call that returned is safe, and why (storage, snapshot mode, sync).</summary>
    public static string Describe(ArrayDictSiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Storage == StorageProvider.Memory)
        {
            return "no call durable (Memory storage: nothing leaves the process)";
        }

        string kind = (options.Storage, options.SnapshotMode) switch
        {
            (StorageProvider.AzureBlob, SnapshotMode.Journal) => "journal in Azure Blob storage",
            (StorageProvider.AzureBlob, _) => "full snapshot per write in Azure Blob storage",
            (_, SnapshotMode.Journal) => "journal",
            _ => "full snapshot per write",
        };
        if (options.PersistEvery == 0)
        {
            return $"calls durable only at checkpoint and shutdown (PersistEvery=0, {kind})";
        }

        if (options.PersistEvery > 1)
        {
            return string.Create(CultureInfo.InvariantCulture, $"calls durable in batches of {options.PersistEvery} per ArrayDict (PersistEvery={options.PersistEvery}, {kind})");
        }

        if (options.Storage == StorageProvider.AzureBlob)
        {
            // Azure Storage has a write on durable storage before it answers.
            return $"every call durable on return ({kind})";
        }

        // The journal syncs every write unless AllowLostCallsOnMachineCrash; full snapshots also need FlushToDisk.
        bool synced = !options.AllowLostCallsOnMachineCrash && (options.SnapshotMode == SnapshotMode.Journal || options.FlushToDisk);
        if (synced)
        {
            return options.SnapshotMode == SnapshotMode.Journal
                ? $"every call durable on return ({kind}, synced, group commit)"
                : $"every call durable on return ({kind}, synced)";
        }

        string setting = options.AllowLostCallsOnMachineCrash ? "AllowLostCallsOnMachineCrash" : "FlushToDisk=false";
        return $"every call survives a silo crash on return, not a machine crash ({kind}, not synced: {setting})";
    }

    /// <summary>The summary's line: the phrase, then the syncs made for the loop's calls when they were counted.</summary>
    public static string Line(string description, long? syncs, long calls) => syncs is { } count
        ? string.Create(CultureInfo.InvariantCulture, $"Durability: {description}; {count:N0} syncs for {calls:N0} calls in the loop.")
        : $"Durability: {description}.";
}
