using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ArrayDictOrleans.Client.Files;

/// <summary>
/// The header of a numpy <c>.npy</c> array (numpy's NEP 1): the magic <c>\x93NUMPY</c>, a version, the header's length,
/// then a Python dict literal giving the element type (<c>descr</c>), the memory order and the shape.
/// Writes version 1.0, padded so that the data starts at a multiple of 64 bytes, as numpy does; reads 1.0, 2.0 and 3.0.
/// </summary>
/// <param name="Descr">The element type, e.g. <c>&lt;i8</c> (little-endian int64) or <c>&lt;f8</c> (little-endian float64).</param>
/// <param name="FortranOrder">Whether the data is column-major.</param>
/// <param name="Shape">The dimensions.</param>
/// <param name="Length">The header's bytes, magic included: where the data starts.</param>
internal sealed partial record NpyHeader(string Descr, bool FortranOrder, long[] Shape, int Length)
{
    private const int Alignment = 64;

    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>The bytes of a version 1.0 header for a C-ordered array.</summary>
    public static byte[] Format(string descr, params long[] shape)
    {
        string dims = shape.Length == 1
            ? string.Create(CultureInfo.InvariantCulture, $"{shape[0]},")
            : string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({dims}), }}";
        int unpadded = Magic.Length + 4 + dict.Length + 1;
        int total = (unpadded + Alignment - 1) / Alignment * Alignment;
        var bytes = new byte[total];
        Magic.CopyTo(bytes);
        bytes[6] = 1;
        bytes[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)(total - 10));
        int written = Encoding.ASCII.GetBytes(dict, bytes.AsSpan(10));
        bytes.AsSpan(10 + written, total - 10 - written - 1).Fill((byte)' ');
        bytes[^1] = (byte)'\n';
        return bytes;
    }

    /// <summary>Reads a header from the start of <paramref name="stream"/>, which is left where the data starts.</summary>
    /// <exception cref="ArrayDictFileException">The bytes are not an .npy header; the message names <paramref name="name"/>.</exception>
    public static NpyHeader Read(Stream stream, string name)
    {
        Span<byte> prefix = stackalloc byte[12];
        if (stream.ReadAtLeast(prefix[..10], 10, throwOnEndOfStream: false) < 10 || !prefix[..6].SequenceEqual(Magic))
        {
            throw new ArrayDictFileException($"{name} is not a numpy .npy array: it does not begin with \\x93NUMPY.");
        }

        byte major = prefix[6];
        int headerLength;
        int prefixLength;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]);
            prefixLength = 10;
        }
        else if (major is 2 or 3)
        {
            if (stream.ReadAtLeast(prefix[10..12], 2, throwOnEndOfStream: false) < 2)
            {
                throw new ArrayDictFileException($"{name} ends inside its .npy header.");
            }

            uint length = BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
            if (length > 1 << 20)
            {
                throw new ArrayDictFileException($"{name} claims a .npy header of {length} bytes.");
            }

            headerLength = (int)length;
            prefixLength = 12;
        }
        else
        {
            throw new ArrayDictFileException($"{name} is a .npy array of format version {major}.{prefix[7]}; this program reads versions 1, 2 and 3.");
        }

        var text = new byte[headerLength];
        if (stream.ReadAtLeast(text, headerLength, throwOnEndOfStream: false) < headerLength)
        {
            throw new ArrayDictFileException($"{name} ends inside its .npy header.");
        }

        string dict = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(text);
        var descr = DescrPattern().Match(dict);
        var order = FortranPattern().Match(dict);
        var shape = ShapePattern().Match(dict);
        if (!descr.Success || !order.Success || !shape.Success)
        {
            throw new ArrayDictFileException($"{name} has a .npy header that this program cannot read: {dict.Trim()}");
        }

        var dims = new List<long>();
        foreach (string part in shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!long.TryParse(part.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out long dim))
            {
                throw new ArrayDictFileException($"{name} has a .npy shape that this program cannot read: ({shape.Groups[1].Value}).");
            }

            dims.Add(dim);
        }

        return new NpyHeader(descr.Groups[1].Value, order.Groups[1].Value == "True", [.. dims], prefixLength + headerLength);
    }

    [GeneratedRegex(@"['""]descr['""]\s*:\s*['""]([^'""]*)['""]")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"['""]fortran_order['""]\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"['""]shape['""]\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
