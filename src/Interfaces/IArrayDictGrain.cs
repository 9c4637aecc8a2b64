namespace ArrayDictOrleans;

/// <summary>
/// One ArrayDict, kept in memory by one grain activation in the cluster; the grain's key is the ArrayDict's id.
/// Calls run one at a time. Every change is all or nothing and, under the default persistence policy,
/// durable once the call returns.
/// </summary>
public interface IArrayDictGrain : IGrainWithIntegerKey
{
    /// <summary>Gets the value of <paramref name="key"/> (rows of width 1); <see cref="KeyNotFoundException"/> when absent.</summary>
    Task<double> GetValueAsync(long key);

    /// <summary>Sets the value of <paramref name="key"/> (rows of width 1), adding the key when absent.</summary>
    Task SetValueAsync(long key, double value);

    /// <summary>Gets a copy of the row of <paramref name="key"/>; <see cref="KeyNotFoundException"/> when absent.</summary>
    Task<double[]> GetRowAsync(long key);

    /// <summary>Sets the row of <paramref name="key"/>, adding the key when absent.</summary>
    Task SetRowAsync(long key, double[] values);

    /// <summary>Gets the rows of <paramref name="keys"/> in one call; <see cref="KeyNotFoundException"/> naming the first absent key.</summary>
    Task<RowBatch> GetManyAsync(long[] keys);

    /// <summary>Sets (adds or overwrites) every row of <paramref name="rows"/> in one all-or-nothing call.</summary>
    Task SetManyAsync(RowBatch rows);

    /// <summary>Removes <paramref name="key"/>; returns whether it was present.</summary>
    Task<bool> RemoveAsync(long key);

    /// <summary>Reports size, width, last applied epoch and the last snapshot.</summary>
    Task<ArrayDictInfo> GetInfoAsync();

    /// <summary>Returns a copy of the whole ArrayDict (bounded by the cluster's message size).</summary>
    Task<ArrayDict> ExportAsync();

    /// <summary>Replaces the whole ArrayDict by <paramref name="dict"/>; the epoch history is kept.</summary>
    Task ImportAsync(ArrayDict dict);

    /// <summary>
    /// Returns up to <paramref name="maxRows"/> rows in use from row position <paramref name="startRow"/> on (0 for the
    /// first page, then <see cref="ArrayDictPage.NextRow"/>): an export in pages, for ArrayDicts larger than one message.
    /// </summary>
    Task<ArrayDictPage> ExportPageAsync(int startRow, int maxRows);

    /// <summary>
    /// Starts a paged import of <paramref name="expectedRows"/> rows of <paramref name="width"/> values into a staging
    /// ArrayDict, dropping any import not committed; returns the id that the pages and the commit carry.
    /// The live ArrayDict is untouched until <see cref="CommitImportAsync"/>.
    /// </summary>
    Task<Guid> BeginImportAsync(int width, int expectedRows);

    /// <summary>Adds <paramref name="rows"/> (keys not seen before in this import) to the staging ArrayDict of import <paramref name="importId"/>; a failure drops the import.</summary>
    Task ImportPageAsync(Guid importId, RowBatch rows);

    /// <summary>Replaces the ArrayDict by the staged one, all of it or nothing, and persists as <see cref="ImportAsync"/> does; the epoch history is kept.</summary>
    Task CommitImportAsync(Guid importId);

    /// <summary>Drops import <paramref name="importId"/> when it is still staged; the ArrayDict keeps its data.</summary>
    Task AbortImportAsync(Guid importId);

    /// <summary>Empties the ArrayDict, forgets its epochs and deletes its snapshot; new rows get <paramref name="width"/> values (the current width when null).</summary>
    Task ClearAsync(int? width = null);

    /// <summary>
    /// Clears the ArrayDict as <see cref="ClearAsync"/> does, also when its stored state cannot be read (damaged): every
    /// stored form of it is deleted whatever it holds (leftovers of interrupted operations too), without comparing
    /// versions. Returns the read error of the damaged state it deleted, or null when the stored state was readable.
    /// The only call a damaged ArrayDict accepts.
    /// </summary>
    Task<string?> ForceClearAsync(int? width = null);

    /// <summary>Persists the state now, whatever the persistence policy.</summary>
    Task CheckpointAsync();

    /// <summary>
    /// Runs <paramref name="method"/> on the ArrayDict inside the grain. A method that throws changes nothing.
    /// With an <paramref name="epoch"/>, the call is applied at most once: repeating the last applied epoch with the
    /// same method returns the kept result without running the method again (a safe retry), another method with that
    /// epoch throws <see cref="KeptResultException"/>, and an older epoch throws <see cref="StaleEpochException"/>.
    /// Any newer epoch is applied, even if the ArrayDict lost calls that had returned: callers that can tell use
    /// <see cref="ApplyNextAsync{TResult}"/>. Without an epoch, it is a plain call.
    /// </summary>
    Task<TResult> ApplyAsync<TResult>(IArrayDictMethod<TResult> method, long? epoch = null);

    /// <summary>
    /// Runs <paramref name="method"/> as epoch <paramref name="epoch"/>, provided the ArrayDict's last applied epoch is
    /// <paramref name="afterEpoch"/>, the last one its caller saw applied there (null: none, as on a new or cleared
    /// ArrayDict). Repeating the last applied epoch with the same method returns the kept result, as with
    /// <see cref="ApplyAsync{TResult}"/>. An ArrayDict at another epoch runs nothing and throws
    /// <see cref="EpochMismatchException"/>: behind when it lost calls that had returned (a crash with unsaved changes),
    /// ahead when it applied epochs the caller did not see.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative, or <paramref name="afterEpoch"/> is negative or not below it.</exception>
    Task<TResult> ApplyNextAsync<TResult>(IArrayDictMethod<TResult> method, long epoch, long? afterEpoch);

    /// <summary>
    /// <see cref="ApplyAsync{TResult}"/> for a method that may outlast the cluster's response timeout: the call waits up to
    /// one day, and its caller bounds it with
    /// <paramref name="cancellationToken"/>, which Orleans carries to the grain. A call cancelled before its turn came runs
    /// nothing; a method already running finishes, and its change is kept (with an epoch, a retry returns its kept result).
    /// The SDK's calls with a timeout of their own come here.
    /// </summary>
    [ResponseTimeout("1.00:00:00")]
    Task<TResult> ApplyCancellableAsync<TResult>(IArrayDictMethod<TResult> method, long? epoch, CancellationToken cancellationToken);

    /// <summary>
    /// <see cref="ApplyNextAsync{TResult}"/> for a method that may outlast the cluster's response timeout, bounded by its
    /// caller's <paramref name="cancellationToken"/> as <see cref="ApplyCancellableAsync{TResult}"/> is.
    /// </summary>
    [ResponseTimeout("1.00:00:00")]
    Task<TResult> ApplyNextCancellableAsync<TResult>(IArrayDictMethod<TResult> method, long epoch, long? afterEpoch, CancellationToken cancellationToken);
}
