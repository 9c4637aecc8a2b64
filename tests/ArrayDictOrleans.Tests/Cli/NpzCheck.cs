using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace ArrayDictOrleans.Tests.Cli;

/// <summary>
/// A strict reader of the .npz the program writes, written apart from the program's own reader: exactly the entries
/// keys.npy and values.npy, .npy version 1.0 headers as numpy writes them (64-byte aligned), int64 keys of shape (n,),
/// float64 values of shape (n, W), C order, and not one byte more or less.
/// </summary>
public static partial class NpzCheck
{
    public static (long[] Keys, double[] Values, int Width) Read(string path)
    {
        using var archive = ZipFile.OpenRead(path);
        Assert.Equal(["keys.npy", "values.npy"], archive.Entries.Select(e => e.FullName).Order());
        var (keyShape, keyBytes) = ReadNpy(archive.GetEntry("keys.npy")!, "<i8");
        var (valueShape, valueBytes) = ReadNpy(archive.GetEntry("values.npy")!, "<f8");
        Assert.Single(keyShape);
        Assert.Equal(2, valueShape.Length);
        Assert.Equal(keyShape[0], valueShape[0]);
        var keys = MemoryMarshal.Cast<byte, long>(keyBytes).ToArray();
        var values = MemoryMarshal.Cast<byte, double>(valueBytes).ToArray();
        Assert.Equal(keyShape[0], keys.Length);
        Assert.Equal(valueShape[0] * valueShape[1], values.Length);
        return (keys, values, (int)valueShape[1]);
    }

    private static (long[] Shape, byte[] Data) ReadNpy(ZipArchiveEntry entry, string descr)
    {
        using var stream = entry.Open();
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        byte[] bytes = buffer.ToArray();
        Assert.Equal(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 }, bytes[..8]);
        int headerLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        Assert.Equal(0, (10 + headerLength) % 64);
        string header = Encoding.ASCII.GetString(bytes, 10, headerLength);
        var match = Header().Match(header);
        Assert.True(match.Success, $"{entry.FullName} has the header {header}");
        Assert.Equal(descr, match.Groups["descr"].Value);
        long[] shape = [.. match.Groups["shape"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse)];
        long elements = shape.Aggregate(1L, (a, b) => a * b);
        Assert.Equal(10 + headerLength + (elements * 8), bytes.Length);
        return (shape, bytes[(10 + headerLength)..]);
    }

    [GeneratedRegex(@"^\{'descr': '(?<descr>[<>|=][a-z][0-9]+)', 'fortran_order': False, 'shape': \((?<shape>[0-9]+,(?: [0-9]+)?)\), \} *\n$")]
    private static partial Regex Header();
}
