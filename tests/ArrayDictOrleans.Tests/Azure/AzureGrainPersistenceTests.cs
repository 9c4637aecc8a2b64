using ArrayDictOrleans.Methods;
using Azure.Storage.Blobs;
using Orleans.Serialization;

namespace ArrayDictOrleans.Tests.Azure;

/// <summary>
/// ArrayDict grains persisting to Azure blob storage (Azurite) in a two-silo in-process cluster: state survives
/// deactivation, exactly-once epochs survive it too, a damaged snapshot never becomes an empty or damaged ArrayDict,
/// and clearing deletes the blob.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureGrainPersistenceTests(AzureClusterFixture fixture) : IClassFixture<AzureClusterFixture>
{
    [Fact]
    public async Task ArrayDictGrain_Deactivation_AzureBlobStorage_StateComesBackFromBlob()
    {
        var grain = fixture.NewGrain();
        await grain.ClearAsync(width: 2);
        await grain.SetManyAsync(new RowBatch(2, [10, 20, 30], [1, 2, 3, 4, 5, 6]));
        await grain.RemoveAsync(20);
        await grain.ApplyAsync(new ScaleMethod(10), epoch: 4);
        var before = await grain.ExportAsync();

        await fixture.Cluster.DeactivateAsync(grain);

        var after = await grain.ExportAsync();
        Assert.True(after.ContentEquals(before), "the ArrayDict that came back differs from the one deactivated");
        Assert.Equal(new double[] { 50, 60 }, await grain.GetRowAsync(30));
        Assert.False(after.ContainsKey(20));
        Assert.Equal(4, (await grain.GetInfoAsync()).LastAppliedEpoch);
        var stored = await DownloadSnapshotAsync(grain);
        Assert.True(stored.AsSpan().StartsWith(ArrayDictSnapshot.Magic), "the blob is not an ArrayDict snapshot");
        Assert.True(ArrayDictSnapshot.ReadWithMetadata(new System.Buffers.ReadOnlySequence<byte>(stored)).Dict.ContentEquals(before), "the blob holds another ArrayDict");
    }

    [Fact]
    public async Task ArrayDictGrain_ApplyAsync_RepeatedEpochAfterDeactivation_ReturnsKeptResultWithoutRunning()
    {
        var grain = fixture.NewGrain();
        var runId = Guid.NewGuid();
        var first = await grain.ApplyAsync(new CountedIncrementMethod(runId, 7), epoch: 1);

        await fixture.Cluster.DeactivateAsync(grain);
        var repeated = await grain.ApplyAsync(new CountedIncrementMethod(runId, 7), epoch: 1);

        Assert.Equal(new CountedIncrement(1, 1), first);
        Assert.Equal(first, repeated);
        Assert.Equal(1, CountedIncrementMethod.Runs(runId));
        Assert.Equal(1, await grain.GetValueAsync(7));
        await Assert.ThrowsAsync<StaleEpochException>(() => grain.ApplyAsync(new CountedIncrementMethod(runId, 7), epoch: 0));
        Assert.Equal(new CountedIncrement(2, 2), await grain.ApplyAsync(new CountedIncrementMethod(runId, 7), epoch: 2));
    }

    [Fact]
    public async Task ArrayDictGrain_Activation_CorruptedSnapshotBlob_CallsFailUntilRepairedAndBlobIsNotOverwritten()
    {
        var grain = fixture.NewGrain();
        await grain.SetManyAsync(new RowBatch(1, [1, 2, 3], [1.5, 2.5, 3.5]));
        await grain.ApplyAsync(new ScaleMethod(2), epoch: 1);
        await fixture.Cluster.DeactivateAsync(grain);
        var blob = fixture.SnapshotBlob(grain);
        var intact = await DownloadSnapshotAsync(grain);
        var damaged = intact.ToArray();
        damaged[damaged.Length / 2] ^= 0x5A;
        await blob.UploadAsync(BinaryData.FromBytes(damaged), overwrite: true);

        var firstError = await Assert.ThrowsAnyAsync<Exception>(grain.GetInfoAsync);
        var secondError = await Assert.ThrowsAnyAsync<Exception>(() => grain.GetValueAsync(1));

        AssertNamesCorruptSnapshot(firstError, grain);
        AssertNamesCorruptSnapshot(secondError, grain);
        Assert.Equal(damaged, await DownloadSnapshotAsync(grain));

        await blob.UploadAsync(BinaryData.FromBytes(intact), overwrite: true);
        Assert.Equal(3.0, await grain.GetValueAsync(1));
        Assert.Equal(1, (await grain.GetInfoAsync()).LastAppliedEpoch);
    }

    [Fact]
    public async Task ArrayDictGrain_ClearAsync_AzureBlobStorage_DeletesBlob()
    {
        var grain = fixture.NewGrain();
        await grain.SetValueAsync(1, 1);
        await grain.ApplyAsync(new ScaleMethod(3), epoch: 1);
        var blob = fixture.SnapshotBlob(grain);
        Assert.True((await blob.ExistsAsync()).Value, $"no snapshot blob {blob.Name} in container {blob.BlobContainerName}");

        await grain.ClearAsync();

        Assert.False((await blob.ExistsAsync()).Value, $"{blob.Name} is still there after ClearAsync");
        await fixture.Cluster.DeactivateAsync(grain);
        var info = await grain.GetInfoAsync();
        Assert.Equal(0, info.Count);
        Assert.Null(info.LastAppliedEpoch);
        Assert.False((await blob.ExistsAsync()).Value);
    }

    /// <summary>
    /// The caller learns which grain and provider failed and why: Orleans wraps the storage error in an
    /// <see cref="OrleansException"/> naming the provider and the grain, with the <see cref="SnapshotFormatException"/> inside.
    /// </summary>
    private static void AssertNamesCorruptSnapshot(Exception exception, IArrayDictGrain grain)
    {
        Assert.False(
            exception is CodecNotFoundException,
            $"The caller cannot see what was wrong, because an exception type in the chain cannot cross the wire (is it missing [GenerateSerializer]?): {exception.Message}");
        Assert.Contains(grain.GetGrainId().ToString(), exception.Message, StringComparison.Ordinal);
        Assert.Contains("AzureBlobGrainStorage", exception.Message, StringComparison.Ordinal);
        SnapshotFormatException? snapshotError = null;
        for (Exception? current = exception; current is not null && snapshotError is null; current = current.InnerException)
        {
            snapshotError = current as SnapshotFormatException;
        }

        Assert.True(snapshotError is not null, $"No SnapshotFormatException in the chain of {exception}");
        Assert.Contains("checksum", snapshotError.Message, StringComparison.Ordinal);
    }

    private async Task<byte[]> DownloadSnapshotAsync(IArrayDictGrain grain)
    {
        BlobClient blob = fixture.SnapshotBlob(grain);
        Assert.True((await blob.ExistsAsync()).Value, $"no snapshot blob {blob.Name} in container {blob.BlobContainerName}");
        return (await blob.DownloadContentAsync()).Value.Content.ToArray();
    }
}
