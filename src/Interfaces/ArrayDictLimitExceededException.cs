namespace ArrayDictOrleans;

/// <summary>
/// A request asked for more than a silo's limit allows (<see cref="ArrayDictLimits"/>): it was refused before anything was
/// allocated or changed. The message names the limit, its setting and the value asked for.
/// </summary>
[GenerateSerializer, Alias("arraydict.ArrayDictLimitExceededException")]
public sealed class ArrayDictLimitExceededException : InvalidOperationException
{
    /// <summary>Creates the exception for the limit <paramref name="limit"/>.</summary>
    /// <param name="limit">The limit's name, a property of <see cref="ArrayDictLimits"/>.</param>
    /// <param name="maximum">The limit's value.</param>
    /// <param name="requested">What the request asked for.</param>
    /// <param name="request">What the request was and asked for, for the message.</param>
    public ArrayDictLimitExceededException(string limit, long maximum, long requested, string request)
        : base($"{request}, over the limit {limit} = {maximum} (setting {ArrayDictLimits.SectionName}:{limit}); nothing was changed.")
    {
        Limit = limit;
        Maximum = maximum;
        Requested = requested;
    }

    /// <summary>The limit's name, a property of <see cref="ArrayDictLimits"/>; its setting is <c>ArrayDict:Limits:{Limit}</c>.</summary>
    [Id(0)]
    public string Limit { get; }

    /// <summary>The limit's value.</summary>
    [Id(1)]
    public long Maximum { get; }

    /// <summary>What the request asked for.</summary>
    [Id(2)]
    public long Requested { get; }
}
