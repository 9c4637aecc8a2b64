namespace ArrayDictOrleans.Grains;

/// <summary>
/// What changed in an ArrayDict since its last successful write to storage: the keys written or added, the keys
/// removed, or "everything" when only a whole snapshot describes the change. The grain fills it from each call's
/// change scope (never by scanning the ArrayDict); a journaling storage writes just these rows.
/// </summary>
public sealed class ArrayDictPendingDelta
{
    /// <summary>Above this many recorded keys the delta becomes "everything" (see <see cref="Record"/>).</summary>
    public const int CollapseThreshold = 1 << 20;

    private readonly List<(long[] Changed, long[] Removed)> _segments = [];
    private long _keyCount;

    /// <summary>Whether a change touched every row (import, clear, compaction of the ArrayDict): only a whole snapshot describes it.</summary>
    public bool IsEverything { get; private set; }

    /// <summary>Whether nothing was recorded since the last successful write.</summary>
    public bool IsEmpty => !IsEverything && _segments.Count == 0;

    /// <summary>Records what one committed-to-be change scope changed; read before the scope commits.</summary>
    /// <param name="scope">The call's change scope, still active.</param>
    public void Record(ArrayDictChangeScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (scope.TouchedEveryRow)
        {
            IsEverything = true;
            return;
        }

        if (IsEverything || scope.RecordedChanges == 0)
        {
            return;
        }

        // The scope hands out a new array on each read: kept as it is, not copied again.
        var segment = (Changed: AsArray(scope.ChangedKeys), Removed: AsArray(scope.RemovedKeys));
        _keyCount += segment.Changed.Length + segment.Removed.Length;
        if (_keyCount > CollapseThreshold)
        {
            // Many calls without a write (PersistEvery 0 or large): stop keeping keys, whose list would grow without
            // bound; a whole snapshot is then the cheaper write anyway.
            _segments.Clear();
            _keyCount = 0;
            IsEverything = true;
            return;
        }

        _segments.Add(segment);
    }

    /// <summary>Records that only a whole snapshot describes the ArrayDict now.</summary>
    public void MarkEverything() => IsEverything = true;

    /// <summary>Gets a mark to undo later records with <see cref="RestoreTo"/> (when the call that made them fails).</summary>
    public Mark GetMark() => new(_segments.Count, IsEverything);

    /// <summary>Forgets what was recorded after <paramref name="mark"/>.</summary>
    /// <param name="mark">A mark from <see cref="GetMark"/>, taken since the last <see cref="Reset"/>.</param>
    public void RestoreTo(Mark mark)
    {
        if (mark.Segments > _segments.Count)
        {
            // The records were collapsed into "everything" since the mark: that stays the only safe description.
            IsEverything = true;
            return;
        }

        for (int i = mark.Segments; i < _segments.Count; i++)
        {
            _keyCount -= _segments[i].Changed.Length + _segments[i].Removed.Length;
        }

        _segments.RemoveRange(mark.Segments, _segments.Count - mark.Segments);
        IsEverything = mark.IsEverything;
    }

    /// <summary>Forgets everything: called after a successful write.</summary>
    public void Reset()
    {
        _segments.Clear();
        _keyCount = 0;
        IsEverything = false;
    }

    /// <summary>Gets the keys of the one change recorded since the last write, when exactly one was (each key once).</summary>
    /// <param name="changed">The keys that change wrote or added.</param>
    /// <param name="removed">The keys it removed.</param>
    /// <returns>Whether exactly one change, not "everything", was recorded.</returns>
    public bool TryGetSingle(out long[] changed, out long[] removed)
    {
        if (IsEverything || _segments.Count != 1)
        {
            changed = [];
            removed = [];
            return false;
        }

        (changed, removed) = _segments[0];
        return true;
    }

    /// <summary>
    /// Merges the records in order: a key's last change wins. <paramref name="changed"/> gets the keys to write
    /// (present now, unless the ArrayDict lost them some other way), <paramref name="removed"/> the keys to remove.
    /// </summary>
    /// <param name="changed">Receives the keys written or added.</param>
    /// <param name="removed">Receives the keys removed.</param>
    public void Merge(HashSet<long> changed, HashSet<long> removed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        ArgumentNullException.ThrowIfNull(removed);
        foreach (var (changedKeys, removedKeys) in _segments)
        {
            foreach (long key in changedKeys)
            {
                changed.Add(key);
                removed.Remove(key);
            }

            foreach (long key in removedKeys)
            {
                removed.Add(key);
                changed.Remove(key);
            }
        }
    }

    private static long[] AsArray(IReadOnlyList<long> keys) => keys as long[] ?? [.. keys];

    /// <summary>A point in the records to go back to.</summary>
    /// <param name="Segments">How many records there were.</param>
    /// <param name="IsEverything">Whether everything was marked.</param>
    public readonly record struct Mark(int Segments, bool IsEverything);
}
