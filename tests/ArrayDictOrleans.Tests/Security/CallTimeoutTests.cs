using System.Collections.Concurrent;
using ArrayDictOrleans.Client;
using ArrayDictOrleans.Tests.Grains;
using ArrayDictOrleans.Tests.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ArrayDictOrleans.Tests.Security;

/// <summary>
/// Per-call timeouts against a silo host and a client host whose response timeout is 1.5 s: a method that outlasts it
/// times out without a timeout of its own and returns with one; a call past its own timeout fails at once, is not
/// retried, and is dropped when it had not started.
/// </summary>
public sealed class CallTimeoutTests : IAsyncLifetime
{
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(1.5);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private IHost? _silo;
    private IHost? _client;

    private ArrayDictClient Sdk => _client!.Sdk();

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TestSilo.StartTimeout);
        string clusterId = "timeouts-" + Guid.NewGuid().ToString("N");
        int siloPort = FreePorts.Next();
        int gatewayPort = FreePorts.Next();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(TestSilo.Settings(clusterId, siloPort, gatewayPort, new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["ArrayDict:ResponseTimeout"] = ResponseTimeout.ToString(),
        }));
        builder.AddArrayDictSilo();
        _silo = builder.Build();
        await _silo.StartAsync(timeout.Token);
        _client = await TestSilo.StartClientAsync(clusterId, gatewayPort, timeout.Token, new Dictionary<string, string?>
        {
            ["ArrayDict:ResponseTimeout"] = ResponseTimeout.ToString(),
            ["ArrayDict:RetryDelay"] = "00:00:00.050",
        });
    }

    public Task DisposeAsync() => TestSilo.StopAsync(_client, _silo);

    [Fact]
    public async Task ApplyAsync_MethodOutlastingTheResponseTimeout_WithoutATimeoutOfItsOwn_TimesOut()
    {
        var method = new SleepingMethod(NewTag(), 3500);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => Sdk.ApplyAsync(ClusterFixture.NewKey(), method).WaitAsync(Bound));

        Assert.IsNotType<ArrayDictCallTimeoutException>(error);
        await SleepingMethod.Finished(method.Tag).WaitAsync(Bound);
    }

    [Fact]
    public async Task ApplyAsync_MethodOutlastingTheResponseTimeout_WithALongerTimeout_ReturnsItsResult()
    {
        long id = ClusterFixture.NewKey();
        var method = new SleepingMethod(NewTag(), 3500);

        int runs = await Sdk.ApplyAsync(id, method, epoch: 0, timeout: TimeSpan.FromSeconds(50)).WaitAsync(Bound);

        Assert.Equal(1, runs);
        Assert.Equal(0, (await Sdk.GetInfoAsync(id)).LastAppliedEpoch);
    }

    [Fact]
    public async Task ApplyAsync_PastItsOwnTimeout_ThrowsCallTimeoutBeforeTheMethodEnds_AndTheSameEpochThenReturnsTheKeptResult()
    {
        long id = ClusterFixture.NewKey();
        var method = new SleepingMethod(NewTag(), 4000);
        var timeout = TimeSpan.FromMilliseconds(300);

        var error = await Assert.ThrowsAsync<ArrayDictCallTimeoutException>(() => Sdk.ApplyAsync(id, method, epoch: 0, timeout: timeout).WaitAsync(Bound));

        Assert.False(SleepingMethod.Finished(method.Tag).IsCompleted, "The caller waited for the method instead of its own timeout.");
        Assert.Equal(id, error.Id);
        Assert.Equal(timeout, error.Timeout);
        Assert.Equal(typeof(SleepingMethod), error.MethodType);
        Assert.Contains($"ArrayDict {id}", error.Message);
        Assert.False(TransientFailures.IsTransient(error));

        // The method ran to its end and its result was kept: the same epoch again returns it without running it twice.
        await SleepingMethod.Finished(method.Tag).WaitAsync(Bound);
        Assert.Equal(1, await Sdk.ApplyAsync(id, method, epoch: 0, timeout: TimeSpan.FromSeconds(50)).WaitAsync(Bound));
        Assert.Equal(1, SleepingMethod.Runs(method.Tag));
    }

    [Fact]
    public async Task ApplyAsync_TimedOutWhileQueuedBehindAnotherCall_NeverRuns()
    {
        long id = ClusterFixture.NewKey();

        // The silo must see the queued call's cancellation before the running call ends: long enough for a loaded machine.
        var running = new SleepingMethod(NewTag(), 10_000);
        var queued = new SleepingMethod(NewTag(), 0);
        var first = Sdk.ApplyAsync(id, running, epoch: 0, timeout: TimeSpan.FromSeconds(50));
        await SleepingMethod.Started(running.Tag).WaitAsync(Bound);

        await Assert.ThrowsAsync<ArrayDictCallTimeoutException>(() => Sdk.ApplyAsync(id, queued, epoch: 1, timeout: TimeSpan.FromMilliseconds(300)).WaitAsync(Bound));
        Assert.Equal(1, await first.WaitAsync(Bound));

        // Calls to one grain run in order: had the queued call not been dropped, it would have run before this one.
        var info = await Sdk.GetInfoAsync(id).WaitAsync(Bound);
        Assert.Equal(0, info.LastAppliedEpoch);
        Assert.Equal(0, SleepingMethod.Runs(queued.Tag));
    }

    [Fact]
    public async Task RunUntilDoneAsync_StepsOutlastingTheResponseTimeout_WithACallTimeout_RunsToTheEnd()
    {
        long first = ClusterFixture.NewKeyBlock(2);
        string tag = NewTag();

        var run = await Sdk.RunUntilDoneAsync(
            [first, first + 1],
            (_, _) => new SleepingMethod(tag, 2000),
            runs => runs >= 2,
            callTimeout: TimeSpan.FromSeconds(50)).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(2, run.Iterations);
        Assert.Equal(4, run.Calls);
        Assert.Equal(0, run.Retries);
        Assert.Equal(4, SleepingMethod.Runs(tag));
    }

    [Fact]
    public async Task ApplyManyAsync_CallPastItsTimeout_FailsTheFanOutWithCallTimeout()
    {
        long id = ClusterFixture.NewKey();
        var method = new SleepingMethod(NewTag(), 3000);

        var error = await Assert.ThrowsAsync<ArrayDictCallTimeoutException>(
            () => Sdk.ApplyManyAsync([id], _ => method, epoch: 0, callTimeout: TimeSpan.FromMilliseconds(300)).WaitAsync(Bound));

        Assert.Equal(id, error.Id);
        Assert.False(SleepingMethod.Finished(method.Tag).IsCompleted, "The fan-out waited for the method instead of its own timeout.");
        await SleepingMethod.Finished(method.Tag).WaitAsync(Bound);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(86_401)]
    public async Task ArrayDictClient_TimeoutNotPositiveOrOverADay_ThrowsArgumentOutOfRangeNamingIt(double seconds)
    {
        var calls = new ParkedGrainCalls { Respond = (_, _, _) => (1, null) };
        var client = new ArrayDictClient(calls.Factory, Options.Create(new ArrayDictClientOptions()), NullLogger<ArrayDictClient>.Instance);
        var timeout = TimeSpan.FromSeconds(seconds);

        var single = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.ApplyAsync(1, new ConstantMethod(1), timeout: timeout));
        var loop = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.RunUntilDoneAsync([1], (_, _) => new ConstantMethod(1), _ => true, callTimeout: timeout));

        Assert.Equal("timeout", single.ParamName);
        Assert.Equal("callTimeout", loop.ParamName);
        Assert.Contains(timeout.ToString(), single.Message);
        Assert.Empty(calls.Calls);
    }

    private static string NewTag() => Guid.NewGuid().ToString("N");

    private sealed record ConstantMethod(long Value) : IArrayDictMethod<long>
    {
        public long Invoke(ArrayDict dict) => Value;
    }
}

