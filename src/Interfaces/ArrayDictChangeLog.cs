using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace ArrayDictOrleans;

/// <summary>
/// The record behind an <see cref="ArrayDictChangeScope"/>: an undo log of the rows, adds and removes of one scope.
/// Logs are rented per scope and returned when it ends, one kept per thread, so that a scope allocates nothing but
/// its handle once the buffers have grown to the size of a typical call, and an idle ArrayDict holds no log at all. A
/// scope that spans an await (a grain call that waits for its durable write) ends on another thread than it began, whose
/// own log is usually kept already: such a log goes to a pool shared by the threads, which a thread without a log of its
/// own rents from before it makes a new one.
/// </summary>
/// <remarks>
/// Old values are kept in one of two ways, chosen when the scope begins. Row by row: the first write to a row logs its
/// key and copies its values, so that the cost is in proportion to the rows touched. Or, when the ArrayDict's values are
/// few against what its previous scope wrote (<see cref="CopyValuesPerWrite"/>), as one copy of all of them, taken
/// before the first change to a row that existed: a first write then only sets the row's bit. Logging a row stalls on
/// its values, which are not in the cache yet, before the method can go on, and costs more than copying a small array in
/// one sweep (an SW1 step over 10,000 ArrayDicts of R = 100: 2.8 µs logged row by row, 2.0 µs copied, 1.7 µs without a
/// scope; <c>Sw1StepOutOfCacheBenchmarks</c>). A rollback undoes adds, removes and whole-state changes from the log,
/// newest first, and then writes the copy back over the rows the ArrayDict had at the start. A remove,
/// <see cref="ArrayDict.Clear"/> or <see cref="ArrayDict.Compact"/> in a copying scope first logs the rows written so far
/// (keys only), so that the keys can still be read after the rows have moved, and the rest of the scope logs row by row.
/// </remarks>
internal sealed class ArrayDictChangeLog
{
    // Entry and value buffers above these sizes (one unusually large call) are not kept for the next scope.
    private const int RetainedEntries = 1 << 16;
    private const int RetainedValues = 1 << 20;

    // An ArrayDict with at most this many values is copied whatever its previous scope wrote.
    private const int MinCopyValues = 256;

    // Values copied per row the previous scope wrote (times the width): copying a value costs a small fraction of
    // logging a row, so a copy of up to this many values per logged row costs less than the log.
    private const int CopyValuesPerWrite = 32;

    // Above this many values an ArrayDict is logged row by row (a copy's buffer is kept for the next scope).
    private const int MaxCopyValues = 1 << 16;

    // A log goes to the shared pool only if its buffers together are at most this large, and the pool holds at most
    // SharedLogs of them: about one per call in flight (the SDK's default fan-out is 256).
    private const long SharedLogMaxBytes = 256 * 1024;
    private const int SharedLogs = 256;

    private static readonly ConcurrentQueue<ArrayDictChangeLog> Shared = new();
    private static int _sharedCount;

    [ThreadStatic]
    private static ArrayDictChangeLog? _cached;

    [ThreadStatic]
    private static int _createdOnThisThread;

    private readonly List<ArrayDict.WholeState> _wholeStates = [];
    private ArrayDict _dict = null!;
    private Entry[] _entries = [];
    private int _count;

    // One bit per row number, set while the row's old values are kept (or the row was added) in this scope, so that
    // later writes to it record nothing. Cleared at the end of the scope over the logged rows (or over the words marked,
    // when rows were written without an entry), so it is all zeros between scopes; it grows to the largest ArrayDict the
    // log served (1 bit per row) and is kept.
    private ulong[] _savedRows = [];

    // The old values of written and removed rows, one row after another; an entry holds its offset.
    private double[] _savedValues = [];
    private int _savedValueCount;
    private int _removes;
    private int _wholeStateCount;

    // A scope begun on an ArrayDict with no row in use: its rollback is the empty state captured at the start, so nothing
    // after it is logged (a method that loads a new ArrayDict would otherwise log every row it adds).
    private ArrayDict.WholeState? _emptyStart;
    private bool _changedSinceEmpty;

    // The copying way (see the remarks): chosen at Rent, left at the first remove or whole-state change.
    private bool _copying;
    private bool _copied;
    private double[] _copy = [];
    private int _copiedValues;

    // Rows first written while copying and not logged; rows at or above _startRows were added in this scope.
    private int _unloggedWrites;
    private int _startRows;
    private int _reusedFreeRows;

