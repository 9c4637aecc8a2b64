namespace ArrayDictOrleans.Grains;

/// <summary>The persisted state of an ArrayDict grain: the ArrayDict and what makes its epochs exactly-once.</summary>
public sealed class ArrayDictState
{
    /// <summary>The ArrayDict; a new grain starts with an empty one of width 1.</summary>
    public ArrayDict Dict { get; set; } = new();

    /// <summary>The last epoch applied, or null when none was.</summary>
    public long? LastEpoch { get; set; }

    /// <summary>The result the last epoch returned, kept to answer a retry of it.</summary>
    public object? LastResult { get; set; }
}
