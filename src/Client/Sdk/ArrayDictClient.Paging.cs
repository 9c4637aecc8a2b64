using System.Runtime.CompilerServices;

namespace ArrayDictOrleans.Client;

/// <summary>Paged export and import: ArrayDicts of any size, a bounded page in each message.</summary>
public sealed partial class ArrayDictClient
{
    /// <summary>The bytes of rows a page carries by default: far below Orleans' 100 MB message limit, large enough that paging costs little.</summary>
    public const int DefaultPageBytes = 4 << 20;

    /// <summary>The rows of width <paramref name="width"/> that make a page of about <see cref="DefaultPageBytes"/>.</summary>
    public static int DefaultPageRows(int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        return (int)Math.Max(1, DefaultPageBytes / (sizeof(long) + (sizeof(double) * (long)width)));
    }

    /// <summary>
    /// Reads ArrayDict <paramref name="id"/> page by page, each of at most <paramref name="pageRows"/> rows, in row order.
    /// Every page comes from the same version of the ArrayDict: one that changed between two pages (written to, or
    /// deactivated and reloaded) throws <see cref="InvalidOperationException"/>, so that nothing mixes two versions.
    /// </summary>
    public async IAsyncEnumerable<ArrayDictPage> ExportPagesAsync(long id, int? pageRows = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var grain = Get(id);
        ArrayDictPage? first = null;
        int startRow = 0;
        long rows = 0;
        int index = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int maxRows = pageRows ?? DefaultPageRows(first?.Rows.Width ?? (await grain.GetInfoAsync().ConfigureAwait(false)).Width);
            var page = await grain.ExportPageAsync(startRow, maxRows).ConfigureAwait(false);
            first ??= page;
            if (!page.IsSameVersionAs(first) || page.Rows.Width != first.Rows.Width)
            {
                throw new InvalidOperationException(
                    $"ArrayDict {id} changed while it was being exported (before page {index + 1}): it was written to or reloaded. Export it again.");
            }

            rows += page.Rows.Count;
            index++;
            yield return page;
            if (page.IsLast)
            {
                break;
            }

            startRow = page.NextRow;
        }

        if (rows != first.TotalCount)
        {
            throw new InvalidOperationException($"ArrayDict {id} reported {first.TotalCount} rows but its pages held {rows}. Export it again.");
        }
    }

    /// <summary>
    /// Replaces ArrayDict <paramref name="id"/> by <paramref name="expectedRows"/> rows of <paramref name="width"/> values
    /// sent in <paramref name="pages"/>, all or nothing: the rows are staged in the grain and swapped in by one commit.
    /// A failure or a cancellation at any point leaves the ArrayDict as it was.
    /// </summary>
    public Task ImportPagesAsync(long id, int width, int expectedRows, IAsyncEnumerable<RowBatch> pages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pages);
        return ImportPagesAsync(id, width, expectedRows, async (grain, importId) =>
        {
            await foreach (var page in pages.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                await grain.ImportPageAsync(importId, page).ConfigureAwait(false);
            }
        }, cancellationToken);
    }

    /// <inheritdoc cref="ImportPagesAsync(long, int, int, IAsyncEnumerable{RowBatch}, CancellationToken)" />
    public Task ImportPagesAsync(long id, int width, int expectedRows, IEnumerable<RowBatch> pages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pages);
        return ImportPagesAsync(id, width, expectedRows, async (grain, importId) =>
        {
            foreach (var page in pages)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await grain.ImportPageAsync(importId, page).ConfigureAwait(false);
            }
        }, cancellationToken);
    }

    private async Task ImportPagesAsync(long id, int width, int expectedRows, Func<IArrayDictGrain, Guid, Task> sendPages, CancellationToken cancellationToken)
    {
        var grain = Get(id);
        var importId = await grain.BeginImportAsync(width, expectedRows).ConfigureAwait(false);
        try
        {
            await sendPages(grain, importId).ConfigureAwait(false);

            cancellationToken.ThrowIfCancellationRequested();
            await grain.CommitImportAsync(importId).ConfigureAwait(false);
        }
        catch
        {
            try
            {
                await grain.AbortImportAsync(importId).ConfigureAwait(false);
            }
            catch (Exception abortFailure) when (TransientFailures.IsTransient(abortFailure))
            {
                // The staged rows die with the activation or are dropped by the next import; the ArrayDict is unchanged either way.
            }

            throw;
        }
    }
}
