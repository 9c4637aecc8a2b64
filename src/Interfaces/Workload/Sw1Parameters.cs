namespace ArrayDictOrleans.Workload;

/// <summary>
/// The parameters of the reference workload SW1 (<c>docs/workload.md</c>): <see cref="Objects"/> ArrayDicts of
/// <see cref="Rows"/> initial rows, each call updating <see cref="Updates"/> rows and appending <see cref="Appends"/>,
/// object <c>i</c> done after <c>(i mod Budget) + 1</c> calls, rows of <see cref="Width"/> values, and each call doing
/// <see cref="WorkIterations"/> steps of deterministic CPU work (<see cref="Sw1Work"/>) besides.
/// </summary>
[GenerateSerializer, Immutable, Alias("arraydict.Sw1Parameters")]
public sealed record Sw1Parameters(
    [property: Id(0)] int Objects = 1000,
    [property: Id(1)] int Rows = 1000,
    [property: Id(2)] int Updates = 100,
    [property: Id(3)] int Appends = 10,
    [property: Id(4)] int Budget = 8,
    [property: Id(5)] int Width = 1,
    [property: Id(6)] long WorkIterations = 0)
{
    /// <summary>Checks every parameter's range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is out of range; the message names it.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Objects, nameof(Objects));
        ArgumentOutOfRangeException.ThrowIfLessThan(Rows, 1, nameof(Rows));
        ArgumentOutOfRangeException.ThrowIfNegative(Updates, nameof(Updates));
        ArgumentOutOfRangeException.ThrowIfNegative(Appends, nameof(Appends));
        ArgumentOutOfRangeException.ThrowIfLessThan(Budget, 1, nameof(Budget));
        ArgumentOutOfRangeException.ThrowIfLessThan(Width, 1, nameof(Width));
        ArgumentOutOfRangeException.ThrowIfNegative(WorkIterations, nameof(WorkIterations));
    }

    /// <summary>Calls object <paramref name="objectId"/> takes before it is done.</summary>
    public int CallsFor(long objectId) => (int)(objectId % Budget) + 1;

    /// <summary>Calls the whole run makes: the sum of <see cref="CallsFor"/> over all objects.</summary>
    public long TotalCalls()
    {
        long total = 0;
        for (long i = 0; i < Objects; i++)
        {
            total += CallsFor(i);
        }

        return total;
    }
}
