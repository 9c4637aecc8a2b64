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
    /// <summary>The most grain references <see cref="Get"/> keeps (about 150 bytes each); ids beyond them get a new reference per call.</summary>
    public const int MaxCachedReferences = 1 << 17;

    private static readonly ResiliencePropertyKey<StrongBox<long>> RetryCounterKey = new("arraydict.retries");

    private readonly IGrainFactory _grains;
    private readonly ArrayDictClientOptions _options;
    private readonly ILogger<ArrayDictClient> _logger;
    private readonly ResiliencePipeline _retry;

    // Orleans resolves the interface type by reflection on every GetGrain; a reference, once made, serves for good.
    private readonly ConcurrentDictionary<long, IArrayDictGrain> _references = new();
    private int _referenceCount;

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

    /// <summary>The ArrayDict with id <paramref name="id"/>, for direct calls. References are kept (up to <see cref="MaxCachedReferences"/>) and reused.</summary>
    public IArrayDictGrain Get(long id)
    {
        if (_references.TryGetValue(id, out var grain))
        {
            return grain;
        }

        grain = _grains.GetGrain<IArrayDictGrain>(id);
        if (Volatile.Read(ref _referenceCount) < MaxCachedReferences && _references.TryAdd(id, grain))
        {
            Interlocked.Increment(ref _referenceCount);
        }

        return grain;
    }

    /// <summary>Runs <paramref name="method"/> on ArrayDict <paramref name="id"/>; with an <paramref name="epoch"/>, retried after transient failures.</summary>
    public async Task<TResult> ApplyAsync<TResult>(long id, IArrayDictMethod<TResult> method, long? epoch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(method);
        cancellationToken.ThrowIfCancellationRequested();
        var grain = Get(id);
        try
        {
            return await grain.ApplyAsync(method, epoch).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsRetried(exception, epoch))
        {
            return await RetryAsync(exception, grain, method, epoch!.Value, retries: null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Runs a method on every id of <paramref name="ids"/> in parallel (at most <see cref="ArrayDictClientOptions.MaxConcurrency"/>
    /// calls in flight) and collects the results by id. The first call that fails for good fails the whole fan-out: no
    /// call starts after it, the calls in flight are awaited, and its exception is thrown (any other failure is logged).
    /// </summary>
    /// <param name="ids">Distinct ArrayDict ids.</param>
    /// <param name="methodFor">The method (with its arguments) for each id.</param>
    /// <param name="epoch">The epoch every call carries, or null for plain calls.</param>
    /// <param name="progress">Told after each call returns.</param>
    /// <param name="cancellationToken">Stops starting new calls; the fan-out then throws <see cref="OperationCanceledException"/>.</param>
    public async Task<IReadOnlyDictionary<long, TResult>> ApplyManyAsync<TResult>(
        IReadOnlyCollection<long> ids,
        Func<long, IArrayDictMethod<TResult>> methodFor,
        long? epoch = null,
        IProgress<IterationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(methodFor);
        long[] all = [.. ids];
        EnsureDistinct(all);
        var results = new TResult[all.Length];
        var fanOut = new FanOut<TResult>(this, all, new IArrayDictGrain?[all.Length], results, (id, _) => methodFor(id), progress, retries: null, cancellationToken);
        await fanOut.RunAsync(positions: null, all.Length, epoch, iteration: 0).ConfigureAwait(false);
        var byId = new Dictionary<long, TResult>(all.Length);
        for (int i = 0; i < all.Length; i++)
        {
            byId.Add(all[i], results[i]);
        }

        return byId;
    }

    /// <summary>
    /// The iterate-until-done loop: applies <paramref name="step"/> to every considered id with epoch
    /// <c>firstEpoch + t</c>, drops the ids whose result <paramref name="isDone"/> says are done, and goes on with
    /// <c>t + 1</c> until none remain. Each iteration is a fan-out as in <see cref="ApplyManyAsync"/>.
    /// </summary>
    /// <param name="ids">Distinct ArrayDict ids, all considered at first.</param>
    /// <param name="step">The method for an id at iteration <c>t</c>.</param>
    /// <param name="isDone">Whether a result ends its id's run.</param>
    /// <param name="firstEpoch">The epoch of iteration 0; later iterations count up from it.</param>
    /// <param name="progress">Told after each call returns.</param>
    /// <param name="maxIterations">A bound: more iterations than this throw <see cref="InvalidOperationException"/>.</param>
    /// <param name="cancellationToken">Stops starting new calls; the loop then throws <see cref="OperationCanceledException"/>.</param>
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
        long[] all = [.. ids];
        EnsureDistinct(all);

        // Indexed by position in `all`; the grain references are made once for the whole run.
        var last = new TResult[all.Length];
        var retries = new StrongBox<long>();
        var fanOut = new FanOut<TResult>(this, all, new IArrayDictGrain?[all.Length], last, step, progress, retries, cancellationToken);
        int[] considered = [.. Enumerable.Range(0, all.Length)];
        int count = considered.Length;
        long calls = 0;
        int iteration = 0;
        while (count > 0)
        {
            if (iteration == maxIterations)
            {
                throw new InvalidOperationException($"{count} ArrayDicts are still not done after {maxIterations} iterations (the first: {all[considered[0]]}).");
            }

            await fanOut.RunAsync(considered, count, firstEpoch + iteration, iteration).ConfigureAwait(false);
            calls += count;
            int next = 0;
            for (int k = 0; k < count; k++)
            {
                int position = considered[k];
                if (!isDone(last[position]))
                {
                    considered[next++] = position;
                }
            }

            count = next;
            iteration++;
        }

        var lastById = new Dictionary<long, TResult>(all.Length);
        for (int i = 0; i < all.Length; i++)
        {
            lastById.Add(all[i], last[i]);
        }

        return new IterationRunResult<TResult>(lastById, iteration, calls, retries.Value);
    }

    /// <summary>Whether a call that failed with <paramref name="exception"/> goes into the retry pipeline: it carries an epoch and the failure is transient.</summary>
    private bool IsRetried(Exception exception, long? epoch) =>
        epoch is not null && _options.MaxRetries > 0 && TransientFailures.IsTransient(exception);

    /// <summary>
    /// Retries a call whose first attempt, made directly, failed with the transient <paramref name="failure"/>. That
    /// attempt is handed to the pipeline as its own first one, so that the retries, their count and their delays are
    /// exactly the pipeline's; a call that succeeds never gets here.
    /// </summary>
    private async Task<TResult> RetryAsync<TResult>(
        Exception failure, IArrayDictGrain grain, IArrayDictMethod<TResult> method, long epoch, StrongBox<long>? retries, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            if (retries is not null)
            {
                context.Properties.Set(RetryCounterKey, retries);
            }

            return await _retry.ExecuteAsync(
                static (_, call) => call.NextAttemptAsync(),
                context,
                new RetriedCall<TResult>(grain, method, epoch, failure)).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static void EnsureDistinct(long[] ids)
    {
        var seen = new HashSet<long>(ids.Length);
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

    [LoggerMessage(Level = LogLevel.Error, Message = "The call on ArrayDict {Id} failed too, in a fan-out that had already failed (the first failure is the one thrown).")]
    private partial void LogFurtherFailure(Exception exception, long id);

    /// <summary>The attempts of one retried call: the failure it already had, then calls with the same epoch.</summary>
    private sealed class RetriedCall<TResult>(IArrayDictGrain grain, IArrayDictMethod<TResult> method, long epoch, Exception firstFailure)
    {
        private Exception? _firstFailure = firstFailure;

        public ValueTask<TResult> NextAttemptAsync()
        {
            if (_firstFailure is { } failure)
            {
                _firstFailure = null;
                return ValueTask.FromException<TResult>(failure);
            }

            return new ValueTask<TResult>(grain.ApplyAsync(method, epoch));
        }
    }
}
