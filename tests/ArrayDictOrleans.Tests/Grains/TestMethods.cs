namespace ArrayDictOrleans.Tests.Grains;

/// <summary>A user method from an assembly other than the project's: adds <paramref name="Delta"/> to a scalar key, adding it at 0.</summary>
[GenerateSerializer, Immutable, Alias("tests.IncrementMethod")]
public sealed record IncrementMethod([property: Id(0)] long Key, [property: Id(1)] double Delta) : IArrayDictMethod<double>
{
    public double Invoke(ArrayDict dict)
    {
        var row = dict.GetOrAddRow(Key);
        row[0] += Delta;
        return row[0];
    }
}

/// <summary>Writes, adds and removes rows, then throws: a rollback must undo all of it.</summary>
[GenerateSerializer, Immutable, Alias("tests.FailingMethod")]
public sealed record FailingMethod([property: Id(0)] string Message) : IArrayDictMethod<int>
{
    public int Invoke(ArrayDict dict)
    {
        foreach (long key in dict.Keys.Take(3).ToList())
        {
            dict.GetRow(key).Fill(-1);
        }

        foreach (long key in dict.Keys.Skip(3).Take(2).ToList())
        {
            dict.Remove(key);
        }

        for (long key = 1_000_000; key < 1_000_100; key++)
        {
            dict.GetOrAddRow(key).Fill(42);
        }

        dict.Compact();
        throw new InvalidOperationException(Message);
    }
}

/// <summary>Counts how often it ran, to prove a repeated epoch does not run the method again.</summary>
[GenerateSerializer, Immutable, Alias("tests.CountingMethod")]
public sealed record CountingMethod([property: Id(0)] long Key) : IArrayDictMethod<double>
{
    public double Invoke(ArrayDict dict)
    {
        var row = dict.GetOrAddRow(Key);
        row[0] += 1;
        return row[0];
    }
}
