using Orleans.Concurrency;

namespace ArrayDictOrleans.Grains;

/// <summary>Answers a method check on the silo that received it: arriving readable is the whole check.</summary>
[StatelessWorker]
public sealed class ArrayDictMethodCheckGrain : Grain, IArrayDictMethodCheckGrain
{
    /// <inheritdoc />
    public Task CheckAsync<TResult>(IArrayDictMethod<TResult> method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return Task.CompletedTask;
    }
}
