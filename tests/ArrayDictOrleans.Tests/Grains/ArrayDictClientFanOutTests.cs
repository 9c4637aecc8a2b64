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

    [Fact]
    public async Task ArrayDictClient_RunUntilDoneAsync_NoFirstEpoch_StartsEachArrayDictAfterItsLastEpoch()
    {
        var calls = new ParkedGrainCalls
        {
            LastAppliedEpoch = id => id == 1 ? null : id * 10,
            Respond = (_, _, method) => (method.Invoke(null!), null),
        };
        var client = CreateClient(calls, maxConcurrency: 2);

        var run = await client.RunUntilDoneAsync([1, 2, 3], (id, t) => new IterationOf(id, t), result => result % 10 >= 1);

        Assert.Equal(2, run.Iterations);
        Assert.Equal(
            [(1L, 0L, (long?)null), (1, 1, 0), (2, 21, 20), (2, 22, 21), (3, 31, 30), (3, 32, 31)],
            calls.NextCalls.OrderBy(c => c.Id).ThenBy(c => c.Epoch));
    }

    [Fact]
    public async Task ArrayDictClient_RunUntilDoneAsync_FirstEpochAlreadyApplied_ThrowsNamingArrayDictsBeforeAnyCall()
    {
        var calls = new ParkedGrainCalls { LastAppliedEpoch = id => id is 2 or 4 ? 9 : 1 };
        var client = CreateClient(calls, maxConcurrency: 2);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.RunUntilDoneAsync([1, 2, 3, 4], (id, t) => new IterationOf(id, t), _ => true, firstEpoch: 5));

        Assert.Contains("2 ArrayDicts have already applied the run's first epoch 5", error.Message);
        Assert.Contains("ArrayDict 2 is at epoch 9", error.Message);
        Assert.Contains("ArrayDict 4 is at epoch 9", error.Message);
        Assert.Empty(calls.Calls);
    }

    [Fact]
    public async Task ArrayDictClient_RunUntilDoneAsync_GrainLostReturnedEpochs_ReplayableStepReplaysThemInOrder()
    {
        var grains = new SimulatedEpochs(loses: (Id: 2, AfterEpoch: 7, BackTo: 5));
        var calls = new ParkedGrainCalls { RespondNext = grains.Respond };
        var client = CreateClient(calls, maxConcurrency: 3);

        var run = await client.RunUntilDoneAsync([1, 2, 3], (id, t) => new IterationOf(id, t), result => result % 10 >= 3, firstEpoch: 5, stepIsReplayable: true);

        Assert.Equal(
            [(5L, (long?)null), (6, 5), (7, 6), (8, 7), (6, 5), (7, 6), (8, 7)],
            calls.NextCalls.Where(c => c.Id == 2).Select(c => (c.Epoch, c.After)));
        Assert.Equal(2, run.Replays);
        Assert.Equal(4, run.Iterations);
        Assert.Equal(12, run.Calls);
        Assert.All(run.LastResults, pair => Assert.Equal((pair.Key * 10) + 3, pair.Value));
        Assert.Equal(8, grains.LastApplied(2));
    }

    [Fact]
    public async Task ArrayDictClient_RunUntilDoneAsync_GrainsLostReturnedEpochs_StepNotReplayable_ThrowsNamingEveryOneOfTheRound()
    {
        var grains = new SimulatedEpochs((Id: 2, AfterEpoch: 1, BackTo: null), (Id: 4, AfterEpoch: 1, BackTo: 0));
        var calls = new ParkedGrainCalls { RespondNext = grains.Respond };
        var client = CreateClient(calls, maxConcurrency: 1);

        var error = await Assert.ThrowsAsync<LostEpochsException>(() =>
            client.RunUntilDoneAsync([1, 2, 3, 4], (id, t) => new IterationOf(id, t), result => result % 10 >= 5));

        Assert.Equal([(2L, (long?)null, 1L), (4, 0, 1)], error.Lost.Select(l => (l.ArrayDictId, l.LastAppliedEpoch, l.LastReturnedEpoch)));
        Assert.All(error.Lost, lost => Assert.Equal(LostEpochsReason.StepNotReplayable, lost.Reason));
        Assert.Contains("2 ArrayDicts lost calls that had returned", error.Message);
        Assert.Contains("ArrayDict 2 is back at no epoch after epoch 1 had returned (every epoch up to 1 lost)", error.Message);
        Assert.Contains("ArrayDict 4 is back at epoch 0 after epoch 1 had returned (epoch 1 lost)", error.Message);
        Assert.Contains("not declared replayable", error.Message);

        // The round went on after the first loss, so that every ArrayDict of it that lost calls is named; none went further.
        Assert.Equal([1L, 2, 3, 4], calls.NextCalls.Where(c => c.Epoch == 2).Select(c => c.Id).Order());
        Assert.DoesNotContain(calls.NextCalls, c => c.Epoch > 2);
    }

    [Fact]
    public async Task ArrayDictClient_RunUntilDoneAsync_GrainBackBeforeTheRun_ThrowsEvenWithReplayableStep()
    {
        var grains = new SimulatedEpochs(start: 3, (Id: 2, AfterEpoch: 5, BackTo: 1));
        var calls = new ParkedGrainCalls { LastAppliedEpoch = _ => 3, RespondNext = grains.Respond };
        var client = CreateClient(calls, maxConcurrency: 2);

        var error = await Assert.ThrowsAsync<LostEpochsException>(() =>
            client.RunUntilDoneAsync([1, 2], (id, t) => new IterationOf(id, t), result => result % 10 >= 5, stepIsReplayable: true));

        var lost = Assert.Single(error.Lost);
        Assert.Equal((2L, (long?)1, 5L, LostEpochsReason.BeforeRun), (lost.ArrayDictId, lost.LastAppliedEpoch, lost.LastReturnedEpoch, lost.Reason));
        Assert.Contains("before the epoch they were at when the run began", error.Message);
    }

    [Fact]
    public async Task ArrayDictClient_ApplyAsync_PlacementExpiredWhileSiloEvicted_Retried()
    {
        int failures = 0;
        var calls = new ParkedGrainCalls
        {
            Respond = (id, _, method) => Interlocked.Increment(ref failures) == 1
                ? (0, new OperationCanceledException($"{TransientFailures.PlacementExpired} for grain arraydict/{id}."))
                : (method.Invoke(null!), null),
        };
        var client = CreateClient(calls, maxConcurrency: 1);

        Assert.Equal(30, await client.ApplyAsync(3, new TimesTen(3), epoch: 1));

        Assert.Equal([(3L, (long?)1), (3, 1)], calls.Calls);
    }

    [Fact]
    public async Task ArrayDictClient_ApplyAsync_StorageFailureThatRecurs_NotRetried()
    {
        var calls = new ParkedGrainCalls { Respond = (id, _, _) => (0, new ArrayDictStorageException(id, "no serializer", new NotSupportedException("no serializer"), isTransient: false)) };
        var client = CreateClient(calls, maxConcurrency: 1);

        await Assert.ThrowsAsync<ArrayDictStorageException>(() => client.ApplyAsync(3, new TimesTen(3), epoch: 1));

        Assert.Single(calls.Calls);
    }

    [Fact]
    public async Task ArrayDictClient_ApplyIdempotentAsync_TransientFailure_RetriedWithoutEpoch()
    {
        int attempts = 0;
        var calls = new ParkedGrainCalls
        {
            Respond = (_, _, method) => Interlocked.Increment(ref attempts) <= 2 ? (0, new TimeoutException("slow")) : (method.Invoke(null!), null),
        };
        var client = CreateClient(calls, maxConcurrency: 1);

        Assert.Equal(70, await client.ApplyIdempotentAsync(7, new TimesTen(7)));

        Assert.Equal(Enumerable.Repeat((7L, (long?)null), 3), calls.Calls);
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

    /// <summary>
    /// ArrayDicts as the grain keeps their epochs: a call is refused unless it comes after the last applied epoch (a
    /// repeat of that epoch gets the result again). A planned loss sends an ArrayDict back to an older epoch right after
    /// a given epoch returned, as a crash with unsaved changes does.
    /// </summary>
    private sealed class SimulatedEpochs(long? start, params (long Id, long AfterEpoch, long? BackTo)[] loses)
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<long, long?> _applied = [];
        private readonly List<(long Id, long AfterEpoch, long? BackTo)> _losses = [.. loses];

        public SimulatedEpochs(params (long Id, long AfterEpoch, long? BackTo)[] loses)
            : this(null, loses)
        {
        }

        public long? LastApplied(long id)
        {
            lock (_lock)
            {
                return _applied.GetValueOrDefault(id, start);
            }
        }

        public (long Result, Exception? Failure) Respond(long id, long epoch, long? after, IArrayDictMethod<long> method)
        {
            lock (_lock)
            {
                long? last = _applied.GetValueOrDefault(id, start);
                if (last != epoch)
                {
                    if (last != after)
                    {
                        return (0, new EpochMismatchException(id, epoch, after, last));
                    }

                    _applied[id] = epoch;
                    int loss = _losses.FindIndex(l => l.Id == id && l.AfterEpoch == epoch);
                    if (loss >= 0)
                    {
                        _applied[id] = _losses[loss].BackTo;
                        _losses.RemoveAt(loss);
                    }
                }

                return (method.Invoke(null!), null);
            }
        }
    }
}
