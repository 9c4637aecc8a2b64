namespace ArrayDictOrleans.Tests.Persistence;

/// <summary>A small grain state for the storage tests, serialized by Orleans' generated code.</summary>
[GenerateSerializer]
public sealed class StorageTestState
{
    [Id(0)]
    public string Name { get; set; } = "";

    [Id(1)]
    public long Counter { get; set; }

    [Id(2)]
    public double[] Values { get; set; } = [];

    [Id(3)]
    public byte[] Bytes { get; set; } = [];
}
