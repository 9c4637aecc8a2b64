using System.Collections.Concurrent;
using ArrayDictOrleans.Grains.Journal;
using Orleans.Storage;

namespace ArrayDictOrleans.Tests.Grains;

/// <summary>What the next storage write of one grain does wrong.</summary>
public enum WriteFault
{
    /// <summary>Fails before writing: storage unreachable.</summary>
    FailBeforeWrite,

    /// <summary>
    /// Writes, then fails: the write is durable but its caller never hears so (a lost response). As with a real lost
    /// answer, the caller's view stays where it was: the state's ETag and record flag are the ones from before the write,
    /// and a journal storage forgets the grain's journal position, as its own failure path does.
    /// </summary>
    FailAfterWrite,

    /// <summary>Fails before writing, for a reason that will recur (as a state that the serializer cannot write).</summary>
    FailForGood,
}

/// <summary>Faults planned per grain key; static because every in-process silo must see the same plan.</summary>
public static class FaultPlan
{
    private static readonly ConcurrentDictionary<GrainId, ConcurrentQueue<WriteFault>> Planned = new();

    public static void Add(GrainId grain, WriteFault fault) => Planned.GetOrAdd(grain, _ => new()).Enqueue(fault);

    public static bool TryTake(GrainId grain, out WriteFault fault)
    {
        fault = default;
        return Planned.TryGetValue(grain, out var queue) && queue.TryDequeue(out fault);
    }

    public static int Remaining(GrainId grain) => Planned.TryGetValue(grain, out var queue) ? queue.Count : 0;
}

/// <summary>A grain storage that passes everything to <paramref name="inner"/> except the writes <see cref="FaultPlan"/> says to fail.</summary>
public sealed class FaultInjectingGrainStorage(IGrainStorage inner) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ReadStateAsync(stateName, grainId, grainState);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (!FaultPlan.TryTake(grainId, out var fault))
        {
            await inner.WriteStateAsync(stateName, grainId, grainState);
            return;
        }

        switch (fault)
        {
            case WriteFault.FailBeforeWrite:
                throw new IOException($"Injected: storage unreachable while writing {grainId}.");
            case WriteFault.FailForGood:
                throw new NotSupportedException($"Injected: the state of {grainId} cannot be written, and never will be.");
        }

        string? etag = grainState.ETag;
        bool existed = grainState.RecordExists;
        await inner.WriteStateAsync(stateName, grainId, grainState);
        grainState.ETag = etag;
        grainState.RecordExists = existed;
        (inner as ArrayDictJournalGrainStorage)?.Forget(grainId);
        throw new TimeoutException($"Injected: the write of {grainId} succeeded but its response was lost.");
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        inner.ClearStateAsync(stateName, grainId, grainState);
}
