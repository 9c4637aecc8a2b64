using System.IO.Compression;
using System.Runtime.InteropServices;

namespace ArrayDictOrleans.Client.Files;

/// <summary>
/// Reads numpy's <c>.npz</c> holding <c>keys.npy</c> (int64, shape (count,)) and <c>values.npy</c> (float64, shape
/// (count, W), or (count,) for W = 1), page by page: the two entries are read side by side through two handles on the
/// file, so only one page of each is in memory at a time. Opening it checks both headers and sizes.
/// </summary>
internal sealed class NpzFileReader : IArrayDictFileReader
{
    private readonly ZipArchive _keysArchive;
    private readonly ZipArchive _valuesArchive;
    private readonly Stream _keys;
    private readonly Stream _values;
    private readonly string _path;

    private NpzFileReader(string path, ZipArchive keysArchive, ZipArchive valuesArchive, Stream keys, Stream values, int width, int count)
    {
        _path = path;
        _keysArchive = keysArchive;
        _valuesArchive = valuesArchive;
        _keys = keys;
        _values = values;
        Width = width;
        Count = count;
    }

    public int Width { get; }

    public int Count { get; }

    public static NpzFileReader Open(string path)
    {
        var disposables = new Stack<IDisposable>();
        try
        {
            var keysArchive = OpenArchive(path, disposables);
            var valuesArchive = OpenArchive(path, disposables);
            var (keys, keysHeader, keysLength) = OpenEntry(keysArchive, NpzFileWriter.KeysEntry, path, disposables);
            var (values, valuesHeader, valuesLength) = OpenEntry(valuesArchive, NpzFileWriter.ValuesEntry, path, disposables);
            string keysName = $"{path}: {NpzFileWriter.KeysEntry}";
            string valuesName = $"{path}: {NpzFileWriter.ValuesEntry}";
            CheckType(keysHeader, "<i8", "int64", keysName, "keys.astype(np.int64)");
            CheckType(valuesHeader, "<f8", "float64", valuesName, "values.astype(np.float64)");
            if (keysHeader.Shape.Length != 1)
            {
                throw new ArrayDictFileException($"{keysName} has shape ({string.Join(", ", keysHeader.Shape)}); the keys are one-dimensional, shape (count,).");
            }

            long count = keysHeader.Shape[0];
            long width = valuesHeader.Shape.Length switch
            {
                1 => 1,
                2 => valuesHeader.Shape[1],
                _ => -1,
            };
            if (width < 1 || valuesHeader.Shape[0] != count || count > Array.MaxLength / width)
            {
                throw new ArrayDictFileException(
                    $"{valuesName} has shape ({string.Join(", ", valuesHeader.Shape)}); with {count} keys it must be ({count}, W) with W >= 1.");
            }

            if (valuesHeader.FortranOrder && width > 1)
            {
                throw new ArrayDictFileException($"{valuesName} is in Fortran (column-major) order; save np.ascontiguousarray(values) instead.");
            }

            CheckLength(keysName, keysLength, keysHeader.Length + (count * sizeof(long)));
            CheckLength(valuesName, valuesLength, valuesHeader.Length + (count * width * sizeof(double)));
            return new NpzFileReader(path, keysArchive, valuesArchive, keys, values, (int)width, (int)count);
        }
        catch
        {
            while (disposables.TryPop(out var disposable))
            {
                disposable.Dispose();
            }

            throw;
        }
    }

    public IEnumerable<RowBatch> ReadPages(int pageRows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pageRows, 1);
        for (int row = 0; row < Count;)
        {
            int take = Math.Min(pageRows, Count - row);
            var keys = new long[take];
            var values = new double[(long)take * Width];
            ReadExactly(_keys, MemoryMarshal.AsBytes(keys.AsSpan()), NpzFileWriter.KeysEntry);
            ReadExactly(_values, MemoryMarshal.AsBytes(values.AsSpan()), NpzFileWriter.ValuesEntry);
            row += take;
            yield return new RowBatch(Width, keys, values);
        }
    }

    public void Dispose()
    {
        _keys.Dispose();
        _values.Dispose();
        _keysArchive.Dispose();
        _valuesArchive.Dispose();
    }

    private static ZipArchive OpenArchive(string path, Stack<IDisposable> disposables)
    {
        var stream = FileOpening.OpenStream(path);
        disposables.Push(stream);
        try
        {
            var archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
            disposables.Push(archive);
            return archive;
        }
        catch (InvalidDataException exception)
        {
            throw new ArrayDictFileException($"{path} is not a numpy .npz file (a zip archive): {exception.Message}", exception);
        }
    }

    private static (Stream Stream, NpyHeader Header, long Length) OpenEntry(ZipArchive archive, string name, string path, Stack<IDisposable> disposables)
    {
        var entry = archive.GetEntry(name)
            ?? throw new ArrayDictFileException(
                $"{path} has no {name}: an ArrayDict .npz holds keys.npy and values.npy (numpy.savez(path, keys=..., values=...)); this one holds {string.Join(", ", archive.Entries.Select(e => e.FullName).DefaultIfEmpty("nothing"))}.");
        try
        {
            var stream = entry.Open();
            disposables.Push(stream);
            return (stream, NpyHeader.Read(stream, $"{path}: {name}"), entry.Length);
        }
        catch (InvalidDataException exception)
        {
            throw new ArrayDictFileException($"{path}: {name} cannot be read: {exception.Message}", exception);
        }
    }

    private static void CheckType(NpyHeader header, string descr, string typeName, string name, string fix)
    {
        if (header.Descr != descr && !(BitConverter.IsLittleEndian && header.Descr == "=" + descr[1..]))
        {
            throw new ArrayDictFileException($"{name} holds '{header.Descr}', not little-endian {typeName} ('{descr}'); save {fix} instead.");
        }
    }

    private static void CheckLength(string name, long actual, long expected)
    {
        if (actual != expected)
        {
            throw new ArrayDictFileException($"{name} has {actual} bytes, but its header announces {expected}: the file is truncated or damaged.");
        }
    }

    private void ReadExactly(Stream stream, Span<byte> target, string entry)
    {
        try
        {
            stream.ReadExactly(target);
        }
        catch (Exception exception) when (exception is EndOfStreamException or InvalidDataException)
        {
            throw new ArrayDictFileException($"{_path}: {entry} cannot be read to its end: {exception.Message}", exception);
        }
    }
}
