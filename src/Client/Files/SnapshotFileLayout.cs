namespace ArrayDictOrleans.Client.Files;

/// <summary>
/// Where the parts of a snapshot file lie (<see cref="ArrayDictSnapshotHeader"/>, <c>docs/snapshot-format.md</c>), so
/// that a file can be written and read in pages, and the checks of a whole file: its header and its exact length.
/// </summary>
internal readonly record struct SnapshotFileLayout(int Width, int Count, long MetadataLength)
{
    private ArrayDictSnapshotHeader Header => new(Width, Count, MetadataLength);

    public long ChecksumOffset => Header.ChecksumOffset;

    public long FileLength => Header.TotalLength;

    public long KeyOffset(long row) => ArrayDictSnapshotHeader.KeysOffset + (row * sizeof(long));

    public long ValueOffset(long row) => Header.ValuesOffset + (row * Width * sizeof(double));

    public void WriteHeader(Span<byte> header) => Header.WriteTo(header);

    /// <summary>Reads and checks a header; <paramref name="fileLength"/> must be exactly what the header announces.</summary>
    public static SnapshotFileLayout ReadHeader(ReadOnlySpan<byte> header, long fileLength, string path)
    {
        ArrayDictSnapshotHeader parsed;
        try
        {
            parsed = ArrayDictSnapshotHeader.Read(header);
        }
        catch (SnapshotFormatException unreadable)
        {
            throw new ArrayDictFileException($"{path} is not an ArrayDict snapshot this program can read: {unreadable.Message}", unreadable);
        }

        // Read bounds the count by the largest ArrayDict, which fits an int.
        var layout = new SnapshotFileLayout(parsed.Width, (int)parsed.Count, parsed.MetadataLength);
        if (fileLength != layout.FileLength)
        {
            throw new ArrayDictFileException(fileLength < layout.FileLength
                ? $"{path} is a truncated ArrayDict snapshot: {parsed.Count} rows of width {parsed.Width} take {layout.FileLength} bytes, the file has {fileLength}."
                : $"{path} has {fileLength - layout.FileLength} bytes after its ArrayDict snapshot of {layout.FileLength} bytes.");
        }

        return layout;
    }
}
