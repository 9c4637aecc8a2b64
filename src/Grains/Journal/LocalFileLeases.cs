using System.Diagnostics;
using ArrayDictOrleans.Grains.Persistence;

namespace ArrayDictOrleans.Grains.Journal;

/// <summary>
/// Leases that fence a grain's stored state against a second activation in another process of the machine.
/// </summary>
/// <remarks>
/// <para>
/// Each provider directory has one lease file, <c>.leases</c>. A grain's lease is a byte-range lock (<c>fcntl</c>
/// <c>F_SETLK</c> through <see cref="FileStream.Lock"/>) on one byte of it, at an offset given by a 62-bit hash of the
/// grain's storage key, so that any number of grains cost one open file per process (on macOS, where .NET offers no
/// byte-range locks, a lock file per grain in <c>.leases.d</c>, held open). The operating system drops a dead
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
    /// <summary>The lease file's name in a provider directory.</summary>
    public const string FileName = ".leases";

    private static readonly Dictionary<string, LeaseFile> Files = new(StringComparer.Ordinal);

    /// <summary>Takes the lease of <paramref name="key"/> under <paramref name="providerDirectory"/>.</summary>
    /// <param name="providerDirectory">The provider's directory (full path).</param>
    /// <param name="key">The grain's storage key.</param>
    /// <param name="timeout">How long to wait while another process holds it.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The lease; dispose it when the activation ends.</returns>
    /// <exception cref="TimeoutException">Another process held the lease for all of <paramref name="timeout"/>.</exception>
    public static async Task<LocalFileLease> AcquireAsync(string providerDirectory, string key, TimeSpan timeout, CancellationToken cancellationToken)
    {
        string path = Path.Combine(providerDirectory, FileName);
        long offset = (long)(LocalFileNames.StableHash(key) >> 2);
        var started = Stopwatch.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            IOException contention;
            lock (Files)
            {
                if (!Files.TryGetValue(path, out var file))
                {
                    Directory.CreateDirectory(providerDirectory);
                    file = new LeaseFile(path);
                    Files.Add(path, file);
                }

                if (file.TryAcquire(key, offset, out var lease, out contention))
                {
                    return lease;
                }
            }

            var remaining = timeout - Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException(
                    $"The stored state of '{key}' is held by another process on this machine (lease file '{path}', byte {offset}): a second activation of this grain is refused. Waited {timeout}.",
                    contention);
            }

            await Task.Delay(delay < remaining ? delay : remaining, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(100).Ticks));
        }
    }

    private static bool IsContention(IOException exception)
    {
        int code = exception.HResult & 0xFFFF;
        return OperatingSystem.IsWindows()
            ? code is 32 or 33 // ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
            : code is 11 or 13 or 35; // EAGAIN and EACCES from fcntl (Linux), EAGAIN on macOS and the BSDs
    }

    /// <summary>One lease file, open once in this process, and the leases this process holds in it.</summary>
    internal sealed class LeaseFile(string path)
    {
        private readonly FileStream _stream = new(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        private readonly Dictionary<string, LocalFileLease> _holders = new(StringComparer.Ordinal);

        // How many held keys share each locked byte (two keys whose hashes collide share the process's lock), and on macOS
        // the lock file that stands for the byte.
        private readonly Dictionary<long, (int Sharing, FileStream? LockFile)> _lockedBytes = [];

        public bool TryAcquire(string key, long offset, out LocalFileLease lease, out IOException contention)
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

        public void Release(LocalFileLease lease)
        {
            lock (Files)
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
        }

        private FileStream? LockByte(long offset)
        {
            if (OperatingSystem.IsMacOS())
            {
                string directory = path + ".d";
                Directory.CreateDirectory(directory);
                return new FileStream(Path.Combine(directory, offset.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
            }

            _stream.Lock(offset, 1);
            return null;
        }
    }
}
