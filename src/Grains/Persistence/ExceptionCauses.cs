namespace ArrayDictOrleans.Grains.Persistence;

/// <summary>Walks an exception and its causes: inner exceptions, and every exception an <see cref="AggregateException"/> holds.</summary>
internal static class ExceptionCauses
{
    /// <summary>Yields <paramref name="exception"/>, then its causes, depth first.</summary>
    /// <param name="exception">The exception to walk.</param>
    /// <returns>The exception and all its causes.</returns>
    public static IEnumerable<Exception> Of(Exception exception)
    {
        var causes = new Stack<Exception>();
        causes.Push(exception);
        while (causes.TryPop(out var cause))
        {
            yield return cause;
            if (cause is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    causes.Push(inner);
                }
            }
            else if (cause.InnerException is { } inner)
            {
                causes.Push(inner);
            }
        }
    }
}
