using System.Runtime.InteropServices;

namespace ArrayDictOrleans.Client.Cli;

/// <summary>
/// Flushes every file system's pending writes (POSIX <c>sync</c>), so that what one bench variant left in the page cache
/// (an unsynced journal, snapshots, a deleted directory) is not written back on the next variant's clock.
/// </summary>
internal static partial class DiskFlush
{
    /// <summary>Waits until the pending writes of every file system are on the disk; does nothing on Windows.</summary>
    public static void FlushAll()
    {
        if (!OperatingSystem.IsWindows())
        {
            Sync();
        }
    }

    [LibraryImport("libc", EntryPoint = "sync")]
    private static partial void Sync();
}
