namespace ArrayDictOrleans.Grains.Journal;

/// <summary>
/// Tells whether the silo that wrote a write-ahead log is alive, in the same lock that fences a grain: each log has a slot,
/// and while its silo lives it holds the slot's "liveness" byte in every lease file of the provider directory
/// (<see cref="LocalFileLeases"/>), at <see cref="LivenessOffset"/> plus the slot, beyond every grain's byte.
/// </summary>
/// <remarks>
/// <para>
/// A silo writes an append to the grain's journal file only at a checkpoint of its log or when it lets the grain go;
/// until then the record is only in its log. An activation that has just taken a grain's lease asks, for each log in the
/// directory, whether its slot's byte in the same lease file is held. The kernel drops all of a dead process's locks
/// on one file at once, so the lease of a grain whose holder died is never free while that holder's liveness byte in the
/// same file still looks held: a free byte means a dead silo, whose log the activation replays before it reads. A held
/// byte means a live silo, which wrote what it kept of the grain before it released the lease.
/// </para>
/// <para>
/// A slot is claimed by locking its byte in the first lease file, then in the others, and only while no log of that slot
/// is left in the directory (a dead silo's log keeps its slot dead until it is replayed); it is released in the reverse
/// order, after the log is deleted. Locks of one process never conflict with each other, so the slots of this process's
/// live logs are also kept here, in memory.
/// </para>
/// </remarks>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class JournalLogSlots
{
    /// <summary>The offset of slot 0's liveness byte in a lease file: above every grain's byte (a hash shifted right by 10 bits).</summary>
    public const long LivenessOffset = 1L << 62;

    /// <summary>How many logs (silos) one provider directory can have at once.</summary>
    public const int MaxSlots = 1024;

    private static readonly object Gate = new();
    private static readonly Dictionary<string, HashSet<int>> LiveInProcess = new(StringComparer.Ordinal);

    /// <summary>Claims a free slot for a new log under <paramref name="providerDirectory"/>.</summary>
    /// <param name="providerDirectory">The provider's directory (full path).</param>
    /// <param name="hasLog">Whether a log of a slot is still in the directory.</param>
    /// <param name="timeout">How long to wait for the other lease files' bytes of a slot whose first byte was free (a process still dying).</param>
    /// <returns>The slot; release it with <see cref="Release"/>.</returns>
    /// <exception cref="IOException">Every slot is taken.</exception>
    public static int Claim(string providerDirectory, Func<int, bool> hasLog, TimeSpan timeout)
    {
        lock (Gate)
        {
            var live = LiveSlots(providerDirectory);
            var first = LocalFileLeases.GetFile(providerDirectory, 0);
            for (int slot = 0; slot < MaxSlots; slot++)
            {
                if (live.Contains(slot) || !first.TryLockOtherByte(LivenessOffset + slot))
                {
                    continue;
                }

                if (hasLog(slot))
                {
                    first.UnlockOtherByte(LivenessOffset + slot);
                    continue;
                }

                LockOtherStripes(providerDirectory, slot, timeout);
                live.Add(slot);
                return slot;
            }
        }

        throw new IOException($"All {MaxSlots} write-ahead log slots of '{providerDirectory}' are held by live silos or by logs left to replay.");
    }

    /// <summary>Releases <paramref name="slot"/>, once its log is deleted or, after a simulated crash, closed.</summary>
    /// <param name="providerDirectory">The provider's directory (full path).</param>
    /// <param name="slot">The slot.</param>
    public static void Release(string providerDirectory, int slot)
    {
        lock (Gate)
        {
            if (LiveSlots(providerDirectory).Remove(slot))
            {
                UnlockStripesBelow(providerDirectory, slot, LocalFileLeases.Stripes);
            }
        }
    }

    /// <summary>
    /// Whether the silo of <paramref name="slot"/> is alive, asked in the lease file of a lease this process holds, so that
    /// the answer is consistent with that lease: a silo that held the grain and died has let both go.
    /// </summary>
    /// <param name="providerDirectory">The provider's directory (full path).</param>
    /// <param name="lease">A lease this process holds.</param>
    /// <param name="slot">The slot.</param>
    /// <returns>True while a silo, in this process or another, holds the slot.</returns>
    public static bool IsLive(string providerDirectory, LocalFileLease lease, int slot)
    {
        lock (Gate)
        {
            if (LiveSlots(providerDirectory).Contains(slot))
            {
                return true;
            }

            return lease.File.IsOtherByteLockedElsewhere(LivenessOffset + slot);
        }
    }

    private static void LockOtherStripes(string providerDirectory, int slot, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        for (int stripe = 1; stripe < LocalFileLeases.Stripes; stripe++)
        {
            var file = LocalFileLeases.GetFile(providerDirectory, stripe);
            while (!file.TryLockOtherByte(LivenessOffset + slot))
            {
                if (DateTime.UtcNow >= deadline)
                {
                    UnlockStripesBelow(providerDirectory, slot, stripe);

                    throw new TimeoutException($"The write-ahead log slot {slot} of '{providerDirectory}' stayed held in lease file {stripe:x2} for {timeout} after its first lease file let it go.");
                }

                Thread.Sleep(1);
            }
        }
    }

    /// <summary>Unlocks the slot's byte in the lease files below <paramref name="end"/>, the first one last, as a claim looks at it first.</summary>
    private static void UnlockStripesBelow(string providerDirectory, int slot, int end)
    {
        for (int stripe = end - 1; stripe >= 0; stripe--)
        {
            LocalFileLeases.GetFile(providerDirectory, stripe).UnlockOtherByte(LivenessOffset + slot);
        }
    }

    private static HashSet<int> LiveSlots(string providerDirectory)
    {
        if (!LiveInProcess.TryGetValue(providerDirectory, out var slots))
        {
            slots = [];
            LiveInProcess.Add(providerDirectory, slots);
        }

        return slots;
    }
}
