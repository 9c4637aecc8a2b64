using System.Net.Sockets;
using Azure;
using Orleans.Runtime.Messaging;
using Orleans.Storage;

namespace ArrayDictOrleans.Client;

/// <summary>Which failures a retry with the same epoch can cure.</summary>
public static class TransientFailures
{
    /// <summary>The start of the message of the <see cref="OperationCanceledException"/> Orleans answers with while a dead silo is evicted.</summary>
    internal const string PlacementExpired = "Message expired before placement could complete";

    /// <summary>
    /// Whether <paramref name="exception"/> says the call may not have reached or finished on its grain for a
    /// reason that passes: a silo that died or left, a lost connection, a timeout, a call that expired while
    /// Orleans placed its grain (its <see cref="OperationCanceledException"/> "Message expired before placement could
    /// complete", while a dead silo is evicted), a stale activation (<see cref="InconsistentStateException"/>, an ETag
    /// conflict after which the grain reloads), a snapshot that could not be written for a reason that may pass
    /// (<see cref="ArrayDictStorageException.IsTransient"/>: the change was rolled back), or an activation that could not
    /// read its snapshot because storage did not answer (Orleans' <see cref="OrleansException"/> around the storage
    /// client's network error: nothing ran). Errors in the call itself (bad arguments, a method that throws, an epoch
    /// refused), a call past the timeout its caller gave it (<see cref="ArrayDictCallTimeoutException"/>), a storage
    /// failure that will recur and a snapshot that is unreadable (<see cref="SnapshotFormatException"/>)
    /// are not transient: a second try would fail the same way.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        ArrayDictCallTimeoutException => false,
        SiloUnavailableException or ConnectionFailedException or GatewayTooBusyException => true,
        OrleansMessageRejectionException or TimeoutException or InconsistentStateException => true,
        ArrayDictStorageException storage => storage.IsTransient,
        OperationCanceledException when exception.Message.StartsWith(PlacementExpired, StringComparison.Ordinal) => true,
        OrleansException when IsUnreachableStorage(exception) => true,
        _ => false,
    };

    /// <summary>Whether the causes of <paramref name="exception"/> show storage that did not answer, and no bad snapshot.</summary>
    private static bool IsUnreachableStorage(Exception exception)
    {
        bool unreachable = false;
        var causes = new Stack<Exception>();
        PushCauses(causes, exception);
        while (causes.TryPop(out var cause))
        {
            switch (cause)
            {
                case SnapshotFormatException or ArrayDictStorageException { IsTransient: false }:
                    return false;
                case ArrayDictStorageException or HttpRequestException or SocketException or TimeoutException:
                case RequestFailedException { Status: 0 or 408 or 429 or >= 500 }:
                    unreachable = true;
                    break;
            }

            PushCauses(causes, cause);
        }

        return unreachable;
    }

    private static void PushCauses(Stack<Exception> causes, Exception exception)
    {
        if (exception is AggregateException aggregate)
        {
            foreach (var inner in aggregate.InnerExceptions)
            {
                causes.Push(inner);
            }
        }
        else if (exception.InnerException is { } inner)
        {
            causes.Push(inner);
        }
    }
}
