using ArrayDictOrleans.Grains;
using ArrayDictOrleans.Grains.Persistence;
using ArrayDictOrleans.Tests.Azure;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace ArrayDictOrleans.Tests.Persistence;

/// <summary>
/// <see cref="ArrayDictState"/> through Orleans' <see cref="AzureBlobGrainStorage"/> on Azurite with
/// <see cref="ArrayDictStateSerializer"/>, as <c>AddArrayDictAzureBlobStorage</c> configures it. Every test gets its own
/// container, deleted afterwards.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ArrayDictStateAzureBlobTests(AzuriteFixture azurite) : ArrayDictStateStorageTests, IAsyncLifetime
{
    private AzureBlobTestStorage _blobStorage = null!;

    /// <inheritdoc />
    protected override IGrainStorage Storage => _blobStorage.Storage;

    public async Task InitializeAsync() =>
        _blobStorage = await AzureBlobTestStorage.CreateAsync(
            azurite,
            AzuriteFixture.NewContainerName("arraydict-state"),
            services => new ArrayDictStateSerializer(services.GetRequiredService<Serializer>()));

    public async Task DisposeAsync()
    {
        if (_blobStorage is not null)
        {
            await _blobStorage.DisposeAsync();
        }
    }

    /// <inheritdoc />
    protected override async Task<byte[]> ReadStoredPayloadAsync(string stateName, GrainId grainId)
    {
        var blob = _blobStorage.GetBlob(stateName, grainId);
        return (await blob.DownloadContentAsync()).Value.Content.ToArray();
    }

    /// <inheritdoc />
    protected override async Task<long> GetStoredSizeAsync(string stateName, GrainId grainId) =>
        (await _blobStorage.GetBlob(stateName, grainId).GetPropertiesAsync()).Value.ContentLength;

    /// <inheritdoc />
    protected override Task ReplaceStoredPayloadAsync(string stateName, GrainId grainId, byte[] payload) =>
        _blobStorage.GetBlob(stateName, grainId).UploadAsync(BinaryData.FromBytes(payload), overwrite: true);

    /// <summary>Flips a byte in the middle of the blob, as a damaged disk or a bad writer would.</summary>
    protected override async Task CorruptStoredPayloadAsync(string stateName, GrainId grainId)
    {
        var payload = await ReadStoredPayloadAsync(stateName, grainId);
        payload[payload.Length / 2] ^= 0x5A;
        await ReplaceStoredPayloadAsync(stateName, grainId, payload);
    }

    /// <summary>
    /// The provider logs the blob's name and rethrows the serializer's error unwrapped: the exception is the
    /// <see cref="SnapshotFormatException"/> itself.
    /// </summary>
    protected override void AssertSnapshotError(Exception exception, string expectedMessagePart)
    {
        var snapshotError = Assert.IsType<SnapshotFormatException>(exception);
        Assert.Contains(expectedMessagePart, snapshotError.Message, StringComparison.Ordinal);
    }
}
