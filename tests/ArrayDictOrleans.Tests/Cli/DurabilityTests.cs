using ArrayDictOrleans.Client.Cli;
using ArrayDictOrleans.Silo.Hosting;

namespace ArrayDictOrleans.Tests.Cli;

public sealed class DurabilityTests
{
    [Theory]
    [InlineData(StorageProvider.Local, SnapshotMode.Journal, 1, false, true, "every call durable on return (journal, synced, group commit)")]
    [InlineData(StorageProvider.Local, SnapshotMode.Full, 1, false, true, "every call durable on return (full snapshot per write, synced)")]
    [InlineData(StorageProvider.Local, SnapshotMode.Journal, 1, true, true, "every call survives a silo crash on return, not a machine crash (journal, not synced: AllowLostCallsOnMachineCrash)")]
    [InlineData(StorageProvider.Local, SnapshotMode.Full, 1, false, false, "every call survives a silo crash on return, not a machine crash (full snapshot per write, not synced: FlushToDisk=false)")]
    [InlineData(StorageProvider.Local, SnapshotMode.Journal, 1, false, false, "every call durable on return (journal, synced, group commit)")]
    [InlineData(StorageProvider.Local, SnapshotMode.Full, 1, true, true, "every call survives a silo crash on return, not a machine crash (full snapshot per write, not synced: AllowLostCallsOnMachineCrash)")]
    [InlineData(StorageProvider.Local, SnapshotMode.Journal, 0, false, true, "calls durable only at checkpoint and shutdown (PersistEvery=0, journal)")]
    [InlineData(StorageProvider.Local, SnapshotMode.Full, 5, false, true, "calls durable in batches of 5 per ArrayDict (PersistEvery=5, full snapshot per write)")]
    [InlineData(StorageProvider.AzureBlob, SnapshotMode.Journal, 1, false, true, "every call durable on return (journal in Azure Blob storage)")]
    [InlineData(StorageProvider.AzureBlob, SnapshotMode.Full, 1, true, true, "every call durable on return (full snapshot per write in Azure Blob storage)")]
    [InlineData(StorageProvider.Memory, SnapshotMode.Full, 1, false, true, "no call durable (Memory storage: nothing leaves the process)")]
    public void Durability_Describe_Settings_SaysWhenACallIsSafe(StorageProvider storage, SnapshotMode mode, int persistEvery, bool allowLost, bool flush, string expected)
    {
        var options = new ArrayDictSiloOptions
        {
            Storage = storage,
            SnapshotMode = mode,
            PersistEvery = persistEvery,
            AllowLostCallsOnMachineCrash = allowLost,
            FlushToDisk = flush,
        };

        Assert.Equal(expected, Durability.Describe(options));
    }

    [Fact]
    public void Durability_Line_WithCounts_AddsSyncsForCalls()
    {
        Assert.Equal(
            "Durability: every call durable on return (journal, synced, group commit); 312 syncs for 4,500 calls in the loop.",
            Durability.Line("every call durable on return (journal, synced, group commit)", 312, 4500));
        Assert.Equal("Durability: as the cluster's silos are configured.", Durability.Line(Durability.Remote, null, 4500));
    }
}
