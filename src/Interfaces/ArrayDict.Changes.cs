namespace ArrayDictOrleans;

public sealed partial class ArrayDict
{
    /// <summary>
    /// Starts recording changes: every first write to an existing row keeps its old values, and every
    /// added and removed key is noted, so that the returned scope can either commit (forget the record)
    /// or roll back (restore exactly the state at this call: keys, rows, values, count and free rows).
    /// Recording and rolling back cost time and memory in proportion to the rows touched, except
    /// <see cref="Clear"/> and <see cref="Compact"/>, which touch every row and so keep a whole copy.
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
        log.Return();
    }
}
