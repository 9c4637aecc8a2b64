namespace ArrayDictOrleans.Tests.Persistence;

/// <summary>The <see cref="StorageTestState"/>s of the conformance suite and their checks, shared by every provider's tests.</summary>
internal static class StorageTestStates
{
    public static StorageTestState Create(int seed) => new()
    {
        Name = $"state-{seed}",
        Counter = seed,
        Values = Enumerable.Range(0, 16).Select(i => (seed * 100) + (i * 0.25)).ToArray(),
        Bytes = Enumerable.Range(0, 8).Select(i => (byte)(seed + i)).ToArray(),
    };

    /// <summary>A million doubles and a mebibyte: about 9 MB serialized.</summary>
    public static StorageTestState CreateLarge()
    {
        var values = new double[1_000_000];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (i * 0.5) - 1000.125;
        }

        var bytes = new byte[1 << 20];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i * 7);
        }

        return new StorageTestState { Name = "large", Counter = values.Length, Values = values, Bytes = bytes };
    }

    public static void AssertEquivalent(StorageTestState expected, StorageTestState actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Counter, actual.Counter);
        Assert.True(expected.Values.AsSpan().SequenceEqual(actual.Values), "the Values arrays differ");
        Assert.True(expected.Bytes.AsSpan().SequenceEqual(actual.Bytes), "the Bytes arrays differ");
    }

    public static void AssertIsDefault(StorageTestState state)
    {
        Assert.Equal("", state.Name);
        Assert.Equal(0, state.Counter);
        Assert.Empty(state.Values);
        Assert.Empty(state.Bytes);
    }
}
