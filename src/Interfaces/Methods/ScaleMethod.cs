namespace ArrayDictOrleans.Methods;

/// <summary>Multiplies every value of every row by <see cref="Factor"/>; returns the rows scaled.</summary>
/// <param name="Factor">The factor.</param>
[GenerateSerializer, Immutable, Alias("arraydict.ScaleMethod")]
public sealed record ScaleMethod([property: Id(0)] double Factor) : IArrayDictMethod<int>
{
    /// <inheritdoc />
    public int Invoke(ArrayDict dict)
    {
        ArgumentNullException.ThrowIfNull(dict);
        int rows = 0;
        for (int row = 0; row < dict.RowLimit; row++)
        {
            if (dict.IsRowInUse(row))
            {
                foreach (ref double value in dict.GetRowAt(row))
                {
                    value *= Factor;
                }

                rows++;
            }
        }

        return rows;
    }
}
