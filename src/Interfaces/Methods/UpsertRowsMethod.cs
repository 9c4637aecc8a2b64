namespace ArrayDictOrleans.Methods;

/// <summary>Adds or overwrites every row of <see cref="Rows"/>; returns how many keys were new.</summary>
/// <param name="Rows">The rows to write.</param>
[GenerateSerializer, Immutable, Alias("arraydict.UpsertRowsMethod")]
public sealed record UpsertRowsMethod([property: Id(0)] RowBatch Rows) : IArrayDictMethod<int>, IBoundedArrayDictMethod
{
    /// <inheritdoc />
    public void CheckLimits(ArrayDict dict, ArrayDictLimits limits)
    {
        ArgumentNullException.ThrowIfNull(dict);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(Rows);
        Rows.Validate(dict.Width);
        limits.CheckCall(Rows.Count, Rows.Width, "An upsert");
        limits.CheckSize((long)dict.Count + Rows.Count, dict.Width, "An upsert");
    }

    /// <inheritdoc />
    public int Invoke(ArrayDict dict)
    {
        ArgumentNullException.ThrowIfNull(dict);
        Rows.Validate(dict.Width);
        int added = 0;
        for (int i = 0; i < Rows.Count; i++)
        {
            if (!dict.ContainsKey(Rows.Keys[i]))
            {
                added++;
            }

            dict.SetRow(Rows.Keys[i], Rows.Row(i));
        }

        return added;
    }
}
