namespace ArrayDictOrleans.Client.Files;

/// <summary>The checks every writer makes on the pages it is given.</summary>
internal static class PageChecks
{
    public static void CheckPage(long written, int width, int count, RowBatch rows)
    {
        if (written < 0)
        {
            throw new InvalidOperationException("Begin the file before writing rows to it.");
        }

        rows.Validate(width);
        if (written + rows.Count > count)
        {
            throw new InvalidOperationException($"The file was begun for {count} rows, but {written + rows.Count} were sent.");
        }
    }

    public static void CheckComplete(long written, int count)
    {
        if (written != count)
        {
            throw new InvalidOperationException(written < 0
                ? "Begin the file before completing it."
                : $"The file was begun for {count} rows, but only {written} were sent.");
        }
    }
}
