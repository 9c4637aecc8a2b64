namespace ArrayDictOrleans;

/// <summary>
/// Records the changes made to an <see cref="ArrayDict"/> since <see cref="ArrayDict.BeginChanges"/>,
/// so that they can be rolled back exactly, or committed and read (for delta snapshots).
/// </summary>
public sealed class ArrayDictChangeScope : IDisposable
{
    private readonly ArrayDict _dict;

    // The record while the scope is active; it goes back to be reused when the scope ends.
    private ArrayDictChangeLog? _log;
    private int _recordedChanges;
    private bool _touchedEveryRow;

    internal ArrayDictChangeScope(ArrayDict dict, ArrayDictChangeLog log)
    {
        _dict = dict;
        _log = log;
    }

    /// <summary>Whether the scope still records (neither committed nor rolled back).</summary>
    public bool IsActive => _log is not null;

    /// <summary>Whether a change touched every row (<see cref="ArrayDict.Clear"/> or <see cref="ArrayDict.Compact"/>), so that only a whole snapshot describes it.</summary>
    public bool TouchedEveryRow => _log?.TouchedEveryRow ?? _touchedEveryRow;

    /// <summary>Gets whether the scope keeps the old values as one copy of all of them rather than row by row (tests).</summary>
    internal bool CopiesValues => ActiveLog().Copying;

    /// <summary>Rows whose old values are kept, plus keys added or removed: the size of the record.</summary>
    public int RecordedChanges => _log?.Count ?? _recordedChanges;

    /// <summary>
    /// The keys present now that were written or added in this scope (each once; the added keys in the order they were
    /// added). With <see cref="RemovedKeys"/>, what a delta snapshot must hold; read it before committing.
    /// </summary>
    /// <exception cref="InvalidOperationException">The scope has ended: its record is gone.</exception>
    public IReadOnlyList<long> ChangedKeys => ActiveLog().CollectKeys(present: true);

    /// <summary>The keys removed in this scope and absent now (each once); read it before committing.</summary>
    /// <exception cref="InvalidOperationException">The scope has ended: its record is gone.</exception>
    public IReadOnlyList<long> RemovedKeys => ActiveLog().CollectKeys(present: false);

    /// <summary>Keeps the changes and stops recording.</summary>
    /// <exception cref="InvalidOperationException">The scope has already ended.</exception>
    public void Commit() => End(ActiveLog());

    /// <summary>Restores the ArrayDict exactly as it was when the scope began, and stops recording.</summary>
    /// <exception cref="InvalidOperationException">The scope has already ended.</exception>
    public void Rollback()
    {
        var log = ActiveLog();
        log.Rollback();
        End(log);
    }

    /// <summary>Rolls back unless the scope was committed.</summary>
    public void Dispose()
    {
        if (_log is not null)
        {
            Rollback();
        }
    }

    private ArrayDictChangeLog ActiveLog() =>
        _log ?? throw new InvalidOperationException("This change scope has already been committed or rolled back; its record is gone (read changed and removed keys before committing).");

    private void End(ArrayDictChangeLog log)
    {
        _recordedChanges = log.Count;
        _touchedEveryRow = log.TouchedEveryRow;
        _log = null;
        _dict.EndChanges(log);
    }
}
