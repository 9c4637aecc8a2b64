using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Storage;

namespace ArrayDictOrleans.Grains.Journal;

/// <summary>
/// The Azure Blob backend of the journal (docs/journal.md, "Azure Blob backend"). Per grain key <c>K</c>: the base
/// snapshot of each generation is a block blob <c>K/&lt;generation&gt;-&lt;nonce&gt;.base</c>, written once and never
/// changed; the journal is the append blob <c>K/journal</c>, whose metadata <c>base</c> names the current base. An
/// append is one Append Block request conditional on the journal's ETag (<c>If-Match</c>) and its length
/// (<c>If-Append-Position-Equal</c>). A new base is uploaded under a fresh name, then committed by re-creating
/// <c>K/journal</c> empty, naming it, with <c>If-Match</c> on the journal's ETag (<c>If-None-Match: *</c> for a grain's
/// first write): that request is the commit point, it changes the ETag that every stale writer's append is
/// conditional on, and an interrupted write leaves the old state readable. The store remembers per key the position,
/// ETag and base it last saw, so the steady path needs no extra request; conflicts are decided by the service only.
/// </summary>
public sealed partial class AzureBlobJournalStore : IArrayDictJournalStore
{
    /// <summary>The name of a grain's journal blob under its key.</summary>
    public const string JournalBlobName = "journal";

    /// <summary>The metadata entry of the journal blob that names the current base blob (its name under the grain's key).</summary>
    public const string BaseMetadataName = "base";

    /// <summary>The most grains whose journal state the store remembers; past it, it forgets them all (a miss costs one request).</summary>
    internal const int MaxKnownKeys = 100_000;

    private const string BaseSuffix = ".base";
    private const int MaxReadAttempts = 5;

    private readonly BlobContainerClient _container;
    private readonly Lazy<Task> _containerCreated;
    private readonly ILogger _logger;

    // What this store last saw of each grain's journal blob (position, ETag, base). A hint that saves a request: a
    // write uses it only when its position is the writer's expected one, replaces it after the service accepted the
    // write's conditions, and drops it when the write fails.
    private readonly ConcurrentDictionary<string, KnownJournal> _known = new(StringComparer.Ordinal);

    /// <summary>Initializes a new instance of the <see cref="AzureBlobJournalStore"/> class.</summary>
    /// <param name="container">The container that holds the grains' blobs; created on first use.</param>
    /// <param name="logger">Logs the clean-up of old base blobs that failed (they are then left behind, unread); null for none.</param>
    public AzureBlobJournalStore(BlobContainerClient container, ILogger<AzureBlobJournalStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        _container = container;
        _containerCreated = new Lazy<Task>(() => _container.CreateIfNotExistsAsync());
        _logger = logger ?? NullLogger<AzureBlobJournalStore>.Instance;
    }

    /// <summary>Gets or sets the largest block one Append Block request sends; 0 (default) for the service version's limit (100 MiB, or 4 MiB before 2022-11-02). A larger record is appended in several blocks.</summary>
    internal int MaxAppendBlockBytes { get; set; }

    /// <summary>
    /// Gets or sets whether a read that finds no journal looks for a blob of the previous layout (one more request) and
    /// fails on one. The Full-mode storage, which looks for a journal at each activation, turns it off: Full mode never
    /// read that layout.
    /// </summary>
    internal bool ReportsPreviousLayout { get; set; } = true;

    /// <summary>Gets or sets a hook that runs after each <see cref="AzureBlobJournalStep"/>; tests throw from it to simulate a crash there.</summary>
    internal Func<AzureBlobJournalStep, Task>? AfterStep { get; set; }

    /// <summary>Gets the journal blob of the grain stored under <paramref name="key"/>.</summary>
    /// <param name="key">The grain's storage key.</param>
    /// <returns>The append blob <c>K/journal</c>.</returns>
    public AppendBlobClient GetJournalBlob(string key) => _container.GetAppendBlobClient($"{Prefix(key)}/{JournalBlobName}");

    /// <summary>Gets a base blob of the grain stored under <paramref name="key"/>.</summary>
    /// <param name="key">The grain's storage key.</param>
    /// <param name="baseName">The base's name under the key, as the journal's <see cref="BaseMetadataName"/> metadata gives it.</param>
    /// <returns>The blob (a block blob).</returns>
    public BlobClient GetBaseBlob(string key, string baseName) => _container.GetBlobClient($"{Prefix(key)}/{baseName}");

