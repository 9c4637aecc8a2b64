using System.Collections.Concurrent;
using ArrayDictOrleans.Workload;

namespace ArrayDictOrleans.Tests.Grains;

/// <summary>
/// How many times the bodies of counted methods ran, by key, in every silo of the test process: proof that a retried or
/// refused call did not run its method again, which the rows alone cannot show (a rollback makes a second run look like one).
/// </summary>
public static class MethodRuns
{
    private static readonly ConcurrentDictionary<string, int> Runs = new();

    public static void Add(string key) => Runs.AddOrUpdate(key, 1, (_, runs) => runs + 1);

    public static int Of(string key) => Runs.TryGetValue(key, out int runs) ? runs : 0;

    /// <summary>A key no other test uses.</summary>
    public static string NewKey() => Guid.NewGuid().ToString("N");
}

/// <summary>
/// One-shot gates that a counted method waits at, inside its grain, until the test opens them: a test can then act (plan a
/// fault, deactivate the grain) while the call is known to be running.
/// </summary>
public static class MethodGates
{
    private static readonly TimeSpan Longest = TimeSpan.FromSeconds(60);
    private static readonly ConcurrentDictionary<string, Gate> Gates = new();

    /// <summary>Closes gate <paramref name="key"/>; the first method to reach it waits there.</summary>
    public static Gate Close(string key) => Gates[key] = new Gate(key);

    /// <summary>Waits at gate <paramref name="key"/> if it is closed and nothing passed it yet.</summary>
    public static void Pass(string key)
    {
        if (Gates.TryRemove(key, out var gate))
        {
            gate.Wait();
        }
    }

    public sealed class Gate(string key)
    {
        private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _open = new();

        /// <summary>Waits, at most 60 s, until a method waits at the gate.</summary>
        public Task ReachedAsync() => _reached.Task.WaitAsync(Longest);

        public void Open() => _open.Set();

        internal void Wait()
        {
            _reached.TrySetResult();
            if (!_open.Wait(Longest))
            {
                throw new TimeoutException($"Gate {key} was not opened within {Longest.TotalSeconds} s.");
            }
        }
    }
}

/// <summary>Adds <paramref name="Delta"/> to a scalar key (adding it at 0) and counts its run under <paramref name="Counter"/>.</summary>
[GenerateSerializer, Immutable, Alias("tests.CountedIncrementMethod")]
public sealed record CountedIncrementMethod([property: Id(0)] string Counter, [property: Id(1)] long Key, [property: Id(2)] double Delta) : IArrayDictMethod<double>
{
    public double Invoke(ArrayDict dict)
    {
        MethodRuns.Add(Counter);
        var row = dict.GetOrAddRow(Key);
        row[0] += Delta;
        return row[0];
    }
}

/// <summary>Adds a row and returns null, counting its run under <paramref name="Counter"/>.</summary>
[GenerateSerializer, Immutable, Alias("tests.CountedNullMethod")]
public sealed record CountedNullMethod([property: Id(0)] string Counter, [property: Id(1)] long Key) : IArrayDictMethod<string?>
{
    public string? Invoke(ArrayDict dict)
    {
        MethodRuns.Add(Counter);
        dict.GetOrAddRow(Key)[0] += 1;
        return null;
    }
}

/// <summary>SW1's step, counted under <c>Run/object/iteration</c>, optionally waiting at gate <paramref name="Gate"/> first.</summary>
[GenerateSerializer, Immutable, Alias("tests.CountedSw1StepMethod")]
public sealed record CountedSw1StepMethod([property: Id(0)] string Run, [property: Id(1)] Sw1StepMethod Step, [property: Id(2)] string? Gate = null)
    : IArrayDictMethod<Sw1StepResult>
{
    public static string Key(string run, long objectId, int iteration) => $"{run}/{objectId}/{iteration}";

    public Sw1StepResult Invoke(ArrayDict dict)
    {
        if (Gate is not null)
        {
            MethodGates.Pass(Gate);
        }

        MethodRuns.Add(Key(Run, Step.ObjectId, Step.Iteration));
        return Step.Invoke(dict);
    }
}
