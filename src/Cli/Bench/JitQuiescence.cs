using System.Diagnostics;
using System.Runtime;

namespace ArrayDictOrleans.Client.Bench;

/// <summary>
/// Waits, before a timed loop, until the JIT has compiled nothing for a short while. Every bench round starts a silo,
/// and tiered compilation optimises the start-up code of earlier rounds on a background thread as its calls add up: on
/// two cores that thread took a quarter of the machine during later rounds' loops, which a long-lived silo does not pay.
/// </summary>
internal static class JitQuiescence
{
    /// <summary>How long nothing must be compiled before a loop starts.</summary>
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait: a JIT that never falls quiet delays a loop by this much at most.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    /// <summary>Waits until no method was compiled for <see cref="QuietPeriod"/>, or for <see cref="Limit"/>.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether the JIT fell quiet within the limit.</returns>
    public static Task<bool> WaitAsync(CancellationToken cancellationToken) =>
        WaitAsync(() => JitInfo.GetCompiledMethodCount(currentThread: false), QuietPeriod, Limit, cancellationToken);

    /// <summary>Waits until <paramref name="compiledMethods"/> stays the same for <paramref name="quietPeriod"/>, or for <paramref name="limit"/>.</summary>
    /// <param name="compiledMethods">Reads how many methods have been compiled so far.</param>
    /// <param name="quietPeriod">How long the count must stay the same.</param>
    /// <param name="limit">The longest wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>Whether the count stayed the same for <paramref name="quietPeriod"/> within <paramref name="limit"/>.</returns>
    internal static async Task<bool> WaitAsync(Func<long> compiledMethods, TimeSpan quietPeriod, TimeSpan limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(compiledMethods);
        long started = Stopwatch.GetTimestamp();
        long count = compiledMethods();
        long quietSince = started;

        // At least one poll, however late this thread runs: a count read once says nothing about the JIT.
        do
        {
            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
            long now = compiledMethods();
            if (now != count)
            {
                count = now;
                quietSince = Stopwatch.GetTimestamp();
            }
            else if (Stopwatch.GetElapsedTime(quietSince) >= quietPeriod)
            {
                return true;
            }
        }
        while (Stopwatch.GetElapsedTime(started) < limit);

        return false;
    }
}
