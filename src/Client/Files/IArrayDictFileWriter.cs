namespace ArrayDictOrleans.Client.Files;

/// <summary>
/// Writes one ArrayDict to a file page by page, as the pages arrive: <see cref="Begin"/> once, <see cref="WriteRows"/> per
/// page, then <see cref="Complete"/>, which moves the finished file into place. Disposing an unfinished writer deletes what
/// it wrote and leaves any earlier file at the path as it was.
/// </summary>
internal interface IArrayDictFileWriter : IDisposable
{
    /// <summary>Starts the file: <paramref name="count"/> rows of <paramref name="width"/> values will follow.</summary>
    void Begin(int width, int count);

    /// <summary>Appends <paramref name="rows"/>.</summary>
    void WriteRows(RowBatch rows);

    /// <summary>Checks that every announced row came, finishes the file and moves it to its path.</summary>
    void Complete();
}
