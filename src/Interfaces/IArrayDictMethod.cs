namespace ArrayDictOrleans;

/// <summary>
/// A method that runs inside an ArrayDict grain, on the live <see cref="ArrayDict"/>, with no copy of it.
/// The implementing type carries the method's arguments and travels to the grain; only it and the result
/// cross the wire. Mark it <c>[GenerateSerializer, Immutable, Alias("...")]</c> and put it in an
/// assembly that both the client and the silo load.
/// </summary>
/// <typeparam name="TResult">The result, sent back to the caller: keep it small and serializable.</typeparam>
/// <remarks>
/// A method that throws leaves the ArrayDict exactly as it was before the call: the grain records what the
/// method changes and rolls it back. Write rows through <see cref="ArrayDict.GetRow"/> and the other
/// tracked accessors; read through <see cref="ArrayDict.GetRowReadOnly"/>, <see cref="ArrayDict.Values"/>
/// or enumeration, which cost nothing to track.
/// </remarks>
public interface IArrayDictMethod<out TResult>
{
    /// <summary>Runs the method on <paramref name="dict"/> and returns its result.</summary>
    TResult Invoke(ArrayDict dict);
}
