using System.Globalization;
using System.Text;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Orleans.Storage;

namespace ArrayDictOrleans.Grains.Journal;

/// <summary>
/// The Azure Blob backend of the journal: one block blob per grain whose committed blocks are the base snapshot
/// (blocks of up to 8 MiB) followed by one block per journal record. An append stages the record as a new block
/// and commits the block list "old blocks + new block"; a compaction stages the new base's blocks and commits a
/// list of those alone. Every commit is conditional on the blob's ETag as the writer read it (<c>If-Match</c>; a
/// first base on <c>If-None-Match: *</c>), so it is atomic and fenced: a stale writer gets
/// <see cref="InconsistentStateException"/>, and an interrupted write leaves only uncommitted blocks, which readers
/// never see and the service discards. Block ids carry the generation and the byte offset, so one block-list
/// request tells the stored position.
/// </summary>
public sealed class AzureBlobJournalStore : IArrayDictJournalStore
{
    /// <summary>The largest block of a base snapshot.</summary>
    public const int BaseBlockSize = 8 << 20;

    private readonly BlobContainerClient _container;
    private readonly Lazy<Task> _containerCreated;

    /// <summary>Initializes a new instance of the <see cref="AzureBlobJournalStore"/> class.</summary>
    /// <param name="container">The container that holds the grains' blobs; created on first use.</param>
    public AzureBlobJournalStore(BlobContainerClient container)
    {
        ArgumentNullException.ThrowIfNull(container);
        _container = container;
        _containerCreated = new Lazy<Task>(() => _container.CreateIfNotExistsAsync());
    }

    /// <summary>Gets the blob that holds the grain stored under <paramref name="key"/>.</summary>
    /// <param name="key">The grain's storage key.</param>
    /// <returns>The block blob.</returns>
    public BlockBlobClient GetBlob(string key) => _container.GetBlockBlobClient(key.Replace('\\', '/'));

