using System.Reflection;
using ArrayDictOrleans.Client;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ArrayDictOrleans.Benchmarks;

/// <summary>
/// What the SDK adds to one call that succeeds: <see cref="ArrayDictClient.GetInfoAsync"/> (a read, retried after transient
/// failures) against calling the grain reference directly, over a stand-in grain that answers at once. The difference is
/// the SDK's own cost per call (reference cache, retry path), without Orleans' messaging.
/// </summary>
[SimpleJob(warmupCount: 3, iterationCount: 10)]
[MemoryDiagnoser]
public class SdkCallBenchmarks
{
    private const int Ids = 1_000;

    private ArrayDictClient _client = null!;
    private IArrayDictGrain[] _grains = [];

    [GlobalSetup]
    public void Setup()
    {
        var factory = DispatchProxy.Create<IGrainFactory, AnsweringGrainFactory>();
        _client = new ArrayDictClient(factory, Options.Create(new ArrayDictClientOptions()), NullLogger<ArrayDictClient>.Instance);
        _grains = new IArrayDictGrain[Ids];
        for (int id = 0; id < Ids; id++)
        {
            _grains[id] = _client.Get(id);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ids)]
    public async Task<long> Reference_GetInfoAsync()
    {
        long rows = 0;
        foreach (var grain in _grains)
        {
            rows += (await grain.GetInfoAsync().ConfigureAwait(false)).Count;
        }

        return rows;
    }

    [Benchmark(OperationsPerInvoke = Ids)]
    public async Task<long> Client_GetInfoAsync()
    {
        long rows = 0;
        for (long id = 0; id < Ids; id++)
        {
            rows += (await _client.GetInfoAsync(id).ConfigureAwait(false)).Count;
        }

        return rows;
    }

    /// <summary>Makes <see cref="AnsweringGrain"/> references by integer key.</summary>
    public class AnsweringGrainFactory : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod is { Name: nameof(IGrainFactory.GetGrain), IsGenericMethod: true } && args?[0] is long id
                ? AnsweringGrain.Create(id)
                : throw new NotSupportedException($"The stand-in factory does not do {targetMethod}.");
    }

    /// <summary>An <see cref="IArrayDictGrain"/> whose <c>GetInfoAsync</c> answers at once.</summary>
    public class AnsweringGrain : DispatchProxy
    {
        private Task<ArrayDictInfo> _info = null!;

        internal static IArrayDictGrain Create(long id)
        {
            var grain = DispatchProxy.Create<IArrayDictGrain, AnsweringGrain>();
            ((AnsweringGrain)(object)grain)._info = Task.FromResult(new ArrayDictInfo(id, 1, 1, 1, 8, null, null, null, 0));
            return grain;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == nameof(IArrayDictGrain.GetInfoAsync)
                ? _info
                : throw new NotSupportedException($"The stand-in grain does not do {targetMethod}.");
    }
}
