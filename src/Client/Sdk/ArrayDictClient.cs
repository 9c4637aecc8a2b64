using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace ArrayDictOrleans.Client;

/// <summary>
/// The client SDK: ArrayDicts by id, methods fanned out over many ids with bounded concurrency, and the
/// iterate-until-done loop. A call that carries an epoch is retried after a transient failure with the
/// same epoch, which the grain applies at most once; a call without one is never retried.
/// </summary>
public sealed partial class ArrayDictClient
{
    private static readonly ResiliencePropertyKey<StrongBox<long>> RetryCounterKey = new("arraydict.retries");

    private readonly IGrainFactory _grains;
    private readonly ArrayDictClientOptions _options;
    private readonly ILogger<ArrayDictClient> _logger;
    private readonly ResiliencePipeline _retry;

    /// <summary>Creates the client over a connected Orleans <paramref name="grains"/> factory.</summary>
    public ArrayDictClient(IGrainFactory grains, IOptions<ArrayDictClientOptions> options, ILogger<ArrayDictClient> logger)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(options);
        _grains = grains;
        _options = options.Value;
        _logger = logger;
        _retry = _options.MaxRetries == 0
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder()
                .AddRetry(new RetryStrategyOptions
                {
                    ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } exception && TransientFailures.IsTransient(exception)),
                    MaxRetryAttempts = _options.MaxRetries,
                    Delay = _options.RetryDelay,
                    MaxDelay = TimeSpan.FromSeconds(10),
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    OnRetry = args =>
                    {
                        if (args.Context.Properties.TryGetValue(RetryCounterKey, out var counter))
                        {
                            Interlocked.Increment(ref counter.Value);
                        }

                        LogRetry(args.Outcome.Exception!, args.AttemptNumber + 1, args.RetryDelay);
                        return ValueTask.CompletedTask;
                    },
                })
                .Build();
    }

    /// <summary>The ArrayDict with id <paramref name="id"/>, for direct calls.</summary>
    public IArrayDictGrain Get(long id) => _grains.GetGrain<IArrayDictGrain>(id);

    /// <summary>Runs <paramref name="method"/> on ArrayDict <paramref name="id"/>; with an <paramref name="epoch"/>, retried after transient failures.</summary>
    public Task<TResult> ApplyAsync<TResult>(long id, IArrayDictMethod<TResult> method, long? epoch = null, CancellationToken cancellationToken = default) =>
        ApplyAsync(id, method, epoch, retries: null, cancellationToken);

    /// <summary>
    /// Runs a method on every id of <paramref name="ids"/> in parallel (at most <see cref="ArrayDictClientOptions.MaxConcurrency"/>
    /// calls in flight) and collects the results by id. The first call that fails for good fails the whole fan-out.
    /// </summary>
    /// <param name="ids">Distinct ArrayDict ids.</param>
    /// <param name="methodFor">The method (with its arguments) for each id.</param>
    /// <param name="epoch">The epoch every call carries, or null for plain calls.</param>
    /// <param name="progress">Told after each call returns.</param>
    /// <param name="cancellationToken">Stops starting new calls.</param>
    public async Task<IReadOnlyDictionary<long, TResult>> ApplyManyAsync<TResult>(
        IReadOnlyCollection<long> ids,
        Func<long, IArrayDictMethod<TResult>> methodFor,
        long? epoch = null,
        IProgress<IterationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        EnsureDistinct(ids);
        return await FanOutAsync(ids, methodFor, epoch, iteration: 0, progress, retries: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The iterate-until-done loop: applies <paramref name="step"/> to every considered id with epoch
    /// <c>firstEpoch + t</c>, drops the ids whose result <paramref name="isDone"/> says are done, and goes on with
    /// <c>t + 1</c> until none remain.
    /// </summary>
    /// <param name="ids">Distinct ArrayDict ids, all considered at first.</param>
    /// <param name="step">The method for an id at iteration <c>t</c>.</param>
    /// <param name="isDone">Whether a result ends its id's run.</param>
    /// <param name="firstEpoch">The epoch of iteration 0; later iterations count up from it.</param>
    /// <param name="progress">Told after each call returns.</param>
    /// <param name="maxIterations">A bound: more iterations than this throw <see cref="InvalidOperationException"/>.</param>
    /// <param name="cancellationToken">Stops starting new calls.</param>
    public async Task<IterationRunResult<TResult>> RunUntilDoneAsync<TResult>(
        IEnumerable<long> ids,
        Func<long, int, IArrayDictMethod<TResult>> step,
        Func<TResult, bool> isDone,
        long firstEpoch = 0,
        IProgress<IterationProgress>? progress = null,
        int maxIterations = int.MaxValue,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(isDone);
        ArgumentOutOfRangeException.ThrowIfNegative(firstEpoch);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIterations, 1);
        var considered = ids.ToList();
        EnsureDistinct(considered);
        var last = new Dictionary<long, TResult>(considered.Count);
        var retries = new StrongBox<long>();
        long calls = 0;
        int iteration = 0;
        while (considered.Count > 0)
        {
            if (iteration == maxIterations)
            {
                throw new InvalidOperationException($"{considered.Count} ArrayDicts are still not done after {maxIterations} iterations (the first: {considered[0]}).");
            }

            int t = iteration;
            var results = await FanOutAsync(considered, id => step(id, t), firstEpoch + t, t, progress, retries, cancellationToken).ConfigureAwait(false);
            calls += considered.Count;
            var next = new List<long>(considered.Count);
            foreach (long id in considered)
            {
                var result = results[id];
                last[id] = result;
                if (!isDone(result))
                {
                    next.Add(id);
                }
            }

            considered = next;
            iteration++;
        }

        return new IterationRunResult<TResult>(last, iteration, calls, retries.Value);
    }

    private async Task<TResult> ApplyAsync<TResult>(long id, IArrayDictMethod<TResult> method, long? epoch, StrongBox<long>? retries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(method);
        var grain = Get(id);
        if (epoch is null)
        {
            return await grain.ApplyAsync(method, null).ConfigureAwait(false);
        }

        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            if (retries is not null)
            {
                context.Properties.Set(RetryCounterKey, retries);
            }

            return await _retry.ExecuteAsync(
                static async (_, state) => await state.grain.ApplyAsync(state.method, state.epoch).ConfigureAwait(false),
                context,
                (grain, method, epoch)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async Task<IReadOnlyDictionary<long, TResult>> FanOutAsync<TResult>(
        IReadOnlyCollection<long> ids,
        Func<long, IArrayDictMethod<TResult>> methodFor,
        long? epoch,
        int iteration,
        IProgress<IterationProgress>? progress,
        StrongBox<long>? retries,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(methodFor);
        var results = new ConcurrentDictionary<long, TResult>(Environment.ProcessorCount, ids.Count);
        int completed = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(ids, parallel, async (id, token) =>
        {
            results[id] = await ApplyAsync(id, methodFor(id), epoch, retries, token).ConfigureAwait(false);
            progress?.Report(new IterationProgress(iteration, Interlocked.Increment(ref completed), ids.Count));
        }).ConfigureAwait(false);
        return results;
    }

    private static void EnsureDistinct(IReadOnlyCollection<long> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var seen = new HashSet<long>(ids.Count);
        foreach (long id in ids)
        {
            if (!seen.Add(id))
            {
                throw new ArgumentException($"The id {id} appears more than once; each ArrayDict is called once per iteration.", nameof(ids));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retrying a call (attempt {Attempt}) in {Delay} after a transient failure.")]
    private partial void LogRetry(Exception exception, int attempt, TimeSpan delay);
}