    // How many words of _savedRows may hold set bits.
    private int _markedWords;
    private int _firstWrites;

    // The unlogged written rows, found from the bits when the keys are read or the scope stops copying; kept for reuse.
    private int[] _rowScratch = [];

    private ArrayDictChangeLog()
    {
    }

    internal int Count => _emptyStart is null ? _count + _unloggedWrites : (_changedSinceEmpty ? 1 : 0);

    /// <summary>Gets the rows whose first write in this scope was recorded (the next scope's choice of way, see the remarks).</summary>
    internal int FirstWrites => _firstWrites;

    internal bool TouchedEveryRow => _wholeStateCount > 0;

    /// <summary>Gets whether the scope keeps old values as one copy (see the remarks), not row by row.</summary>
    internal bool Copying => _copying;

    /// <summary>An empty log recording changes to <paramref name="dict"/>: this thread's kept one, or a new one.</summary>
    internal static ArrayDictChangeLog Rent(ArrayDict dict)
    {
        var log = _cached ?? RentShared();
        _cached = null;
        log._dict = dict;
        if (dict.RowsInUse == 0)
        {
            log._emptyStart = dict.CaptureState();
        }
        else
        {
            long values = (long)dict.RowsInUse * dict.Width;
            long budget = Math.Clamp((long)CopyValuesPerWrite * dict.LastScopeFirstWrites * dict.Width, MinCopyValues, MaxCopyValues);
            log._copying = values <= budget;
            log._startRows = dict.RowsInUse;
        }

        return log;
    }

    /// <summary>Empties the log and keeps it for this thread's next scope (unless one unusually large call grew it).</summary>
    internal void Return()
    {
        ulong[] saved = _savedRows;
        if (_copied)
        {
            // Rows written while copying set bits without a log entry; a copied ArrayDict is small, and so are its words.
            Array.Clear(saved, 0, _markedWords);
        }
        else
        {
            var entries = new ReadOnlySpan<Entry>(_entries, 0, _count);
            foreach (ref readonly var entry in entries)
            {
                if (entry.Kind is UndoKind.Write or UndoKind.Add)
                {
                    saved[entry.Row >> 6] &= ~(1UL << entry.Row);
                }
            }
        }

        _copying = false;
        _copied = false;
        _copiedValues = 0;
        _unloggedWrites = 0;
        _startRows = 0;
        _reusedFreeRows = 0;
        _markedWords = 0;
        _firstWrites = 0;
        _wholeStates.Clear();
        _emptyStart = null;
        _changedSinceEmpty = false;
        _dict = null!;
        _count = 0;
        _savedValueCount = 0;
        _removes = 0;
        _wholeStateCount = 0;
        if (_entries.Length <= RetainedEntries && _savedValues.Length <= RetainedValues && _copy.Length <= RetainedValues && _rowScratch.Length <= RetainedEntries)
        {
            if (_cached is null)
            {
                _cached = this;
            }
            else if (RetainedBytes <= SharedLogMaxBytes)
            {
                ReturnShared(this);
            }
        }
    }

    /// <summary>Gets how many logs this thread has made because neither its own nor the shared pool had one (tests).</summary>
    internal static int CreatedOnThisThread => _createdOnThisThread;

    private long RetainedBytes =>
        ((long)_entries.Length * Unsafe.SizeOf<Entry>()) + ((long)_savedValues.Length * sizeof(double)) + ((long)_copy.Length * sizeof(double))
        + ((long)_savedRows.Length * sizeof(ulong)) + ((long)_rowScratch.Length * sizeof(int));

    private static ArrayDictChangeLog RentShared()
    {
        if (Shared.TryDequeue(out var log))
        {
            Interlocked.Decrement(ref _sharedCount);
            return log;
        }

        _createdOnThisThread++;
        return new ArrayDictChangeLog();
    }

