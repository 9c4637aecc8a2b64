using ArrayDictOrleans.Client;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ArrayDictOrleans.Tests.Grains;

/// <summary>
/// The SDK's reads and idempotent single calls (<c>GetInfoAsync</c> here) make their first attempt directly and enter the
/// retry pipeline only after a transient failure: what they retry, how often, and what they throw.
/// </summary>
public sealed class ArrayDictClientRetriedReadTests
{
    [Fact]
    public async Task GetInfoAsync_TransientFailureThenAnswer_RetriesAndReturnsTheInfo()
    {
        var calls = new ParkedGrainCalls { InfoFailure = n => n == 1 ? new TimeoutException("no answer") : null, LastAppliedEpoch = _ => 4 };
        var client = Client(calls, maxRetries: 3);

        var info = await client.GetInfoAsync(5).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(5, info.Id);
        Assert.Equal(4, info.LastAppliedEpoch);
        Assert.Equal(2, calls.InfoCalls);
    }

    [Fact]
    public async Task GetInfoAsync_TransientFailuresPastMaxRetries_ThrowsTheLastAfterEveryRetry()
    {
        var calls = new ParkedGrainCalls { InfoFailure = n => new TimeoutException($"no answer to attempt {n}") };
        var client = Client(calls, maxRetries: 2);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => client.GetInfoAsync(5).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal("no answer to attempt 3", error.Message);
        Assert.Equal(3, calls.InfoCalls);
    }

    [Fact]
    public async Task GetInfoAsync_FailureThatIsNotTransient_ThrowsItWithoutRetrying()
    {
        var broken = new InvalidOperationException("broken");
        var calls = new ParkedGrainCalls { InfoFailure = _ => broken };
        var client = Client(calls, maxRetries: 3);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetInfoAsync(5).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Same(broken, error);
        Assert.Equal(1, calls.InfoCalls);
    }

    [Fact]
    public async Task GetInfoAsync_RetriesOff_ThrowsTheTransientFailureAtOnce()
    {
        var calls = new ParkedGrainCalls { InfoFailure = _ => new TimeoutException("no answer") };
        var client = Client(calls, maxRetries: 0);

        await Assert.ThrowsAsync<TimeoutException>(() => client.GetInfoAsync(5).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(1, calls.InfoCalls);
    }

    [Fact]
    public async Task GetInfoAsync_TransientFailuresPastTheRetryBudget_StopsRetrying()
    {
        var calls = new ParkedGrainCalls { InfoFailure = _ => new TimeoutException("no answer") };
        var options = new ArrayDictClientOptions { MaxRetries = 100_000, RetryDelay = TimeSpan.FromMilliseconds(20), RetryBudget = TimeSpan.FromMilliseconds(300) };
        var client = new ArrayDictClient(calls.Factory, Options.Create(options), NullLogger<ArrayDictClient>.Instance);

        // Bounded whatever the budget does: a client that ignored it would retry 100,000 times, at least 20 ms apart.
        await Assert.ThrowsAsync<TimeoutException>(() => client.GetInfoAsync(5).WaitAsync(TimeSpan.FromMinutes(2)));

        Assert.InRange(calls.InfoCalls, 2, 1000);
    }

    [Fact]
    public async Task GetInfoAsync_CancelledBeforeTheCall_MakesNoCall()
    {
        var calls = new ParkedGrainCalls();
        var client = Client(calls, maxRetries: 3);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetInfoAsync(5, new CancellationToken(canceled: true)));

        Assert.Equal(0, calls.InfoCalls);
    }

    private static ArrayDictClient Client(ParkedGrainCalls calls, int maxRetries) =>
        new(calls.Factory, Options.Create(new ArrayDictClientOptions { MaxRetries = maxRetries, RetryDelay = TimeSpan.FromMilliseconds(1) }), NullLogger<ArrayDictClient>.Instance);
}
