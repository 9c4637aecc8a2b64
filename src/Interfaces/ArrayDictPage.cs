namespace ArrayDictOrleans;

/// <summary>
/// One page of a paged export (<see cref="IArrayDictGrain.ExportPageAsync"/>): some rows in use, in row order, and
/// where the next page starts. Every page also says which version of the ArrayDict it was cut from, so that a reader
/// can tell that the ArrayDict changed between two pages and start over instead of writing a mix of both.
/// </summary>
/// <param name="Rows">The rows of this page (possibly none).</param>
/// <param name="NextRow">The row position to ask for next, or -1 when no row remains.</param>
/// <param name="TotalCount">Keys the whole ArrayDict holds: the sum of the rows of all its pages.</param>
/// <param name="ActivationId">The grain activation that cut the page; a new activation may hold its rows at other positions.</param>
/// <param name="Generation">Changes the activation had made when it cut the page; equal on every page of a consistent export.</param>
[GenerateSerializer, Immutable, Alias("arraydict.ArrayDictPage")]
public sealed record ArrayDictPage(
    [property: Id(0)] RowBatch Rows,
    [property: Id(1)] int NextRow,
    [property: Id(2)] int TotalCount,
    [property: Id(3)] Guid ActivationId,
    [property: Id(4)] long Generation)
{
    /// <summary>Whether this is the last page.</summary>
    public bool IsLast => NextRow < 0;

    /// <summary>Whether <paramref name="other"/> was cut from the same version of the ArrayDict.</summary>
    public bool IsSameVersionAs(ArrayDictPage other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return ActivationId == other.ActivationId && Generation == other.Generation;
    }
}
