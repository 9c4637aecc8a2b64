using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace ArrayDictOrleans.Client;

/// <summary>
/// The client SDK: ArrayDicts by id, methods fanned out over many ids with bounded concurrency, and the
/// iterate-until-done loop. A call that carries an epoch is retried after a transient failure with the
/// same epoch, which the grain applies at most once; a call without one is retried only when the caller
/// says its method is idempotent (<see cref="ApplyIdempotentAsync"/>). The loop also tells each grain the
/// last epoch it saw applied there, so that a grain that lost calls which had returned says so: the loop
/// then replays them (a replayable step) or fails naming them, and never goes on from the wrong state.
/// </summary>
public sealed partial class ArrayDictClient
{
    /// <summary>The most grain references <see cref="Get"/> keeps (about 150 bytes each); ids beyond them get a new reference per call.</summary>
    public const int MaxCachedReferences = 1 << 17;

    private static readonly ResiliencePropertyKey<StrongBox<long>> RetryCounterKey = new("arraydict.retries");
    private static readonly ResiliencePropertyKey<long> RetryStartedKey = new("arraydict.retry-started");

    private readonly IGrainFactory _grains;
    private readonly ArrayDictClientOptions _options;
    private readonly ILogger<ArrayDictClient> _logger;
    private readonly ResiliencePipeline _retry;

    // Per method type, the check that the silos can read it (EnsureReadableAsync): done once, before its first call.
    private readonly ConcurrentDictionary<Type, Task> _methodChecks = new();

    // Orleans resolves the interface type by reflection on every GetGrain; a reference, once made, serves for good.
    private readonly ConcurrentDictionary<long, IArrayDictGrain> _references = new();
    private int _referenceCount;

    // The grain type and interface type that every ArrayDict reference shares, taken from the first one Orleans made: a
    // reference made from them skips GetGrain's formatting of the interface's name (about 14 µs per new id).
    private ReferenceTypes? _referenceTypes;

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
                    ShouldHandle = args => ValueTask.FromResult(
                        args.Outcome.Exception is { } exception && TransientFailures.IsTransient(exception) && WithinRetryBudget(args.Context)),
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

        grain = NewReference(id);
        if (Volatile.Read(ref _referenceCount) < MaxCachedReferences && _references.TryAdd(id, grain))
        {
            Interlocked.Increment(ref _referenceCount);
        }

