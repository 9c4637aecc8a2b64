using Microsoft.Win32.SafeHandles;

namespace ArrayDictOrleans.Client.Files;

/// <summary>
/// A file written beside its final path under a temporary name and moved into place only when complete (flushed
/// first), so that a failed or interrupted export never leaves a half-written file at the path.
/// </summary>
internal sealed class TemporaryFile : IDisposable
{
    private readonly string _path;
    private bool _committed;

    public TemporaryFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _path = Path.GetFullPath(path);
        string? directory = Path.GetDirectoryName(_path);
        if (directory is null || !Directory.Exists(directory))
        {
            throw new ArrayDictFileException($"Cannot write {path}: the directory {directory} does not exist.");
        }

        if (Directory.Exists(_path))
        {
            throw new ArrayDictFileException($"Cannot write {path}: it is a directory.");
        }

        TempPath = Path.Combine(directory, $".{Path.GetFileName(_path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Handle = File.OpenHandle(TempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ArrayDictFileException($"Cannot write {path}: {exception.Message}", exception);
        }
    }

    /// <summary>The temporary file's path.</summary>
    public string TempPath { get; }

    /// <summary>The open temporary file.</summary>
    public SafeFileHandle Handle { get; }

    /// <summary>Flushes the temporary file to the disk, closes it and moves it to the final path, replacing any file there.</summary>
    public void Commit()
    {
        using (var stream = new FileStream(Handle, FileAccess.ReadWrite))
        {
            stream.Flush(flushToDisk: true);
        }

        File.Move(TempPath, _path, overwrite: true);
        _committed = true;
    }

    public void Dispose()
    {
        Handle.Dispose();
        if (!_committed)
        {
            File.Delete(TempPath);
        }
    }
}
