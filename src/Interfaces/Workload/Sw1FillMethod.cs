namespace ArrayDictOrleans.Workload;

/// <summary>Fills an empty ArrayDict with SW1's initial state inside the grain, so that no row crosses the wire.</summary>
/// <param name="Parameters">The workload's parameters.</param>
[GenerateSerializer, Immutable, Alias("arraydict.Sw1FillMethod")]
public sealed record Sw1FillMethod([property: Id(0)] Sw1Parameters Parameters) : IArrayDictMethod<int>
{
    /// <summary>Fills the dict; returns its row count.</summary>
    /// <exception cref="InvalidOperationException">The dict is not empty or has another width.</exception>
    public int Invoke(ArrayDict dict)
    {
        ArgumentNullException.ThrowIfNull(dict);
        if (dict.Count != 0 || dict.Width != Parameters.Width)
        {
            throw new InvalidOperationException($"SW1 fills an empty ArrayDict of width {Parameters.Width}; this one has {dict.Count} rows of width {dict.Width}. Clear it first.");
        }

        Sw1.Fill(dict, Parameters);
        return dict.Count;
    }
}
