using Azure.Storage.Blobs;

namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>
/// The forced-clear steps for the Full snapshots that Orleans' <see cref="Orleans.Storage.AzureBlobGrainStorage"/> keeps in
/// <paramref name="container"/>, whose clear is conditional on an ETag a damaged snapshot's reader never got. The blob is
/// the one that provider names <c>&lt;state name&gt;-&lt;grain id&gt;.json</c>; an empty blob is what it reads as no
/// state with an ETag (what it writes as a tombstone when <c>DeleteStateOnClear</c> is off).
/// </summary>
/// <param name="container">The container of the Full snapshots (that provider's <c>ContainerName</c>).</param>
internal sealed class AzureBlobFullSnapshotEraser(BlobContainerClient container) : IFullSnapshotEraser
{
    /// <summary>Gets the blob of a grain's Full snapshot.</summary>
    /// <param name="stateName">The state name.</param>
    /// <param name="grainId">The grain.</param>
    /// <returns>The blob.</returns>
    public BlobClient GetBlob(string stateName, GrainId grainId) => container.GetBlobClient($"{stateName}-{grainId}.json");

    /// <inheritdoc />
    public async Task WriteTombstoneAsync(string stateName, GrainId grainId)
    {
        await container.CreateIfNotExistsAsync().ConfigureAwait(false);
        await GetBlob(stateName, grainId).UploadAsync(BinaryData.Empty, overwrite: true).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task DeleteAsync(string stateName, GrainId grainId) => GetBlob(stateName, grainId).DeleteIfExistsAsync();
}
