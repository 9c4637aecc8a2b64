using System.IO.Compression;
using System.Runtime.InteropServices;

namespace ArrayDictOrleans.Client.Files;

/// <summary>
/// Writes numpy's <c>.npz</c> from pages: a zip (entries stored, as <c>numpy.savez</c> writes them) of
/// <c>values.npy</c>, float64 of shape (count, W), streamed into the archive as pages arrive, and <c>keys.npy</c>, int64
/// of shape (count,), whose bytes wait in a temporary spool file until the values are done (a zip entry is written
/// in one piece). <c>numpy.load</c> opens it; the entries' order does not matter to it.
/// </summary>
internal sealed class NpzFileWriter : IArrayDictFileWriter
{
    public const string KeysEntry = "keys.npy";
    public const string ValuesEntry = "values.npy";

    private readonly TemporaryFile _file;
    private readonly FileStream _archiveStream;
    private readonly ZipArchive _archive;
    private readonly FileStream _keySpool;
    private Stream? _values;
    private int _width;
    private int _count;
    private long _written = -1;

    public NpzFileWriter(string path)
    {
        _file = new TemporaryFile(path);
        _archiveStream = new FileStream(_file.Handle, FileAccess.ReadWrite, bufferSize: 1 << 16);
        _archive = new ZipArchive(_archiveStream, ZipArchiveMode.Create, leaveOpen: true);
        _keySpool = new FileStream(_file.TempPath + ".keys", FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
    }

    public void Begin(int width, int count)
    {
        _width = width;
        _count = count;
        _values = _archive.CreateEntry(ValuesEntry, CompressionLevel.NoCompression).Open();
        _values.Write(NpyHeader.Format("<f8", count, width));
        _written = 0;
    }

    public void WriteRows(RowBatch rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        PageChecks.CheckPage(_written, _width, _count, rows);
        _values!.Write(MemoryMarshal.AsBytes(rows.Values.AsSpan()));
        _keySpool.Write(MemoryMarshal.AsBytes(rows.Keys.AsSpan()));
        _written += rows.Count;
    }

    public void Complete()
    {
        PageChecks.CheckComplete(_written, _count);
        _values!.Dispose();
        using (var keys = _archive.CreateEntry(KeysEntry, CompressionLevel.NoCompression).Open())
        {
            keys.Write(NpyHeader.Format("<i8", _count));
            _keySpool.Position = 0;
            _keySpool.CopyTo(keys);
        }

        _archive.Dispose();
        _archiveStream.Flush();
        _file.Commit();
    }

    public void Dispose()
    {
        _keySpool.Dispose();
        try
        {
            _values?.Dispose();
            _archive.Dispose();
            _archiveStream.Dispose();
        }
        catch (Exception exception) when (exception is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // An archive abandoned half way may refuse to close; its temporary file is deleted below all the same.
        }

        _file.Dispose();
    }
}
