namespace ArrayDictOrleans;

/// <summary>A snapshot could not be read: truncated, corrupted, of an unknown version, or not a snapshot at all.</summary>
[GenerateSerializer, Alias("arraydict.SnapshotFormatException")]
public sealed class SnapshotFormatException : Exception
{
    /// <summary>Creates the exception with a message that says what was wrong.</summary>
    public SnapshotFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure that revealed it.</summary>
    public SnapshotFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