        return grain;
    }

    private IArrayDictGrain NewReference(long id)
    {
        if (Volatile.Read(ref _referenceTypes) is { } types)
        {
            return (IArrayDictGrain)_grains.GetGrain(GrainId.Create(types.Grain, GrainIdKeyExtensions.CreateIntegerKey(id)), types.Interface);
        }

        var grain = _grains.GetGrain<IArrayDictGrain>(id);
        if (grain is GrainReference reference)
        {
            Volatile.Write(ref _referenceTypes, new ReferenceTypes(reference.GrainId.Type, reference.InterfaceType));
        }

        return grain;
    }

    /// <summary>Runs <paramref name="method"/> on ArrayDict <paramref name="id"/>; with an <paramref name="epoch"/>, retried after transient failures.</summary>
    /// <param name="id">The ArrayDict.</param>
    /// <param name="method">The method, with its arguments.</param>
    /// <param name="epoch">The call's epoch (applied at most once, see <see cref="IArrayDictGrain.ApplyAsync{TResult}"/>), or null for a plain call.</param>
    /// <param name="timeout">
    /// The call's own timeout, retries included, for a method that may outlast <see cref="ArrayDictClientOptions.ResponseTimeout"/>
    /// (or one that must return sooner): positive, at most <see cref="LongestCallTimeout"/>. Past it the call throws
    /// <see cref="ArrayDictCallTimeoutException"/>. Null: each attempt is bounded by the response timeout.
    /// </param>
    /// <param name="cancellationToken">Checked before the call, and ends the waits between retries; with a <paramref name="timeout"/>, it also cancels the call in flight.</param>
    public Task<TResult> ApplyAsync<TResult>(long id, IArrayDictMethod<TResult> method, long? epoch = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        ApplyOneAsync(id, method, epoch, idempotent: false, timeout, cancellationToken);

    /// <summary>
    /// Runs an idempotent <paramref name="method"/> on ArrayDict <paramref name="id"/>, without an epoch, and retries it
    /// after transient failures. Idempotent means that running it again leaves the ArrayDict and the result as the first
    /// run did (a method that sets a state, such as SW1's fill): a retry after a lost response runs it twice.
    /// <paramref name="timeout"/> and <paramref name="cancellationToken"/> are those of <see cref="ApplyAsync{TResult}"/>.
    /// </summary>
    public Task<TResult> ApplyIdempotentAsync<TResult>(long id, IArrayDictMethod<TResult> method, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        ApplyOneAsync(id, method, epoch: null, idempotent: true, timeout, cancellationToken);

    /// <summary>Reports ArrayDict <paramref name="id"/>'s size and last applied epoch (<see cref="IArrayDictGrain.GetInfoAsync"/>), retried after transient failures.</summary>
    public Task<ArrayDictInfo> GetInfoAsync(long id, CancellationToken cancellationToken = default) =>
        RetriedAsync(Get(id), static grain => grain.GetInfoAsync(), cancellationToken);

    /// <summary>Persists ArrayDict <paramref name="id"/>'s state now (<see cref="IArrayDictGrain.CheckpointAsync"/>), retried after transient failures.</summary>
    public Task CheckpointAsync(long id, CancellationToken cancellationToken = default) =>
        RetriedAsync(Get(id), static async grain =>
        {
            await grain.CheckpointAsync().ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>Empties ArrayDict <paramref name="id"/> as <see cref="IArrayDictGrain.ClearAsync"/> does, retried after transient failures (a clear is idempotent).</summary>
    public Task ClearAsync(long id, int? width = null, CancellationToken cancellationToken = default) =>
        RetriedAsync(Get(id), async grain =>
        {
            await grain.ClearAsync(width).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>
    /// Runs a method on every id of <paramref name="ids"/> in parallel (at most <see cref="ArrayDictClientOptions.MaxConcurrency"/>
    /// calls in flight) and collects the results by id. The first call that fails for good fails the whole fan-out: no
    /// call starts after it, the calls in flight are awaited, and its exception is thrown (any other failure is logged).
    /// </summary>
    /// <param name="ids">Distinct ArrayDict ids.</param>
    /// <param name="methodFor">The method (with its arguments) for each id.</param>
    /// <param name="epoch">
    /// The epoch every call carries (retried and applied at most once, refused when older than an ArrayDict's last; not
    /// checked for lost calls, as <see cref="RunUntilDoneAsync{TResult}(IEnumerable{long}, Func{long, int, IArrayDictMethod{TResult}}, Func{TResult, bool}, long?, IProgress{IterationProgress}?, int, bool, TimeSpan?, CancellationToken)"/> does), or null for plain calls.
    /// </param>
    /// <param name="progress">Told after each call returns.</param>
    /// <param name="callTimeout">
    /// Each call's own timeout, as the <c>timeout</c> of <see cref="ApplyAsync{TResult}"/>: a call past it fails the fan-out
    /// with <see cref="ArrayDictCallTimeoutException"/>. Null: each attempt is bounded by the response timeout.
    /// </param>
    /// <param name="cancellationToken">Stops starting new calls (and cancels calls in flight that have a <paramref name="callTimeout"/>); the fan-out then throws <see cref="OperationCanceledException"/>.</param>
    public async Task<IReadOnlyDictionary<long, TResult>> ApplyManyAsync<TResult>(
        IReadOnlyCollection<long> ids,
        Func<long, IArrayDictMethod<TResult>> methodFor,
        long? epoch = null,
        IProgress<IterationProgress>? progress = null,
        TimeSpan? callTimeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(methodFor);
        CheckCallTimeout(callTimeout, nameof(callTimeout));
        long[] all = [.. ids];
        EnsureDistinct(all);
        var results = new TResult[all.Length];
        var fanOut = new FanOut<TResult>(this, all, new IArrayDictGrain?[all.Length], results, (id, _) => methodFor(id), progress, retries: null, callTimeout, cancellationToken);
        await fanOut.RunAsync(positions: null, all.Length, epoch, iteration: 0).ConfigureAwait(false);
        var byId = new Dictionary<long, TResult>(all.Length);
        for (int i = 0; i < all.Length; i++)
        {
            byId.Add(all[i], results[i]);
        }

        return byId;
    }

    /// <summary>
    /// The iterate-until-done loop: applies <paramref name="step"/> to every considered id, iteration <c>t</c> as epoch
    /// <c>first + t</c> of its ArrayDict, drops the ids whose result <paramref name="isDone"/> says are done, and goes on
    /// with <c>t + 1</c> until none remain. Each iteration is a fan-out as in <see cref="ApplyManyAsync"/>.
    /// </summary>
    /// <remarks>
    /// The loop first reads each ArrayDict's last applied epoch. Every call then carries its epoch and the last epoch the
    /// loop saw applied on that ArrayDict (<see cref="IArrayDictGrain.ApplyNextAsync{TResult}"/>): a call repeated after a
    /// transient failure is applied at most once, and an ArrayDict that lost calls which had returned (a crash with
    /// unsaved changes: PersistEvery 0 or above 1, or writes not synced) refuses the next one. With
    /// <paramref name="stepIsReplayable"/>, the loop then runs the lost epochs again in order and goes on, to the result a
    /// run without the crash gives; for that, it first checkpoints every ArrayDict that has unsaved changes, so that the
    /// state the run starts from is durable. Otherwise it throws <see cref="LostEpochsException"/> naming them.
    /// </remarks>
    /// <param name="ids">Distinct ArrayDict ids, all considered at first.</param>
    /// <param name="step">The method for an id at iteration <c>t</c>.</param>
    /// <param name="isDone">Whether a result ends its id's run.</param>
    /// <param name="firstEpoch">
    /// The epoch of iteration 0 for every id, above each one's last applied epoch; null (the default) starts each ArrayDict
    /// right after its own last applied epoch (at 0 when it has none), so that a run on ArrayDicts that earlier runs
    /// changed just continues.
    /// </param>
    /// <param name="progress">Told after each call returns.</param>
    /// <param name="maxIterations">A bound: more iterations than this throw <see cref="InvalidOperationException"/>.</param>
    /// <param name="stepIsReplayable">
    /// Whether <paramref name="step"/> is a pure function of (id, t): the same method and arguments every time it is
    /// asked, whose effect on an ArrayDict depends only on the ArrayDict. Then lost epochs are replayed.
    /// </param>
    /// <param name="callTimeout">
    /// Each call's own timeout (with its retries and any replay of lost epochs it leads to), as the <c>timeout</c> of
    /// <see cref="ApplyAsync{TResult}"/>, for steps that may outlast the response timeout: a call past it fails the loop
    /// with <see cref="ArrayDictCallTimeoutException"/>, and a run started again goes on from the epochs kept. Null: each
    /// attempt is bounded by the response timeout.
    /// </param>
    /// <param name="cancellationToken">Stops starting new calls (and cancels calls in flight that have a <paramref name="callTimeout"/>); the loop then throws <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="LostEpochsException">ArrayDicts lost calls that had returned, and the loop could not replay them.</exception>
    /// <exception cref="InvalidOperationException">An ArrayDict has already applied <paramref name="firstEpoch"/> or a later one.</exception>
    public async Task<IterationRunResult<TResult>> RunUntilDoneAsync<TResult>(
        IEnumerable<long> ids,
        Func<long, int, IArrayDictMethod<TResult>> step,
        Func<TResult, bool> isDone,
        long? firstEpoch = null,
        IProgress<IterationProgress>? progress = null,
        int maxIterations = int.MaxValue,
        bool stepIsReplayable = false,
        TimeSpan? callTimeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(isDone);
        CheckCallTimeout(callTimeout, nameof(callTimeout));
        if (firstEpoch is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(firstEpoch), firstEpoch, "Epochs are not negative.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxIterations, 1);
        long[] all = [.. ids];
        EnsureDistinct(all);

        // Indexed by position in `all`; the grain references are made once for the whole run.
        var grains = new IArrayDictGrain?[all.Length];
        var infos = await ReadInfosAsync(all, grains, cancellationToken).ConfigureAwait(false);
        var ledger = await StartLedgerAsync(all, grains, infos, firstEpoch, stepIsReplayable, cancellationToken).ConfigureAwait(false);
        return await IterateAsync(all, grains, ledger, step, isDone, progress, maxIterations, callTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The iterate-until-done loop of <see cref="RunUntilDoneAsync{TResult}(IEnumerable{long}, Func{long, int, IArrayDictMethod{TResult}}, Func{TResult, bool}, long?, IProgress{IterationProgress}?, int, bool, TimeSpan?, CancellationToken)"/>
    /// on the ArrayDicts that <paramref name="current"/> describes, each one's iteration 0 right after the epoch its info
    /// reports: for a caller that has just read those infos (after filling the ArrayDicts, say), so that the loop does not
    /// read every one of them again before it starts.
    /// </summary>
    /// <remarks>
    /// An info that is out of date is caught, never followed: every call carries the last epoch its ArrayDict is known to
    /// have applied, and the grain checks it before it runs anything (<see cref="IArrayDictGrain.ApplyNextAsync{TResult}"/>).
    /// An ArrayDict that applied epochs its info does not show refuses the call with <see cref="EpochMismatchException"/>
    /// (unless it applied this very call at this epoch, whose kept result it returns); one back at an epoch before its
    /// info's lost calls the run cannot rebuild, and the run throws <see cref="LostEpochsException"/> naming it. With
    /// <paramref name="stepIsReplayable"/>, the ArrayDicts whose info shows unsaved changes are checkpointed first, as the
    /// overload that reads the infos does; so an info must come from after the last change to its ArrayDict: a change
    /// without an epoch made since, left unsaved, is one the run neither sees nor checkpoints.
    /// </remarks>
    /// <param name="current">One info per ArrayDict of the run, as <see cref="GetInfoAsync"/> returned it after the last change to it; the ids distinct.</param>
    /// <param name="step">The method for an id at iteration <c>t</c>.</param>
    /// <param name="isDone">Whether a result ends its id's run.</param>
    /// <param name="progress">Told after each call returns.</param>
    /// <param name="maxIterations">A bound: more iterations than this throw <see cref="InvalidOperationException"/>.</param>
    /// <param name="stepIsReplayable">Whether <paramref name="step"/> is a pure function of (id, t), so that lost epochs are replayed.</param>
    /// <param name="callTimeout">Each call's own timeout, as in the overload that reads the infos.</param>
    /// <param name="cancellationToken">Stops starting new calls; the loop then throws <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="current"/> holds a null info, or two infos of one ArrayDict.</exception>
    /// <exception cref="LostEpochsException">ArrayDicts lost calls that had returned, and the loop could not replay them.</exception>
    /// <exception cref="EpochMismatchException">An ArrayDict applied epochs after the one its info reports.</exception>
    public async Task<IterationRunResult<TResult>> RunUntilDoneAsync<TResult>(
        IReadOnlyCollection<ArrayDictInfo> current,
        Func<long, int, IArrayDictMethod<TResult>> step,
        Func<TResult, bool> isDone,
        IProgress<IterationProgress>? progress = null,
        int maxIterations = int.MaxValue,
        bool stepIsReplayable = false,
        TimeSpan? callTimeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(isDone);
        CheckCallTimeout(callTimeout, nameof(callTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIterations, 1);
        ArrayDictInfo[] infos = [.. current];
        int missing = Array.IndexOf(infos, null);
        if (missing >= 0)
        {
            throw new ArgumentException($"The info at position {missing} is null; give one info per ArrayDict of the run.", nameof(current));
        }

        long[] all = [.. infos.Select(info => info.Id)];
        EnsureDistinct(all);
        var grains = new IArrayDictGrain?[all.Length];
        var ledger = await StartLedgerAsync(all, grains, infos, firstEpoch: null, stepIsReplayable, cancellationToken).ConfigureAwait(false);
        return await IterateAsync(all, grains, ledger, step, isDone, progress, maxIterations, callTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The loop itself: iterations of one fan-out each over the ids not yet done, from the epochs of <paramref name="ledger"/>.</summary>
    private async Task<IterationRunResult<TResult>> IterateAsync<TResult>(
        long[] all,
        IArrayDictGrain?[] grains,
        EpochLedger ledger,
        Func<long, int, IArrayDictMethod<TResult>> step,
        Func<TResult, bool> isDone,
        IProgress<IterationProgress>? progress,
        int maxIterations,
        TimeSpan? callTimeout,
        CancellationToken cancellationToken)
    {
        var last = new TResult[all.Length];
        var retries = new StrongBox<long>();
        var replays = new StrongBox<long>();
        var fanOut = new FanOut<TResult>(this, all, grains, last, step, progress, retries, callTimeout, cancellationToken, ledger, replays);
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

            await fanOut.RunAsync(considered, count, epoch: null, iteration).ConfigureAwait(false);
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

        return new IterationRunResult<TResult>(lastById, iteration, calls, retries.Value, replays.Value);
    }

    /// <summary>Reads every ArrayDict's info, for the run's ledger.</summary>
    private async Task<ArrayDictInfo[]> ReadInfosAsync(long[] ids, IArrayDictGrain?[] grains, CancellationToken cancellationToken)
    {
        var infos = new ArrayDictInfo[ids.Length];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrency, CancellationToken = cancellationToken };
        await Parallel.ForAsync(0, ids.Length, parallel, async (i, token) =>
        {
            var grain = grains[i] ??= Get(ids[i]);
            infos[i] = await RetriedAsync(grain, static grain => grain.GetInfoAsync(), token).ConfigureAwait(false);
        }).ConfigureAwait(false);
        return infos;
    }

    /// <summary>
    /// Chooses each ArrayDict's first epoch from where its info says it stands. With a replayable step, an ArrayDict with
    /// unsaved changes is checkpointed first, so that a replay starts from the state the run began with.
    /// </summary>
    private async Task<EpochLedger> StartLedgerAsync(long[] ids, IArrayDictGrain?[] grains, ArrayDictInfo[] infos, long? firstEpoch, bool replayable, CancellationToken cancellationToken)
    {
        var start = new long?[ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            start[i] = infos[i].LastAppliedEpoch;
        }

        if (replayable)
        {
            int[] unsaved = [.. Enumerable.Range(0, ids.Length).Where(i => infos[i].UnsavedChanges > 0)];
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.MaxConcurrency, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(unsaved, parallel, async (i, token) =>
                await RetriedAsync(grains[i] ??= Get(ids[i]), static async grain =>
                {
                    await grain.CheckpointAsync().ConfigureAwait(false);
                    return true;
                }, token).ConfigureAwait(false)).ConfigureAwait(false);
        }

        var first = new long[ids.Length];
        List<int>? past = null;
        for (int i = 0; i < ids.Length; i++)
        {
            first[i] = firstEpoch ?? (start[i] + 1 ?? 0);
            if (start[i] >= first[i])
            {
                (past ??= []).Add(i);
            }
        }

        if (past is not null)
        {
            string named = string.Join(", ", past.Take(10).Select(i => $"ArrayDict {ids[i]} is at epoch {start[i]}"));
            throw new InvalidOperationException(
                $"{past.Count} ArrayDicts have already applied the run's first epoch {firstEpoch} or a later one ({named}{(past.Count > 10 ? ", ..." : string.Empty)}): give a higher first epoch, or none to continue after each one's last epoch.");
        }

        return new EpochLedger(start, first, replayable);
    }

    /// <summary>
    /// Throws <see cref="ArrayDictMethodNotDeployedException"/> naming <paramref name="id"/> when the silos cannot read
    /// <paramref name="method"/>'s type. The first call of a type sends one instance to <see cref="IArrayDictMethodCheckGrain"/>
    /// and the others wait for it; later calls find the answer. A check that fails for another reason (a silo that
    /// left) is not kept, and the call goes ahead to meet the failure itself, with its retries.
    /// </summary>
    private ValueTask EnsureReadableAsync<TResult>(long id, IArrayDictMethod<TResult> method)
    {
        var type = method.GetType();
        if (!_methodChecks.TryGetValue(type, out var check))
        {
            check = _methodChecks.GetOrAdd(type, _ => _grains.GetGrain<IArrayDictMethodCheckGrain>(0).CheckAsync(method));
        }

        return check.IsCompletedSuccessfully ? ValueTask.CompletedTask : AwaitCheckAsync(id, type, check);
    }

    private async ValueTask AwaitCheckAsync(long id, Type type, Task check)
    {
        try
        {
            await check.ConfigureAwait(false);
        }
        catch (Exception failure)
        {
            _methodChecks.TryRemove(new KeyValuePair<Type, Task>(type, check));
            switch (failure)
            {
                case ArrayDictMethodNotDeployedException notDeployed:
                    throw new ArrayDictMethodNotDeployedException(id, type, notDeployed.InnerException ?? notDeployed);
                case Orleans.Serialization.SerializerException unreadable:
                    throw new ArrayDictMethodNotDeployedException(id, type, unreadable);
                default:
                    LogMethodCheckFailed(failure, type.FullName ?? type.Name);
                    break;
            }
        }
    }

    /// <summary>The longest timeout a call may be given: one day, the response timeout of the grain's cancellable calls.</summary>
    public static TimeSpan LongestCallTimeout { get; } = TimeSpan.FromDays(1);

    /// <summary>Refuses a call timeout that is not positive or is above <see cref="LongestCallTimeout"/>.</summary>
    internal static void CheckCallTimeout(TimeSpan? timeout, string parameterName)
    {
        if (timeout is { } value && (value <= TimeSpan.Zero || value > LongestCallTimeout))
        {
            throw new ArgumentOutOfRangeException(parameterName, value, $"A call's timeout is positive and at most {LongestCallTimeout} (the response timeout of the grain's cancellable calls).");
        }
    }

    /// <summary>The timer of a call with a timeout of its own: cancelled after <paramref name="timeout"/>, or with <paramref name="cancellationToken"/>.</summary>
    private static CancellationTokenSource StartCallTimer(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        return timer;
    }

    /// <summary>Sends an <c>ApplyAsync</c>: the cancellable one, without a response timeout of its own, when the call is <paramref name="bound"/> by a timer.</summary>
    private static Task<TResult> SendApplyAsync<TResult>(IArrayDictGrain grain, IArrayDictMethod<TResult> method, long? epoch, CancellationToken? bound) =>
        bound is { } token ? grain.ApplyCancellableAsync(method, epoch, token) : grain.ApplyAsync(method, epoch);

    /// <summary>Sends an <c>ApplyNextAsync</c>, as <see cref="SendApplyAsync"/> does.</summary>
    private static Task<TResult> SendApplyNextAsync<TResult>(IArrayDictGrain grain, IArrayDictMethod<TResult> method, long epoch, long? afterEpoch, CancellationToken? bound) =>
        bound is { } token ? grain.ApplyNextCancellableAsync(method, epoch, afterEpoch, token) : grain.ApplyNextAsync(method, epoch, afterEpoch);

    /// <summary>One call, as <see cref="ApplyAsync{TResult}"/> and <see cref="ApplyIdempotentAsync{TResult}"/> make it; retried with an epoch, or when <paramref name="idempotent"/>.</summary>
    private async Task<TResult> ApplyOneAsync<TResult>(long id, IArrayDictMethod<TResult> method, long? epoch, bool idempotent, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(method);
        CheckCallTimeout(timeout, nameof(timeout));
        cancellationToken.ThrowIfCancellationRequested();
        var grain = Get(id);
        await EnsureReadableAsync(id, method).ConfigureAwait(false);
        using var timer = timeout is { } limit ? StartCallTimer(limit, cancellationToken) : null;
        CancellationToken? bound = timer?.Token;
        try
        {
            try
            {
                return await SendApplyAsync(grain, method, epoch, bound).ConfigureAwait(false);
            }
            catch (Exception exception) when ((epoch is not null || idempotent) && IsRetried(exception))
            {
                return await RetryAsync(new RetriedCall<TResult>(grain, method, epoch, null, false, exception, bound), retries: null, bound ?? cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (timer is { IsCancellationRequested: true } && !cancellationToken.IsCancellationRequested)
        {
            throw new ArrayDictCallTimeoutException(id, method.GetType(), timeout!.Value);
        }
    }

    /// <summary>Whether a call that failed with <paramref name="exception"/> goes into the retry pipeline: the failure is transient and retries are on.</summary>
    private bool IsRetried(Exception exception) => _options.MaxRetries > 0 && TransientFailures.IsTransient(exception);

    /// <summary>Runs <paramref name="call"/> on <paramref name="grain"/>, retried after transient failures: for reads and idempotent calls only.</summary>
    /// <remarks>
    /// The first attempt is made directly, as a fan-out's calls are: only a call that failed with a transient failure enters
    /// the retry pipeline, which takes that failure as its own first attempt and counts the retry budget from before it.
    /// </remarks>
    private async Task<T> RetriedAsync<T>(IArrayDictGrain grain, Func<IArrayDictGrain, Task<T>> call, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long started = Stopwatch.GetTimestamp();
        try
        {
            return await call(grain).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsRetried(exception))
        {
            return await RetryAsync(new RetriedRead<T>(grain, call, exception), retries: null, cancellationToken, started).ConfigureAwait(false);
        }
    }

    /// <summary>Calls <paramref name="method"/> as <paramref name="epoch"/> after <paramref name="afterEpoch"/>, retried after transient failures.</summary>
    private async Task<TResult> ApplyNextWithRetriesAsync<TResult>(
        IArrayDictGrain grain, IArrayDictMethod<TResult> method, long epoch, long? afterEpoch, StrongBox<long>? retries, CancellationToken? bound, CancellationToken cancellationToken)
    {
        try
        {
            return await SendApplyNextAsync(grain, method, epoch, afterEpoch, bound).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsRetried(exception))
        {
            return await RetryAsync(new RetriedCall<TResult>(grain, method, epoch, afterEpoch, true, exception, bound), retries, bound ?? cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Retries a call whose first attempt, made directly, failed with a transient failure (<paramref name="call"/> holds
    /// it). That attempt is handed to the pipeline as its own first one, so that the retries, their count and their delays are
    /// exactly the pipeline's; a call that succeeds never gets here. The retry budget counts from <paramref name="started"/>
    /// (a <see cref="Stopwatch"/> timestamp), or from now.
    /// </summary>
    private async Task<TResult> RetryAsync<TResult>(RetriedAttempts<TResult> call, StrongBox<long>? retries, CancellationToken cancellationToken, long? started = null)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RetryStartedKey, started ?? Stopwatch.GetTimestamp());
        try
        {
            if (retries is not null)
            {
                context.Properties.Set(RetryCounterKey, retries);
            }

            return await _retry.ExecuteAsync(
                static (_, call) => call.NextAttemptAsync(),
                context,
                call).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Whether the retries of the call of <paramref name="context"/> are still within <see cref="ArrayDictClientOptions.RetryBudget"/>.</summary>
    private bool WithinRetryBudget(ResilienceContext context) =>
        !context.Properties.TryGetValue(RetryStartedKey, out long started) || Stopwatch.GetElapsedTime(started) < _options.RetryBudget;

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Could not check that the silos read the method {MethodType}; its calls go ahead and meet the failure themselves.")]
    private partial void LogMethodCheckFailed(Exception exception, string methodType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retrying a call (attempt {Attempt}) in {Delay} after a transient failure.")]
    private partial void LogRetry(Exception exception, int attempt, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "The call on ArrayDict {Id} failed too, in a fan-out that had already failed (the first failure is the one thrown).")]
    private partial void LogFurtherFailure(Exception exception, long id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ArrayDict {Id} is back at epoch {At} although epoch {Returned} had returned: it lost calls, as a crash with unsaved changes does. Replaying epochs {From} to {To} with the replayable step.")]
    private partial void LogReplay(long id, long? at, long returned, long from, long to);

    private sealed record ReferenceTypes(GrainType Grain, GrainInterfaceType Interface);

    /// <summary>The attempts of a retried call: the failure its first attempt, made directly, already had; then <see cref="Again"/>.</summary>
    private abstract class RetriedAttempts<T>(Exception firstFailure)
    {
        private Exception? _firstFailure = firstFailure;

        public ValueTask<T> NextAttemptAsync()
        {
            if (_firstFailure is { } failure)
            {
                _firstFailure = null;
                return ValueTask.FromException<T>(failure);
            }

            return new ValueTask<T>(Again());
        }

        /// <summary>Makes the same call again.</summary>
        protected abstract Task<T> Again();
    }

    /// <summary>A retried read or idempotent call: <paramref name="call"/> on <paramref name="grain"/> again.</summary>
    private sealed class RetriedRead<T>(IArrayDictGrain grain, Func<IArrayDictGrain, Task<T>> call, Exception firstFailure)
        : RetriedAttempts<T>(firstFailure)
    {
        protected override Task<T> Again() => call(grain);
    }

    /// <summary>
    /// The attempts of one retried call: the failure it already had, then the same call again: with the same epoch (and
    /// the same last epoch seen applied, for <see cref="IArrayDictGrain.ApplyNextAsync{TResult}"/>), or none; through the
    /// cancellable calls when the call is <paramref name="bound"/> by a timer.
    /// </summary>
    private sealed class RetriedCall<TResult>(
        IArrayDictGrain grain, IArrayDictMethod<TResult> method, long? epoch, long? afterEpoch, bool next, Exception firstFailure, CancellationToken? bound = null)
        : RetriedAttempts<TResult>(firstFailure)
    {
        protected override Task<TResult> Again() =>
            next ? SendApplyNextAsync(grain, method, epoch!.Value, afterEpoch, bound) : SendApplyAsync(grain, method, epoch, bound);
    }
}
