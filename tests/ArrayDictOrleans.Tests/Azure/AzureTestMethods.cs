using System.Collections.Concurrent;

namespace ArrayDictOrleans.Tests.Azure;

/// <summary>
/// Adds 1 to a scalar key and counts, per <see cref="RunId"/>, how often it really ran: the in-process silos share
/// this process, so a test sees the count directly.
/// </summary>
[GenerateSerializer, Immutable, Alias("tests.azure.CountedIncrementMethod")]
public sealed record CountedIncrementMethod([property: Id(0)] Guid RunId, [property: Id(1)] long Key) : IArrayDictMethod<CountedIncrement>
{
    private static readonly ConcurrentDictionary<Guid, int> RunCounts = new();

    /// <summary>How often methods with <paramref name="runId"/> ran.</summary>
    public static int Runs(Guid runId) => RunCounts.TryGetValue(runId, out int runs) ? runs : 0;

    public CountedIncrement Invoke(ArrayDict dict)
    {
        int run = RunCounts.AddOrUpdate(RunId, 1, (_, runs) => runs + 1);
        var row = dict.GetOrAddRow(Key);
        row[0] += 1;
        return new CountedIncrement(run, row[0]);
    }
}

/// <summary>What <see cref="CountedIncrementMethod"/> returns: which run of it this was and the value it left.</summary>
[GenerateSerializer, Immutable, Alias("tests.azure.CountedIncrement")]
public sealed record CountedIncrement([property: Id(0)] int Run, [property: Id(1)] double Value);
