using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Tests.Azure;
using ArrayDictOrleans.Tests.Persistence;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Storage;
using static ArrayDictOrleans.Tests.Journal.JournalTestStorage;

namespace ArrayDictOrleans.Tests.Journal;

/// <summary>
/// The storage conformance suite (and the ArrayDict-state checks) against the journaling storage over Azure Blob
/// (Azurite), plus appends, recovery and fencing. Every test gets its own container, deleted afterwards.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ArrayDictStateAzureJournalTests(AzuriteFixture azurite) : ArrayDictStateStorageTests, IAsyncLifetime
{
    private BlobContainerClient _container = null!;
    private AzureBlobJournalStore _store = null!;
    private ArrayDictJournalGrainStorage _storage = null!;

    /// <inheritdoc />
    protected override IGrainStorage Storage => _storage;

    public async Task InitializeAsync()
    {
        _container = azurite.CreateServiceClient().GetBlobContainerClient(AzuriteFixture.NewContainerName("arraydict-journal"));
        await _container.CreateIfNotExistsAsync();
        _store = new AzureBlobJournalStore(_container);
        _storage = NewStorage();
    }

    public async Task DisposeAsync() => await _container.DeleteIfExistsAsync();

    [Fact]
    public async Task AzureJournal_Appends_ReadBackAndStayFlat()
    {
        var grainId = NewGrainId();
        var grainState = new TestGrainState();
        for (int i = 0; i < 5000; i++)
        {
            grainState.State.Dict[i] = i;
        }

        await WriteAsync(_storage, grainId, grainState);
        Assert.True(_storage.LastWriteWasBase);
        var sizes = new List<long>();
        for (int epoch = 1; epoch <= 4; epoch++)
        {
            JournalRecoveryTests.Change(grainState.State, epoch);
            await WriteAsync(_storage, grainId, grainState);
            Assert.False(_storage.LastWriteWasBase);
            sizes.Add(_storage.LastWriteBytes);
        }

        var read = new TestGrainState();
        await NewStorage().ReadStateAsync(StateName, grainId, read);
        AssertSameState(grainState.State, read.State, "base + 4 appended blocks");
        Assert.Equal(grainState.ETag, read.ETag);
        Assert.All(sizes, size => Assert.InRange(size, 100, 400));
        var blocks = (await _store.GetBlob(ArrayDictJournalGrainStorage.GetKey(StateName, grainId)).GetBlockListAsync(BlockListTypes.Committed)).Value.CommittedBlocks.Count();
        Assert.Equal(5, blocks);
    }

    [Fact]
    public async Task AzureJournal_StaleActivationAppendAndCompaction_AreRefused()
    {
        var grainId = NewGrainId();
        var live = new TestGrainState();
        live.State.Dict[1] = 1;
        await WriteAsync(_storage, grainId, live);
        var stale = new TestGrainState();
        var staleStorage = NewStorage();
        await staleStorage.ReadStateAsync(StateName, grainId, stale);

        JournalRecoveryTests.Change(live.State, 10);
        await WriteAsync(_storage, grainId, live);

        JournalRecoveryTests.Change(stale.State, 20);
        await Assert.ThrowsAsync<InconsistentStateException>(() => staleStorage.WriteStateAsync(StateName, grainId, stale));
        stale.State.PendingDelta!.MarkEverything();
        await Assert.ThrowsAsync<InconsistentStateException>(() => staleStorage.WriteStateAsync(StateName, grainId, stale));

        // And after a compaction by the live activation, an append at the old position is refused too.
        var staleAgain = new TestGrainState();
        await staleStorage.ReadStateAsync(StateName, grainId, staleAgain);
        live.State.PendingDelta!.MarkEverything();
        await WriteAsync(_storage, grainId, live);
        JournalRecoveryTests.Change(staleAgain.State, 30);
        await Assert.ThrowsAsync<InconsistentStateException>(() => staleStorage.WriteStateAsync(StateName, grainId, staleAgain));

        var read = new TestGrainState();
        await NewStorage().ReadStateAsync(StateName, grainId, read);
        AssertSameState(live.State, read.State, "the live activation's writes stand");
    }

    [Fact]
    public async Task AzureJournal_CompactionAfterMaxRecords_KeepsState()
    {
        var storage = NewStorage(new AzureBlobJournalStorageOptions { MaxRecords = 2 });
        var grainId = NewGrainId();
        var grainState = new TestGrainState();
        grainState.State.Dict[1] = 1;
        await WriteAsync(storage, grainId, grainState);
        var kinds = new List<bool>();
        for (int epoch = 1; epoch <= 5; epoch++)
        {
            JournalRecoveryTests.Change(grainState.State, epoch);
            await WriteAsync(storage, grainId, grainState);
            kinds.Add(storage.LastWriteWasBase);
        }

        Assert.Equal([false, false, true, false, false], kinds);
        var read = new TestGrainState();
        await NewStorage().ReadStateAsync(StateName, grainId, read);
        AssertSameState(grainState.State, read.State, "across a compaction");
    }

    /// <inheritdoc />
    protected override async Task<byte[]> ReadStoredPayloadAsync(string stateName, GrainId grainId) =>
        (await _store.GetBlob(ArrayDictJournalGrainStorage.GetKey(stateName, grainId)).DownloadContentAsync()).Value.Content.ToArray();

    /// <inheritdoc />
    protected override async Task<long> GetStoredSizeAsync(string stateName, GrainId grainId) =>
        (await _store.GetBlob(ArrayDictJournalGrainStorage.GetKey(stateName, grainId)).GetPropertiesAsync()).Value.ContentLength;

    /// <summary>Replaces the base by <paramref name="payload"/> as one block of the stored generation.</summary>
    protected override async Task ReplaceStoredPayloadAsync(string stateName, GrainId grainId, byte[] payload)
    {
        var blob = _store.GetBlob(ArrayDictJournalGrainStorage.GetKey(stateName, grainId));
        var first = (await blob.GetBlockListAsync(BlockListTypes.Committed)).Value.CommittedBlocks.First().Name;
        using (var stream = new MemoryStream(payload))
        {
            await blob.StageBlockAsync(first, stream);
        }

        await blob.CommitBlockListAsync([first]);
    }

    /// <inheritdoc />
    protected override async Task CorruptStoredPayloadAsync(string stateName, GrainId grainId)
    {
        var payload = await ReadStoredPayloadAsync(stateName, grainId);
        payload[payload.Length / 2] ^= 0x5A;
        await ReplaceStoredPayloadAsync(stateName, grainId, payload);
    }

    /// <summary>The journal storage reports a damaged base as its own exception with the snapshot error inside.</summary>
    protected override void AssertSnapshotError(Exception exception, string expectedMessagePart)
    {
        var storageError = Assert.IsType<ArrayDictJournalStorageException>(exception);
        var snapshotError = Assert.IsType<SnapshotFormatException>(storageError.InnerException);
        Assert.Contains(expectedMessagePart, snapshotError.Message, StringComparison.Ordinal);
    }

    private ArrayDictJournalGrainStorage NewStorage(AzureBlobJournalStorageOptions? options = null) =>
        new("azure-journal-test", new AzureBlobJournalStore(_container), options ?? new AzureBlobJournalStorageOptions(), Serializer, NullLogger<ArrayDictJournalGrainStorage>.Instance);
}
