using ArrayDictOrleans.Methods;
using ArrayDictOrleans.Tests.Grains;
using ArrayDictOrleans.Tests.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace ArrayDictOrleans.Tests.Telemetry;

/// <summary>
/// The project's meter counts exactly: its instruments carry no grain key, so these tests run alone
/// (<see cref="ArrayDictMetricsCollection"/>) against a silo of their own, and compare counts before and after a call.
/// </summary>
[Collection(ArrayDictMetricsCollection.Name)]
public sealed class ArrayDictMetricsTests(ArrayDictMetricsFixture fixture)
{
    [Fact]
    public async Task ArrayDictMetrics_ThreeChanges_CountsThreeAppliesAndTheirSnapshots()
    {
        var grain = fixture.NextGrain();
        await grain.SetValueAsync(1, 1.0);
        var before = fixture.Listener.Snapshot();

        await grain.SetValueAsync(1, 2.0);
        await grain.SetValueAsync(1, 3.0);
        await grain.SetValueAsync(1, 4.0);

        var delta = fixture.Listener.Snapshot() - before;
        long snapshotBytes = (await grain.GetInfoAsync()).LastSnapshotBytes!.Value;
        Assert.Equal(3, delta.Applies);
        Assert.Equal(0, delta.Rollbacks);
        // Three whole snapshots of the same one-row ArrayDict: the same bytes each, its rows plus a few bytes of epoch metadata.
        Assert.Equal(0, delta.SnapshotBytes % 3);
        Assert.InRange(delta.SnapshotBytes / 3, snapshotBytes + 1, snapshotBytes + 16);
        Assert.Equal(3, delta.SnapshotDurations);
    }

    [Fact]
    public async Task ArrayDictMetrics_ThrowingMethod_CountsRollbackAndNoApply()
    {
        var grain = fixture.NextGrain();
        await grain.SetValueAsync(1, 1.0);
        var before = fixture.Listener.Snapshot();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.ApplyAsync(new FailingMethod("metrics rollback"), epoch: 1));

        Assert.Equal("metrics rollback", error.Message);

        var delta = fixture.Listener.Snapshot() - before;
        Assert.Equal(1, delta.Rollbacks);
        Assert.Equal(0, delta.Applies);
        Assert.Equal(0, delta.SnapshotBytes);
    }

    [Fact]
    public async Task ArrayDictMetrics_RepeatedEpoch_CountsOneRetriedEpochAndOneApply()
    {
        var grain = fixture.NextGrain();
        await grain.SetValueAsync(1, 2.0);
        var before = fixture.Listener.Snapshot();

        int first = await grain.ApplyAsync(new ScaleMethod(3), epoch: 7);
        int repeated = await grain.ApplyAsync(new ScaleMethod(3), epoch: 7);

        var delta = fixture.Listener.Snapshot() - before;
        Assert.Equal(first, repeated);
        Assert.Equal(6.0, await grain.GetValueAsync(1));
        Assert.Equal(1, delta.RetriedEpochs);
        Assert.Equal(1, delta.Applies);
    }
}

/// <summary>Runs the metric tests alone: no other test's grains may move the process-wide counters meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ArrayDictMetricsCollection : ICollectionFixture<ArrayDictMetricsFixture>
{
    public const string Name = "ArrayDict metrics";
}

/// <summary>A silo host and a client of their own, and a listener on the <c>ArrayDictOrleans</c> meter.</summary>
public sealed class ArrayDictMetricsFixture : IAsyncLifetime
{
    private IHost? _silo;
    private IHost? _client;
    private long _nextKey;

    public ArrayDictMeterListener Listener { get; } = new();

    public IArrayDictGrain NextGrain() => _client!.Sdk().Get(Interlocked.Increment(ref _nextKey));

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(TestSilo.StartTimeout);
        string clusterId = "metrics";
        int siloPort = FreePorts.Next();
        int gatewayPort = FreePorts.Next();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(TestSilo.Settings(clusterId, siloPort, gatewayPort, new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
        }));
        builder.AddArrayDictSilo();
        _silo = builder.Build();
        await _silo.StartAsync(timeout.Token);
        _client = await TestSilo.StartClientAsync(clusterId, gatewayPort, timeout.Token);
    }

    public async Task DisposeAsync()
    {
        Listener.Dispose();
        await TestSilo.StopAsync(_client, _silo);
    }
}
