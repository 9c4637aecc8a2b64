using System.Net.Sockets;
using Azure;
using Orleans.Runtime.Messaging;
using Orleans.Storage;

namespace ArrayDictOrleans.Client;

/// <summary>Which failures a retry with the same epoch can cure.</summary>
public static class TransientFailures
{
    /// <summary>
    /// Whether <paramref name="exception"/> says the call may not have reached or finished on its grain for a
    /// reason that passes: a silo that died or left, a lost connection, a timeout, a stale activation
    /// (<see cref="InconsistentStateException"/>, after which the grain reloads), a snapshot that could not be
    /// written (<see cref="ArrayDictStorageException"/>: the change was rolled back), or an activation that could not
    /// read its snapshot because storage did not answer (Orleans' <see cref="OrleansException"/> around the storage
    /// client's network error: nothing ran). Errors in the call itself (bad arguments, a method that throws,
    /// <see cref="StaleEpochException"/>) and a snapshot that is unreadable (<see cref="SnapshotFormatException"/>) are not transient.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        SiloUnavailableException or ConnectionFailedException or GatewayTooBusyException => true,
        OrleansMessageRejectionException or TimeoutException or InconsistentStateException or ArrayDictStorageException => true,
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
                case SnapshotFormatException:
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
