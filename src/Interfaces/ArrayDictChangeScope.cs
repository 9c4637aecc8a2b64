namespace ArrayDictOrleans;

/// <summary>
/// Records the changes made to an <see cref="ArrayDict"/> since <see cref="ArrayDict.BeginChanges"/>,
/// so that they can be rolled back exactly, or committed and read (for delta snapshots).
/// </summary>
public sealed class ArrayDictChangeScope : IDisposable
{
    private readonly ArrayDict _dict;
    private readonly List<UndoEntry> _log = [];
    private readonly HashSet<int> _savedRows = [];
    private readonly List<ArrayDict.WholeState> _wholeStates = [];
    private double[] _savedValues = [];
    private int _savedValueCount;
    private bool _ended;

    internal ArrayDictChangeScope(ArrayDict dict) => _dict = dict;

    /// <summary>Whether the scope still records (neither committed nor rolled back).</summary>
    public bool IsActive => !_ended;

    /// <summary>Whether a change touched every row (<see cref="ArrayDict.Clear"/> or <see cref="ArrayDict.Compact"/>), so that only a whole snapshot describes it.</summary>
    public bool TouchedEveryRow => _wholeStates.Count > 0;

    /// <summary>Rows whose old values are kept, plus keys added or removed: the size of the record.</summary>
    public int RecordedChanges => _log.Count;

    /// <summary>
    /// The keys present now that were written or added in this scope (each once). With
    /// <see cref="RemovedKeys"/>, what a delta snapshot must hold; read it before committing.
    /// </summary>
    public IReadOnlyList<long> ChangedKeys => CollectKeys(present: true);

    /// <summary>The keys removed in this scope and absent now (each once).</summary>
    public IReadOnlyList<long> RemovedKeys => CollectKeys(present: false);

    /// <summary>Keeps the changes and stops recording.</summary>
    /// <exception cref="InvalidOperationException">The scope has already ended.</exception>
    public void Commit()
    {
        EnsureActive();
        End();
    }

    /// <summary>Restores the ArrayDict exactly as it was when the scope began, and stops recording.</summary>
    /// <exception cref="InvalidOperationException">The scope has already ended.</exception>
    public void Rollback()
    {
        EnsureActive();
        int wholeState = _wholeStates.Count;
        for (int i = _log.Count - 1; i >= 0; i--)
        {
            var entry = _log[i];
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

        End();
    }

    /// <summary>Rolls back unless the scope was committed.</summary>
    public void Dispose()
    {
        if (!_ended)
        {
            Rollback();
        }
    }

    internal void RecordWrite(long key, int row, ReadOnlySpan<double> oldValues)
    {
        if (_savedRows.Add(row))
        {
            _log.Add(new UndoEntry(UndoKind.Write, key, row, SaveValues(oldValues), false));
        }
    }

    internal void RecordAdd(long key, int row, bool reusedFreeRow)
    {
        _savedRows.Add(row);
        _log.Add(new UndoEntry(UndoKind.Add, key, row, -1, reusedFreeRow));
    }

    internal void RecordRemove(long key, int row, ReadOnlySpan<double> values)
    {
        _log.Add(new UndoEntry(UndoKind.Remove, key, row, SaveValues(values), false));
    }

    internal void RecordWholeState()
    {
        _wholeStates.Add(_dict.CaptureState());
        _log.Add(new UndoEntry(UndoKind.WholeState, 0, -1, -1, false));
    }

    private int SaveValues(ReadOnlySpan<double> values)
    {
        int offset = _savedValueCount;
        if (offset + values.Length > _savedValues.Length)
        {
            Array.Resize(ref _savedValues, Math.Max(offset + values.Length, Math.Max(16, _savedValues.Length * 2)));
        }

        values.CopyTo(_savedValues.AsSpan(offset));
        _savedValueCount += values.Length;
        return offset;
    }

    private ReadOnlySpan<double> SavedValues(int offset) => new(_savedValues, offset, _dict.Width);

    private List<long> CollectKeys(bool present)
    {
        var seen = new HashSet<long>();
        var keys = new List<long>();
        foreach (var entry in _log)
        {
            if (entry.Kind != UndoKind.WholeState && _dict.ContainsKey(entry.Key) == present && seen.Add(entry.Key))
            {
                keys.Add(entry.Key);
            }
        }

        return keys;
    }

    private void EnsureActive()
    {
        if (_ended)
        {
            throw new InvalidOperationException("This change scope has already been committed or rolled back.");
        }
    }

    private void End()
    {
        _ended = true;
        _dict.DetachScope(this);
    }

    private enum UndoKind : byte
    {
        Write,
        Add,
        Remove,
        WholeState,
    }

    private readonly record struct UndoEntry(UndoKind Kind, long Key, int Row, int ValueOffset, bool ReusedFreeRow);
}
