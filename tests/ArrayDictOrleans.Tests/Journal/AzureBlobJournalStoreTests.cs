using ArrayDictOrleans.Grains.Journal;
using ArrayDictOrleans.Tests.Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Orleans.Storage;

namespace ArrayDictOrleans.Tests.Journal;

/// <summary>
/// The Azure Blob journal store itself, against Azurite, with opaque bytes for bases and records: the requests each
/// operation costs (counted in the client's pipeline), fencing across compactions, interrupted writes, records larger
/// than an append block, retried appends, and data of the previous layout. Every test gets its own container.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobJournalStoreTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Key = "arraydict/arraydict/grain-1";

    private readonly AzureRequestCounter _counter = new();
    private BlobContainerClient _container = null!;
    private BlobContainerClient _countedContainer = null!;

    public async Task InitializeAsync()
    {
        string name = AzuriteFixture.NewContainerName("journal-store");
        _container = azurite.CreateServiceClient().GetBlobContainerClient(name);
        _countedContainer = azurite.CreateServiceClient(_counter).GetBlobContainerClient(name);
        await _container.CreateIfNotExistsAsync();
    }

    public async Task DisposeAsync() => await _container.DeleteIfExistsAsync();

    [Fact]
    public async Task AzureBlobJournalStore_AppendAsync_SteadyState_SendsOneAppendBlockWhateverTheJournalLength()
    {
        var store = await NewCountedStoreAsync();
        await store.WriteBaseAsync(Key, null, 1, Bytes(16_000, 1), default);
        var position = new JournalPosition(1, 0);

        var first = await _counter.CountAsync(() => store.AppendAsync(Key, position, Bytes(2000, 2), default));
        position = position with { JournalLength = 2000 };
        var costs = new List<int>();
        for (int i = 0; i < 500; i++)
        {
            var record = Bytes(1000 + (i % 7), i);
            var current = position;
            costs.Add((await _counter.CountAsync(() => store.AppendAsync(Key, current, record, default))).Count);
            position = position with { JournalLength = position.JournalLength + record.Length };
        }

        var afterFiveHundred = await _counter.CountAsync(() => store.AppendAsync(Key, position, Bytes(2000, 3), default));

        Assert.Equal(["PUT appendblock"], first);
        Assert.All(costs, cost => Assert.Equal(1, cost));
        Assert.Equal(["PUT appendblock"], afterFiveHundred);
        var stored = await NewStore().ReadAsync(Key, default);
        Assert.Equal(new JournalPosition(1, position.JournalLength + 2000), stored!.Position);
    }

    [Fact]
    public async Task AzureBlobJournalStore_ReadAsync_StoredOrNothing_CostsTwoRequests()
    {
        await NewStore().WriteBaseAsync(Key, null, 5, Bytes(3000, 1), default);
        await NewStore().AppendAsync(Key, new JournalPosition(5, 0), Bytes(100, 2), default);
        var store = await NewCountedStoreAsync();

        JournalStoreContents? contents = null;
        var stored = await _counter.CountAsync(async () => contents = await store.ReadAsync(Key, default));
        var nothing = await _counter.CountAsync(() => store.ReadAsync("arraydict/arraydict/never-written", default));

        Assert.Equal(["GET", "GET"], stored);
        Assert.Equal(["GET", "HEAD"], nothing);
        Assert.Equal(Bytes(3000, 1), contents!.Base.ToArray());
        Assert.Equal(Bytes(100, 2), contents.Journal.ToArray());
        Assert.Equal(new JournalPosition(5, 100), contents.Position);
    }

    [Fact]
    public async Task AzureBlobJournalStore_AppendAsync_WriterThatDidNotReadTheJournal_AsksOnceThenAppendsWithOneRequest()
    {
        await NewStore().WriteBaseAsync(Key, null, 5, Bytes(3000, 1), default);
        var store = await NewCountedStoreAsync();

        var miss = await _counter.CountAsync(() => store.AppendAsync(Key, new JournalPosition(5, 0), Bytes(100, 2), default));
        var hit = await _counter.CountAsync(() => store.AppendAsync(Key, new JournalPosition(5, 100), Bytes(100, 3), default));

        Assert.Equal(["HEAD", "PUT appendblock"], miss);
        Assert.Equal(["PUT appendblock"], hit);
    }

    [Fact]
    public async Task AzureBlobJournalStore_WriteBaseAsync_FirstAndCompaction_CostTwoAndThreeRequestsAndKeepOneBase()
    {
        var store = await NewCountedStoreAsync();

        var first = await _counter.CountAsync(() => store.WriteBaseAsync(Key, null, 7, Bytes(3000, 1), default));
        await store.AppendAsync(Key, new JournalPosition(7, 0), Bytes(100, 2), default);
        var compaction = await _counter.CountAsync(() => store.WriteBaseAsync(Key, new JournalPosition(7, 100), 8, Bytes(3100, 3), default));

        Assert.Equal(["PUT BlockBlob", "PUT AppendBlob"], first);
        Assert.Equal(["PUT BlockBlob", "PUT AppendBlob", "DELETE"], compaction);
        Assert.Single(await BaseNamesAsync());
        var contents = await NewStore().ReadAsync(Key, default);
        Assert.Equal(new JournalPosition(8, 0), contents!.Position);
        Assert.Equal(Bytes(3100, 3), contents.Base.ToArray());
    }

    [Fact]
    public async Task AzureBlobJournalStore_AppendAsync_StaleWriterAfterCompaction_IsRefusedAndItsRecordNeverRead()
    {
        var stale = NewStore();
        var live = NewStore();
        await live.WriteBaseAsync(Key, null, 3, Bytes(3000, 1), default);
        await live.AppendAsync(Key, new JournalPosition(3, 0), Bytes(500, 2), default);
        var staleSaw = (await stale.ReadAsync(Key, default))!.Position;

        // The live writer compacts, then its new journal grows to exactly the stale writer's position.
        await live.WriteBaseAsync(Key, new JournalPosition(3, 500), 4, Bytes(3500, 3), default);
        await live.AppendAsync(Key, new JournalPosition(4, 0), Bytes(200, 4), default);
        await live.AppendAsync(Key, new JournalPosition(4, 200), Bytes(300, 5), default);

        await Assert.ThrowsAsync<InconsistentStateException>(() => stale.AppendAsync(Key, staleSaw, Bytes(77, 6), default));
        await Assert.ThrowsAsync<InconsistentStateException>(() => NewStore().AppendAsync(Key, staleSaw, Bytes(77, 6), default));
        await Assert.ThrowsAsync<InconsistentStateException>(() => stale.WriteBaseAsync(Key, staleSaw, 4, Bytes(999, 7), default));

        var contents = await NewStore().ReadAsync(Key, default);
        Assert.Equal(new JournalPosition(4, 500), contents!.Position);
        Assert.Equal([.. Bytes(200, 4), .. Bytes(300, 5)], contents.Journal.ToArray());
        Assert.Equal(Bytes(3500, 3), contents.Base.ToArray());
        Assert.Single(await BaseNamesAsync());
    }

    [Fact]
    public async Task AzureBlobJournalStore_WriteBaseAsync_ConcurrentCompactionsFromOnePosition_ExactlyOneWinsAndLosersLeaveNoBase()
    {
        await NewStore().WriteBaseAsync(Key, null, 3, Bytes(3000, 1), default);
        var stores = Enumerable.Range(0, 6).Select(_ => NewStore()).ToArray();

        var outcomes = await Task.WhenAll(stores.Select(async (store, i) =>
        {
            try
            {
                await store.WriteBaseAsync(Key, new JournalPosition(3, 0), 4, Bytes(3000, 10 + i), default);
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        }));

        int winner = Assert.Single(Enumerable.Range(0, outcomes.Length), i => outcomes[i]);
        Assert.Equal(Bytes(3000, 10 + winner), (await NewStore().ReadAsync(Key, default))!.Base.ToArray());
        Assert.Single(await BaseNamesAsync());
    }

    [Fact]
    public async Task AzureBlobJournalStore_WriteBaseAsync_CrashAfterBaseUpload_OldStateStaysReadableAndWritable()
    {
        var store = NewStore();
        await store.WriteBaseAsync(Key, null, 3, Bytes(3000, 1), default);
        await store.AppendAsync(Key, new JournalPosition(3, 0), Bytes(500, 2), default);
        store.AfterStep = CrashAt(AzureBlobJournalStep.BaseUploaded);

        await Assert.ThrowsAsync<SimulatedCrashException>(() => store.WriteBaseAsync(Key, new JournalPosition(3, 500), 4, Bytes(3500, 3), default));

        var next = NewStore();
        var contents = await next.ReadAsync(Key, default);
        Assert.Equal(new JournalPosition(3, 500), contents!.Position);
        Assert.Equal(Bytes(3000, 1), contents.Base.ToArray());
        Assert.Equal(2, (await BaseNamesAsync()).Count);
        await next.AppendAsync(Key, new JournalPosition(3, 500), Bytes(100, 4), default);
        await next.WriteBaseAsync(Key, new JournalPosition(3, 600), 4, Bytes(3600, 5), default);
        var after = await NewStore().ReadAsync(Key, default);
        Assert.Equal(new JournalPosition(4, 0), after!.Position);
        Assert.Equal(Bytes(3600, 5), after.Base.ToArray());
    }

    [Fact]
    public async Task AzureBlobJournalStore_WriteBaseAsync_CrashAfterCommit_NewStateIsReadAndStaleAppendRefused()
    {
        var store = NewStore();
        await store.WriteBaseAsync(Key, null, 3, Bytes(3000, 1), default);
        await store.AppendAsync(Key, new JournalPosition(3, 0), Bytes(500, 2), default);
        var stale = NewStore();
        await stale.ReadAsync(Key, default);
        store.AfterStep = CrashAt(AzureBlobJournalStep.JournalCommitted);

        await Assert.ThrowsAsync<SimulatedCrashException>(() => store.WriteBaseAsync(Key, new JournalPosition(3, 500), 4, Bytes(3500, 3), default));

        var next = NewStore();
        var contents = await next.ReadAsync(Key, default);
        Assert.Equal(new JournalPosition(4, 0), contents!.Position);
        Assert.Equal(Bytes(3500, 3), contents.Base.ToArray());
        Assert.Equal(2, (await BaseNamesAsync()).Count);
        await Assert.ThrowsAsync<InconsistentStateException>(() => stale.AppendAsync(Key, new JournalPosition(3, 500), Bytes(100, 4), default));
        await next.AppendAsync(Key, new JournalPosition(4, 0), Bytes(100, 5), default);
        Assert.Equal(Bytes(100, 5), (await NewStore().ReadAsync(Key, default))!.Journal.ToArray());
    }

    [Fact]
    public async Task AzureBlobJournalStore_WriteBaseAsync_FirstWriteCrashAfterBaseUpload_ReadsAsNothingAndNextFirstWriteWins()
    {
        var store = NewStore();
        store.AfterStep = CrashAt(AzureBlobJournalStep.BaseUploaded);

        await Assert.ThrowsAsync<SimulatedCrashException>(() => store.WriteBaseAsync(Key, null, 3, Bytes(3000, 1), default));

        Assert.Null(await NewStore().ReadAsync(Key, default));
        await NewStore().WriteBaseAsync(Key, null, 4, Bytes(3000, 2), default);
        Assert.Equal(Bytes(3000, 2), (await NewStore().ReadAsync(Key, default))!.Base.ToArray());
    }

    [Fact]
    public async Task AzureBlobJournalStore_AppendAsync_RecordLargerThanAnAppendBlock_IsSentInBlocksAndReadsBackWhole()
    {
        var store = await NewCountedStoreAsync();
        store.MaxAppendBlockBytes = 1000;
        await store.WriteBaseAsync(Key, null, 3, Bytes(3000, 1), default);
        var record = Bytes(4500, 2);

        var operations = await _counter.CountAsync(() => store.AppendAsync(Key, new JournalPosition(3, 0), record, default));
        await store.AppendAsync(Key, new JournalPosition(3, 4500), Bytes(10, 3), default);

        Assert.Equal(Enumerable.Repeat("PUT appendblock", 5), operations);
        var contents = await NewStore().ReadAsync(Key, default);
        Assert.Equal([.. record, .. Bytes(10, 3)], contents!.Journal.ToArray());
    }

    [Fact]
    public async Task AzureBlobJournalStore_AppendAsync_RetryOfAnAppendThatLanded_Succeeds()
    {
        var store = NewStore();
        await store.WriteBaseAsync(Key, null, 3, Bytes(3000, 1), default);
        await store.AppendAsync(Key, new JournalPosition(3, 0), Bytes(100, 2), default);
        var record = Bytes(200, 3);

        // The first attempt landed, its response was lost: the store's retry finds the journal moved on.
        await AppendDirectlyAsync(record);
        await store.AppendAsync(Key, new JournalPosition(3, 100), record, default);
        await store.AppendAsync(Key, new JournalPosition(3, 300), Bytes(50, 4), default);

        var contents = await NewStore().ReadAsync(Key, default);
        Assert.Equal([.. Bytes(100, 2), .. record, .. Bytes(50, 4)], contents!.Journal.ToArray());
    }

    [Fact]
    public async Task AzureBlobJournalStore_AppendAsync_OtherBytesAppendedAtItsPosition_IsConflict()
    {
        var store = NewStore();
        await store.WriteBaseAsync(Key, null, 3, Bytes(3000, 1), default);
        await AppendDirectlyAsync(Bytes(200, 9));

        await Assert.ThrowsAsync<InconsistentStateException>(() => store.AppendAsync(Key, new JournalPosition(3, 0), Bytes(200, 3), default));

        Assert.Equal(Bytes(200, 9), (await NewStore().ReadAsync(Key, default))!.Journal.ToArray());
    }

    [Fact]
    public async Task AzureBlobJournalStore_DeleteAsync_StaleWriterAfterwards_IsRefusedAndNothingReads()
    {
        var store = NewStore();
        var stale = NewStore();
        await store.WriteBaseAsync(Key, null, 3, Bytes(3000, 1), default);
        await stale.ReadAsync(Key, default);

        await store.DeleteAsync(Key, new JournalPosition(3, 0), default);

        await Assert.ThrowsAsync<InconsistentStateException>(() => stale.AppendAsync(Key, new JournalPosition(3, 0), Bytes(100, 2), default));
        await Assert.ThrowsAsync<InconsistentStateException>(() => stale.DeleteAsync(Key, new JournalPosition(3, 0), default));
        Assert.Null(await NewStore().ReadAsync(Key, default));
        Assert.Empty(await BaseNamesAsync());
    }

    [Fact]
    public async Task AzureBlobJournalStore_ReadAsync_PreviousLayoutBlob_ThrowsSnapshotFormatExceptionNamingIt()
    {
        var legacy = _container.GetBlockBlobClient(Key);
        string blockId = Convert.ToBase64String("0000000000000001b0000000000000000abcdef01"u8.ToArray());
        using (var stream = new MemoryStream(Bytes(3000, 1)))
        {
            await legacy.StageBlockAsync(blockId, stream);
        }

        await legacy.CommitBlockListAsync([blockId]);

        var exception = await Assert.ThrowsAsync<SnapshotFormatException>(() => NewStore().ReadAsync(Key, default));

        Assert.Contains($"'{Key}'", exception.Message, StringComparison.Ordinal);
        Assert.Contains("previous Azure journal layout", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AzureBlobJournalStore_ReadAsync_JournalNamesMissingBase_ThrowsSnapshotFormatException()
    {
        await NewStore().WriteBaseAsync(Key, null, 3, Bytes(3000, 1), default);
        string baseName = Assert.Single(await BaseNamesAsync());
        await _container.GetBlobClient(baseName).DeleteAsync();

        var exception = await Assert.ThrowsAsync<SnapshotFormatException>(() => NewStore().ReadAsync(Key, default));

        Assert.Contains(baseName, exception.Message, StringComparison.Ordinal);
    }

    /// <summary>Deterministic bytes that differ by <paramref name="seed"/>.</summary>
    internal static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static Func<AzureBlobJournalStep, Task> CrashAt(AzureBlobJournalStep crashStep) =>
        step => step == crashStep ? throw new SimulatedCrashException(step) : Task.CompletedTask;

    private AzureBlobJournalStore NewStore() => new(_container);

    /// <summary>A store whose requests <see cref="_counter"/> counts, past the one-off creation of its container.</summary>
    private async Task<AzureBlobJournalStore> NewCountedStoreAsync()
    {
        var store = new AzureBlobJournalStore(_countedContainer);
        await store.ReadAsync("arraydict/arraydict/warm-up", default);
        _counter.Clear();
        return store;
    }

    private async Task AppendDirectlyAsync(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        await _container.GetAppendBlobClient($"{Key}/{AzureBlobJournalStore.JournalBlobName}").AppendBlockAsync(stream);
    }

    private async Task<List<string>> BaseNamesAsync()
    {
        var names = new List<string>();
        await foreach (var blob in _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, Key + "/", CancellationToken.None))
        {
            if (blob.Name.EndsWith(".base", StringComparison.Ordinal))
            {
                names.Add(blob.Name);
            }
        }

        return names;
    }

    private sealed class SimulatedCrashException(AzureBlobJournalStep step) : Exception($"Simulated crash after {step}.");
}
