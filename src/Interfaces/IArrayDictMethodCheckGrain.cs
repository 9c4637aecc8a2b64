namespace ArrayDictOrleans;

/// <summary>
/// Lets a client learn, before it sends a method type for the first time, whether the silo can read it: the SDK sends
/// one instance here, alone, and only then the calls (Orleans can lose the error answers of several unreadable calls
/// sent together, leaving them to time out).
/// </summary>
public interface IArrayDictMethodCheckGrain : IGrainWithIntegerKey
{
    /// <summary>Returns once <paramref name="method"/> has been read; fails with Orleans' serializer error when it cannot be. Runs nothing.</summary>
    Task CheckAsync<TResult>(IArrayDictMethod<TResult> method);
}
