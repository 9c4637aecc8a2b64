using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ArrayDictOrleans.Grains.Journal;

/// <summary>
/// Where a grain's stored form stands: the generation of its base snapshot and the length in bytes of that
/// generation's journal. Within a generation the journal only grows, and every compaction starts a higher
/// generation, so the pair is a version: it is the grain's ETag (<c>"&lt;generation&gt;:&lt;length&gt;"</c>, hexadecimal).
/// </summary>
/// <param name="Generation">The base snapshot's generation (positive).</param>
/// <param name="JournalLength">The bytes in that generation's journal, including a torn record at its end.</param>
public readonly record struct JournalPosition(long Generation, long JournalLength)
{
    /// <summary>Formats the position as an ETag.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Generation:x}:{JournalLength:x}");

    /// <summary>Parses an ETag made by <see cref="ToString"/>.</summary>
    /// <param name="eTag">The ETag.</param>
    /// <param name="position">The position, when the ETag is one.</param>
    /// <returns>Whether the ETag is a journal position.</returns>
    public static bool TryParse(string? eTag, [NotNullWhen(true)] out JournalPosition? position)
    {
        position = null;
        int colon = eTag?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (colon <= 0
            || !long.TryParse(eTag.AsSpan(0, colon), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long generation)
            || !long.TryParse(eTag.AsSpan(colon + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out long length)
            || generation <= 0
            || length < 0)
        {
            return false;
        }

        position = new JournalPosition(generation, length);
        return true;
    }
}
