using System.Buffers;
using System.IO.Hashing;
using System.Text;

namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>
/// Turns provider, state, grain type and grain key names into file and directory names that are safe on Linux, macOS
/// and Windows, stay readable, and never collide for different inputs.
/// </summary>
/// <remarks>
/// ASCII letters, digits, <c>-</c>, <c>_</c> and inner dots are kept; every other character becomes <c>%XX</c> for each
/// byte of its UTF-8 encoding, and so does a leading or trailing dot (no <c>.</c>, <c>..</c> or hidden names) and the first
/// letter of a Windows device name (<c>CON</c>, <c>NUL</c>, <c>COM1</c>, ...). The empty name is <c>%</c>. An escaped
/// name longer than <see cref="MaxSegmentLength"/> characters keeps its first <see cref="LongNamePrefixLength"/>
/// characters followed by <c>~</c> and the 16 hex digits of the XxHash3 of the original name's UTF-8 bytes. A file
/// system that ignores case (Windows, macOS by default) does not tell apart names that differ only in case.
/// </remarks>
internal static class LocalFileNames
{
    /// <summary>The longest escaped name kept whole.</summary>
    public const int MaxSegmentLength = 120;

    /// <summary>How much of a too-long escaped name is kept before its hash.</summary>
    public const int LongNamePrefixLength = 80;

    private static readonly SearchValues<char> Kept =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.");

    private static readonly string[] WindowsDeviceNames =
    [
        "CON", "PRN", "AUX", "NUL",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    ];

    /// <summary>Escapes one name into one path segment.</summary>
    /// <param name="name">The name.</param>
    /// <returns>A file or directory name.</returns>
    public static string Escape(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            return "%";
        }

        var escapeFirst = name[0] == '.' || IsWindowsDeviceName(name);
        var escapeLast = name[^1] == '.';
        if (!escapeFirst && !escapeLast && !name.AsSpan().ContainsAnyExcept(Kept) && name.Length <= MaxSegmentLength)
        {
            return name;
        }

        var builder = new StringBuilder(name.Length + 16);
        Span<byte> utf8 = stackalloc byte[4];
        var index = 0;
        foreach (var rune in name.EnumerateRunes())
        {
            var isFirst = index == 0;
            index += rune.Utf16SequenceLength;
            var isLast = index == name.Length;
            if (rune.IsAscii && Kept.Contains((char)rune.Value) && !(isFirst && escapeFirst) && !(isLast && escapeLast))
            {
                builder.Append((char)rune.Value);
                continue;
            }

            var count = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..count])
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        if (builder.Length <= MaxSegmentLength)
        {
            return builder.ToString();
        }

        // Cut before a %XX escape rather than through it, then name the whole by its hash.
        var cut = LongNamePrefixLength;
        if (builder[cut - 1] == '%')
        {
            cut -= 1;
        }
        else if (builder[cut - 2] == '%')
        {
            cut -= 2;
        }

        var hash = XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(name));
        return string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"{builder.ToString(0, cut)}~{hash:x16}");
    }

    /// <summary>Gets a stable (same in every process) 64-bit hash of a string.</summary>
    /// <param name="value">The string.</param>
    /// <returns>The XxHash3 of its UTF-8 bytes.</returns>
    public static ulong StableHash(string value) => XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(value));

    private static bool IsWindowsDeviceName(string name)
    {
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        var stem = dot < 0 ? name.AsSpan() : name.AsSpan(0, dot);
        foreach (var device in WindowsDeviceNames)
        {
            if (stem.Equals(device, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
