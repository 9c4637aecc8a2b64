using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace ArrayDictOrleans.Client;

public sealed partial class ArrayDictClient
{
    /// <summary>
    /// Fans calls out over a fixed set of ids, one round at a time: <see cref="ArrayDictClientOptions.MaxConcurrency"/>
    /// workers each take the next position and await its call, so that a call costs a counter increment and an await,
    /// not a task or a closure of its own. The grain references and the results live in arrays by position, kept from
    /// round to round. A round stops starting calls at the first failure or at cancellation. With an
    /// <see cref="EpochLedger"/>, each call carries its ArrayDict's epoch and the last epoch seen applied there; an
    /// ArrayDict that lost returned calls has them replayed (a replayable step) or is reported, with every other such
    /// ArrayDict of the round, by a <see cref="LostEpochsException"/>.
    /// </summary>
    private sealed class FanOut<TResult>
    {
        private readonly ArrayDictClient _client;
        private readonly long[] _ids;
        private readonly IArrayDictGrain?[] _grains;
        private readonly TResult[] _results;
        private readonly Func<long, int, IArrayDictMethod<TResult>> _methodFor;
        private readonly IProgress<IterationProgress>? _progress;
        private readonly StrongBox<long>? _retries;
        private readonly EpochLedger? _ledger;
        private readonly StrongBox<long>? _replays;
        private readonly TimeSpan? _callTimeout;
        private readonly CancellationToken _cancellationToken;
        private readonly Lock _lock = new();

        // The round: the positions to call (null: 0..count-1), the last position taken, the calls that returned.
        private int[]? _positions;
        private int _count;
        private long? _epoch;
        private int _iteration;
        private int _taken;
        private int _completed;

        // Set once the round must start no more calls; cancels the retries' delays too.
        private volatile bool _stopping;
        private CancellationTokenSource? _stop;
        private bool _interrupted;
        private List<(long Id, Exception Failure)>? _failures;
        private List<LostEpochs>? _lost;

        public FanOut(
            ArrayDictClient client,
            long[] ids,
            IArrayDictGrain?[] grains,
            TResult[] results,
            Func<long, int, IArrayDictMethod<TResult>> methodFor,
            IProgress<IterationProgress>? progress,
            StrongBox<long>? retries,
            TimeSpan? callTimeout,
            CancellationToken cancellationToken,
            EpochLedger? ledger = null,
            StrongBox<long>? replays = null)
        {
            _callTimeout = callTimeout;
            _client = client;
            _ids = ids;
            _grains = grains;
            _results = results;
            _methodFor = methodFor;
            _progress = progress;
            _retries = retries;
            _cancellationToken = cancellationToken;
            _ledger = ledger;
            _replays = replays;
        }

        /// <summary>
        /// Calls the ids at <paramref name="positions"/>[0..<paramref name="count"/>) (all ids when null) and stores each
        /// result at its position. Each call carries <paramref name="epoch"/>, or, with a ledger, its ArrayDict's epoch of
        /// <paramref name="iteration"/>.
        /// </summary>
        /// <exception cref="OperationCanceledException">The caller cancelled before every call had started or returned.</exception>
        /// <exception cref="LostEpochsException">ArrayDicts lost returned calls that could not be replayed.</exception>
        public async Task RunAsync(int[]? positions, int count, long? epoch, int iteration)
        {
            _positions = positions;
            _count = count;
            _epoch = epoch;
            _iteration = iteration;
            _taken = -1;
            _completed = 0;
            _stopping = false;
            _interrupted = false;
            _failures = null;
            _lost = null;
            int workers = Math.Min(_client._options.MaxConcurrency, count);
            if (workers == 0)
            {
                return;
            }

            // Only a retry (its delays) and a call with a timeout wait on a token; the source lets the round's first failure end those waits.
            _stop = ((epoch is not null || _ledger is not null) && _client._options.MaxRetries > 0) || _callTimeout is not null
                ? CancellationTokenSource.CreateLinkedTokenSource(_cancellationToken)
                : null;
            try
            {
                var running = new Task[workers];
                for (int w = 0; w < workers; w++)
                {
                    running[w] = WorkAsync();
                }

                // Workers never throw: they hand their failure to Fail.
                await Task.WhenAll(running).ConfigureAwait(false);
            }
            finally
            {
                _stop?.Dispose();
                _stop = null;
            }

            if (_lost is { Count: > 0 } lost)
            {
                // Lost calls outweigh any other failure: they are what the caller must know first.
                foreach (var (id, failure) in _failures ?? [])
                {
                    _client.LogFurtherFailure(failure, id);
                }

                throw new LostEpochsException(lost);
            }

            if (_failures is { Count: > 0 } failures)
            {
                for (int i = 1; i < failures.Count; i++)
                {
                    _client.LogFurtherFailure(failures[i].Failure, failures[i].Id);
                }

                ExceptionDispatchInfo.Throw(failures[0].Failure);
            }

            if (_interrupted || _taken + 1 < count)
            {
                throw new OperationCanceledException("The fan-out was cancelled before all of its calls had returned.", _cancellationToken);
            }
        }

