namespace ArrayDictOrleans;

/// <summary>Several rows in one message: <see cref="Keys"/> and, row-major, their <see cref="Values"/>.</summary>
/// <param name="Width">Values per row.</param>
/// <param name="Keys">The keys, one per row.</param>
/// <param name="Values">The rows' values, <c>Keys.Length * Width</c> of them, row <c>i</c> at <c>[i * Width, (i + 1) * Width)</c>.</param>
[GenerateSerializer, Immutable, Alias("arraydict.RowBatch")]
public sealed record RowBatch([property: Id(0)] int Width, [property: Id(1)] long[] Keys, [property: Id(2)] double[] Values)
{
    /// <summary>Rows in the batch.</summary>
    public int Count => Keys.Length;

    /// <summary>The values of row <paramref name="index"/> of the batch.</summary>
    public ReadOnlySpan<double> Row(int index) => Values.AsSpan(index * Width, Width);

    /// <summary>Checks that the batch is well formed and fits an ArrayDict of <paramref name="expectedWidth"/>.</summary>
    /// <exception cref="ArgumentException">The width differs, or the values do not make whole rows.</exception>
    public void Validate(int expectedWidth)
    {
        if (Width != expectedWidth)
        {
            throw new ArgumentException($"The batch has rows of {Width} values, but the ArrayDict has rows of {expectedWidth}.", nameof(Width));
        }

        ArgumentNullException.ThrowIfNull(Keys);
        ArgumentNullException.ThrowIfNull(Values);
        if (Values.Length != (long)Keys.Length * Width)
        {
            throw new ArgumentException($"The batch has {Keys.Length} keys of width {Width}, so it needs {(long)Keys.Length * Width} values, but holds {Values.Length}.", nameof(Values));
        }
    }
}
