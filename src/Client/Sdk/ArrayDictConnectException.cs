namespace ArrayDictOrleans.Client;

/// <summary>
/// The client could not connect to the cluster within <see cref="ArrayDictClientOptions.ConnectTimeout"/>: no gateway
/// answered, or each answer was a refusal. The inner exception is the last attempt's failure.
/// </summary>
public sealed class ArrayDictConnectException : Exception
{
    /// <summary>Creates the exception for <paramref name="cluster"/>, after <paramref name="timeout"/>.</summary>
    /// <param name="cluster">Where the cluster was looked for: the gateways, or the membership table.</param>
    /// <param name="timeout">How long connecting was tried.</param>
    /// <param name="lastFailure">The last attempt's failure.</param>
    public ArrayDictConnectException(string cluster, TimeSpan timeout, Exception lastFailure)
        : base(
            $"Could not connect to the ArrayDict cluster at {cluster} within {timeout.TotalSeconds:0.#} s: {Reason(lastFailure)} Is a silo running there?",
            lastFailure)
    {
        Cluster = cluster;
        Timeout = timeout;
    }

    /// <summary>Where the cluster was looked for: the gateways, or the membership table.</summary>
    public string Cluster { get; }

    /// <summary>How long connecting was tried.</summary>
    public TimeSpan Timeout { get; }

    private static string Reason(Exception failure)
    {
        string text = string.Join(' ', failure.GetBaseException().Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return text.Length == 0 ? "no gateway answered." : text.EndsWith('.') ? text : text + ".";
    }
}
