using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Tests.Azure;
using ArrayDictOrleans.Tests.Persistence;
using Azure.Storage.Blobs;
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
    public async Task AzureJournal_Appends_ReadBackAsOneAppendBlockEach()
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
        var journal = (await _store.GetJournalBlob(Key(grainId)).GetPropertiesAsync()).Value;
        Assert.Equal(4, journal.BlobCommittedBlockCount);
        Assert.Equal(sizes.Sum(), journal.ContentLength);
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

    [Fact]
    public async Task AzureJournal_RecordLargerThanAnAppendBlock_ReadsBackAndATornOneIsDroppedForANewBase()
    {
        var store = new AzureBlobJournalStore(_container) { MaxAppendBlockBytes = 1024 };
        var storage = NewStorage(store: store);
        var grainId = NewGrainId();
        var grainState = new TestGrainState();
        for (int i = 0; i < 2000; i++)
        {
            grainState.State.Dict[i] = i;
        }

        await WriteAsync(storage, grainId, grainState);
        ChangeRows(grainState.State, epoch: 1, rows: 400);
        await WriteAsync(storage, grainId, grainState);
        Assert.False(storage.LastWriteWasBase);
        Assert.InRange(storage.LastWriteBytes, 3 * 1024, 100 * 1024);
        AssertSameState(grainState.State, (await JournalTestStorage.ReadAsync(NewStorage(), grainId)).State, "a record of several append blocks");

        var beforeCrash = Copy(grainState.State);
        store.AfterStep = step => step == AzureBlobJournalStep.RecordPartAppended ? throw new IOException("simulated crash between two blocks of a record") : Task.CompletedTask;
        ChangeRows(grainState.State, epoch: 2, rows: 400);
        await Assert.ThrowsAsync<ArrayDictJournalStorageException>(() => storage.WriteStateAsync(StateName, grainId, grainState));

        var recoveringStorage = NewStorage();
        var read = await JournalTestStorage.ReadAsync(recoveringStorage, grainId);
        AssertSameState(beforeCrash, read.State, "the torn record is dropped");
        ChangeRows(read.State, epoch: 3, rows: 5);
        await WriteAsync(recoveringStorage, grainId, read);
        Assert.True(recoveringStorage.LastWriteWasBase);
        AssertSameState(read.State, (await JournalTestStorage.ReadAsync(NewStorage(), grainId)).State, "the new base after the torn record");
    }

    /// <summary>The base blob's bytes: what the snapshot format wrote, without the journal.</summary>
    protected override async Task<byte[]> ReadStoredPayloadAsync(string stateName, GrainId grainId) =>
        (await (await BaseBlobAsync(stateName, grainId)).DownloadContentAsync()).Value.Content.ToArray();

    /// <summary>The base blob's bytes plus the journal blob's.</summary>
    protected override async Task<long> GetStoredSizeAsync(string stateName, GrainId grainId) =>
        (await (await BaseBlobAsync(stateName, grainId)).GetPropertiesAsync()).Value.ContentLength
        + (await _store.GetJournalBlob(ArrayDictJournalGrainStorage.GetKey(stateName, grainId)).GetPropertiesAsync()).Value.ContentLength;

    /// <summary>Overwrites the base blob the journal names with <paramref name="payload"/>.</summary>
    protected override async Task ReplaceStoredPayloadAsync(string stateName, GrainId grainId, byte[] payload) =>
        await (await BaseBlobAsync(stateName, grainId)).UploadAsync(BinaryData.FromBytes(payload), overwrite: true);

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

    private string Key(GrainId grainId) => ArrayDictJournalGrainStorage.GetKey(StateName, grainId);

    private async Task<BlobClient> BaseBlobAsync(string stateName, GrainId grainId)
    {
        string key = ArrayDictJournalGrainStorage.GetKey(stateName, grainId);
        var metadata = (await _store.GetJournalBlob(key).GetPropertiesAsync()).Value.Metadata;
        return _store.GetBaseBlob(key, metadata[AzureBlobJournalStore.BaseMetadataName]);
    }

    private static void ChangeRows(ArrayDictState state, long epoch, int rows)
    {
        using var scope = state.Dict.BeginChanges();
        for (int i = 0; i < rows; i++)
        {
            state.Dict[i] = (epoch * 10_000) + i;
        }

        state.PendingDelta!.Record(scope);
        scope.Commit();
        state.LastEpoch = epoch;
        state.LastResult = TestKeptResults.Of((double)epoch);
    }

    private ArrayDictJournalGrainStorage NewStorage(AzureBlobJournalStorageOptions? options = null, AzureBlobJournalStore? store = null) =>
        new("azure-journal-test", store ?? new AzureBlobJournalStore(_container), options ?? new AzureBlobJournalStorageOptions(), Serializer, NullLogger<ArrayDictJournalGrainStorage>.Instance);
}
