using System.Runtime.CompilerServices;

namespace ArrayDictOrleans;

/// <summary>
/// The record behind an <see cref="ArrayDictChangeScope"/>: an undo log of the rows, adds and removes of one scope.
/// Logs are rented per scope and returned when it ends, one kept per thread, so that a scope allocates nothing but
/// its handle once the buffers have grown to the size of a typical call, and an idle ArrayDict holds no log at all.
/// Every cost here is in proportion to what the scope touched.
/// </summary>
internal sealed class ArrayDictChangeLog
{
    // Entry and value buffers above these sizes (one unusually large call) are not kept for the next scope.
    private const int RetainedEntries = 1 << 16;
    private const int RetainedValues = 1 << 20;

    [ThreadStatic]
    private static ArrayDictChangeLog? _cached;

    private readonly List<ArrayDict.WholeState> _wholeStates = [];
    private ArrayDict _dict = null!;
    private Entry[] _entries = [];
    private int _count;

    // One bit per row number, set while the row's old values are kept (or the row was added) in this scope, so that
    // later writes to it record nothing. Cleared at the end of the scope over the logged rows only, so it is all zeros
    // between scopes; it grows to the largest ArrayDict the log served (1 bit per row) and is kept.
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

    private ArrayDictChangeLog()
    {
    }

    internal int Count => _emptyStart is null ? _count : (_changedSinceEmpty ? 1 : 0);

    internal bool TouchedEveryRow => _wholeStateCount > 0;

    /// <summary>An empty log recording changes to <paramref name="dict"/>: this thread's kept one, or a new one.</summary>
    internal static ArrayDictChangeLog Rent(ArrayDict dict)
    {
        var log = _cached ?? new ArrayDictChangeLog();
        _cached = null;
        log._dict = dict;
        if (dict.RowsInUse == 0)
        {
            log._emptyStart = dict.CaptureState();
        }

        return log;
    }

    /// <summary>Empties the log and keeps it for this thread's next scope (unless one unusually large call grew it).</summary>
    internal void Return()
    {
        ulong[] saved = _savedRows;
        var entries = new ReadOnlySpan<Entry>(_entries, 0, _count);
        foreach (ref readonly var entry in entries)
        {
            if (entry.Kind is UndoKind.Write or UndoKind.Add)
            {
                saved[entry.Row >> 6] &= ~(1UL << entry.Row);
            }
        }

        _wholeStates.Clear();
        _emptyStart = null;
        _changedSinceEmpty = false;
        _dict = null!;
        _count = 0;
        _savedValueCount = 0;
        _removes = 0;
        _wholeStateCount = 0;
        if (_entries.Length <= RetainedEntries && _savedValues.Length <= RetainedValues)
        {
            _cached = this;
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
        Append(new Entry(key, row, -1, UndoKind.Add, reusedFreeRow));
    }

    internal void RecordRemove(long key, int row)
    {
        if (_emptyStart is not null)
        {
            _changedSinceEmpty = true;
            return;
        }

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
                case UndoKind.Write:
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
            if (!present || _count == 0)
            {
                return [];
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
        Append(new Entry(_dict.KeyArray[row], row, SaveValues(row), UndoKind.Write, false));
    }

    private void MarkSaved(int row)
    {
        int word = row >> 6;
        if (word >= _savedRows.Length)
        {
            Array.Resize(ref _savedRows, Math.Max(word + 1, (_dict.Capacity + 63) >> 6));
        }

        _savedRows[word] |= 1UL << row;
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
