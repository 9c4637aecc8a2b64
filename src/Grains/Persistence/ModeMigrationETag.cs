using System.Diagnostics.CodeAnalysis;
using ArrayDictOrleans.Grains.Journal;

namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>
/// The ETag a storage gives a grain whose stored form is not the one its mode writes, or not only: a Full snapshot read
/// by the journal storage, a journal read by the Full-mode storage, or both forms left by an interrupted switch
/// (docs/journal.md, "Switching modes"). It names which form is current and the version of each form that was read, so
/// that the grain's next write or clear finishes the switch: it removes the other form, conditionally on that version,
/// and only after the current data is stored in the new form.
/// </summary>
/// <param name="JournalIsCurrent">Whether the journal holds the current state (else the Full snapshot does).</param>
/// <param name="Journal">The journal's stored position, or null when there is no journal.</param>
/// <param name="Full">The Full snapshot's ETag (data or tombstone), or null when there is none.</param>
internal readonly record struct ModeMigrationETag(bool JournalIsCurrent, JournalPosition? Journal, string? Full)
{
    // No ETag of either provider starts with it: journal positions and local-file ETags are hexadecimal, Azure's are quoted.
    private const char Marker = '~';
    private const string JournalCurrent = "~journal|";
    private const string FullCurrent = "~full|";

    /// <summary>Whether <paramref name="eTag"/> is one of these (one character compared: the steady path pays nothing more).</summary>
    /// <param name="eTag">A grain's ETag.</param>
    /// <returns>Whether it starts with the marker.</returns>
    public static bool IsOne([NotNullWhen(true)] string? eTag) => eTag is { Length: > 0 } && eTag[0] == Marker;

    /// <summary>Formats the ETag: <c>~journal|&lt;position&gt;|&lt;full ETag&gt;</c> or <c>~full|...</c>, an absent part empty.</summary>
    public override string ToString() =>
        $"{(JournalIsCurrent ? JournalCurrent : FullCurrent)}{Journal?.ToString()}|{Full}";

    /// <summary>Parses an ETag made by <see cref="ToString"/>.</summary>
    /// <param name="eTag">The ETag.</param>
    /// <param name="migration">The parsed ETag.</param>
    /// <returns>Whether <paramref name="eTag"/> is one.</returns>
    public static bool TryParse(string? eTag, out ModeMigrationETag migration)
    {
        migration = default;
        if (!IsOne(eTag))
        {
            return false;
        }

        bool journalIsCurrent;
        string rest;
        if (eTag.StartsWith(JournalCurrent, StringComparison.Ordinal))
        {
            journalIsCurrent = true;
            rest = eTag[JournalCurrent.Length..];
        }
        else if (eTag.StartsWith(FullCurrent, StringComparison.Ordinal))
        {
            journalIsCurrent = false;
            rest = eTag[FullCurrent.Length..];
        }
        else
        {
            return false;
        }

        int bar = rest.IndexOf('|', StringComparison.Ordinal);
        if (bar < 0)
        {
            return false;
        }

        JournalPosition? journal = null;
        if (bar > 0)
        {
            if (!JournalPosition.TryParse(rest[..bar], out journal))
            {
                return false;
            }
        }

        string? full = bar + 1 < rest.Length ? rest[(bar + 1)..] : null;
        if ((journalIsCurrent && journal is null) || (!journalIsCurrent && full is null))
        {
            return false;
        }

        migration = new ModeMigrationETag(journalIsCurrent, journal, full);
        return true;
    }
}
