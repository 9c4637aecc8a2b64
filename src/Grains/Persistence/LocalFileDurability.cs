using ArrayDictOrleans.Grains.Journal;

namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>
/// Makes one file and the names leading to it durable, whatever the provider's sync setting: a switch of snapshot mode
/// removes the old form only after the new one is on the disk, so that a machine crash between the two cannot leave
/// neither (docs/journal.md, "Switching modes"). Once per grain and switch, never on the steady path.
/// </summary>
internal static class LocalFileDurability
{
    /// <summary>Syncs <paramref name="file"/>, then every directory from its own up to <paramref name="upTo"/> (included).</summary>
    /// <param name="file">The file.</param>
    /// <param name="upTo">A directory that contains <paramref name="file"/>, at any depth.</param>
    /// <exception cref="IOException">A sync failed.</exception>
    public static void SyncFileAndDirectories(string file, string upTo)
    {
        using (var handle = File.OpenHandle(file, FileMode.Open, OperatingSystem.IsWindows() ? FileAccess.Write : FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            NativeFileSync.SyncFile(handle, file);
        }

        if (!NativeFileSync.DirectoriesNeedSync)
        {
            return;
        }

        string top = Path.TrimEndingDirectorySeparator(Path.GetFullPath(upTo));
        for (var directory = Path.GetDirectoryName(Path.GetFullPath(file)); directory is not null; directory = Path.GetDirectoryName(directory))
        {
            using (var handle = NativeFileSync.OpenDirectory(directory))
            {
                NativeFileSync.SyncDirectory(handle, directory);
            }

            if (string.Equals(directory, top, StringComparison.Ordinal) || directory.Length <= top.Length)
            {
                break;
            }
        }
    }
}
