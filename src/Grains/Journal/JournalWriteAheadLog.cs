using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace ArrayDictOrleans.Grains.Journal;

/// <summary>
/// The write-ahead log of a local-file journal's group commit (<see cref="JournalSyncMethod.WriteAheadLog"/>): one file
/// per provider and silo, in <c>.wal/</c> under the provider's directory, to which each group commit appends what its
/// writes wrote to the grains' journal files (and small bases, before their rename), with one positioned write and one
/// <c>fdatasync</c>.
/// </summary>
/// <remarks>
/// <para>
/// A grain's record is written here, and kept in the store's memory until the next checkpoint or the grain's release,
/// which write it to the grain's journal file (<see cref="LocalFileJournalStore"/>); the call returns after this file's
/// sync. A store that takes a grain's lease first replays the logs of silos that died (<see cref="JournalLogSlots"/>); after
/// a crash of the machine, <see cref="Recover"/> writes back from here what the journal files lack before any grain is
/// read again. The file is zero-filled to its capacity when created, so that a sync writes data blocks only
/// (no size or extent change for the file system to journal): one sequential write and one flush per group commit,
/// however many grains wrote. When the log is full, a checkpoint syncs the file system (<c>syncfs</c>: the journal
/// files' bytes reach the disk) and the log starts again at its beginning under a new cycle number.
/// </para>
/// <para>
/// An entry names a file by its path under the provider's directory and says "these bytes at this offset". Replaying an
/// entry again is harmless: a journal file's name carries its generation, which is time-based for a grain's first base
/// and grows by one at each compaction, so no two files a grain ever had share a name; a journal's bytes, once
/// logged, are never overwritten (after a torn record the grain starts a new generation); and a base, logged under its
/// final name before the rename that gives it that name, is never written after it. Recovery therefore replays
/// every log it can lock, in any order, whether its silo died with the machine or alone, and deletes it once the file
/// system is synced.
/// </para>
/// <para>
/// Layout, little-endian. Two header slots of <see cref="SlotBytes"/> at offsets 0 and <see cref="SlotBytes"/>, the
/// cycle's parity choosing the slot (a torn slot leaves the other one): magic, version, cycle, capacity, XxHash64. Entries
/// from <see cref="FirstEntryOffset"/>: magic, entry length, cycle, file offset, path length, path (UTF-8), the bytes,
/// XxHash64 of all before it. Reading stops at the first entry that is torn, of another cycle or zeros.
/// </para>
/// </remarks>
internal sealed class JournalWriteAheadLog : IDisposable
{
    /// <summary>The directory, in a provider directory, that holds the logs.</summary>
    public const string DirectoryName = ".wal";

    /// <summary>The extension of a log.</summary>
    public const string Extension = ".wal";

    /// <summary>The extension of a log being created, before it is renamed into place.</summary>
    public const string TemporaryExtension = ".tmp";

    /// <summary>
    /// The file in <see cref="DirectoryName"/> that a new log of a slot writes a random number to once it is in place, so
    /// that a store can keep its list of logs until the number changes instead of listing the directory at each lease.
    /// </summary>
    public const string LogsChangedFileName = "logs.changed";

    /// <summary>What separates a log's slot (<see cref="JournalLogSlots"/>) from the rest of its name.</summary>
    public const char SlotSeparator = '-';

    /// <summary>The bytes of a header slot.</summary>
    public const int SlotBytes = 512;

    /// <summary>Where the first entry starts.</summary>
    public const int FirstEntryOffset = 4096;

    /// <summary>The smallest capacity a log may have.</summary>
    public const long MinimumCapacity = 64 * 1024;

    private const ulong HeaderMagic = 0x3130_4C41_5744_4441; // "ADWAL01"
    private const uint EntryMagic = 0x4C41_5744; // "DWAL"
    private const int HeaderVersion = 1;
    private const int EntryFixedBytes = 4 + 4 + 8 + 8 + 2 + 8;

