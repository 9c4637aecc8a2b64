namespace ArrayDictOrleans.Workload;

/// <summary>
/// Sets SW1's initial state inside the grain, so that no row crosses the wire. Idempotent: on an ArrayDict that already
/// holds exactly that state it changes nothing, so a call repeated after a lost response is safe.
/// </summary>
/// <param name="Parameters">The workload's parameters.</param>
[GenerateSerializer, Immutable, Alias("arraydict.Sw1FillMethod")]
public sealed record Sw1FillMethod([property: Id(0)] Sw1Parameters Parameters) : IArrayDictMethod<int>, IBoundedArrayDictMethod
{
    /// <inheritdoc />
    public void CheckLimits(ArrayDict dict, ArrayDictLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(Parameters);
        Parameters.Validate();
        limits.CheckSize(Parameters.Rows, Parameters.Width, "SW1's fill");
    }

    /// <summary>Fills an empty dict, or leaves one that holds the initial state; returns its row count.</summary>
    /// <exception cref="InvalidOperationException">The dict has another width, or holds rows other than the initial state.</exception>
    public int Invoke(ArrayDict dict)
    {
        ArgumentNullException.ThrowIfNull(dict);
        if (dict.Width == Parameters.Width && dict.Count == 0)
        {
            Sw1.Fill(dict, Parameters);
            return dict.Count;
        }

        if (dict.Width == Parameters.Width && HoldsInitialState(dict))
        {
            return dict.Count;
        }

        throw new InvalidOperationException($"SW1 fills an empty ArrayDict of width {Parameters.Width}; this one has {dict.Count} rows of width {dict.Width}, not SW1's initial state. Clear it first.");
    }

    private bool HoldsInitialState(ArrayDict dict)
    {
        if (dict.Count != Parameters.Rows)
        {
            return false;
        }

        for (int j = 0; j < Parameters.Rows; j++)
        {
            if (!dict.TryGetRow(3L * j, out var row))
            {
                return false;
            }

            foreach (double value in row)
            {
                if (value != j * 0.5)
                {
                    return false;
                }
            }
        }

        return true;
    }
}
