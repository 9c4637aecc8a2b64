using ArrayDictOrleans.Client;
using ArrayDictOrleans.Tests.Grains;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ArrayDictOrleans.Tests.Security;

public sealed class RetryBudgetTests
{
    [Fact]
    public async Task ArrayDictClient_ApplyAsync_TransientFailuresPastTheRetryBudget_StopsRetryingWithTheFailure()
    {
        var calls = new ParkedGrainCalls { Respond = (_, _, _) => (0, new TimeoutException("no answer")) };
        var options = new ArrayDictClientOptions { MaxRetries = 100_000, RetryDelay = TimeSpan.FromMilliseconds(20), RetryBudget = TimeSpan.FromMilliseconds(300) };
        var client = new ArrayDictClient(calls.Factory, Options.Create(options), NullLogger<ArrayDictClient>.Instance);

        // Bounded whatever the budget does: a client that ignored it would retry 100,000 times, at least 20 ms apart.
        var error = await Assert.ThrowsAsync<TimeoutException>(() => client.ApplyAsync(1, new Constant(7), epoch: 1).WaitAsync(TimeSpan.FromMinutes(2)));

        Assert.Equal("no answer", error.Message);
        Assert.InRange(calls.Calls.Count, 2, 1000);
    }

    private sealed record Constant(long Value) : IArrayDictMethod<long>
    {
        public long Invoke(ArrayDict dict) => Value;
    }
}
