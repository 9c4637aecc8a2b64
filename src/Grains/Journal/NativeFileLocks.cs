using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ArrayDictOrleans.Grains.Journal;

/// <summary>
/// The lock test .NET does not offer: <c>fcntl(F_GETLK)</c> asks whether another process holds a byte-range lock without
/// taking it. Taking and dropping the lock instead would, for a moment, make a live holder look absent to a third process.
/// </summary>
internal static partial class NativeFileLocks
{
    private const int GetLock = 5; // F_GETLK (F_GETLK64 on 64-bit Linux)
    private const short WriteLock = 1; // F_WRLCK
    private const short Unlocked = 2; // F_UNLCK
    private const int Interrupted = 4;

    /// <summary>Whether another process holds a lock on the byte at <paramref name="offset"/> of <paramref name="file"/> (Linux).</summary>
    /// <param name="file">An open file.</param>
    /// <param name="offset">The byte.</param>
    /// <param name="path">The file's path, for messages.</param>
    /// <returns>True if a lock of another process covers the byte; this process's own locks do not count.</returns>
    /// <exception cref="IOException">The test failed.</exception>
    public static bool IsLockedByAnotherProcess(SafeFileHandle file, long offset, string path)
    {
        bool added = false;
        try
        {
            file.DangerousAddRef(ref added);
            var query = new FileLock { Type = WriteLock, Whence = 0, Start = offset, Length = 1 };
            int result;
            do
            {
                result = FcntlLock((int)file.DangerousGetHandle(), GetLock, ref query);
            }
            while (result != 0 && Marshal.GetLastPInvokeError() == Interrupted);

            if (result != 0)
            {
                int error = Marshal.GetLastPInvokeError();
                throw new IOException($"Could not test the lock on byte {offset} of '{path}': {new Win32Exception(error).Message} (error {error}).", error);
            }

            return query.Type != Unlocked;
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlLock(int fd, int command, ref FileLock fileLock);

    /// <summary>Linux's <c>struct flock</c> on 64-bit platforms.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct FileLock
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
    }
}
