namespace ArrayDictOrleans.Client.Files;

/// <summary>What an export or import moved.</summary>
/// <param name="Format">The file's format.</param>
/// <param name="Rows">Rows moved.</param>
/// <param name="Width">Values per row.</param>
/// <param name="Pages">Pages (grain calls) it took.</param>
/// <param name="FileBytes">The file's size.</param>
public sealed record FileTransferResult(ArrayDictFileFormat Format, long Rows, int Width, int Pages, long FileBytes);