    private readonly string _providerDirectory;
    private readonly string _path;
    private readonly SafeFileHandle _file;
    private readonly long _capacity;
    private SafeFileHandle? _root;
    private byte[] _buffer = new byte[64 * 1024];
    private int _buffered;
    private int _bufferedEntries;
    private long _entriesWritten;
    private long _cycle;
    private long _end = FirstEntryOffset;
    private bool _closed;
    private bool _full;

    private JournalWriteAheadLog(string providerDirectory, string path, SafeFileHandle file, long capacity, long cycle)
    {
        _providerDirectory = providerDirectory;
        _path = path;
        _file = file;
        _capacity = capacity;
        _cycle = cycle;
    }

    /// <summary>Gets the checkpoints made so far (each a <c>syncfs</c> and a new cycle).</summary>
    public long Checkpoints { get; private set; }

    /// <summary>
    /// Creates a new log under <paramref name="providerDirectory"/>, zero-filled to <paramref name="capacity"/> bytes, synced
    /// with its directory entry, and held (an exclusive lock on its open file) until <see cref="Dispose"/> or
    /// <see cref="Abandon"/>: recovery in another process or store leaves a held log alone.
    /// </summary>
    /// <param name="providerDirectory">The provider's directory (full path).</param>
    /// <param name="capacity">The log's size in bytes.</param>
    /// <param name="slot">The slot the log's silo holds (<see cref="JournalLogSlots"/>), which its name carries; null for none.</param>
    /// <returns>The log.</returns>
    /// <exception cref="IOException">The log could not be created or synced.</exception>
    public static JournalWriteAheadLog Create(string providerDirectory, long capacity, int? slot = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, MinimumCapacity);
        string directory = System.IO.Path.Combine(providerDirectory, DirectoryName);
        Directory.CreateDirectory(directory);
        string name = (slot is { } claimed ? NamePrefix(claimed) : string.Empty) + Guid.NewGuid().ToString("N");
        string temporary = System.IO.Path.Combine(directory, name + TemporaryExtension);
        string path = System.IO.Path.Combine(directory, name + Extension);
        var file = File.OpenHandle(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        try
        {
            var zeros = new byte[1024 * 1024];
            for (long offset = 0; offset < capacity; offset += zeros.Length)
            {
                RandomAccess.Write(file, zeros.AsSpan(0, (int)Math.Min(zeros.Length, capacity - offset)), offset);
            }

            WriteHeader(file, cycle: 1, capacity);
            NativeFileSync.SyncFile(file, temporary);
            File.Move(temporary, path);
            using (var handle = NativeFileSync.OpenDirectory(directory))
            {
                NativeFileSync.SyncDirectory(handle, directory);
            }

            if (slot is not null)
            {
                // After the rename: a store that read the old number before it listed the directory lists it again.
                using var changed = File.OpenHandle(System.IO.Path.Combine(directory, LogsChangedFileName), FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                Span<byte> number = stackalloc byte[8];
                Random.Shared.NextBytes(number);
                RandomAccess.Write(changed, number, 0);
            }

            return new JournalWriteAheadLog(providerDirectory, path, file, capacity, cycle: 1);
        }
        catch
        {
            file.Dispose();
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Buffers an entry: <paramref name="data"/> was written at <paramref name="offset"/> of the file at
    /// <paramref name="path"/>. An entry that does not fit behind the current cycle's makes the log <see cref="IsFull"/>:
    /// the next step is then a checkpoint.
    /// </summary>
    /// <param name="path">The file's path under the provider's directory ('/' separated).</param>
    /// <param name="offset">Where in the file.</param>
    /// <param name="data">The bytes written.</param>
    public void Add(string path, long offset, ReadOnlySpan<byte> data)
    {
        if (_full)
        {
            return;
        }

        long length = EntryFixedBytes + (long)Encoding.UTF8.GetByteCount(path) + data.Length;
        if (_end + _buffered + length > _capacity)
        {
            _full = true;
            _buffered = 0;
            _bufferedEntries = 0;
            return;
        }

        if (_buffered + length > _buffer.Length)
        {
            Array.Resize(ref _buffer, (int)Math.Max(_buffer.Length * 2L, _buffered + length));
        }

        var entry = _buffer.AsSpan(_buffered, (int)length);
        BinaryPrimitives.WriteUInt32LittleEndian(entry, EntryMagic);
        BinaryPrimitives.WriteInt32LittleEndian(entry[4..], (int)length);
        BinaryPrimitives.WriteInt64LittleEndian(entry[8..], _cycle);
        BinaryPrimitives.WriteInt64LittleEndian(entry[16..], offset);
        int pathBytes = Encoding.UTF8.GetBytes(path, entry[26..]);
        BinaryPrimitives.WriteUInt16LittleEndian(entry[24..], (ushort)pathBytes);
        data.CopyTo(entry[(26 + pathBytes)..]);
        int hashAt = (int)length - 8;
        BinaryPrimitives.WriteUInt64LittleEndian(entry[hashAt..], XxHash64.HashToUInt64(entry[..hashAt]));
        _buffered += (int)length;
        _bufferedEntries++;
    }

    /// <summary>Gets the log's path.</summary>
    internal string FilePath => _path;

    /// <summary>Gets the entries written to the file since the log was created (tests).</summary>
    internal long EntriesWritten => Interlocked.Read(ref _entriesWritten);

    /// <summary>Gets whether the entries added since the last write did not fit: the next step is <see cref="Checkpoint"/>, not <see cref="Write"/>.</summary>
    public bool IsFull => _full;

    /// <summary>Writes the entries added since the last write behind the current cycle's, without syncing them (<see cref="Sync"/>).</summary>
    /// <exception cref="IOException">The write failed: the entries may be partly in the log.</exception>
    public void Write()
    {
        try
        {
            if (_buffered > 0)
            {
                RandomAccess.Write(_file, _buffer.AsSpan(0, _buffered), _end);
                _end += _buffered;
                Interlocked.Add(ref _entriesWritten, _bufferedEntries);
            }
        }
        finally
        {
            _buffered = 0;
            _bufferedEntries = 0;
        }
    }

    /// <summary>Syncs what <see cref="Write"/> wrote to the log (one <c>fdatasync</c>).</summary>
    /// <exception cref="IOException">The sync failed: the entries may not be on the disk.</exception>
    public void Sync() => NativeFileSync.SyncFile(_file, _path);

    /// <summary>
    /// Syncs the file system (the journal files' bytes, those of the entries added since the last write included, are then on
    /// the disk) and starts a new cycle at the log's beginning. Only once every earlier write of the log was synced.
    /// </summary>
    /// <exception cref="IOException">A sync failed: the writes may not be on the disk.</exception>
    public void Checkpoint()
    {
        try
        {
            SyncFileSystem();
            WriteHeader(_file, _cycle + 1, _capacity);
            NativeFileSync.SyncFile(_file, _path);
            _cycle++;
            _end = FirstEntryOffset;
            Checkpoints++;
        }
        finally
        {
            _buffered = 0;
            _bufferedEntries = 0;
            _full = false;
        }
    }

    /// <summary>Syncs the file system, then deletes the log: what its entries stood for is on the disk.</summary>
    /// <exception cref="IOException">The sync failed; the log is kept, for recovery.</exception>
    public void Dispose()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        try
        {
            SyncFileSystem();
            File.Delete(_path);
        }
        finally
        {
            _file.Dispose();
            _root?.Dispose();
        }
    }

    /// <summary>Closes the log without syncing or deleting it, as a crash of its process would (tests).</summary>
    internal void Abandon()
    {
        _closed = true;
        _file.Dispose();
        _root?.Dispose();
    }

    /// <summary>
    /// Replays every log under <paramref name="providerDirectory"/> that no live store holds (a silo that died, or every
    /// silo of a machine that crashed), syncs the file system, and deletes them. Runs under <c>.wal/recovery.lock</c>, so
    /// that stores starting together recover one after the other.
    /// </summary>
    /// <param name="providerDirectory">The provider's directory (full path).</param>
    /// <param name="lockTimeout">How long to wait for another store's recovery.</param>
    /// <returns>What was recovered.</returns>
    /// <exception cref="ArrayDictJournalStorageException">A log is damaged (neither header slot is valid, or an entry names a file outside the directory): it is left in place.</exception>
    /// <exception cref="TimeoutException">Another store's recovery held the lock for all of <paramref name="lockTimeout"/>.</exception>
    public static JournalRecovery Recover(string providerDirectory, TimeSpan lockTimeout) =>
        RecoverLogs(providerDirectory, lockTimeout, dead: null);

    /// <summary>
    /// Replays the logs at <paramref name="dead"/>, whose silos died (<see cref="JournalLogSlots.IsLive"/>), as
    /// <see cref="Recover"/> does, waiting for each one's lock, which a dying process may still hold for
    /// a moment. A log already gone was recovered by another store.
    /// </summary>
    /// <param name="providerDirectory">The provider's directory (full path).</param>
    /// <param name="lockTimeout">How long to wait for another store's recovery, and for each log's lock.</param>
    /// <param name="dead">The logs' paths.</param>
    /// <returns>What was recovered.</returns>
    /// <exception cref="ArrayDictJournalStorageException">A log is damaged: it is left in place.</exception>
    /// <exception cref="TimeoutException">Another store's recovery, or a log's holder, held its lock for all of <paramref name="lockTimeout"/>.</exception>
    public static JournalRecovery RecoverDead(string providerDirectory, TimeSpan lockTimeout, IReadOnlyCollection<string> dead) =>
        RecoverLogs(providerDirectory, lockTimeout, dead);

    /// <summary>How the name of a log of <paramref name="slot"/> begins (<see cref="JournalLogSlots"/>).</summary>
    /// <param name="slot">The slot.</param>
    /// <returns>The slot in four hexadecimal digits and <see cref="SlotSeparator"/>.</returns>
    public static string NamePrefix(int slot) => slot.ToString("x4", CultureInfo.InvariantCulture) + SlotSeparator;

    /// <summary>Whether <paramref name="path"/> names a log of a slot (<see cref="JournalLogSlots"/>), and which.</summary>
    /// <param name="path">A file's path.</param>
    /// <param name="slot">The slot.</param>
    /// <returns>False for another file, or a log written before logs had slots.</returns>
    public static bool TryGetSlot(string path, out int slot)
    {
        slot = 0;
        var name = System.IO.Path.GetFileName(path.AsSpan());
        return name.EndsWith(Extension, StringComparison.Ordinal)
            && name.Length > 5
            && name[4] == SlotSeparator
            && int.TryParse(name[..4], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out slot);
    }

    private static JournalRecovery RecoverLogs(string providerDirectory, TimeSpan lockTimeout, IReadOnlyCollection<string>? dead)
    {
        string directory = System.IO.Path.Combine(providerDirectory, DirectoryName);
        if (!Directory.Exists(directory))
        {
            return new JournalRecovery(0, 0, 0);
        }

        using var recoveryLock = LockRecovery(directory, lockTimeout);
        int logs = 0;
        long replayed = 0;
        long skipped = 0;
        var done = new List<(SafeFileHandle Handle, string Path)>();
        var touched = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            foreach (var path in dead ?? Directory.EnumerateFiles(directory))
            {
                bool temporary = path.EndsWith(TemporaryExtension, StringComparison.Ordinal);
                if (!temporary && !path.EndsWith(Extension, StringComparison.Ordinal))
                {
                    continue;
                }

                var handle = dead is null ? TryOpen(path) : OpenDead(path, lockTimeout);
                if (handle is null)
                {
                    // Held by a live store, or gone meanwhile: not ours to recover.
                    continue;
                }

                done.Add((handle, path));
                if (!temporary)
                {
                    var (count, missing) = Replay(providerDirectory, handle, path, touched);
                    replayed += count;
                    skipped += missing;
                    logs++;
                }
            }

            if (done.Count == 0)
            {
                return new JournalRecovery(0, 0, 0);
            }

            SyncReplayed(providerDirectory, touched);
            foreach (var (handle, path) in done)
            {
                File.Delete(path);
            }

            using (var handle = NativeFileSync.OpenDirectory(directory))
            {
                NativeFileSync.SyncDirectory(handle, directory);
            }

            return new JournalRecovery(logs, replayed, skipped);
        }
        finally
        {
            foreach (var (handle, _) in done)
            {
                handle.Dispose();
            }
        }
    }

    private static SafeFileHandle? TryOpen(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Opens a dead silo's log once its process has let its lock go; null if another store recovered it meanwhile.</summary>
    private static SafeFileHandle? OpenDead(string path, TimeSpan timeout) =>
        OpenExclusive(path, FileMode.Open, timeout, TimeSpan.FromMilliseconds(1), $"The write-ahead log '{path}' of a silo that died stayed locked for more than {timeout}.");

    private static SafeFileHandle LockRecovery(string directory, TimeSpan timeout)
    {
        string path = System.IO.Path.Combine(directory, "recovery.lock");
        return OpenExclusive(path, FileMode.OpenOrCreate, timeout, TimeSpan.FromMilliseconds(10), $"Another store held '{path}' (the recovery of the journal's write-ahead logs) for more than {timeout}.")!;
    }

    /// <summary>Opens <paramref name="path"/> with its exclusive lock, waiting up to <paramref name="timeout"/> while another holds it; null if it is gone.</summary>
    private static SafeFileHandle? OpenExclusive(string path, FileMode mode, TimeSpan timeout, TimeSpan pause, string timedOut)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return File.OpenHandle(path, mode, FileAccess.ReadWrite, FileShare.None);
            }
            catch (FileNotFoundException) when (mode == FileMode.Open)
            {
                return null;
            }
            catch (IOException exception)
            {
                if (DateTime.UtcNow >= deadline)
                {
                    throw new TimeoutException(timedOut, exception);
                }

                Thread.Sleep(pause);
            }
        }
    }

    /// <summary>Makes the replayed files durable before their logs go: one <c>syncfs</c> on Linux, else each file.</summary>
    private static void SyncReplayed(string providerDirectory, HashSet<string> touched)
    {
        if (NativeFileSync.CanSyncFileSystem)
        {
            using var root = NativeFileSync.OpenDirectory(providerDirectory);
            NativeFileSync.SyncFileSystem(root, providerDirectory);
            return;
        }

        foreach (var path in touched)
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            NativeFileSync.SyncFile(file, path);
        }
    }

    private static (long Replayed, long Skipped) Replay(string providerDirectory, SafeFileHandle log, string logPath, HashSet<string> touched)
    {
        long length = RandomAccess.GetLength(log);
        if (length < FirstEntryOffset)
        {
            throw Damaged(logPath, $"it has {length} bytes, less than its header");
        }

        var header = new byte[2 * SlotBytes];
        ReadExactly(log, header, 0, logPath);
        long? cycle = null;
        for (int slot = 0; slot < 2; slot++)
        {
            if (ReadHeader(header.AsSpan(slot * SlotBytes, SlotBytes)) is { } valid && valid > (cycle ?? 0))
            {
                cycle = valid;
            }
        }

        if (cycle is null)
        {
            throw Damaged(logPath, "neither of its header slots is valid");
        }

        string root = System.IO.Path.TrimEndingDirectorySeparator(providerDirectory) + System.IO.Path.DirectorySeparatorChar;
        var files = new Dictionary<string, SafeFileHandle?>(StringComparer.Ordinal);
        long replayed = 0;
        long skipped = 0;
        try
        {
            var fixedPart = new byte[26];
            for (long at = FirstEntryOffset; at + EntryFixedBytes <= length;)
            {
                ReadExactly(log, fixedPart, at, logPath);
                int entryLength = BinaryPrimitives.ReadInt32LittleEndian(fixedPart.AsSpan(4));
                if (BinaryPrimitives.ReadUInt32LittleEndian(fixedPart) != EntryMagic
                    || BinaryPrimitives.ReadInt64LittleEndian(fixedPart.AsSpan(8)) != cycle
                    || entryLength < EntryFixedBytes || at + entryLength > length)
                {
                    break;
                }

                var entry = new byte[entryLength];
                ReadExactly(log, entry, at, logPath);
                int hashAt = entryLength - 8;
                int pathBytes = BinaryPrimitives.ReadUInt16LittleEndian(entry.AsSpan(24));
                if (BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(hashAt)) != XxHash64.HashToUInt64(entry.AsSpan(0, hashAt))
                    || 26 + pathBytes > hashAt)
                {
                    break;
                }

                long offset = BinaryPrimitives.ReadInt64LittleEndian(entry.AsSpan(16));
                string relative = Encoding.UTF8.GetString(entry, 26, pathBytes);
                string full = System.IO.Path.GetFullPath(System.IO.Path.Combine(root, relative));
                if (offset < 0 || System.IO.Path.IsPathRooted(relative) || !full.StartsWith(root, StringComparison.Ordinal))
                {
                    throw Damaged(logPath, $"its entry at byte {at} names '{relative}' at offset {offset}, outside the provider's directory");
                }

                if (!files.TryGetValue(full, out var file))
                {
                    // A file gone since (an older generation dropped by a compaction, a cleared grain) needs nothing.
                    file = File.Exists(full) ? File.OpenHandle(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete) : null;
                    files.Add(full, file);
                }

                if (file is null)
                {
                    skipped++;
                }
                else
                {
                    RandomAccess.Write(file, entry.AsSpan(26 + pathBytes, hashAt - 26 - pathBytes), offset);
                    touched.Add(full);
                    replayed++;
                }

                at += entryLength;
            }

            return (replayed, skipped);
        }
        finally
        {
            foreach (var file in files.Values)
            {
                file?.Dispose();
            }
        }
    }

    private static ArrayDictJournalStorageException Damaged(string path, string problem) =>
        new($"The journal's write-ahead log '{path}' is damaged: {problem}. It is left in place; no grain of this directory is read until it is repaired or removed by hand.");

    private static void ReadExactly(SafeFileHandle file, Span<byte> buffer, long offset, string path)
    {
        for (int read = 0; read < buffer.Length;)
        {
            int count = RandomAccess.Read(file, buffer[read..], offset + read);
            read += count > 0 ? count : throw new EndOfStreamException($"'{path}' ended at byte {offset + read} while {buffer.Length} bytes from {offset} were read.");
        }
    }

    private static void WriteHeader(SafeFileHandle file, long cycle, long capacity)
    {
        var slot = new byte[SlotBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(slot, HeaderMagic);
        BinaryPrimitives.WriteInt32LittleEndian(slot.AsSpan(8), HeaderVersion);
        BinaryPrimitives.WriteInt64LittleEndian(slot.AsSpan(16), cycle);
        BinaryPrimitives.WriteInt64LittleEndian(slot.AsSpan(24), capacity);
        BinaryPrimitives.WriteUInt64LittleEndian(slot.AsSpan(32), XxHash64.HashToUInt64(slot.AsSpan(0, 32)));
        RandomAccess.Write(file, slot, (cycle & 1) * SlotBytes);
    }

    private static long? ReadHeader(ReadOnlySpan<byte> slot) =>
        BinaryPrimitives.ReadUInt64LittleEndian(slot) == HeaderMagic
        && BinaryPrimitives.ReadInt32LittleEndian(slot[8..]) == HeaderVersion
        && BinaryPrimitives.ReadUInt64LittleEndian(slot[32..]) == XxHash64.HashToUInt64(slot[..32])
            ? BinaryPrimitives.ReadInt64LittleEndian(slot[16..])
            : null;

    private void SyncFileSystem()
    {
        _root ??= NativeFileSync.OpenDirectory(_providerDirectory);
        NativeFileSync.SyncFileSystem(_root, _providerDirectory);
    }
}
