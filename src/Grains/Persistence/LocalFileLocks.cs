using System.Collections.Concurrent;
using System.Diagnostics;

namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>
/// The locks that make the ETag check and the file replacement of <see cref="LocalFileGrainStorage"/> one atomic step,
/// both between threads of one process and between processes on one machine.
/// </summary>
/// <remarks>
/// <para>
/// A state file maps to one of <see cref="StripeCount"/> lock files in <c>&lt;provider directory&gt;/.locks/</c>, chosen
/// by a hash of its path relative to the provider directory that is the same in every process. Holding a lock means
/// holding that lock file open with <see cref="FileShare.None"/> (an exclusive <c>flock</c> on Linux and macOS, a
/// sharing lock on Windows), so every process that uses the same directory excludes every other. Within one process, an
/// <see cref="SemaphoreSlim"/> per lock file, shared by every storage instance of the process, queues the waiters
/// without polling; only contention between processes is resolved by retrying the open with a short back-off.
/// </para>
/// <para>
/// Lock files are never deleted: deleting a lock file while another process has it open would let two processes each
/// believe they hold the lock. They are empty and there are at most <see cref="StripeCount"/> per provider directory.
/// Different grains that share a stripe only wait for each other's ETag check and rename, which take microseconds,
/// because the state is written to its temporary file before the lock is taken. File locks are advisory on Linux and
/// macOS: they protect against other instances of this provider, not against other programs writing the files.
/// </para>
/// </remarks>
internal static class LocalFileLocks
{
    /// <summary>The number of lock files per provider directory.</summary>
    public const int StripeCount = 256;

    /// <summary>The name of the directory, under the provider directory, that holds the lock files.</summary>
    public const string LockDirectoryName = ".locks";

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);

    /// <summary>Gets the lock file that guards <paramref name="relativeStatePath"/>.</summary>
    /// <param name="providerDirectory">The full path of the provider directory.</param>
    /// <param name="relativeStatePath">The state file's path relative to <paramref name="providerDirectory"/>, with <c>/</c> separators.</param>
    /// <returns>The full path of the lock file.</returns>
    public static string GetLockFilePath(string providerDirectory, string relativeStatePath)
    {
        var stripe = (int)(LocalFileNames.StableHash(relativeStatePath) % StripeCount);
        return Path.Combine(providerDirectory, LockDirectoryName, $"{stripe:x2}.lock");
    }

    /// <summary>Takes the lock held by <paramref name="lockFilePath"/>, waiting at most <paramref name="timeout"/>.</summary>
    /// <param name="lockFilePath">The lock file.</param>
    /// <param name="timeout">How long to wait, in total.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The held lock; dispose it to release it.</returns>
    /// <exception cref="TimeoutException">The lock was not had within <paramref name="timeout"/>.</exception>
    public static async Task<Held> AcquireAsync(string lockFilePath, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var gate = Gates.GetOrAdd(lockFilePath, static _ => new SemaphoreSlim(1, 1));
        if (!await gate.WaitAsync(timeout, cancellationToken).ConfigureAwait(false))
        {
            throw new TimeoutException($"Timed out after {timeout} waiting for the lock '{lockFilePath}', held by another operation of this process.");
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(lockFilePath)!);
            var delay = TimeSpan.FromMilliseconds(1);
            while (true)
            {
                IOException contention;
                try
                {
                    var file = new FileStream(lockFilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
                    return new Held(file, gate);
                }
                catch (IOException exception) when (IsContention(exception))
                {
                    contention = exception;
                }

                var remaining = timeout - Stopwatch.GetElapsedTime(started);
                if (remaining <= TimeSpan.Zero)
                {
                    throw new TimeoutException($"Timed out after {timeout} waiting for the lock file '{lockFilePath}', held by another process.", contention);
                }

                await Task.Delay(delay < remaining ? delay : remaining, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMilliseconds(50).Ticks));
            }
        }
        catch
        {
            gate.Release();
            throw;
        }
    }

    /// <summary>
    /// Tells a failure to open a file because another handle holds a conflicting lock from any other I/O error.
    /// </summary>
    private static bool IsContention(IOException exception)
    {
        if (exception.GetType() != typeof(IOException))
        {
            return false; // FileNotFound, DirectoryNotFound, PathTooLong and the like are real errors.
        }

        var code = exception.HResult & 0xFFFF;
        return OperatingSystem.IsWindows()
            ? code is 32 or 33 // ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
            : code is 11 or 35; // EWOULDBLOCK/EAGAIN from flock: 11 on Linux, 35 on macOS and the BSDs
    }

    /// <summary>A held lock: the open lock file and the in-process gate.</summary>
    internal sealed class Held : IDisposable
    {
        private FileStream? _file;
        private SemaphoreSlim? _gate;

        internal Held(FileStream file, SemaphoreSlim gate)
        {
            _file = file;
            _gate = gate;
        }

        /// <summary>Releases the lock.</summary>
        public void Dispose()
        {
            Interlocked.Exchange(ref _file, null)?.Dispose();
            Interlocked.Exchange(ref _gate, null)?.Release();
        }
    }
}
