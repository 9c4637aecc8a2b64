using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using ArrayDictOrleans.Grains.Persistence;

namespace ArrayDictOrleans.Grains.Journal;

/// <summary>
/// Leases that fence a grain's stored state against a second activation in another process of the machine.
/// </summary>
/// <remarks>
/// <para>
/// Each provider directory has <see cref="Stripes"/> lease files in <c>.leases/</c>. A grain's lease is a byte-range lock
/// (<c>fcntl</c> <c>F_SETLK</c> through <see cref="FileStream.Lock"/>) on one byte of one of them, both chosen by a 64-bit
/// hash of the grain's storage key, so that any number of grains cost at most <see cref="Stripes"/> open files per
/// process (on macOS, where .NET offers no byte-range locks, a lock file per grain, held open). The files are striped
/// because the kernel keeps a file's locks in one list that every lock and unlock walks: ten thousand grains on one
/// file made each activation's lease cost a walk of ten thousand. The operating system drops a dead
/// process's locks, so a silo killed with <c>kill -9</c> leaves nothing behind. Such locks belong to the process, not to
/// a handle, and closing any handle of the file drops them all: each process therefore opens each lease file once,
/// here, and never closes it while it holds a lease.
/// </para>
/// <para>
/// Between processes the first holder wins: another process waits for the lock up to a timeout and then fails. Within
/// one process (several silos in a test host) the newest activation wins: it revokes the older holder's lease, whose
/// writes then fail, after any write of the older holder that is under way has finished.
/// </para>
/// </remarks>
internal static class LocalFileLeases
{
    /// <summary>The name of the directory, in a provider directory, that holds the lease files.</summary>
    public const string DirectoryName = ".leases";

    /// <summary>How many lease files a provider directory has.</summary>
    public const int Stripes = 256;

    private static readonly ConcurrentDictionary<string, LeaseFile> Files = new(StringComparer.Ordinal);

    /// <summary>Takes the lease of <paramref name="key"/> under <paramref name="providerDirectory"/>.</summary>
    /// <param name="providerDirectory">The provider's directory (full path).</param>
    /// <param name="key">The grain's storage key.</param>
    /// <param name="timeout">How long to wait while another process holds it.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The lease; dispose it when the activation ends.</returns>
    /// <exception cref="TimeoutException">Another process held the lease for all of <paramref name="timeout"/>.</exception>
    public static async Task<LocalFileLease> AcquireAsync(string providerDirectory, string key, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ulong hash = LocalFileNames.StableHash(key);
        int stripe = (int)(hash % Stripes);
        long offset = (long)(hash >> 10);
        var started = Stopwatch.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            var file = GetFile(providerDirectory, stripe);
            if (file.TryAcquire(key, offset, out var lease, out var contention))
            {
                return lease;
            }

            var remaining = timeout - Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException(
                    $"The stored state of '{key}' is held by another process on this machine (lease file '{StripePath(providerDirectory, stripe)}', byte {offset}): a second activation of this grain is refused. Waited {timeout}.",
                    contention);
            }