    /// <summary>Gets the blob in which the previous layout (one block blob per grain, up to this version) kept the grain.</summary>
    /// <param name="key">The grain's storage key.</param>
    /// <returns>The blob <c>K</c>.</returns>
    public BlobClient GetPreviousLayoutBlob(string key) => _container.GetBlobClient(Prefix(key));

    /// <inheritdoc />
    public async Task<JournalStoreContents?> ReadAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        await _containerCreated.Value.ConfigureAwait(false);
        var journal = GetJournalBlob(key);
        ETag? previous = null;
        for (int attempt = 0; attempt < MaxReadAttempts; attempt++)
        {
            BlobDownloadResult journalContent;
            try
            {
                journalContent = (await journal.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value;
            }
            catch (RequestFailedException exception) when (exception.Status == 404)
            {
                _known.TryRemove(key, out _);
                if (ReportsPreviousLayout)
                {
                    await ThrowIfPreviousLayoutAsync(key, cancellationToken).ConfigureAwait(false);
                }

                return null;
            }

            var etag = journalContent.Details.ETag;
            string baseName = BaseNameOf(journal.Name, journalContent.Details.Metadata);
            long generation = GenerationOf(journal.Name, baseName);
            var baseBlob = GetBaseBlob(key, baseName);
            BinaryData baseContent;
            try
            {
                baseContent = (await baseBlob.DownloadContentAsync(cancellationToken).ConfigureAwait(false)).Value.Content;
            }
            catch (RequestFailedException exception) when (exception.Status == 404)
            {
                if (previous == etag)
                {
                    throw new SnapshotFormatException($"The journal blob '{journal.Name}' names the base blob '{baseBlob.Name}', which does not exist: the stored state is damaged.", exception);
                }

                // A compaction replaced the journal and deleted the base between the two requests: read again.
                previous = etag;
                continue;
            }

            var journalBytes = journalContent.Content.ToMemory();
            Remember(key, new KnownJournal(new JournalPosition(generation, journalBytes.Length), etag, baseName));
            return new JournalStoreContents(generation, baseContent.ToMemory(), journalBytes);
        }

        throw new InvalidOperationException($"The journal blob '{journal.Name}' changed {MaxReadAttempts} times while it was being read; writers are racing on it.");
    }

    /// <inheritdoc />
    public async Task AppendAsync(string key, JournalPosition expected, ReadOnlyMemory<byte> record, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (record.IsEmpty)
        {
            throw new ArgumentException("A journal record has at least one byte.", nameof(record));
        }

        await _containerCreated.Value.ConfigureAwait(false);
        var known = await GetExpectedAsync(key, expected, cancellationToken).ConfigureAwait(false);
        var journal = GetJournalBlob(key);
        int maxBlock = MaxAppendBlockBytes > 0 ? MaxAppendBlockBytes : journal.AppendBlobMaxAppendBlockBytes;
        long position = expected.JournalLength;
        var etag = known.ETag;
        try
        {
            for (int offset = 0; offset < record.Length; offset += maxBlock)
            {
                if (offset > 0)
                {
                    await StepAsync(AzureBlobJournalStep.RecordPartAppended).ConfigureAwait(false);
                }

                var block = record.Slice(offset, Math.Min(maxBlock, record.Length - offset));
                etag = await AppendBlockAsync(journal, key, expected, position, etag, block, cancellationToken).ConfigureAwait(false);
                position += block.Length;
            }
        }
        catch
        {
            _known.TryRemove(key, out _);
            throw;
        }

        Remember(key, known with { Position = expected with { JournalLength = position }, ETag = etag });
    }

