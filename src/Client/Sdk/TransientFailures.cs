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
    /// written (<see cref="ArrayDictStorageException"/>: the change was rolled back). Errors in the call itself
    /// (bad arguments, a method that throws, <see cref="StaleEpochException"/>) are not transient.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        SiloUnavailableException or ConnectionFailedException or GatewayTooBusyException => true,
        OrleansMessageRejectionException or TimeoutException or InconsistentStateException or ArrayDictStorageException => true,
        _ => false,
    };
}
