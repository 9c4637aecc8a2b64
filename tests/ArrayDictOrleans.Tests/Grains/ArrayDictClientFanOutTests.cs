using ArrayDictOrleans.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ArrayDictOrleans.Tests.Grains;

/// <summary>The client's fan-out and retry path against <see cref="ParkedGrainCalls"/>, where every call is started and ended by the test.</summary>
public sealed class ArrayDictClientFanOutTests
{
    [Fact]
    public async Task ArrayDictClient_ApplyManyAsync_MoreIdsThanMaxConcurrency_NeverMoreCallsInFlight()
    {
        var calls = new ParkedGrainCalls();
        var client = CreateClient(calls, maxConcurrency: 3);
        long[] ids = [.. Enumerable.Range(100, 20).Select(i => (long)i)];

        var fanOut = client.ApplyManyAsync(ids, id => new TimesTen(id));
        var parked = new Queue<ParkedGrainCalls.ParkedCall>();
        for (int i = 0; i < 3; i++)
        {
            parked.Enqueue(await calls.NextAsync());
        }

        Assert.False(calls.HasParked);
        for (int returned = 0; returned < ids.Length; returned++)
        {
            var call = parked.Dequeue();
            call.Complete(call.Method.Invoke(null!));
            if (returned + 3 < ids.Length)
            {
                parked.Enqueue(await calls.NextAsync());
                Assert.False(calls.HasParked);
            }
        }

        var results = await fanOut;
        Assert.Equal(3, calls.MaxInFlight);
        Assert.Equal(ids.Length, calls.Calls.Count);
        Assert.All(ids, id => Assert.Equal(id * 10, results[id]));
    }

