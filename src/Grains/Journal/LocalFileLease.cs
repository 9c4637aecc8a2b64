namespace ArrayDictOrleans.Grains.Journal;

/// <summary>
/// An activation's hold on its grain's stored state under a local directory, taken when the activation reads its state
/// and kept until it deactivates (see <see cref="LocalFileLeases"/>). Writes check it: a lease taken over by a newer
/// activation in this process is revoked, and its holder's writes then fail.
/// </summary>
internal sealed class LocalFileLease : IDisposable
{
    private readonly LocalFileLeases.LeaseFile _file;
    private bool _revoked;
    private bool _released;

    internal LocalFileLease(LocalFileLeases.LeaseFile file, string key, long offset)
    {
        _file = file;
        Key = key;
        Offset = offset;
    }

    /// <summary>Gets the lease file that holds this lease's byte.</summary>
    internal LocalFileLeases.LeaseFile File => _file;

    /// <summary>
    /// Called, under the lease, when a newer activation in this process takes the lease over, before the new holder reads:
    /// the holder writes there what it still keeps in memory of the grain's files.
    /// </summary>
    internal Action? OnRevoke { get; set; }

    /// <summary>Gets the grain's storage key.</summary>
    public string Key { get; }

    /// <summary>Gets the byte of the lease file whose lock stands for this grain.</summary>
    public long Offset { get; }

    /// <summary>Gets whether a newer activation in this process took the lease over, or it was released.</summary>
    public bool IsRevoked
    {
        get
        {
            lock (this)
            {
                return _revoked || _released;
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/> while the lease is held: a takeover waits until it is done, so that the new holder's
    /// read sees what it wrote.
    /// </summary>
    /// <exception cref="Orleans.Storage.InconsistentStateException">The lease was taken over or released.</exception>
    public T WhileHeld<T>(Func<T> write)
    {
        using (Hold())
        {
            return write();
        }
    }

    /// <summary>
    /// Holds the lease until the returned scope is disposed, as <see cref="WhileHeld{T}"/> does for a delegate: for an
    /// append, the path every call takes, without a delegate and its captures. No await may come before the dispose.
    /// </summary>
    /// <returns>The scope; dispose it on the same thread.</returns>
    /// <exception cref="Orleans.Storage.InconsistentStateException">The lease was taken over or released.</exception>
    public HeldScope Hold()
    {
        Monitor.Enter(this);
        if (_revoked || _released)
        {
            Monitor.Exit(this);
            throw new Orleans.Storage.InconsistentStateException(
                $"The stored state of '{Key}' was taken over by a newer activation in this process (or its lease was released): this activation may no longer write it.");
        }

        return new HeldScope(this);
    }

    /// <summary>A held lease (<see cref="Hold"/>); disposing it lets a takeover or release go on.</summary>
    /// <param name="lease">The lease held.</param>
    public readonly struct HeldScope(LocalFileLease lease) : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => Monitor.Exit(lease);
    }

    /// <summary>Releases the lease (when the activation deactivates); a revoked lease releases nothing.</summary>
    public void Dispose()
    {
        lock (this)
        {
            if (_released)
            {
                return;
            }

            _released = true;
        }

        _file.Release(this);
    }

    internal void Revoke()
    {
        lock (this)
        {
            if (!_revoked && !_released)
            {
                OnRevoke?.Invoke();
            }

            _revoked = true;
        }
    }
}
