namespace ArrayDictOrleans.Client.Files;

/// <summary>Reads one ArrayDict from a file checked when it was opened, page by page.</summary>
internal interface IArrayDictFileReader : IDisposable
{
    /// <summary>Values per row.</summary>
    int Width { get; }

    /// <summary>Rows in the file.</summary>
    int Count { get; }

    /// <summary>The rows in file order, at most <paramref name="pageRows"/> at a time.</summary>
    IEnumerable<RowBatch> ReadPages(int pageRows);
}