        private async Task WorkAsync()
        {
            while (!_stopping)
            {
                if (_cancellationToken.IsCancellationRequested)
                {
                    Stop();
                    return;
                }

                int k = Interlocked.Increment(ref _taken);
                if (k >= _count)
                {
                    return;
                }

                int position = _positions is null ? k : _positions[k];
                long id = _ids[position];
                CancellationTokenSource? timer = null;
                IArrayDictMethod<TResult>? method = null;
                try
                {
                    var grain = _grains[position] ??= _client.Get(id);
                    method = _methodFor(id, _iteration);
                    ArgumentNullException.ThrowIfNull(method);
                    await _client.EnsureReadableAsync(id, method).ConfigureAwait(false);
                    timer = _callTimeout is { } timeout ? StartCallTimer(timeout, StopToken) : null;
                    CancellationToken? bound = timer?.Token;
                    TResult result;
                    if (_ledger is { } ledger)
                    {
                        // This round's epoch of the ArrayDict, after the last epoch seen applied there.
                        long epoch = ledger.First[position] + _iteration;
                        long? after = ledger.Applied[position];
                        try
                        {
                            try
                            {
                                result = await SendApplyNextAsync(grain, method, epoch, after, bound).ConfigureAwait(false);
                            }
                            catch (Exception exception) when (_client.IsRetried(exception))
                            {
                                result = await _client.RetryAsync(new RetriedCall<TResult>(grain, method, epoch, after, true, exception, bound), _retries, bound ?? StopToken).ConfigureAwait(false);
                            }
                        }
                        catch (EpochMismatchException behind) when (behind.IsBehind)
                        {
                            result = await ReplayAsync(ledger, position, id, grain, method, epoch, behind, bound).ConfigureAwait(false);
                        }

                        ledger.Applied[position] = epoch;
                    }
                    else
                    {
                        try
                        {
                            result = await SendApplyAsync(grain, method, _epoch, bound).ConfigureAwait(false);
                        }
                        catch (Exception exception) when (_epoch is not null && _client.IsRetried(exception))
                        {
                            result = await _client.RetryAsync(new RetriedCall<TResult>(grain, method, _epoch, null, false, exception, bound), _retries, bound ?? StopToken).ConfigureAwait(false);
                        }
                    }

                    _results[position] = result;
                    _progress?.Report(new IterationProgress(_iteration, Interlocked.Increment(ref _completed), _count));
                }
                catch (LostEpochsException lost)
                {
                    // Not a reason to stop the round: the caller hears of every ArrayDict that lost calls in it.
                    lock (_lock)
                    {
                        (_lost ??= []).AddRange(lost.Lost);
                    }
                }
                catch (OperationCanceledException) when (timer is { IsCancellationRequested: true } && !StopToken.IsCancellationRequested)
                {
                    Fail(id, new ArrayDictCallTimeoutException(id, method!.GetType(), _callTimeout!.Value));
                    return;
                }
                catch (Exception exception)
                {
                    Fail(id, exception);
                    return;
                }
                finally
                {
                    timer?.Dispose();
                }
            }
        }

        private CancellationToken StopToken => _stop?.Token ?? _cancellationToken;

        /// <summary>
        /// The ArrayDict at <paramref name="position"/> lost epochs that had returned (<paramref name="behind"/>): runs them
        /// again in order with the step, then <paramref name="epoch"/>, when the step is replayable and the ArrayDict is back
        /// at a state the run can rebuild; otherwise throws <see cref="LostEpochsException"/> naming them.
        /// </summary>
        private async Task<TResult> ReplayAsync(
            EpochLedger ledger, int position, long id, IArrayDictGrain grain, IArrayDictMethod<TResult> method, long epoch, EpochMismatchException behind, CancellationToken? bound)
        {
            long first = ledger.First[position];
            long lastReturned = behind.AfterEpoch!.Value;
            int replays = 0;
            while (true)
            {
                long? at = behind.LastAppliedEpoch;
                LostEpochsReason? reason = !ledger.Replayable ? LostEpochsReason.StepNotReplayable
                    : !ledger.CanReplayFrom(position, at) ? LostEpochsReason.BeforeRun
                    : ++replays > Math.Max(1, _client._options.MaxRetries) ? LostEpochsReason.StillLosing
                    : null;
                if (reason is { } notReplayed)
                {
                    throw new LostEpochsException([new LostEpochs(id, at, lastReturned, notReplayed)]);
                }

                long from = at >= first ? at.Value + 1 : first;
                _client.LogReplay(id, at, lastReturned, from, epoch);
                if (_replays is not null)
                {
                    Interlocked.Add(ref _replays.Value, epoch - from);
                }

                ledger.Applied[position] = at;
                try
                {
                    for (long replayed = from; ; replayed++)
                    {
                        var call = replayed == epoch ? method : _methodFor(id, checked((int)(replayed - first)));
                        ArgumentNullException.ThrowIfNull(call);
                        var result = await _client.ApplyNextWithRetriesAsync(grain, call, replayed, ledger.Applied[position], _retries, bound, StopToken).ConfigureAwait(false);
                        ledger.Applied[position] = replayed;
                        if (replayed == epoch)
                        {
                            return result;
                        }
                    }
                }
                catch (EpochMismatchException again) when (again.IsBehind)
                {
                    behind = again;
                }
            }
        }

        private void Fail(long id, Exception exception)
        {
            lock (_lock)
            {
                if (exception is OperationCanceledException && (_stopping || _cancellationToken.IsCancellationRequested))
                {
                    // A retry whose delay the round's stop or the caller's cancellation ended: a consequence, not a failure of its own.
                    _interrupted = true;
                    return;
                }

                (_failures ??= []).Add((id, exception));
            }

            Stop();
        }

        // Only workers call it, all before the round disposes the source.
        private void Stop()
        {
            _stopping = true;
            _stop?.Cancel();
        }
    }
}