            await Task.Delay(delay < remaining ? delay : remaining, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(100).Ticks));
        }
    }

    /// <summary>The lease file of stripe <paramref name="stripe"/> under <paramref name="providerDirectory"/>, open once in this process.</summary>
    internal static LeaseFile GetFile(string providerDirectory, int stripe) =>
        Files.GetOrAdd(StripePath(providerDirectory, stripe), static path => new LeaseFile(path));

    private static string StripePath(string providerDirectory, int stripe) =>
        Path.Combine(providerDirectory, DirectoryName, stripe.ToString("x2", CultureInfo.InvariantCulture));

    private static bool IsContention(IOException exception)
    {
        int code = exception.HResult & 0xFFFF;
        return OperatingSystem.IsWindows()
            ? code is 32 or 33 // ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
            : code is 11 or 13 or 35; // EAGAIN and EACCES from fcntl (Linux), EAGAIN on macOS and the BSDs
    }

    /// <summary>One lease file, open once in this process, and the leases this process holds in it.</summary>
    internal sealed class LeaseFile
    {
        private readonly string _path;
        private readonly FileStream _stream;
        private readonly Dictionary<string, LocalFileLease> _holders = new(StringComparer.Ordinal);

        // How many held keys share each locked byte (two keys whose hashes collide share the process's lock), and on macOS
        // the lock file that stands for the byte.
        private readonly Dictionary<long, (int Sharing, FileStream? LockFile)> _lockedBytes = [];

        public LeaseFile(string path)
        {
            _path = path;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            _stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        }

        /// <summary>Locks one byte that no grain's lease uses (a write-ahead log's liveness byte, Linux); false while another process holds it.</summary>
        [System.Runtime.Versioning.SupportedOSPlatform("linux")]
        public bool TryLockOtherByte(long offset)
        {
            lock (_holders)
            {
                try
                {
                    _stream.Lock(offset, 1);
                    return true;
                }
                catch (IOException exception) when (IsContention(exception))
                {
                    return false;
                }
            }
        }

        /// <summary>Whether another process holds a lock on a byte that no grain's lease uses (Linux).</summary>
        public bool IsOtherByteLockedElsewhere(long offset) =>
            NativeFileLocks.IsLockedByAnotherProcess(_stream.SafeFileHandle, offset, _path);

        /// <summary>Unlocks a byte locked with <see cref="TryLockOtherByte"/>.</summary>
        [System.Runtime.Versioning.SupportedOSPlatform("linux")]
        public void UnlockOtherByte(long offset)
        {
            lock (_holders)
            {
                _stream.Unlock(offset, 1);
            }
        }

        public bool TryAcquire(string key, long offset, out LocalFileLease lease, out IOException contention)
        {
            lock (_holders)
            {
                return TryAcquireLocked(key, offset, out lease, out contention);
            }
        }

        public void Release(LocalFileLease lease)
        {
            lock (_holders)
            {
                ReleaseLocked(lease);
            }
        }

        private bool TryAcquireLocked(string key, long offset, out LocalFileLease lease, out IOException contention)
        {
            contention = null!;
            lease = new LocalFileLease(this, key, offset);
            if (_holders.TryGetValue(key, out var previous))
            {
                previous.Revoke();
                _holders[key] = lease;
                return true;
            }

            if (!_lockedBytes.TryGetValue(offset, out var locked))
            {
                try
                {
                    locked = (0, LockByte(offset));
                }
                catch (IOException exception) when (IsContention(exception))
                {
                    contention = exception;
                    return false;
                }
            }

            _lockedBytes[offset] = (locked.Sharing + 1, locked.LockFile);
            _holders.Add(key, lease);
            return true;
        }

        private void ReleaseLocked(LocalFileLease lease)
        {
            if (!_holders.TryGetValue(lease.Key, out var holder) || !ReferenceEquals(holder, lease))
            {
                return;
            }

            _holders.Remove(lease.Key);
            var locked = _lockedBytes[lease.Offset];
            if (locked.Sharing > 1)
            {
                _lockedBytes[lease.Offset] = (locked.Sharing - 1, locked.LockFile);
                return;
            }

            _lockedBytes.Remove(lease.Offset);
            if (locked.LockFile is { } lockFile)
            {
                lockFile.Dispose();
            }
            else if (!OperatingSystem.IsMacOS())
            {
                _stream.Unlock(lease.Offset, 1);
            }
        }

        private FileStream? LockByte(long offset)
        {
            if (OperatingSystem.IsMacOS())
            {
                string directory = _path + ".d";
                Directory.CreateDirectory(directory);
                return new FileStream(Path.Combine(directory, offset.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
            }

            _stream.Lock(offset, 1);
            return null;
        }
    }
}
