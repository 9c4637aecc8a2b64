using ArrayDictOrleans.Tests.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace ArrayDictOrleans.Tests.Azure;

/// <summary>
/// Orleans' <see cref="AzureBlobGrainStorage"/> against Azurite with Orleans' binary <see cref="OrleansGrainStorageSerializer"/>
/// (never the Newtonsoft JSON default): the shared conformance suite plus what is particular to blobs. Every test gets
/// its own container, deleted afterwards.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobGrainStorageTests(AzuriteFixture azurite) : GrainStorageConformanceTests<StorageTestState>, IAsyncLifetime
{
    private AzureBlobTestStorage _blobStorage = null!;

    /// <inheritdoc />
    protected override IGrainStorage Storage => _blobStorage.Storage;

    public async Task InitializeAsync() =>
        _blobStorage = await AzureBlobTestStorage.CreateAsync(
            azurite,
            AzuriteFixture.NewContainerName("conformance"),
            services => new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>()));

    public async Task DisposeAsync()
    {
        if (_blobStorage is not null)
        {
            await _blobStorage.DisposeAsync();
        }
    }

    /// <inheritdoc />
    protected override StorageTestState CreateState(int seed) => StorageTestStates.Create(seed);

    /// <inheritdoc />
    protected override StorageTestState CreateLargeState() => StorageTestStates.CreateLarge();

    /// <inheritdoc />
    protected override void AssertEquivalent(StorageTestState expected, StorageTestState actual) => StorageTestStates.AssertEquivalent(expected, actual);

    /// <inheritdoc />
    protected override void AssertIsDefault(StorageTestState state) => StorageTestStates.AssertIsDefault(state);

    /// <summary>
    /// Cuts the blob to half its length. Flipping a byte would not do: Orleans' binary format has no checksum, and a
    /// flipped byte inside the array of doubles reads back as another double (blob storage checks its MD5 only on
    /// upload, and a rewrite through the API brings a matching one).
    /// </summary>
    protected override async Task CorruptStoredPayloadAsync(string stateName, GrainId grainId)
    {
        var blob = _blobStorage.GetBlob(stateName, grainId);
        var content = (await blob.DownloadContentAsync()).Value.Content.ToMemory();
        await blob.UploadAsync(BinaryData.FromBytes(content[..(content.Length / 2)]), overwrite: true);
    }

    /// <summary>
    /// The provider logs the blob's name and rethrows the serializer's error as it is, without a wrapper naming the blob:
    /// here Orleans' reader running out of bytes.
    /// </summary>
    protected override void AssertCorruptionError(Exception exception)
    {
        base.AssertCorruptionError(exception);
        var error = Assert.IsType<InvalidOperationException>(exception);
        Assert.Contains("Insufficient data", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AzureBlobGrainStorage_Init_ContainerMissing_CreatesIt()
    {
        var properties = await _blobStorage.Container.GetPropertiesAsync();

        Assert.NotNull(properties.Value);
    }

    [Fact]
    public async Task AzureBlobGrainStorage_WriteState_ThenRead_BlobIsOrleansBinaryWithItsETag()
    {
        var grainId = NewGrainId();
        var grainState = new GrainState<StorageTestState>(CreateState(1));

        await Storage.WriteStateAsync(StateName, grainId, grainState);

        var blob = _blobStorage.GetBlob(StateName, grainId);
        var download = (await blob.DownloadContentAsync()).Value;
        Assert.Equal(grainState.ETag, download.Details.ETag.ToString());
        Assert.Equal("application/octet-stream", download.Details.ContentType);
        Assert.NotEqual((byte)'{', download.Content.ToMemory().Span[0]);
    }

    [Fact]
    public async Task AzureBlobGrainStorage_ClearState_DefaultOptions_DeletesBlob()
    {
        var grainId = NewGrainId();
        var grainState = new GrainState<StorageTestState>(CreateState(1));
        await Storage.WriteStateAsync(StateName, grainId, grainState);
        var blob = _blobStorage.GetBlob(StateName, grainId);
        Assert.True((await blob.ExistsAsync()).Value, $"the provider no longer stores to {blob.Name}");

        await Storage.ClearStateAsync(StateName, grainId, grainState);

        Assert.False((await blob.ExistsAsync()).Value);
        Assert.Null(grainState.ETag);
    }

    [Fact]
    public async Task AzureBlobGrainStorage_ReadState_EmptyBlob_ReadsAsNoRecordWithBlobETag()
    {
        var grainId = NewGrainId();
        var blob = _blobStorage.GetBlob(StateName, grainId);
        var uploaded = await blob.UploadAsync(BinaryData.Empty, overwrite: true);

        var read = await ReadAsync(grainId);

        Assert.False(read.RecordExists);
        AssertIsDefault(read.State!);
        Assert.Equal(uploaded.Value.ETag.ToString(), read.ETag);
    }
}
