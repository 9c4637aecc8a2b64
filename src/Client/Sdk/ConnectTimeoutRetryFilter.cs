using System.Diagnostics;

namespace ArrayDictOrleans.Client;

/// <summary>
/// Retries connecting about once a second until <see cref="ArrayDictClientOptions.ConnectTimeout"/> has passed since
/// the client started, then fails with <see cref="ArrayDictConnectException"/> (Orleans' default retries for minutes).
/// </summary>
internal sealed class ConnectTimeoutRetryFilter(string cluster, TimeSpan timeout) : IClientConnectionRetryFilter
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    // Created when the client starts connecting (Orleans resolves the filter then), so the timeout counts from there.
    private readonly long _started = Stopwatch.GetTimestamp();

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        var remaining = timeout - Stopwatch.GetElapsedTime(_started);
        if (remaining <= TimeSpan.Zero)
        {
            throw new ArrayDictConnectException(cluster, timeout, exception);
        }

        await Task.Delay(remaining < RetryDelay ? remaining : RetryDelay, cancellationToken).ConfigureAwait(false);
        if (Stopwatch.GetElapsedTime(_started) >= timeout)
        {
            throw new ArrayDictConnectException(cluster, timeout, exception);
        }

        return true;
    }
}