    private static void ReturnShared(ArrayDictChangeLog log)
    {
        if (Interlocked.Increment(ref _sharedCount) <= SharedLogs)
        {
            Shared.Enqueue(log);
        }
        else
        {
            Interlocked.Decrement(ref _sharedCount);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void RecordWrite(int row)
    {
        ulong[] saved = _savedRows;
        int word = row >> 6;
        if ((uint)word < (uint)saved.Length && (saved[word] & (1UL << row)) != 0)
        {
            return;
        }

        RecordFirstWrite(row);
    }

    internal void RecordAdd(long key, int row, bool reusedFreeRow)
    {
        if (_emptyStart is not null)
        {
            _changedSinceEmpty = true;
            return;
        }

        MarkSaved(row);
        if (reusedFreeRow && _copying)
        {
            _reusedFreeRows++;
        }

        Append(new Entry(key, row, -1, UndoKind.Add, reusedFreeRow));
    }

    internal void RecordRemove(long key, int row)
    {
        if (_emptyStart is not null)
        {
            _changedSinceEmpty = true;
            return;
        }

        StopCopying();
        Append(new Entry(key, row, SaveValues(row), UndoKind.Remove, false));
        _removes++;
    }

    internal void RecordWholeState()
    {
        if (_emptyStart is not null)
        {
            _changedSinceEmpty = true;
            return;
        }

        StopCopying();
        _wholeStates.Add(_dict.CaptureState());
        Append(new Entry(0, -1, -1, UndoKind.WholeState, false));
        _wholeStateCount++;
    }

    /// <summary>Undoes every recorded change, newest first.</summary>
    internal void Rollback()
    {
        if (_emptyStart is not null)
        {
            if (_changedSinceEmpty)
            {
                _dict.RestoreState(_emptyStart);
            }

            return;
        }

        int wholeState = _wholeStates.Count;
        for (int i = _count - 1; i >= 0; i--)
        {
            ref readonly var entry = ref _entries[i];
            switch (entry.Kind)
            {
                case UndoKind.Write when entry.ValueOffset >= 0:
                    _dict.RestoreRowValues(entry.Row, SavedValues(entry.ValueOffset));
                    break;
                case UndoKind.Add:
                    _dict.UndoAdd(entry.Key, entry.Row, entry.ReusedFreeRow);
                    break;
                case UndoKind.Remove:
                    _dict.UndoRemove(entry.Key, entry.Row, SavedValues(entry.ValueOffset));
                    break;
                case UndoKind.WholeState:
                    _dict.RestoreState(_wholeStates[--wholeState]);
                    break;
            }
        }

        if (_copied)
        {
            // The rows are where they were at the start again: each takes its values back from the copy.
            Array.Copy(_copy, _dict.ValueArray, Math.Min(_copiedValues, _dict.RowsInUse * _dict.Width));
        }
    }

    /// <summary>The keys written or added (<paramref name="present"/>) or removed, each once; see <see cref="ArrayDictChangeScope.ChangedKeys"/>.</summary>
    internal long[] CollectKeys(bool present)
    {
        if (_emptyStart is not null)
        {
            // Every key present now was added in this scope, and none present at its start can have been removed.
            return present ? [.. _dict.Keys] : [];
        }

        if (_removes == 0 && _wholeStateCount == 0)
        {
            // Only writes and adds: each logged row is distinct, holds a distinct key, and that key is still present.
            if (!present || Count == 0)
            {
                return [];
            }

            if (_unloggedWrites > 0)
            {
                return CollectCopyingKeys();
            }

            var keys = new long[_count];
            for (int i = 0; i < keys.Length; i++)
            {
                keys[i] = _entries[i].Key;
            }

            return keys;
        }

        var seen = new HashSet<long>();
        var found = new List<long>();
        foreach (ref readonly var entry in new ReadOnlySpan<Entry>(_entries, 0, _count))
        {
            if (entry.Kind != UndoKind.WholeState && _dict.ContainsKey(entry.Key) == present && seen.Add(entry.Key))
            {
                found.Add(entry.Key);
            }
        }

        return [.. found];
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RecordFirstWrite(int row)
    {
        if (_emptyStart is not null)
        {
            _changedSinceEmpty = true;
            return;
        }

        MarkSaved(row);
        _firstWrites++;
        if (_copying)
        {
            if (!_copied)
            {
                TakeCopy();
            }

            _unloggedWrites++;
            return;
        }

        Append(new Entry(_dict.KeyArray[row], row, SaveValues(row), UndoKind.Write, false));
    }

    /// <summary>Copies every value of the ArrayDict as it is now, before the first change to a row it had at the start.</summary>
    private void TakeCopy()
    {
        int values = _dict.RowsInUse * _dict.Width;
        if (_copy.Length < values)
        {
            _copy = new double[Math.Max(values, Math.Min(MaxCopyValues, _copy.Length * 2))];
        }

        Array.Copy(_dict.ValueArray, _copy, values);
        _copiedValues = values;
        _copied = true;
    }

    /// <summary>
    /// Before a remove or a whole-state change in a copying scope: takes the copy if no row was written yet, logs the
    /// rows written so far by key (their values come back from the copy), and logs row by row from here on.
    /// </summary>
    private void StopCopying()
    {
        if (!_copying)
        {
            return;
        }

        if (!_copied)
        {
            TakeCopy();
        }

        if (_unloggedWrites > 0)
        {
            foreach (int row in UnloggedWrittenRows())
            {
                Append(new Entry(_dict.KeyArray[row], row, -1, UndoKind.Write, false));
            }
        }

        _unloggedWrites = 0;
        _copying = false;
    }

    /// <summary>The keys of a copying scope with writes and adds only: the written rows' in row order, then the added ones in the order they were added.</summary>
    private long[] CollectCopyingKeys()
    {
        var rows = UnloggedWrittenRows();
        var keys = new long[rows.Length + _count];
        int next = 0;
        long[] dictKeys = _dict.KeyArray;
        foreach (int row in rows)
        {
            keys[next++] = dictKeys[row];
        }

        foreach (ref readonly var entry in new ReadOnlySpan<Entry>(_entries, 0, _count))
        {
            keys[next++] = entry.Key;
        }

        return keys;
    }

    /// <summary>The rows whose bits say "written or added" and that no add logged, in row order (valid until the next call).</summary>
    private ReadOnlySpan<int> UnloggedWrittenRows()
    {
        HashSet<int>? reused = null;
        if (_reusedFreeRows > 0)
        {
            reused = [];
            foreach (ref readonly var entry in new ReadOnlySpan<Entry>(_entries, 0, _count))
            {
                if (entry.Kind == UndoKind.Add && entry.ReusedFreeRow)
                {
                    reused.Add(entry.Row);
                }
            }
        }

        if (_rowScratch.Length < _unloggedWrites)
        {
            _rowScratch = new int[Math.Max(_unloggedWrites, _rowScratch.Length * 2)];
        }

        int[] rows = _rowScratch;
        int found = 0;
        int startRows = _startRows;
        var words = new ReadOnlySpan<ulong>(_savedRows, 0, _markedWords);
        for (int word = 0; word < words.Length; word++)
        {
            for (ulong bits = words[word]; bits != 0; bits &= bits - 1)
            {
                int row = (word << 6) + System.Numerics.BitOperations.TrailingZeroCount(bits);
                if (row < startRows && (reused is null || !reused.Contains(row)))
                {
                    rows[found++] = row;
                }
            }
        }

        return new ReadOnlySpan<int>(rows, 0, found);
    }

    private void MarkSaved(int row)
    {
        int word = row >> 6;
        if (word >= _savedRows.Length)
        {
            Array.Resize(ref _savedRows, Math.Max(word + 1, (_dict.Capacity + 63) >> 6));
        }

        _savedRows[word] |= 1UL << row;
        if (word >= _markedWords)
        {
            _markedWords = word + 1;
        }
    }

    private void Append(in Entry entry)
    {
        Entry[] entries = _entries;
        int count = _count;
        if ((uint)count < (uint)entries.Length)
        {
            entries[count] = entry;
            _count = count + 1;
            return;
        }

        Array.Resize(ref _entries, Math.Max(16, entries.Length * 2));
        _entries[count] = entry;
        _count = count + 1;
    }

    private int SaveValues(int row)
    {
        int width = _dict.Width;
        int offset = _savedValueCount;
        if (offset + width > _savedValues.Length)
        {
            Array.Resize(ref _savedValues, Math.Max(offset + width, Math.Max(16, _savedValues.Length * 2)));
        }

        if (width == 1)
        {
            _savedValues[offset] = _dict.ValueArray[row];
        }
        else
        {
            new ReadOnlySpan<double>(_dict.ValueArray, row * width, width).CopyTo(new Span<double>(_savedValues, offset, width));
        }

        _savedValueCount = offset + width;
        return offset;
    }

    private ReadOnlySpan<double> SavedValues(int offset) => new(_savedValues, offset, _dict.Width);

    private enum UndoKind : byte
    {
        Write,
        Add,
        Remove,
        WholeState,
    }

    private readonly record struct Entry(long Key, int Row, int ValueOffset, UndoKind Kind, bool ReusedFreeRow);
}