/// <summary>Sleeps, then counts its runs in key 0; the test process sees when a run of <see cref="Tag"/> started and finished.</summary>
[GenerateSerializer, Immutable, Alias("tests.SleepingMethod")]
public sealed record SleepingMethod([property: Id(0)] string Tag, [property: Id(1)] int Milliseconds) : IArrayDictMethod<int>
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> StartedRuns = new();
    private static readonly ConcurrentDictionary<string, TaskCompletionSource> FinishedRuns = new();
    private static readonly ConcurrentDictionary<string, int> RunCounts = new();

    /// <summary>Completes when a run of <paramref name="tag"/> has started.</summary>
    public static Task Started(string tag) => StartedRuns.GetOrAdd(tag, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Completes when a run of <paramref name="tag"/> has finished.</summary>
    public static Task Finished(string tag) => FinishedRuns.GetOrAdd(tag, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>How many runs of <paramref name="tag"/> finished.</summary>
    public static int Runs(string tag) => RunCounts.GetValueOrDefault(tag);

    public int Invoke(ArrayDict dict)
    {
        StartedRuns.GetOrAdd(Tag, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        Thread.Sleep(Milliseconds);
        var row = dict.GetOrAddRow(0);
        row[0] += 1;
        RunCounts.AddOrUpdate(Tag, 1, (_, runs) => runs + 1);
        FinishedRuns.GetOrAdd(Tag, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        return (int)row[0];
    }
}
