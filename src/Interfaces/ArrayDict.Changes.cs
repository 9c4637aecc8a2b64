namespace ArrayDictOrleans;

/// <summary>
/// Change tracking: a change scope (<see cref="BeginChanges"/>) records what the writes of a method change, and rolls it
/// back exactly when the method fails. The writes call <see cref="BeforeRowWrite"/> and the log's <c>RecordAdd</c> /
/// <c>RecordRemove</c>; the log (<see cref="ArrayDictChangeLog"/>) undoes them through the methods below, in reverse order.
/// </summary>
public sealed partial class ArrayDict
{
    // The record of the change scope active now, null when none is (see BeginChanges).
    private ArrayDictChangeLog? _recording;

    // The rows the last scope wrote first: how the next scope keeps old values (see ArrayDictChangeLog).
    private int _lastScopeFirstWrites;

    /// <summary>Whether a change scope is recording (see <see cref="BeginChanges"/>).</summary>
    public bool IsRecordingChanges => _recording is not null;

    /// <summary>
    /// Starts recording changes: every first write to an existing row keeps its old values, and every
    /// added and removed key is noted, so that the returned scope can either commit (forget the record)
    /// or roll back (restore exactly the state at this call: keys, rows, values, count and free rows).
    /// Recording and rolling back cost time and memory in proportion to the rows touched, with two exceptions:
    /// <see cref="Clear"/> and <see cref="Compact"/> touch every row and so keep a whole copy; and an ArrayDict whose
    /// values are few against the rows its previous scope wrote has all its values copied once, before the first change,
    /// which costs less than keeping them row by row. A scope begun on an ArrayDict without rows records nothing:
    /// rolling back empties it again.
    /// The record's buffers are reused from scope to scope, so a scope allocates little beyond its handle.
    /// Disposing the scope without <see cref="ArrayDictChangeScope.Commit"/> rolls back.
    /// </summary>
    /// <exception cref="InvalidOperationException">A scope is already recording.</exception>
    public ArrayDictChangeScope BeginChanges()
    {
        if (_recording is not null)
        {
            throw new InvalidOperationException("A change scope is already recording on this ArrayDict; commit or roll it back before beginning another.");
        }

        var log = ArrayDictChangeLog.Rent(this);
        _recording = log;
        return new ArrayDictChangeScope(this, log);
    }

    /// <summary>Stops the recording into <paramref name="log"/> (its scope has committed or rolled back) and returns the log for reuse.</summary>
    internal void EndChanges(ArrayDictChangeLog log)
    {
        _recording = null;
        _lastScopeFirstWrites = log.FirstWrites;
        log.Return();
    }

    private void BeforeRowWrite(int row) => _recording?.RecordWrite(row);

    /// <summary>Gets the rows whose first write the last change scope recorded.</summary>
    internal int LastScopeFirstWrites => _lastScopeFirstWrites;

    /// <summary>Rows in use (live and free): 0 only when no row has been added since the ArrayDict was made or cleared.</summary>
    internal int RowsInUse => _rowsInUse;

    /// <summary>Undoes <see cref="AddNewRow"/> for the most recent add still standing.</summary>
    internal void UndoAdd(long key, int row, bool reused)
    {
        RemoveFromIndex(key);
        if (reused)
        {
            PushFreeRow(row);
        }
        else
        {
            _rowsInUse--;
        }

        _version++;
    }

    /// <summary>Undoes <see cref="Remove"/> for the most recent removal still standing.</summary>
    internal void UndoRemove(long key, int row, ReadOnlySpan<double> values)
    {
        int popped = PopFreeRow();
        System.Diagnostics.Debug.Assert(popped == row, "Undo must run in reverse order.");
        _keys[row] = key;
        values.CopyTo(new Span<double>(_values, row * _width, _width));
        TryInsertIntoIndex(key, row);
        _version++;
    }

    internal void RestoreRowValues(int row, ReadOnlySpan<double> values) =>
        values.CopyTo(new Span<double>(_values, row * _width, _width));

    /// <summary>Replaces the whole state by a copy taken with <see cref="CaptureState"/>.</summary>
    internal void RestoreState(WholeState state)
    {
        if (_keys.Length < state.Keys.Length)
        {
            Resize(state.Keys.Length);
        }

        Array.Copy(state.Keys, _keys, state.Keys.Length);
        Array.Copy(state.Values, _values, state.Values.Length);
        _rowsInUse = state.Keys.Length;
        _freeHead = state.FreeHead;
        _freeCount = state.FreeCount;
        if (state.FreeRows is null)
        {
            if (_freeRows is not null)
            {
                Array.Clear(_freeRows);
            }
        }
        else
        {
            _freeRows ??= new ulong[(_keys.Length + 63) >> 6];
            Array.Clear(_freeRows);
            Array.Copy(state.FreeRows, _freeRows, state.FreeRows.Length);
        }

        Array.Clear(_slots);
        for (int row = 0; row < _rowsInUse; row++)
        {
            if (!IsFree(row))
            {
                TryInsertIntoIndex(_keys[row], row);
            }
        }

        _version++;
    }

    internal WholeState CaptureState() => new(
        _keys.AsSpan(0, _rowsInUse).ToArray(),
        _values.AsSpan(0, _rowsInUse * _width).ToArray(),
        _freeHead,
        _freeCount,
        _freeCount == 0 ? null : _freeRows.AsSpan(0, (_rowsInUse + 63) >> 6).ToArray());

    internal sealed record WholeState(long[] Keys, double[] Values, int FreeHead, int FreeCount, ulong[]? FreeRows);
}