    [Fact]
    public async Task ArrayDictClient_ApplyManyAsync_FirstCallFails_StartsNoOtherCallAndThrowsItsException()
    {
        var calls = new ParkedGrainCalls();
        var client = CreateClient(calls, maxConcurrency: 2);
        long[] ids = [.. Enumerable.Range(0, 10).Select(i => (long)i)];

        var fanOut = client.ApplyManyAsync(ids, id => new TimesTen(id), epoch: 7);
        var first = await calls.NextAsync();
        var second = await calls.NextAsync();
        first.Fail(new InvalidOperationException("bad input 3"));
        second.Complete(1);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => fanOut);
        Assert.Equal("bad input 3", error.Message);
        Assert.Equal(2, calls.Calls.Count);
        Assert.False(calls.HasParked);
    }

    [Fact]
    public async Task ArrayDictClient_ApplyManyAsync_TwoCallsFail_ThrowsTheFirstToFail()
    {
        var calls = new ParkedGrainCalls();
        var client = CreateClient(calls, maxConcurrency: 2);

        var fanOut = client.ApplyManyAsync([1, 2, 3], id => new TimesTen(id));
        var first = await calls.NextAsync();
        var second = await calls.NextAsync();
        second.Fail(new InvalidOperationException("failed first"));
        first.Fail(new ArgumentException("failed second"));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => fanOut);
        Assert.Equal("failed first", error.Message);
        Assert.Equal(2, calls.Calls.Count);
    }

    [Fact]
    public async Task ArrayDictClient_ApplyManyAsync_Cancelled_StartsNoFurtherCallAndThrowsCancelled()
    {
        var calls = new ParkedGrainCalls();
        var client = CreateClient(calls, maxConcurrency: 2);
        using var cancellation = new CancellationTokenSource();

        var fanOut = client.ApplyManyAsync([1, 2, 3, 4, 5], id => new TimesTen(id), cancellationToken: cancellation.Token);
        var first = await calls.NextAsync();
        var second = await calls.NextAsync();
        await cancellation.CancelAsync();
        first.Complete(10);
        second.Complete(20);

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fanOut);
        Assert.Equal(cancellation.Token, error.CancellationToken);
        Assert.Equal(2, calls.Calls.Count);
    }

    [Fact]
    public async Task ArrayDictClient_RunUntilDoneAsync_TransientFailure_RetriedWithTheSameEpochAndCounted()
    {
        bool failed = false;
        var calls = new ParkedGrainCalls
        {
            Respond = (id, epoch, method) =>
            {
                if (id == 2 && epoch == 6 && !failed)
                {
                    failed = true;
                    return (0, new SiloUnavailableException("silo 2 left"));
                }

                return (method.Invoke(null!), null);
            },
        };
        var client = CreateClient(calls, maxConcurrency: 4);

        var run = await client.RunUntilDoneAsync([1, 2, 3], (id, t) => new IterationOf(id, t), result => result % 10 >= 1, firstEpoch: 5);

        Assert.Equal(1, run.Retries);
        Assert.Equal(2, run.Iterations);
        Assert.Equal(6, run.Calls);
        Assert.Equal([(2L, (long?)6), (2L, 6)], calls.Calls.Where(c => c.Id == 2 && c.Epoch == 6));
        Assert.Equal(7, calls.Calls.Count);
        Assert.All(run.LastResults, pair => Assert.Equal((pair.Key * 10) + 1, pair.Value));
    }

    [Fact]
    public async Task ArrayDictClient_ApplyAsync_TransientFailures_RetriedUpToMaxRetriesThenThrown()
    {
        var calls = new ParkedGrainCalls { Respond = (_, _, _) => (0, new SiloUnavailableException("gone")) };
        var client = CreateClient(calls, maxConcurrency: 4, maxRetries: 3);

        await Assert.ThrowsAsync<SiloUnavailableException>(() => client.ApplyAsync(9, new TimesTen(9), epoch: 4));

        Assert.Equal(Enumerable.Repeat((9L, (long?)4), 4), calls.Calls);
    }

    [Fact]
    public async Task ArrayDictClient_ApplyManyAsync_TransientFailureWithoutEpoch_NotRetried()
    {
        var calls = new ParkedGrainCalls { Respond = (_, _, _) => (0, new SiloUnavailableException("gone")) };
        var client = CreateClient(calls, maxConcurrency: 4);

        await Assert.ThrowsAsync<SiloUnavailableException>(() => client.ApplyManyAsync([5], id => new TimesTen(id)));

        Assert.Single(calls.Calls);
    }

    [Fact]
    public async Task ArrayDictClient_RunUntilDoneAsync_SeveralIterations_MakesEachGrainReferenceOnce()
    {
        var calls = new ParkedGrainCalls { Respond = (_, _, method) => (method.Invoke(null!), null) };
        var client = CreateClient(calls, maxConcurrency: 2);

        var run = await client.RunUntilDoneAsync([1, 2, 3, 4], (id, t) => new IterationOf(id, t), result => result % 10 >= (result / 10) - 1);

        Assert.Equal(4, run.Iterations);
        Assert.Equal(1 + 2 + 3 + 4, run.Calls);
        Assert.Equal(4, calls.GrainReferences);
    }

    [Fact]
    public async Task ArrayDictClient_Get_FillThenRun_MakesEachGrainReferenceOnce()
    {
        var calls = new ParkedGrainCalls { Respond = (_, _, method) => (method.Invoke(null!), null) };
        var client = CreateClient(calls, maxConcurrency: 2);
        long[] ids = [7, 8, 9];

        await client.ApplyManyAsync(ids, id => new TimesTen(id));
        await client.RunUntilDoneAsync(ids, (id, t) => new IterationOf(id, t), _ => true);
        var again = client.Get(8);

        Assert.Same(client.Get(8), again);
        Assert.Equal(3, calls.GrainReferences);
        Assert.Equal(6, calls.Calls.Count);
    }

    [Fact]
    public async Task ArrayDictClient_ApplyManyAsync_NoIds_ReturnsEmptyWithoutCalls()
    {
        var calls = new ParkedGrainCalls();
        var client = CreateClient(calls, maxConcurrency: 2);

        var results = await client.ApplyManyAsync([], id => new TimesTen(id));

        Assert.Empty(results);
        Assert.Empty(calls.Calls);
    }

    private static ArrayDictClient CreateClient(ParkedGrainCalls calls, int maxConcurrency, int maxRetries = 8) => new(
        calls.Factory,
        Options.Create(new ArrayDictClientOptions { MaxConcurrency = maxConcurrency, MaxRetries = maxRetries, RetryDelay = TimeSpan.Zero }),
        NullLogger<ArrayDictClient>.Instance);

    /// <summary>Returns ten times its id (never runs in a grain here).</summary>
    private sealed record TimesTen(long Id) : IArrayDictMethod<long>
    {
        public long Invoke(ArrayDict dict) => Id * 10;
    }

    /// <summary>Returns <c>10 * id + t</c> (never runs in a grain here).</summary>
    private sealed record IterationOf(long Id, int T) : IArrayDictMethod<long>
    {
        public long Invoke(ArrayDict dict) => (Id * 10) + T;
    }
}
