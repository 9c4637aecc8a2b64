using System.Buffers.Binary;
using System.IO.Compression;
using ArrayDictOrleans.Client.Files;

namespace ArrayDictOrleans.Tests.Security;

/// <summary>The damaged and crafted files that the catalogue's <c>import</c> cases read.</summary>
internal static class HostileFiles
{
    public static void WriteAll(string directory)
    {
        File.WriteAllText(Path.Combine(directory, "text.npz"), "these bytes are text, long enough to pass for a header at first sight........\n");
        File.WriteAllBytes(Path.Combine(directory, "random.adsnap"), RandomBytes(100));
        File.WriteAllBytes(Path.Combine(directory, "empty.adsnap"), []);

        var dict = new ArrayDict(2);
        dict.Add(1, [1, 2]);
        dict.Add(2, [3, 4]);
        byte[] snapshot = ArrayDictSnapshot.ToArray(dict);
        File.WriteAllBytes(Path.Combine(directory, "truncated.adsnap"), snapshot[..(snapshot.Length - 5)]);
        byte[] flipped = (byte[])snapshot.Clone();
        flipped[ArrayDictSnapshot.HeaderSize + 3] ^= 0x40;
        File.WriteAllBytes(Path.Combine(directory, "flipped.adsnap"), flipped);

        // A header whose own checksum is right, claiming 500 million rows (8 GB) over a few bytes.
        byte[] claim = (byte[])snapshot.Clone();
        new ArrayDictSnapshotHeader(2, 500_000_000, 0).WriteTo(claim);
        File.WriteAllBytes(Path.Combine(directory, "huge-claim.adsnap"), claim);

        // 16 MB of zeros that declare 2 billion rows.
        WriteNpz(Path.Combine(directory, "huge-shape.npz"), NpyHeader.Format("<i8", 2_000_000_000), 16 << 20, NpyHeader.Format("<f8", 2_000_000_000), 16 << 20);
        WriteNpz(Path.Combine(directory, "mismatched.npz"), NpyHeader.Format("<i8", 3), 24, NpyHeader.Format("<f8", 4, 2), 64);
        WriteNpz(Path.Combine(directory, "too-wide.npz"), NpyHeader.Format("<i8", 1), 8, NpyHeader.Format("<f8", 1, 70_000), 70_000 * 8);
        byte[] twice = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(twice, 5);
        BinaryPrimitives.WriteInt64LittleEndian(twice.AsSpan(8), 5);
        WriteNpz(Path.Combine(directory, "duplicate.npz"), NpyHeader.Format("<i8", 2), twice, NpyHeader.Format("<f8", 2, 2), new byte[32]);
    }

    private static void WriteNpz(string path, byte[] keysHeader, int keysBytes, byte[] valuesHeader, int valuesBytes) =>
        WriteNpz(path, keysHeader, new byte[keysBytes], valuesHeader, new byte[valuesBytes]);

    private static void WriteNpz(string path, byte[] keysHeader, byte[] keys, byte[] valuesHeader, byte[] values)
    {
        using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, header, data) in new[] { (NpzFileWriter.KeysEntry, keysHeader, keys), (NpzFileWriter.ValuesEntry, valuesHeader, values) })
        {
            using var entry = archive.CreateEntry(name, CompressionLevel.Fastest).Open();
            entry.Write(header);
            entry.Write(data);
        }
    }

    private static byte[] RandomBytes(int count)
    {
        byte[] bytes = new byte[count];
        new Random(11).NextBytes(bytes);
        return bytes;
    }
}