    /// <inheritdoc />
    public async Task<JournalStoreContents?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        await _containerCreated.Value.ConfigureAwait(false);
        var blob = GetBlob(key);
        for (int attempt = 0; ; attempt++)
        {
            var stored = await TryGetStoredAsync(blob, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                return null;
            }

            try
            {
                var content = await blob.DownloadContentAsync(
                    new BlobDownloadOptions { Conditions = new BlobRequestConditions { IfMatch = stored.ETag } },
                    cancellationToken).ConfigureAwait(false);
                var bytes = content.Value.Content.ToMemory();
                if (bytes.Length != stored.BaseLength + stored.Position.JournalLength)
                {
                    throw new SnapshotFormatException($"The blob '{blob.Name}' holds {bytes.Length} bytes, but its blocks say {stored.BaseLength + stored.Position.JournalLength}.");
                }

                return new JournalStoreContents(stored.Position.Generation, bytes[..(int)stored.BaseLength], bytes[(int)stored.BaseLength..]);
            }
            catch (RequestFailedException exception) when (exception.Status is 412 or 404 && attempt < 5)
            {
                // Written between the two requests: read again.
            }
        }
    }

    /// <inheritdoc />
    public async Task AppendAsync(string key, JournalPosition expected, ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        await _containerCreated.Value.ConfigureAwait(false);
        var blob = GetBlob(key);
        var stored = await GetExpectedAsync(blob, key, expected, cancellationToken).ConfigureAwait(false);
        string id = BlockId(expected.Generation, 'r', expected.JournalLength);
        using (var stream = new MemoryStream(record.ToArray(), writable: false))
        {
            await blob.StageBlockAsync(id, stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        await CommitAsync(blob, key, [.. stored.BlockIds, id], new BlobRequestConditions { IfMatch = stored.ETag }, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task WriteBaseAsync(string key, JournalPosition? expected, long generation, ReadOnlyMemory<byte> snapshot, CancellationToken cancellationToken)
    {
        await _containerCreated.Value.ConfigureAwait(false);
        var blob = GetBlob(key);
        var conditions = expected is { } position
            ? new BlobRequestConditions { IfMatch = (await GetExpectedAsync(blob, key, position, cancellationToken).ConfigureAwait(false)).ETag }
            : new BlobRequestConditions { IfNoneMatch = ETag.All };
        var ids = new List<string>();
        for (int offset = 0; offset < snapshot.Length; offset += BaseBlockSize)
        {
            string id = BlockId(generation, 'b', offset);
            var chunk = snapshot.Slice(offset, Math.Min(BaseBlockSize, snapshot.Length - offset));
            using var stream = new MemoryStream(chunk.ToArray(), writable: false);
            await blob.StageBlockAsync(id, stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            ids.Add(id);
        }

        await CommitAsync(blob, key, ids, conditions, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string key, JournalPosition? expected, CancellationToken cancellationToken)
    {
        await _containerCreated.Value.ConfigureAwait(false);
        var blob = GetBlob(key);
        if (expected is not { } position)
        {
            var stored = await TryGetStoredAsync(blob, cancellationToken).ConfigureAwait(false);
            ThrowIfConflict(key, stored?.Position, null);
            return;
        }

        var current = await GetExpectedAsync(blob, key, position, cancellationToken).ConfigureAwait(false);
        try
        {
            await blob.DeleteAsync(conditions: new BlobRequestConditions { IfMatch = current.ETag }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.Status is 412 or 404)
        {
            throw Conflict(key, exception);
        }
    }

    /// <summary>
    /// The id of a block: generation, kind (<c>b</c> base, <c>r</c> record), byte offset and a random nonce, fixed
    /// width, base64. The nonce keeps racing writers from staging over each other's uncommitted block of the same
    /// name (the loser's bytes would otherwise be committed by the winner's conditional commit).
    /// </summary>
    internal static string BlockId(long generation, char kind, long offset) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{generation:x16}{kind}{offset:x16}{Random.Shared.Next():x8}")));

    private static async Task<StoredBlob?> TryGetStoredAsync(BlockBlobClient blob, CancellationToken cancellationToken)
    {
        Response<BlockList> response;
        try
        {
            response = await blob.GetBlockListAsync(BlockListTypes.Committed, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }

        var blocks = response.Value.CommittedBlocks.ToList();
        if (blocks.Count == 0 || !response.GetRawResponse().Headers.ETag.HasValue)
        {
            throw new SnapshotFormatException($"The blob '{blob.Name}' has no committed blocks: it was not written by the journal storage.");
        }

        long generation = 0;
        long baseLength = 0;
        long journalLength = 0;
        var ids = new List<string>(blocks.Count);
        for (int i = 0; i < blocks.Count; i++)
        {
            var (blockGeneration, kind, offset) = ParseBlockId(blob.Name, blocks[i].Name);
            if (i == 0)
            {
                generation = blockGeneration;
            }

            bool isBase = kind == 'b';
            long expectedOffset = isBase ? baseLength : journalLength;
            if (blockGeneration != generation || (isBase && journalLength > 0) || (i == 0 && !isBase) || offset != expectedOffset)
            {
                throw new SnapshotFormatException($"Block {i} of the blob '{blob.Name}' is out of place (generation {blockGeneration}, kind {kind}, offset {offset}): the stored state is damaged.");
            }

            if (isBase)
            {
                baseLength += blocks[i].SizeLong;
            }
            else
            {
                journalLength += blocks[i].SizeLong;
            }

            ids.Add(blocks[i].Name);
        }

        return new StoredBlob(new JournalPosition(generation, journalLength), baseLength, response.GetRawResponse().Headers.ETag!.Value, ids);
    }

    private static (long Generation, char Kind, long Offset) ParseBlockId(string blobName, string id)
    {
        string text;
        try
        {
            text = Encoding.ASCII.GetString(Convert.FromBase64String(id));
        }
        catch (FormatException exception)
        {
            throw new SnapshotFormatException($"The blob '{blobName}' has a block id '{id}' that the journal storage did not write.", exception);
        }

        if (text.Length != 41
            || text[16] is not ('b' or 'r')
            || !long.TryParse(text.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long generation)
            || !long.TryParse(text.AsSpan(17, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long offset))
        {
            throw new SnapshotFormatException($"The blob '{blobName}' has a block id '{text}' that the journal storage did not write.");
        }

        return (generation, text[16], offset);
    }

    private static async Task<StoredBlob> GetExpectedAsync(BlockBlobClient blob, string key, JournalPosition expected, CancellationToken cancellationToken)
    {
        var stored = await TryGetStoredAsync(blob, cancellationToken).ConfigureAwait(false);
        ThrowIfConflict(key, stored?.Position, expected);
        return stored!;
    }

    private static async Task CommitAsync(BlockBlobClient blob, string key, IEnumerable<string> ids, BlobRequestConditions conditions, CancellationToken cancellationToken)
    {
        try
        {
            await blob.CommitBlockListAsync(ids, new CommitBlockListOptions { Conditions = conditions }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.Status is 412 or 409)
        {
            throw Conflict(key, exception);
        }
    }

    private static void ThrowIfConflict(string key, JournalPosition? stored, JournalPosition? expected)
    {
        if (stored != expected)
        {
            throw new InconsistentStateException(
                $"Version conflict on the journal blob of '{key}': stored {stored?.ToString() ?? "<nothing>"}, the writer saw {expected?.ToString() ?? "<nothing>"}.",
                stored?.ToString(),
                expected?.ToString());
        }
    }

    private static InconsistentStateException Conflict(string key, RequestFailedException exception) =>
        new($"Version conflict on the journal blob of '{key}': it changed since the writer read it ({exception.ErrorCode}).", exception);

    private sealed record StoredBlob(JournalPosition Position, long BaseLength, ETag ETag, List<string> BlockIds);
}
