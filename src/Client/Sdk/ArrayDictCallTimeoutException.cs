namespace ArrayDictOrleans.Client;

/// <summary>
/// A call given a timeout of its own (the <c>timeout</c> of <see cref="ArrayDictClient.ApplyAsync{TResult}"/>, the
/// <c>callTimeout</c> of a fan-out or a loop) did not return within it, retries and replays included. The SDK does not
/// retry it. The grain drops the call if it had not started it; a method already running finishes there, and its change
/// is kept: with an epoch, calling again with the same epoch is safe and returns the method's result once it is kept.
/// </summary>
public sealed class ArrayDictCallTimeoutException : TimeoutException
{
    /// <summary>Creates the exception for a call on ArrayDict <paramref name="id"/> of a method of <paramref name="methodType"/>.</summary>
    /// <param name="id">The ArrayDict called.</param>
    /// <param name="methodType">The method's type.</param>
    /// <param name="timeout">The call's timeout.</param>
    public ArrayDictCallTimeoutException(long id, Type methodType, TimeSpan timeout)
        : base($"The call of {methodType?.FullName} on ArrayDict {id} did not return within its timeout of {timeout}; the method may still be running "
            + "there. With an epoch, calling again with the same epoch is safe: it returns the method's result once the ArrayDict has kept it.")
    {
        ArgumentNullException.ThrowIfNull(methodType);
        Id = id;
        MethodType = methodType;
        Timeout = timeout;
    }

    /// <summary>The ArrayDict called.</summary>
    public long Id { get; }

    /// <summary>The method's type.</summary>
    public Type MethodType { get; }

    /// <summary>The call's timeout.</summary>
    public TimeSpan Timeout { get; }
}
