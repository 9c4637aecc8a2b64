namespace ArrayDictOrleans.Client.Files;

/// <summary>The file formats an ArrayDict is exported to and imported from, chosen by the file's extension.</summary>
public enum ArrayDictFileFormat
{
    /// <summary>The project's snapshot format (<c>docs/snapshot-format.md</c>): extensions <c>.adsnap</c> and <c>.snapshot</c>.</summary>
    Snapshot,

    /// <summary>numpy's <c>.npz</c>: a zip of <c>keys.npy</c> (int64, shape (count,)) and <c>values.npy</c> (float64, shape (count, W)).</summary>
    Npz,
}