    /// <inheritdoc />
    public async Task WriteBaseAsync(string key, JournalPosition? expected, long generation, ReadOnlyMemory<byte> snapshot, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(generation);
        if (expected is { } old && generation <= old.Generation)
        {
            throw new ArgumentOutOfRangeException(nameof(generation), generation, $"A new base's generation must be higher than the stored one ({old.Generation}).");
        }

        await _containerCreated.Value.ConfigureAwait(false);
        var previous = expected is { } position ? await GetExpectedAsync(key, position, cancellationToken).ConfigureAwait(false) : null;
        string baseName = string.Create(CultureInfo.InvariantCulture, $"{generation:x16}-{Guid.NewGuid():N}{BaseSuffix}");
        var baseBlob = GetBaseBlob(key, baseName);
        try
        {
            await baseBlob.UploadAsync(
                BinaryData.FromBytes(snapshot),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken).ConfigureAwait(false);
            await StepAsync(AzureBlobJournalStep.BaseUploaded).ConfigureAwait(false);
            await CommitBaseAsync(key, previous, generation, baseBlob, baseName, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _known.TryRemove(key, out _);
            throw;
        }

        await StepAsync(AzureBlobJournalStep.JournalCommitted).ConfigureAwait(false);
        if (previous is not null)
        {
            await DeleteUnusedBaseAsync(GetBaseBlob(key, previous.BaseName), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task DeleteAsync(string key, JournalPosition? expected, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        await _containerCreated.Value.ConfigureAwait(false);
        var journal = GetJournalBlob(key);
        if (expected is not { } position)
        {
            var stored = await TryGetStoredAsync(journal, cancellationToken).ConfigureAwait(false);
            if (stored is not null)
            {
                throw Conflict(key, stored.Position, null);
            }

            await ThrowIfPreviousLayoutAsync(key, cancellationToken).ConfigureAwait(false);
            return;
        }

        var known = await GetExpectedAsync(key, position, cancellationToken).ConfigureAwait(false);
        _known.TryRemove(key, out _);
        try
        {
            await journal.DeleteAsync(conditions: new BlobRequestConditions { IfMatch = known.ETag }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.Status is 404 or 412)
        {
            throw Conflict(key, exception, position.ToString(), "a delete");
        }

        await StepAsync(AzureBlobJournalStep.JournalDeleted).ConfigureAwait(false);
        await DeleteUnusedBaseAsync(GetBaseBlob(key, known.BaseName), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Deletes <c>K/journal</c> unconditionally first (the commit point: from then on the grain reads as empty), then
    /// every other blob under <c>K/</c> (one listing: the bases, unused ones left by crashes included) and a blob of the
    /// previous layout, <c>K</c>.
    /// </remarks>
    public async Task DeleteAnyAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        await _containerCreated.Value.ConfigureAwait(false);
        _known.TryRemove(key, out _);
        var journal = GetJournalBlob(key);
        await journal.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await StepAsync(AzureBlobJournalStep.JournalDeleted).ConfigureAwait(false);
        await foreach (var item in _container.GetBlobsAsync(new GetBlobsOptions { Prefix = Prefix(key) + "/" }, cancellationToken).ConfigureAwait(false))
        {
            await _container.GetBlobClient(item.Name).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        await GetPreviousLayoutBlob(key).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets what the store remembers of the grain under <paramref name="key"/> (its next write asks the service first).</summary>
    /// <param name="key">The grain's storage key.</param>
    public void Forget(string key) => _known.TryRemove(key, out _);

    /// <inheritdoc />
    public ValueTask ReleaseAsync(string key)
    {
        Forget(key);
        return ValueTask.CompletedTask;
    }

    private static string Prefix(string key) => key.Replace('\\', '/');

    private static string BaseNameOf(string journalName, IDictionary<string, string>? metadata)
    {
        string? baseName = null;
        if (metadata is not null && !metadata.TryGetValue(BaseMetadataName, out baseName))
        {
            baseName = metadata.FirstOrDefault(entry => string.Equals(entry.Key, BaseMetadataName, StringComparison.OrdinalIgnoreCase)).Value;
        }

        if (string.IsNullOrEmpty(baseName) || baseName.Contains('/', StringComparison.Ordinal) || !baseName.EndsWith(BaseSuffix, StringComparison.Ordinal))
        {
            throw new SnapshotFormatException($"The blob '{journalName}' has no valid '{BaseMetadataName}' metadata (found '{baseName ?? "<none>"}'): it was not written by the journal storage.");
        }

        return baseName;
    }

    private static long GenerationOf(string journalName, string baseName)
    {
        int dash = baseName.IndexOf('-', StringComparison.Ordinal);
        if (dash != 16
            || !long.TryParse(baseName.AsSpan(0, dash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long generation)
            || generation <= 0)
        {
            throw new SnapshotFormatException($"The blob '{journalName}' names the base '{baseName}', which does not start with a generation (16 hexadecimal digits and '-').");
        }

        return generation;
    }

    private static InconsistentStateException Conflict(string key, JournalPosition? stored, JournalPosition? expected) =>
        new(
            $"Version conflict on the journal of '{key}': stored {stored?.ToString() ?? "<nothing>"}, the writer saw {expected?.ToString() ?? "<nothing>"}.",
            stored?.ToString(),
            expected?.ToString());

    private static InconsistentStateException Conflict(string key, RequestFailedException exception, string? expected, string what) =>
        new($"Version conflict on the journal of '{key}': it changed since the writer saw {expected ?? "<nothing>"}, so {what} was refused ({exception.Status} {exception.ErrorCode}).", exception);

    /// <summary>The stored state of a journal blob, or null when there is none.</summary>
    private static async Task<KnownJournal?> TryGetStoredAsync(AppendBlobClient journal, CancellationToken cancellationToken)
    {
        BlobProperties properties;
        try
        {
            properties = (await journal.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }

        string baseName = BaseNameOf(journal.Name, properties.Metadata);
        return new KnownJournal(new JournalPosition(GenerationOf(journal.Name, baseName), properties.ContentLength), properties.ETag, baseName);
    }

    /// <summary>Whether the bytes of <paramref name="block"/> are at <paramref name="position"/> of the journal of <paramref name="generation"/> and end it; the new ETag when they are.</summary>
    private static async Task<ETag?> ConfirmAppendAsync(AppendBlobClient journal, long generation, long position, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        BlobDownloadResult range;
        try
        {
            range = (await journal.DownloadContentAsync(new BlobDownloadOptions { Range = new HttpRange(position, block.Length) }, cancellationToken).ConfigureAwait(false)).Value;
        }
        catch (RequestFailedException exception) when (exception.Status is 404 or 416)
        {
            return null;
        }

        var details = range.Details;
        string? contentRange = details.ContentRange;
        int slash = contentRange?.LastIndexOf('/') ?? -1;
        bool landed = slash >= 0
            && long.TryParse(contentRange.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long total)
            && total == position + block.Length
            && GenerationOf(journal.Name, BaseNameOf(journal.Name, details.Metadata)) == generation
            && range.Content.ToMemory().Span.SequenceEqual(block.Span);
        return landed ? details.ETag : null;
    }

    /// <summary>After a refused commit: whether the journal names <paramref name="baseName"/> all the same (the refused request was a retry of one that landed).</summary>
    private static async Task<(bool Landed, ETag? EmptyJournalETag)> ConfirmCommitAsync(AppendBlobClient journal, string baseName, CancellationToken cancellationToken)
    {
        var stored = await TryGetStoredAsync(journal, cancellationToken).ConfigureAwait(false);
        if (stored is null || stored.BaseName != baseName)
        {
            return (false, null);
        }

        return (true, stored.Position.JournalLength == 0 ? stored.ETag : null);
    }

    private async Task<ETag> AppendBlockAsync(AppendBlobClient journal, string key, JournalPosition expected, long position, ETag etag, ReadOnlyMemory<byte> block, CancellationToken cancellationToken)
    {
        try
        {
            using var content = BinaryData.FromBytes(block).ToStream();
            var appended = await journal.AppendBlockAsync(
                content,
                new AppendBlobAppendBlockOptions { Conditions = new AppendBlobRequestConditions { IfMatch = etag, IfAppendPositionEqual = position } },
                cancellationToken).ConfigureAwait(false);
            return appended.Value.ETag;
        }
        catch (RequestFailedException exception) when (exception.Status is 404 or 412)
        {
            // Refused: either another writer moved the journal (a conflict), or this is the client's retry of an
            // append whose first attempt landed but whose response was lost. Only the stored bytes can tell.
            if (await ConfirmAppendAsync(journal, expected.Generation, position, block, cancellationToken).ConfigureAwait(false) is { } landed)
            {
                LogRetriedAppendLanded(journal.Name, position);
                return landed;
            }

            throw Conflict(key, exception, (expected with { JournalLength = position }).ToString(), "an append");
        }
        catch (RequestFailedException exception) when (exception.ErrorCode == BlobErrorCode.BlockCountExceedsLimit.ToString())
        {
            throw new InvalidOperationException(
                $"The journal blob '{journal.Name}' holds {journal.AppendBlobMaxBlocks} blocks, Azure's limit for an append blob: compact more often (a lower MaxRecords).",
                exception);
        }
    }

    /// <summary>Re-creates the journal empty, naming the uploaded base: the commit point of a new base.</summary>
    private async Task CommitBaseAsync(string key, KnownJournal? previous, long generation, BlobClient baseBlob, string baseName, CancellationToken cancellationToken)
    {
        var journal = GetJournalBlob(key);
        var conditions = previous is null
            ? new AppendBlobRequestConditions { IfNoneMatch = ETag.All }
            : new AppendBlobRequestConditions { IfMatch = previous.ETag };
        ETag? committed;
        try
        {
            var created = await journal.CreateAsync(
                new AppendBlobCreateOptions { Metadata = new Dictionary<string, string> { [BaseMetadataName] = baseName }, Conditions = conditions },
                cancellationToken).ConfigureAwait(false);
            committed = created.Value.ETag;
        }
        catch (RequestFailedException exception) when (exception.Status is 409 or 412)
        {
            var outcome = await ConfirmCommitAsync(journal, baseName, cancellationToken).ConfigureAwait(false);
            if (!outcome.Landed)
            {
                // The commit failed for good, so this base can never become current: remove it now.
                await DeleteUnusedBaseAsync(baseBlob, cancellationToken).ConfigureAwait(false);
                throw Conflict(key, exception, previous?.Position.ToString(), "a new base");
            }

            committed = outcome.EmptyJournalETag;
        }

        if (committed is { } committedETag)
        {
            Remember(key, new KnownJournal(new JournalPosition(generation, 0), committedETag, baseName));
        }
        else
        {
            _known.TryRemove(key, out _);
        }
    }

    /// <summary>The known state of the journal if it is at <paramref name="expected"/>: from memory when it is there, else from the service; a conflict otherwise.</summary>
    private async Task<KnownJournal> GetExpectedAsync(string key, JournalPosition expected, CancellationToken cancellationToken)
    {
        if (_known.TryGetValue(key, out var known))
        {
            if (known.Position == expected)
            {
                return known;
            }

            _known.TryRemove(key, out _);
        }

        var stored = await TryGetStoredAsync(GetJournalBlob(key), cancellationToken).ConfigureAwait(false);
        if (stored?.Position != expected)
        {
            throw Conflict(key, stored?.Position, expected);
        }

        return stored;
    }

    private void Remember(string key, KnownJournal known)
    {
        if (!_known.ContainsKey(key) && _known.Count >= MaxKnownKeys)
        {
            _known.Clear();
        }

        _known[key] = known;
    }

    private async Task ThrowIfPreviousLayoutAsync(string key, CancellationToken cancellationToken)
    {
        var blob = GetPreviousLayoutBlob(key);
        try
        {
            await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return;
        }

        throw new SnapshotFormatException(
            $"The blob '{blob.Name}' holds this grain in the previous Azure journal layout (one block blob per grain), which this version does not read. Export the ArrayDict with the previous version and import it, or delete the blob.");
    }

    private async Task DeleteUnusedBaseAsync(BlobClient baseBlob, CancellationToken cancellationToken)
    {
        try
        {
            await baseBlob.DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception)
        {
            // The write itself is decided; an unused base left behind is never read (the journal names the current one).
            LogBaseNotDeleted(exception, baseBlob.Name);
        }
    }

    private Task StepAsync(AzureBlobJournalStep step) => AfterStep?.Invoke(step) ?? Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not delete the unused base blob {BlobName}; it stays behind, unread")]
    private partial void LogBaseNotDeleted(Exception exception, string blobName);

    [LoggerMessage(Level = LogLevel.Information, Message = "An append to {BlobName} at byte {Position} was refused on a retry, but its first attempt had landed")]
    private partial void LogRetriedAppendLanded(string blobName, long position);

    /// <summary>What the store knows of a journal blob: its position, its ETag at that position, and the base it names.</summary>
    private sealed record KnownJournal(JournalPosition Position, ETag ETag, string BaseName);
}
