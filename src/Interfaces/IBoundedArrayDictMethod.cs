namespace ArrayDictOrleans;

/// <summary>
/// A method whose arguments say what it will cost: the grain calls <see cref="CheckLimits"/> before
/// <see cref="IArrayDictMethod{TResult}.Invoke"/>, so that a method asked for too much is refused before it allocates.
/// Any method's result is checked after it runs as well (rows and bytes of the ArrayDict), and rolled back when over.
/// </summary>
public interface IBoundedArrayDictMethod
{
    /// <summary>Checks the method's arguments against <paramref name="limits"/> for a run on <paramref name="dict"/>.</summary>
    /// <exception cref="ArrayDictLimitExceededException">The method would exceed a limit.</exception>
    /// <exception cref="ArgumentException">An argument is out of range.</exception>
    void CheckLimits(ArrayDict dict, ArrayDictLimits limits);
}
