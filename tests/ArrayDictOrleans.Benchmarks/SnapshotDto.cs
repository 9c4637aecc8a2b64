namespace ArrayDictOrleans.Benchmarks;

/// <summary>What a grain would persist with Orleans' own grain-storage serializers: the keys and the values as plain arrays.</summary>
[GenerateSerializer]
public sealed class SnapshotDto
{
    /// <summary>The key of each row.</summary>
    [Id(0)]
    public long[] Keys { get; set; } = [];

    /// <summary>The values, row-major.</summary>
    [Id(1)]
    public double[] Values { get; set; } = [];

    /// <summary>The values a row holds.</summary>
    [Id(2)]
    public int Width { get; set; } = 1;

    /// <summary>Copies the rows of <paramref name="dict"/> into a new DTO.</summary>
    public static SnapshotDto From(ArrayDict dict)
    {
        var dto = new SnapshotDto { Keys = new long[dict.Count], Values = new double[dict.Count * dict.Width], Width = dict.Width };
        int i = 0;
        foreach (var entry in dict)
        {
            dto.Keys[i] = entry.Key;
            entry.Values.CopyTo(dto.Values.AsSpan(i * dict.Width));
            i++;
        }

        return dto;
    }
}
