using System.Reflection;
using System.Threading.Channels;

namespace ArrayDictOrleans.Tests.Grains;

/// <summary>
/// A stand-in for the cluster behind <see cref="IGrainFactory"/>: each <see cref="IArrayDictGrain.ApplyAsync{TResult}"/>
/// or <see cref="IArrayDictGrain.ApplyNextAsync{TResult}"/> of an <see cref="IArrayDictMethod{TResult}"/> of
/// <see cref="long"/> is parked until the test completes or fails it (or answered at once by <see cref="Respond"/> or
/// <see cref="RespondNext"/>), and <see cref="IArrayDictGrain.GetInfoAsync"/> reports <see cref="LastAppliedEpoch"/> (or fails as
/// <see cref="InfoFailure"/> says), so that a fan-out's concurrency, failures, retries and cancellation
/// are observed exactly, without timing. Completing a call runs the caller's continuation before returning, so that
/// whatever the caller does next (its next call, its stop) has happened by then.
/// </summary>
internal sealed class ParkedGrainCalls
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly Channel<ParkedCall> _parked = Channel.CreateUnbounded<ParkedCall>();
    private readonly Lock _lock = new();
    private readonly List<(long Id, long? Epoch)> _calls = [];
    private readonly List<(long Id, long Epoch, long? After)> _nextCalls = [];
    private int _inFlight;
    private int _infoCalls;

    public ParkedGrainCalls() => Factory = FakeGrainFactory.Create(this);

    /// <summary>The factory to build an <c>ArrayDictClient</c> on.</summary>
    public IGrainFactory Factory { get; }

    /// <summary>Answers a call at once instead of parking it: its result, or the exception it fails with.</summary>
    public Func<long, long?, IArrayDictMethod<long>, (long Result, Exception? Failure)>? Respond { get; init; }

    /// <summary>Answers an <c>ApplyNextAsync</c> at once (id, epoch, last epoch seen applied, method); when null, <see cref="Respond"/> or parking does.</summary>
    public Func<long, long, long?, IArrayDictMethod<long>, (long Result, Exception? Failure)>? RespondNext { get; init; }

    /// <summary>The last applied epoch that <c>GetInfoAsync</c> reports for an id; none when null.</summary>
    public Func<long, long?>? LastAppliedEpoch { get; init; }

    /// <summary>
    /// How the n-th <c>GetInfoAsync</c> (counting from 1, over all ids) fails, or null when it answers; every
    /// <c>GetInfoAsync</c> answers when this is null.
    /// </summary>
    public Func<int, Exception?>? InfoFailure { get; init; }

    /// <summary>The <c>GetInfoAsync</c> calls made so far.</summary>
    public int InfoCalls
    {
        get
        {
            lock (_lock)
            {
                return _infoCalls;
            }
        }
    }

    /// <summary>The most calls that were in flight at once.</summary>
    public int MaxInFlight { get; private set; }

    /// <summary>Grain references made.</summary>
    public int GrainReferences { get; private set; }

    /// <summary>Every call started so far: its id and epoch, in order.</summary>
    public IReadOnlyList<(long Id, long? Epoch)> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>Every <c>ApplyNextAsync</c> started so far: its id, epoch and last epoch seen applied, in order.</summary>
    public IReadOnlyList<(long Id, long Epoch, long? After)> NextCalls
    {
        get
        {
            lock (_lock)
            {
                return [.. _nextCalls];
            }
        }
    }

    /// <summary>The next parked call, waiting at most 10 s for the caller to start it.</summary>
    public async Task<ParkedCall> NextAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            return await _parked.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"No call was started within {StartTimeout.TotalSeconds} s after the {Calls.Count} so far.");
        }
    }

    /// <summary>Whether a call is parked and not yet taken by <see cref="NextAsync"/>.</summary>
    public bool HasParked => _parked.Reader.TryPeek(out _);

    private Task<long> Start(long id, long? epoch, IArrayDictMethod<long> method, bool next = false, long? after = null)
    {
        lock (_lock)
        {
            _calls.Add((id, epoch));
            if (next)
            {
                _nextCalls.Add((id, epoch!.Value, after));
            }

            _inFlight++;
            MaxInFlight = Math.Max(MaxInFlight, _inFlight);
        }

        var call = new ParkedCall(this, id, epoch, method);
        var respond = next && RespondNext is { } respondNext
            ? (_, _, m) => respondNext(id, epoch!.Value, after, m)
            : Respond;
        if (respond is not null)
        {
            var (result, failure) = respond(id, epoch, method);
            if (failure is null)
            {
                call.Complete(result);
            }
            else
            {
                call.Fail(failure);
            }
        }
        else
        {
            Assert.True(_parked.Writer.TryWrite(call));
        }

        return call.Task;
    }

    private Task<ArrayDictInfo> Info(long id)
    {
        int call;
        lock (_lock)
        {
            call = ++_infoCalls;
        }

        return InfoFailure?.Invoke(call) is { } failure
            ? Task.FromException<ArrayDictInfo>(failure)
            : Task.FromResult(new ArrayDictInfo(id, 0, 1, 0, 0, LastAppliedEpoch?.Invoke(id), null, null, 0));
    }

    private void Returned()
    {
        lock (_lock)
        {
            _inFlight--;
        }
    }

    /// <summary>One call the fake holds.</summary>
    internal sealed class ParkedCall(ParkedGrainCalls owner, long id, long? epoch, IArrayDictMethod<long> method)
    {
        // Continuations run inline, so that the caller has reacted when Complete or Fail returns.
        private readonly TaskCompletionSource<long> _result = new();

        public long Id => id;

        public long? Epoch => epoch;

        public IArrayDictMethod<long> Method => method;

        public Task<long> Task => _result.Task;

        public void Complete(long result)
        {
            owner.Returned();
            WithoutSynchronizationContext(() => _result.SetResult(result));
        }

        public void Fail(Exception exception)
        {
            owner.Returned();
            WithoutSynchronizationContext(() => _result.SetException(exception));
        }

        // A continuation runs inline only where no synchronization context (xunit's, here) asks for it to be posted.
        private static void WithoutSynchronizationContext(Action complete)
        {
            var context = SynchronizationContext.Current;
            SynchronizationContext.SetSynchronizationContext(null);
            try
            {
                complete();
            }
            finally
            {
                SynchronizationContext.SetSynchronizationContext(context);
            }
        }
    }

    /// <summary>An <see cref="IGrainFactory"/> that makes only <see cref="IArrayDictGrain"/> references by integer key.</summary>
    public class FakeGrainFactory : DispatchProxy
    {
        private ParkedGrainCalls _owner = null!;

        internal static IGrainFactory Create(ParkedGrainCalls owner)
        {
            var factory = DispatchProxy.Create<IGrainFactory, FakeGrainFactory>();
            ((FakeGrainFactory)(object)factory)._owner = owner;
            return factory;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod is { Name: nameof(IGrainFactory.GetGrain), IsGenericMethod: true } && targetMethod.GetGenericArguments()[0] == typeof(IArrayDictGrain) && args?[0] is long id)
            {
                lock (_owner._lock)
                {
                    _owner.GrainReferences++;
                }

                return FakeGrain.Create(_owner, id);
            }

            if (targetMethod is { Name: nameof(IGrainFactory.GetGrain), IsGenericMethod: true } && targetMethod.GetGenericArguments()[0] == typeof(IArrayDictMethodCheckGrain))
            {
                return DispatchProxy.Create<IArrayDictMethodCheckGrain, ReadableMethodCheck>();
            }

            throw new NotSupportedException($"The fake grain factory does not do {targetMethod}.");
        }
    }

    /// <summary>The SDK's method check, passed by every method: the fake grains read any.</summary>
    public class ReadableMethodCheck : DispatchProxy
    {
        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) => Task.CompletedTask;
    }

    /// <summary>An <see cref="IArrayDictGrain"/> whose <c>ApplyAsync</c> goes to <see cref="ParkedGrainCalls"/>.</summary>
    public class FakeGrain : DispatchProxy
    {
        private ParkedGrainCalls _owner = null!;
        private long _id;

        internal static IArrayDictGrain Create(ParkedGrainCalls owner, long id)
        {
            var grain = DispatchProxy.Create<IArrayDictGrain, FakeGrain>();
            var fake = (FakeGrain)(object)grain;
            fake._owner = owner;
            fake._id = id;
            return grain;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod?.Name == nameof(IArrayDictGrain.ApplyAsync) && args?[0] is IArrayDictMethod<long> method)
            {
                return _owner.Start(_id, (long?)args[1], method);
            }

            if (targetMethod?.Name == nameof(IArrayDictGrain.ApplyNextAsync) && args?[0] is IArrayDictMethod<long> nextMethod)
            {
                return _owner.Start(_id, (long)args[1]!, nextMethod, next: true, after: (long?)args[2]);
            }

            if (targetMethod?.Name == nameof(IArrayDictGrain.GetInfoAsync))
            {
                return _owner.Info(_id);
            }

            throw new NotSupportedException($"The fake grain does not do {targetMethod}.");
        }
    }
}
