using Microsoft.Win32.SafeHandles;

namespace ArrayDictOrleans.Client.Files;

/// <summary>Opens an input file, turning the usual failures into one clear message.</summary>
internal static class FileOpening
{
    public static SafeFileHandle OpenForReading(string path)
    {
        if (Directory.Exists(path))
        {
            throw new ArrayDictFileException($"Cannot read {path}: it is a directory.");
        }

        if (!File.Exists(path))
        {
            throw new ArrayDictFileException($"Cannot read {path}: the file does not exist.");
        }

        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new ArrayDictFileException($"Cannot read {path}: {exception.Message}", exception);
        }
    }

    public static FileStream OpenStream(string path) => new(OpenForReading(path), FileAccess.Read, bufferSize: 1 << 16);
}
