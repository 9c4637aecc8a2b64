namespace ArrayDictOrleans.Client.Files;

/// <summary>
/// Exports an ArrayDict to a file and imports one from a file, in pages, so that an ArrayDict of any size moves with one
/// page in memory at a time: export writes each page to the file as it arrives; import sends the file's pages into a
/// staged import that replaces the ArrayDict all or nothing. The format follows the extension: <c>.adsnap</c> or
/// <c>.snapshot</c> (the project's snapshot format), <c>.npz</c> (numpy).
/// </summary>
public static class ArrayDictFileTransfer
{
    /// <summary>The format of <paramref name="path"/>, by its extension.</summary>
    /// <exception cref="ArrayDictFileException">The extension is none of <c>.adsnap</c>, <c>.snapshot</c>, <c>.npz</c>.</exception>
    public static ArrayDictFileFormat FormatOf(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".adsnap" or ".snapshot" => ArrayDictFileFormat.Snapshot,
            ".npz" => ArrayDictFileFormat.Npz,
            var other => throw new ArrayDictFileException(
                $"{path}: the extension '{other}' names no known format; use .adsnap or .snapshot (ArrayDict snapshot) or .npz (numpy)."),
        };
    }

    /// <summary>Writes ArrayDict <paramref name="id"/> to <paramref name="path"/>, page by page; a file already there is replaced only once the new one is complete.</summary>
    /// <param name="client">The client.</param>
    /// <param name="id">The ArrayDict.</param>
    /// <param name="path">The file; its extension picks the format.</param>
    /// <param name="pageRows">Rows per page; by default about <see cref="ArrayDictClient.DefaultPageBytes"/> of them.</param>
    /// <param name="cancellationToken">Stops the export between pages; the file is then not written.</param>
    public static async Task<FileTransferResult> ExportAsync(ArrayDictClient client, long id, string path, int? pageRows = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        var format = FormatOf(path);
        using IArrayDictFileWriter writer = format == ArrayDictFileFormat.Npz ? new NpzFileWriter(path) : new SnapshotFileWriter(path);
        int pages = 0;
        int width = 0;
        long rows = 0;
        await foreach (var page in client.ExportPagesAsync(id, pageRows, cancellationToken).ConfigureAwait(false))
        {
            if (pages == 0)
            {
                width = page.Rows.Width;
                writer.Begin(width, page.TotalCount);
            }

            writer.WriteRows(page.Rows);
            rows += page.Rows.Count;
            pages++;
        }

        writer.Complete();
        return new FileTransferResult(format, rows, width, pages, new FileInfo(path).Length);
    }

    /// <summary>
    /// Replaces ArrayDict <paramref name="id"/> by the content of <paramref name="path"/>, all or nothing. The file is
    /// checked whole (format, sizes, checksum) before anything is sent; a key twice or any failure leaves the ArrayDict as it was.
    /// </summary>
    /// <param name="client">The client.</param>
    /// <param name="id">The ArrayDict.</param>
    /// <param name="path">The file; its extension picks the format.</param>
    /// <param name="pageRows">Rows per page; by default about <see cref="ArrayDictClient.DefaultPageBytes"/> of them.</param>
    /// <param name="cancellationToken">Stops the import between pages; the ArrayDict then keeps its data.</param>
    public static async Task<FileTransferResult> ImportAsync(ArrayDictClient client, long id, string path, int? pageRows = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var reader = OpenReader(path);
        return await ImportAsync(client, id, path, reader, pageRows, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens and checks <paramref name="path"/> for import.</summary>
    internal static IArrayDictFileReader OpenReader(string path) =>
        FormatOf(path) == ArrayDictFileFormat.Npz ? NpzFileReader.Open(path) : SnapshotFileReader.Open(path);

    /// <summary>Imports from a reader already opened (and so checked) with <see cref="OpenReader"/>.</summary>
    internal static async Task<FileTransferResult> ImportAsync(ArrayDictClient client, long id, string path, IArrayDictFileReader reader, int? pageRows, CancellationToken cancellationToken)
    {
        int pages = 0;
        IEnumerable<RowBatch> Counted()
        {
            foreach (var page in reader.ReadPages(pageRows ?? ArrayDictClient.DefaultPageRows(reader.Width)))
            {
                pages++;
                yield return page;
            }
        }

        await client.ImportPagesAsync(id, reader.Width, reader.Count, Counted(), cancellationToken).ConfigureAwait(false);
        return new FileTransferResult(FormatOf(path), reader.Count, reader.Width, pages, new FileInfo(path).Length);
    }
}
