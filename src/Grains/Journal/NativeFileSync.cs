using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ArrayDictOrleans.Grains.Journal;

/// <summary>
/// The disk syncs .NET does not offer: <c>fdatasync</c> of an open file, <c>fsync</c> of a directory (which makes the
/// names of files created or renamed in it durable) and Linux's <c>syncfs</c> (one sync for every file of a file system,
/// which is what lets one group commit cover the files of many grains at the cost of one flush).
/// </summary>
internal static partial class NativeFileSync
{
    private const int OpenReadOnly = 0;
    private const int OpenDirectoryLinux = 0x10000;
    private const int OpenDirectoryMac = 0x100000;
    private const int Interrupted = 4;

    /// <summary>Whether <see cref="SyncFileSystem"/> is available (Linux).</summary>
    public static bool CanSyncFileSystem => OperatingSystem.IsLinux();

    /// <summary>Whether directories must be synced for the names in them to be durable (Unix; NTFS journals them).</summary>
    public static bool DirectoriesNeedSync => !OperatingSystem.IsWindows();

    /// <summary>Opens a directory for <see cref="SyncDirectory"/> and <see cref="SyncFileSystem"/>.</summary>
    /// <exception cref="IOException">The directory cannot be opened.</exception>
    public static SafeFileHandle OpenDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Directories are not opened for syncing on Windows.");
        }

        int flags = OpenReadOnly | (OperatingSystem.IsLinux() ? OpenDirectoryLinux : OpenDirectoryMac);
        int fd;
        do
        {
            fd = Open(path, flags);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == Interrupted);

        if (fd < 0)
        {
            throw Failure($"open the directory '{path}'");
        }

        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Syncs the data (and the size) of an open file to the disk.</summary>
    /// <exception cref="IOException">The sync failed: what was written may not be on the disk.</exception>
    public static void SyncFile(SafeFileHandle file, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            WithHandle(file, fd => FlushFileBuffers(file.DangerousGetHandle()) ? 0 : -1, $"flush '{path}' to the disk");
            return;
        }

        WithHandle(file, fd => OperatingSystem.IsLinux() ? FDataSync(fd) : FSync(fd), $"sync '{path}' to the disk");
    }

    /// <summary>Syncs a directory opened with <see cref="OpenDirectory"/>: the names created, renamed or deleted in it.</summary>
    /// <exception cref="IOException">The sync failed.</exception>
    public static void SyncDirectory(SafeFileHandle directory, string path) =>
        WithHandle(directory, FSync, $"sync the directory '{path}' to the disk");

    /// <summary>Syncs every file and directory of the file system that holds <paramref name="anyDirectory"/> (Linux).</summary>
    /// <exception cref="IOException">The sync failed: some write on that file system may not be on the disk.</exception>
    public static void SyncFileSystem(SafeFileHandle anyDirectory, string path) =>
        WithHandle(anyDirectory, SyncFs, $"sync the file system of '{path}' to the disk");

    private static void WithHandle(SafeFileHandle handle, Func<int, int> call, string what)
    {
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            int result;
            do
            {
                result = call((int)handle.DangerousGetHandle());
            }
            while (result != 0 && !OperatingSystem.IsWindows() && Marshal.GetLastPInvokeError() == Interrupted);

            if (result != 0)
            {
                throw Failure(what);
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static IOException Failure(string what)
    {
        int error = Marshal.GetLastPInvokeError();
        return new IOException($"Could not {what}: {new Win32Exception(error).Message} (error {error}).", error);
    }

    /// <summary>Gets whether <see cref="Pause"/> sleeps with microsecond resolution (where .NET's own sleeps count whole milliseconds).</summary>
    public static bool CanPauseBriefly => !OperatingSystem.IsWindows();

    /// <summary>Sleeps for about <paramref name="microseconds"/> µs (Unix only, see <see cref="CanPauseBriefly"/>).</summary>
    /// <param name="microseconds">How long to sleep.</param>
    public static void Pause(uint microseconds) => _ = USleep(microseconds);

    [LibraryImport("libc", EntryPoint = "usleep")]
    private static partial int USleep(uint microseconds);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FSync(int fd);

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    private static partial int FDataSync(int fd);

    [LibraryImport("libc", EntryPoint = "syncfs", SetLastError = true)]
    private static partial int SyncFs(int fd);

    [LibraryImport("kernel32", EntryPoint = "FlushFileBuffers", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool FlushFileBuffers(nint handle);
}
